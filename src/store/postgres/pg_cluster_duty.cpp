#include "store/postgres/pg_cluster_duty.hpp"

namespace carechat::store::postgres {
namespace {

// $1 the duty's name. One lock per duty per schema (two carechat databases in one PostgreSQL
// database do not share duties).
constexpr named_sql try_lock{"duty.try_lock",
                             "SELECT pg_try_advisory_lock(hashtext(current_schema() || '/carechat.duty/' || $1))"};
constexpr named_sql ping{"duty.ping", "SELECT 1"};

}  // namespace

bool pg_cluster_duty::held() {
  if (conn_ && !conn_->broken() && held_) {
    // Still ours while the session lives: a round trip notices a server that went away.
    if (conn_->run(ping)) return true;
  }
  if (!conn_ || conn_->broken()) {
    conn_.reset();
    held_ = false;
    auto c = connection::open(opts_);
    if (!c) return false;
    conn_.emplace(std::move(*c));
  }
  auto r = conn_->run(try_lock, params().text(name_));
  held_ = r && r->rows() == 1 && r->boolean(0, 0);
  return held_;
}

}  // namespace carechat::store::postgres
