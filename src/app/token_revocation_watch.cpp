#include "app/token_revocation_watch.hpp"

#include "core/log.hpp"

namespace carechat::app {

token_revocation_watch::token_revocation_watch(store::reader_pool& readers, domain::token_cache& cache,
                                               std::chrono::milliseconds interval)
    : readers_(readers), cache_(cache), interval_(interval) {
  // The first count is read before any request can fill the cache, so every later revocation moves it.
  seen_ = read_count();
  thread_ = std::thread([this] { run(); });
}

std::optional<std::int64_t> token_revocation_watch::read_count() {
  auto lease = readers_.acquire();
  auto n = lease->token_revocations();
  if (n) return *n;
  core::log_warn("tokens", "cannot read the revocation counter: " + n.error().message);
  return std::nullopt;
}

token_revocation_watch::~token_revocation_watch() { stop(); }

void token_revocation_watch::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void token_revocation_watch::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    const auto now = read_count();
    // Cleared on a change, and on a failed read (we cannot tell, so we assume one happened).
    if (!now || !seen_ || *now != *seen_) cache_.clear();
    seen_ = now;
    lock.lock();
  }
}

}  // namespace carechat::app
