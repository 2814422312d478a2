// How `carechat audit export` writes one audit row: RFC 4180 CSV (CRLF, a field quoted when it
// holds a comma, a quote, CR or LF; quotes doubled) or NDJSON (one JSON object per line, keys in
// the column order). Every column, the chain's included; times RFC 3339 in UTC with milliseconds;
// hashes lowercase hex; an unlinked row's chain columns, and a row's absent request_id, empty
// (CSV) or null (NDJSON).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/store.hpp"

namespace carechat::app {

enum class audit_export_format { csv, ndjson };

// "csv" | "ndjson"; nullopt for anything else.
std::optional<audit_export_format> audit_export_format_from(std::string_view name);

// The column names, in order.
inline constexpr std::string_view audit_export_columns[] = {
    "id", "at", "token_id", "role", "actor_id", "action", "tenant", "instance", "patient", "outcome",
    "request_id", "chain_seq", "prev_hash", "row_hash"};

// A CSV field as RFC 4180 writes it.
std::string csv_field(std::string_view v);
// The CSV header line and a row's line, each ending in CRLF.
std::string csv_header();
std::string csv_line(const domain::audit_row& r);
// A row as one NDJSON line, ending in LF.
std::string ndjson_line(const domain::audit_row& r);

}  // namespace carechat::app
