// domain::cluster_duty on PostgreSQL: a session-level advisory lock, named after the duty and the
// schema, held on a connection of its own. The process whose connection holds it performs the
// duty; when that process dies (or loses its connection) the server releases the lock, and the
// next held() of another process takes it. Thread-safety: one thread at a time.
#pragma once

#include <optional>
#include <string>

#include "domain/store.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_options.hpp"

namespace carechat::store::postgres {

class pg_cluster_duty final : public domain::cluster_duty {
 public:
  pg_cluster_duty(pg_options opts, std::string name) : opts_(std::move(opts)), name_(std::move(name)) {}
  bool held() override;

 private:
  const pg_options opts_;
  const std::string name_;
  std::optional<connection> conn_;
  bool held_ = false;
};

}  // namespace carechat::store::postgres
