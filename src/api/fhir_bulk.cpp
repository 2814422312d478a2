#include "api/fhir_bulk.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "api/fhir_resources.hpp"
#include "core/time_format.hpp"

namespace carechat::api::fhir {
namespace {

namespace json = boost::json;
using core::errc;
using core::make_error;

core::error bad_request(std::string message) { return make_error(errc::bad_request, std::move(message)); }

std::string quoted(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f on each comma-separated item, trimmed; stops and returns false when f does.
template <class F>
bool each_item(std::string_view list, F f) {
  for (;;) {
    const auto comma = list.find(',');
    if (!f(trim(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

bool lower_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == y;
         });
}

// Prefer: respond-async (RFC 7240; other preferences such as handling=lenient may come along).
bool prefers_async(std::string_view prefer) {
  return !each_item(prefer,
                    [](std::string_view p) { return !lower_equals(p.substr(0, p.find(';')), "respond-async"); });
}

// Accept: one of its media ranges (parameters aside) allows FHIR JSON.
bool accepts_fhir_json(std::string_view accept) {
  return !each_item(accept, [](std::string_view r) {
    const std::string_view range = trim(r.substr(0, r.find(';')));
    return !(lower_equals(range, "application/fhir+json") || lower_equals(range, "application/json") ||
             range == "*/*" || lower_equals(range, "application/*"));
  });
}

// A FHIR instant: YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|-hh:mm). parse_iso8601 also takes a bare date.
std::optional<core::unix_ms> parse_instant(std::string_view text) {
  if (text.size() < 20 || text[10] != 'T') return std::nullopt;
  return core::parse_iso8601(text);
}

}  // namespace

std::string export_group_id(std::string_view tenant, std::string_view instance) {
  return std::string(tenant) + "." + std::string(instance);
}

core::result<export_kickoff> parse_export_kickoff(boost::urls::params_view params,
                                                  std::optional<std::string_view> prefer,
                                                  std::optional<std::string_view> accept) {
  if (!prefer || !prefers_async(*prefer))
    return bad_request("an export is asynchronous: send the header Prefer: respond-async");
  if (accept && !accepts_fhir_json(*accept)) return bad_request("Accept must allow application/fhir+json");
  export_kickoff out;
  bool since_seen = false;
  bool format_seen = false;
  for (auto&& p : params) {
    std::string value = p.has_value ? std::string(p.value) : std::string();
    if (p.key == "_type") {
      const bool ok = each_item(value, [](std::string_view t) { return t == "Communication"; });
      if (!ok) return bad_request("_type: this server exports Communication only");
    } else if (p.key == "_since") {
      if (since_seen) return bad_request("_since is given more than once");
      since_seen = true;
      // A '+' of a zone offset sent unencoded arrives as a space (form encoding).
      std::replace(value.begin(), value.end(), ' ', '+');
      out.since = parse_instant(value);
      if (!out.since) return bad_request("_since must be a FHIR instant such as 2026-01-31T09:00:00Z");
    } else if (p.key == "_outputFormat") {
      if (format_seen) return bad_request("_outputFormat is given more than once");
      format_seen = true;
      // The '+' of application/fhir+ndjson sent unencoded arrives as a space (form encoding).
      std::replace(value.begin(), value.end(), ' ', '+');
      if (value != "application/fhir+ndjson" && value != "application/ndjson" && value != "ndjson")
        return bad_request("_outputFormat: this server writes application/fhir+ndjson only");
    } else {
      return bad_request("unsupported export parameter: " + quoted(p.key));
    }
  }
  return out;
}

namespace {
std::string information(std::string_view text) {
  json::object issue;
  issue["severity"] = "information";
  issue["code"] = "informational";
  issue["diagnostics"] = text;
  json::object o;
  o["resourceType"] = "OperationOutcome";
  o["issue"] = json::array{issue};
  return json::serialize(o);
}
}  // namespace

std::string export_accepted_outcome() {
  return information("export accepted: poll the Content-Location URL for its manifest");
}

std::string export_deleted_outcome() { return information("export deleted: its status URL and files are gone"); }

namespace {
constexpr std::string_view message_file_prefix = "communication-";
constexpr std::string_view thread_file_prefix = "communication-threads-";

std::string file_url(std::string_view base, std::string_view job_id, std::string_view prefix, std::size_t k) {
  return std::string(base) + "/$export-file/" + std::string(job_id) + "/" + std::string(prefix) +
         std::to_string(k + 1) + ".ndjson";
}

// "{prefix}{n}.ndjson", n a decimal without leading zeros from 1: n - 1.
std::optional<std::size_t> file_index(std::string_view name, std::string_view prefix) {
  constexpr std::string_view suffix = ".ndjson";
  if (name.size() <= prefix.size() + suffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix)
    return std::nullopt;
  const std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 9 || digits.front() == '0') return std::nullopt;
  std::size_t n = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n == 0) return std::nullopt;
  return n - 1;
}
}  // namespace

std::string export_file_url(std::string_view base, std::string_view job_id, std::size_t k) {
  return file_url(base, job_id, message_file_prefix, k);
}

// "communication-threads-1.ndjson" is not a message file: its "digits" are "threads-1".
std::optional<std::size_t> export_file_index(std::string_view name) { return file_index(name, message_file_prefix); }

std::string export_thread_file_url(std::string_view base, std::string_view job_id, std::size_t k) {
  return file_url(base, job_id, thread_file_prefix, k);
}

std::optional<std::size_t> export_thread_file_index(std::string_view name) {
  return file_index(name, thread_file_prefix);
}

std::string export_manifest(const domain::export_job& job, std::string_view base) {
  json::object m;
  m["transactionTime"] = core::format_iso8601_ms(job.transaction_time);
  m["request"] = job.request;
  m["requiresAccessToken"] = true;
  json::array output;
  // Thread headers first: the targets of the messages' partOf.
  for (std::size_t k = 0; k < job.thread_file_ends.size(); ++k) {
    json::object f;
    f["type"] = "Communication";
    f["url"] = export_thread_file_url(base, job.id, k);
    f["count"] = job.thread_file_count(k);
    output.push_back(std::move(f));
  }
  for (std::size_t k = 0; k < job.file_ends.size(); ++k) {
    json::object f;
    f["type"] = "Communication";
    f["url"] = export_file_url(base, job.id, k);
    f["count"] = job.file_count(k);
    output.push_back(std::move(f));
  }
  m["output"] = std::move(output);
  m["error"] = json::array{};
  return json::serialize(m);
}

void append_ndjson_line(std::string& out, const domain::located_message& m, const domain::chat_key& chat) {
  out += communication(m.msg, chat);
  out += '\n';
}

void append_ndjson_thread_line(std::string& out, const domain::export_thread& t, const std::string& tenant,
                               const std::string& instance) {
  out += thread_header({domain::chat_key{tenant, instance, t.patient}, t.first_message_at, t.last_message_at});
  out += '\n';
}

}  // namespace carechat::api::fhir
