#include "store/sqlite/errors.hpp"

#include <sqlite3.h>

#include <string>

namespace carechat::store::sqlite {

core::error make_sqlite_error(int rc, std::string_view operation) { return make_sqlite_error(rc, operation, {}); }

core::error make_sqlite_error(int rc, std::string_view operation, std::string_view detail) {
  const int primary = rc & 0xff;  // connections run with extended codes; the class is the low byte
  const core::errc code =
      primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? core::errc::unavailable : core::errc::internal;
  std::string msg = "sqlite: ";
  msg += operation;
  msg += ": ";
  msg += sqlite3_errstr(rc);
  msg += " (code " + std::to_string(rc) + ")";
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  }
  return core::make_error(code, std::move(msg));
}

}  // namespace carechat::store::sqlite
