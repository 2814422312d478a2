#include "app/token_revocation_watch.hpp"

#include "core/log.hpp"

namespace carechat::app {

token_revocation_watch::token_revocation_watch(store::reader_pool& readers, domain::token_cache& cache,
                                               std::chrono::milliseconds interval)
    : readers_(readers), cache_(cache), seen_(read_count()) {
  thread_ = std::make_unique<periodic_thread>(interval, [this] { check(); });
}

std::optional<std::int64_t> token_revocation_watch::read_count() {
  auto lease = readers_.acquire();
  auto n = lease->token_revocations();
  if (n) return *n;
  core::log_warn("tokens", "cannot read the revocation counter: " + n.error().message);
  return std::nullopt;
}

void token_revocation_watch::check() {
  const auto now = read_count();
  // Cleared on a change, and on a failed read (we cannot tell, so we assume one happened). The
  // first run (right after the constructor's read) normally finds nothing new.
  if (!now || !seen_ || *now != *seen_) cache_.clear();
  seen_ = now;
}

}  // namespace carechat::app
