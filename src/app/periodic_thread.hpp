// A thread that runs one task now and then every interval until stopped: the shape of the
// server's housekeeping (event pruning, the revocation watch, search indexing). Thread-safety: stop() (or the
// destructor) from any thread, including the task's own (it then only asks the loop to end).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace carechat::app {

class periodic_thread {
 public:
  enum class first_run { now, after_interval };
  // Starts the thread; `task` runs at once (or after one interval), then after every `interval`.
  periodic_thread(std::chrono::milliseconds interval, std::function<void()> task, first_run first = first_run::now);
  ~periodic_thread();
  periodic_thread(const periodic_thread&) = delete;
  periodic_thread& operator=(const periodic_thread&) = delete;
  void stop();

 private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  first_run first_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
