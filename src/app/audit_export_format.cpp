#include "app/audit_export_format.hpp"

#include <boost/json.hpp>

#include "core/time_format.hpp"

namespace carechat::app {

std::optional<audit_export_format> audit_export_format_from(std::string_view name) {
  if (name == "csv") return audit_export_format::csv;
  if (name == "ndjson") return audit_export_format::ndjson;
  return std::nullopt;
}

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_header() {
  std::string out;
  for (const auto name : audit_export_columns) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out + "\r\n";
}

std::string csv_line(const domain::audit_row& r) {
  const auto& e = r.entry;
  std::string out = std::to_string(r.id);
  const std::string at = core::format_iso8601_ms(e.at);  // named: the list below only views it
  for (const std::string_view v :
       {std::string_view(at), std::string_view(e.token_id), domain::to_string(e.actor_role),
        std::string_view(e.actor_id), std::string_view(e.action), std::string_view(e.chat.tenant),
        std::string_view(e.chat.instance), std::string_view(e.chat.patient), std::string_view(e.outcome)}) {
    out += ',';
    out += csv_field(v);
  }
  out += ',';
  if (e.request_id) out += csv_field(*e.request_id);
  if (r.link) {
    out += ',' + std::to_string(r.link->seq) + ',' + core::to_hex(r.link->prev_hash) + ',' +
           core::to_hex(r.link->row_hash);
  } else {
    out += ",,,";
  }
  return out + "\r\n";
}

std::string ndjson_line(const domain::audit_row& r) {
  const auto& e = r.entry;
  boost::json::object o;
  o["id"] = r.id;
  o["at"] = core::format_iso8601_ms(e.at);
  o["token_id"] = e.token_id;
  o["role"] = domain::to_string(e.actor_role);
  o["actor_id"] = e.actor_id;
  o["action"] = e.action;
  o["tenant"] = e.chat.tenant;
  o["instance"] = e.chat.instance;
  o["patient"] = e.chat.patient;
  o["outcome"] = e.outcome;
  if (e.request_id) o["request_id"] = *e.request_id;
  else o["request_id"] = nullptr;
  if (r.link) {
    o["chain_seq"] = r.link->seq;
    o["prev_hash"] = core::to_hex(r.link->prev_hash);
    o["row_hash"] = core::to_hex(r.link->row_hash);
  } else {
    o["chain_seq"] = nullptr;
    o["prev_hash"] = nullptr;
    o["row_hash"] = nullptr;
  }
  return boost::json::serialize(o) + "\n";
}

}  // namespace carechat::app
