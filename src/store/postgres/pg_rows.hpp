// PostgreSQL's side of the row mapping (store/row_mapping): one row of a result as the shared Row
// adapter, so messages, events, tokens and audit rows read exactly as SQLite's do.
// Thread-safety: a row is used by one thread, over a result that outlives it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/crypto.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/row_mapping.hpp"

namespace carechat::store::postgres {

struct row {
  static constexpr std::string_view backend = "postgres";
  row(const result& res, int i) : r(res), index(i) {}
  const result& r;
  int index;
  mutable core::bytes blob_{};  // bytea arrives as hex text; blob() decodes it here

  bool null(int col) const { return r.null(index, col); }
  std::string_view text(int col) const { return r.text(index, col); }
  std::int64_t int64(int col) const { return r.null(index, col) ? 0 : r.int64(index, col); }
  std::span<const std::uint8_t> blob(int col) const {
    blob_ = r.bytea(index, col);
    return blob_;
  }
};

}  // namespace carechat::store::postgres
