#include "app/token_revocation_watch.hpp"

#include "core/log.hpp"

namespace carechat::app {

token_revocation_watch::token_revocation_watch(store::reader_pool& readers, domain::token_cache& cache,
                                               std::chrono::milliseconds interval)
    : readers_(readers),
      cache_(cache),
      seen_(read_count()),
      thread_(interval, [this] { check(); }, periodic_thread::first_run::after_interval) {}

std::optional<std::int64_t> token_revocation_watch::read_count() {
  auto lease = readers_.acquire();
  auto n = lease->token_revocations();
  // Logged when reads start and stop failing, not every interval (4 lines a second otherwise).
  if (n) {
    if (failing_) core::log_info("tokens", "the revocation counter can be read again");
    failing_ = false;
    return *n;
  }
  if (!failing_)
    core::log_warn("tokens",
                   "cannot read the revocation counter (the token cache is cleared until it "
                   "can): " +
                       n.error().message);
  failing_ = true;
  return std::nullopt;
}

void token_revocation_watch::check() {
  const auto now = read_count();
  // Cleared on a change, and on a failed read (we cannot tell, so we assume one happened).
  if (!now || !seen_ || *now != *seen_) cache_.clear();
  seen_ = now;
}

}  // namespace carechat::app
