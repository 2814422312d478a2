#include "net/log_follower.hpp"

#include "core/log.hpp"

namespace carechat::net {

log_follower::log_follower(store::reader_pool& readers, domain::log_bus* bus, domain::event_hub& deliver,
                           options o)
    : readers_(readers), bus_(bus), deliver_(deliver), opts_(o), thread_([this] { run(); }) {}

log_follower::~log_follower() { stop(); }

void log_follower::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (bus_ != nullptr) bus_->wake();
  if (thread_.joinable()) thread_.join();
}

std::size_t log_follower::followed() const {
  std::lock_guard lock(mutex_);
  return logs_.size();
}

void log_follower::track(const std::string& tenant, const std::string& instance, std::int64_t from) {
  {
    std::lock_guard lock(mutex_);
    auto [it, added] = logs_.try_emplace({tenant, instance});
    ++it->second.subscribers;
    if (!added) return;
    it->second.upto = from;
    it->second.fetch = true;  // what was committed since `from` is read at once, not at the next poll
  }
  wake_.notify_all();
  if (bus_ != nullptr) bus_->wake();
}

void log_follower::untrack(const std::string& tenant, const std::string& instance) {
  std::lock_guard lock(mutex_);
  auto it = logs_.find({tenant, instance});
  if (it != logs_.end() && --it->second.subscribers <= 0) logs_.erase(it);
}

void log_follower::drain(log_state& s) {
  while (!s.held.empty() && s.held.begin()->first <= s.upto + 1) {
    auto node = s.held.extract(s.held.begin());
    if (node.key() == s.upto + 1) {
      deliver_.publish(std::span<const domain::chat_event>(&node.mapped(), 1));
      s.upto = node.key();
    }
  }
}

bool log_follower::offer(log_state& s, const domain::chat_event& e) {
  if (e.position <= s.upto) return !s.held.empty();  // delivered already
  if (e.position == s.upto + 1) {
    deliver_.publish(std::span<const domain::chat_event>(&e, 1));
    s.upto = e.position;
    drain(s);
  } else if (s.held.size() < opts_.max_held) {
    s.held.emplace(e.position, e);
  }
  return !s.held.empty();
}

void log_follower::publish(std::span<const domain::chat_event> events) {
  if (events.empty()) return;
  std::vector<domain::log_hint> hints;
  bool gap = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : events) {
      if (hints.empty() || hints.back().tenant != e.chat.tenant || hints.back().instance != e.chat.instance)
        hints.push_back({e.chat.tenant, e.chat.instance, e.position});
      else
        hints.back().position = std::max(hints.back().position, e.position);
      auto it = logs_.find({e.chat.tenant, e.chat.instance});
      if (it == logs_.end()) continue;  // nobody here follows that log
      if (offer(it->second, e)) {
        it->second.fetch = true;
        gap = true;
      }
    }
  }
  if (bus_ != nullptr) bus_->announce(hints);  // wakes the follower's thread too
  if (gap) wake_.notify_all();
}

void log_follower::fetch(const log_key& key) {
  for (;;) {
    std::int64_t after = 0;
    {
      std::lock_guard lock(mutex_);
      auto it = logs_.find(key);
      if (it == logs_.end() || stopping_) return;
      after = it->second.upto;
    }
    auto lease = readers_.acquire();
    auto events = lease->events_after({key.first, key.second, std::nullopt}, after, opts_.batch);
    if (!events) {
      core::log_warn("live", "following the event log failed (retried): " + events.error().message);
      return;
    }
    std::lock_guard lock(mutex_);
    auto it = logs_.find(key);
    if (it == logs_.end()) return;
    for (const auto& e : *events) offer(it->second, e);
    it->second.fetch = !it->second.held.empty();
    if (static_cast<int>(events->size()) < opts_.batch) return;  // caught up
  }
}

void log_follower::run() {
  auto next_poll = std::chrono::steady_clock::now() + opts_.poll_interval;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_poll > now ? next_poll - now : std::chrono::steady_clock::duration::zero());
    std::vector<domain::log_hint> hints;
    if (bus_ != nullptr) {
      hints = bus_->wait(timeout);
    } else {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, timeout, [&] {
        if (stopping_) return true;
        for (const auto& [k, s] : logs_)
          if (s.fetch) return true;
        return false;
      });
    }
    const bool poll_all = std::chrono::steady_clock::now() >= next_poll;
    if (poll_all) next_poll = std::chrono::steady_clock::now() + opts_.poll_interval;
    std::vector<log_key> due;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      for (const auto& h : hints) {
        if (h.tenant.empty()) {  // "anything may have moved" (the bus reconnected)
          for (auto& [k, s] : logs_) s.fetch = true;
          continue;
        }
        auto it = logs_.find({h.tenant, h.instance});
        if (it != logs_.end() && h.position > it->second.upto) it->second.fetch = true;
      }
      for (auto& [k, s] : logs_)
        if (poll_all || s.fetch) due.push_back(k);
    }
    for (const auto& k : due) fetch(k);
  }
}

}  // namespace carechat::net
