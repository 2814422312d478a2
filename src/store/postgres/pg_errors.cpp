#include "store/postgres/pg_errors.hpp"

#include <libpq-fe.h>

#include <string>

namespace carechat::store::postgres {
namespace {

// The first line of a libpq message, at most 200 characters: enough to diagnose, too short to
// carry a row.
std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  if (s.size() > 200) s.resize(200);
  return s;
}

}  // namespace

bool is_retryable_sqlstate(std::string_view s) noexcept {
  if (s.size() != 5) return false;
  return s.substr(0, 2) == "08"         // connection exception
         || s == "40001"                // serialization_failure
         || s == "40P01"                // deadlock_detected
         || s == "57014"                // query_canceled (statement_timeout)
         || s == "57P01"                // admin_shutdown (pg_ctl stop, failover)
         || s == "57P02"                // crash_shutdown
         || s == "57P03"                // cannot_connect_now (starting, in recovery)
         || s == "53300"                // too_many_connections
         || s == "55P03"                // lock_not_available
         || s == "25006";               // read_only_sql_transaction: a standby (before failover)
}

std::string_view sqlstate_of(const pg_result* r) noexcept {
  if (r == nullptr) return {};
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s != nullptr ? std::string_view(s) : std::string_view();
}

core::error make_pg_error(pg_conn* c, const pg_result* r, std::string_view operation) {
  if (r == nullptr || PQstatus(c) != CONNECTION_OK) return connection_error(c, operation);
  const std::string_view state = sqlstate_of(r);
  std::string message = "postgres: " + std::string(operation) + ": ";
  message += state.empty() ? std::string("error") : std::string(state);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  if (primary != nullptr) message += " " + first_line(primary);
  return core::make_error(is_retryable_sqlstate(state) ? core::errc::unavailable : core::errc::internal,
                          std::move(message));
}

core::error connection_error(pg_conn* c, std::string_view operation) {
  std::string message = "postgres: " + std::string(operation) + ": the database connection failed";
  if (c != nullptr) {
    const std::string detail = first_line(PQerrorMessage(c));
    if (!detail.empty()) message += ": " + detail;
  }
  return core::make_error(core::errc::unavailable, std::move(message));
}

}  // namespace carechat::store::postgres
