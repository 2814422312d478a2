// Load for the outage tests: threads that send messages as a patient, each with an Idempotency-Key,
// retrying a request until it is acknowledged (as a careful client does), while a database restarts
// or fails over or a node dies. They record what was acknowledged, so the test can check that every
// acknowledged send is stored exactly once afterwards. Thread-safety: start() and stop() from the
// test thread; the counters may be read at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/fixture.hpp"

namespace carechat::testing {

struct keyed_sender_options {
  std::chrono::milliseconds pause{0};  // between one acknowledged send and the next
  // Through a load balancer, a node that dies mid-request gives 502 (or 504), and with no node up
  // the balancer's own 503 has no Retry-After: both are retried like a cut connection.
  bool through_balancer = false;
};

class keyed_senders {
 public:
  // `port_of(i)`: the port sender i talks to (a node, or a load balancer in front of several).
  keyed_senders(int threads, std::function<unsigned short(int)> port_of, std::string path, std::string token,
                keyed_sender_options options = {})
      : port_of_(std::move(port_of)), path_(std::move(path)), token_(std::move(token)), options_(options) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { run(t); });
  }
  ~keyed_senders() { stop(); }

  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  std::set<std::string> acknowledged() const {
    std::lock_guard lock(mutex_);
    return acked_;
  }
  std::size_t acknowledged_count() const {
    std::lock_guard lock(mutex_);
    return acked_.size();
  }
  int unavailable() const { return unavailable_.load(); }       // 503s seen (then retried)
  int broken() const { return broken_.load(); }                 // no answer: connection cut (retried)
  int unexpected() const { return unexpected_.load(); }         // anything else: a failure of the test
  long long slowest_ms() const { return slowest_ms_.load(); }   // the longest any request took

 private:
  void run(int t) {
    std::unique_ptr<http_client> http;
    for (int i = 0; !stop_.load(); ++i) {
      const std::string key = "load-" + std::to_string(t) + "-" + std::to_string(i);
      const std::string body = boost::json::serialize(boost::json::object{{"message", key}});
      for (;;) {
        if (!http) http = std::make_unique<http_client>(port_of_(t));
        const auto started = std::chrono::steady_clock::now();
        http_result r;  // status 0: no answer (refused, reset or cut mid-answer)
        try {
          r = http->post_json(path_, token_, body, {{"Idempotency-Key", key}});
        } catch (const std::exception&) {
        }
        note_latency(std::chrono::steady_clock::now() - started);
        if (r.status == 200) {
          std::lock_guard lock(mutex_);
          acked_.insert(std::string(boost::json::parse(r.body).at("externalId").as_string()));
          break;
        }
        if (r.status == 503) {
          unavailable_.fetch_add(1);
          if (r.headers["retry-after"] != "1" && !options_.through_balancer) unexpected_.fetch_add(1);
        } else if (r.status == 0 || (options_.through_balancer && (r.status == 502 || r.status == 504))) {
          broken_.fetch_add(1);
          http.reset();  // a new connection (through a balancer: maybe to another node)
        } else {
          unexpected_.fetch_add(1);
          ADD_FAILURE() << r.status << " " << r.body;
        }
        if (stop_.load()) return;  // an unacknowledged request may be given up
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (options_.pause.count() > 0) std::this_thread::sleep_for(options_.pause);
    }
  }

  void note_latency(std::chrono::steady_clock::duration d) {
    const long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    long long prev = slowest_ms_.load();
    while (ms > prev && !slowest_ms_.compare_exchange_weak(prev, ms)) {
    }
  }

  std::function<unsigned short(int)> port_of_;
  const std::string path_, token_;
  const keyed_sender_options options_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::set<std::string> acked_;  // guarded by mutex_
  std::atomic<int> unavailable_{0}, broken_{0}, unexpected_{0};
  std::atomic<long long> slowest_ms_{0};
  std::vector<std::thread> threads_;  // last
};

// Every message of a chat, newest first (pages of 200), as the external ids stored.
inline std::multiset<std::string> stored_external_ids(http_client& http, const std::string& path,
                                                      const std::string& token) {
  std::multiset<std::string> stored;
  std::string target = path + "?pageSize=200";
  for (int guard = 0; guard < 10'000; ++guard) {
    auto r = http.get(target, token);
    if (r.status != 200) {
      ADD_FAILURE() << "GET " << target << " -> " << r.status << " " << r.body;
      return stored;
    }
    auto page = boost::json::parse(r.body);
    for (const auto& msg : page.at("content").as_array())
      stored.insert(std::string(msg.at("externalId").as_string()));
    const auto& next = page.at("meta").at("nextPageToken");
    if (next.is_null()) break;
    target = path + "?pageToken=" + url_encode(std::string(next.as_string()));
  }
  return stored;
}

}  // namespace carechat::testing
