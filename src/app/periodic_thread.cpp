#include "app/periodic_thread.hpp"

namespace carechat::app {

periodic_thread::periodic_thread(std::chrono::milliseconds interval, std::function<void()> task, first_run first)
    : interval_(interval), task_(std::move(task)), first_(first), thread_([this] { run(); }) {}

periodic_thread::~periodic_thread() { stop(); }

void periodic_thread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void periodic_thread::run() {
  std::unique_lock lock(mutex_);
  if (first_ == first_run::after_interval) wake_.wait_for(lock, interval_, [this] { return stopping_; });
  while (!stopping_) {
    lock.unlock();
    task_();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace carechat::app
