#include "api/fhir_search.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <boost/url/url.hpp>

#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"

namespace carechat::api::fhir {
namespace {

using core::errc;
using core::make_error;

constexpr std::size_t max_last_updated = 4;

core::error bad_request(std::string message) { return make_error(errc::bad_request, std::move(message)); }

// A client's parameter name, quoted in an error: printable ASCII, at most 40 characters.
std::string quoted_name(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

constexpr std::string_view patient_prefix = "Patient/";

// A single-valued parameter given twice has no one meaning: refused, never guessed at.
core::result<std::optional<std::string>> single(boost::urls::params_view params, std::string_view name) {
  std::optional<std::string> out;
  for (auto&& p : params) {
    if (p.key != name) continue;
    if (out) return bad_request(std::string(name) + " is given more than once");
    out = p.has_value ? std::string(p.value) : std::string();
  }
  return out;
}

// _lastUpdated=<prefix><instant>: the prefix narrows the inclusive bounds (gt/lt by one millisecond:
// creation times are whole milliseconds).
core::result<void> apply_last_updated(const std::string& value, domain::delta_request& d) {
  if (value.size() < 3) return bad_request("_lastUpdated must be ge, gt, le or lt followed by an instant");
  const std::string_view prefix = std::string_view(value).substr(0, 2);
  const auto at = core::parse_iso8601(std::string_view(value).substr(2));
  if (!at)
    return bad_request("_lastUpdated must be ge, gt, le or lt followed by an instant such as "
                       "2026-01-31T09:30:00Z (or a date)");
  const auto raise = [&](core::unix_ms v) { d.min_created = d.min_created ? std::max(*d.min_created, v) : v; };
  const auto lower = [&](core::unix_ms v) { d.max_created = d.max_created ? std::min(*d.max_created, v) : v; };
  if (prefix == "ge")
    raise(*at);
  else if (prefix == "gt")
    raise(*at + 1);
  else if (prefix == "le")
    lower(*at);
  else if (prefix == "lt")
    lower(*at - 1);
  else
    return bad_request("_lastUpdated supports the prefixes ge, gt, le and lt only");
  return {};
}

}  // namespace

core::result<std::string> parse_subject(boost::urls::params_view params) {
  auto subject = single(params, "subject");
  if (!subject) return std::move(subject).error();
  if (!*subject) return bad_request("subject=Patient/{id} is required");
  const std::string_view s = **subject;
  if (s.substr(0, patient_prefix.size()) != patient_prefix || !core::is_path_id(s.substr(patient_prefix.size())))
    return bad_request("subject must be Patient/{id}, the id 1-64 characters of [A-Za-z0-9._-]");
  return std::string(s.substr(patient_prefix.size()));
}

core::result<communication_query> parse_communication_search(boost::urls::params_view params,
                                                             const page_token_codec& tokens,
                                                             const domain::chat_key& chat) {
  constexpr std::string_view known[] = {"subject",          "_count",  "_lastUpdated", "include-archived",
                                        "_pageToken",       "_format", "_pretty"};
  communication_query q;
  for (auto&& p : params) {
    if (std::find(std::begin(known), std::end(known), p.key) == std::end(known))
      return bad_request("unsupported search parameter: " + quoted_name(p.key));
    if (p.key != "_lastUpdated") continue;
    if (q.last_updated.size() == max_last_updated) return bad_request("_lastUpdated is given more than 4 times");
    std::string v = p.has_value ? std::string(p.value) : std::string();
    // A '+' of a time zone offset sent unencoded arrives as a space (form encoding); no space is valid here.
    std::replace(v.begin(), v.end(), ' ', '+');
    q.last_updated.push_back(std::move(v));
  }
  for (const auto& v : q.last_updated)
    if (auto ok = apply_last_updated(v, q.delta); !ok) return std::move(ok).error();

  auto count = single(params, "_count");
  if (!count) return std::move(count).error();
  if (*count) {
    const std::string& text = **count;
    const bool digits = !text.empty() && text.size() <= 9 &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    int n = 0;
    if (digits) std::from_chars(text.data(), text.data() + text.size(), n);
    if (!digits || n < 1) return bad_request("_count must be a positive integer");
    q.delta.page_size = n;
  }

  auto archived = single(params, "include-archived");
  if (!archived) return std::move(archived).error();
  if (*archived) {
    if (**archived == "true")
      q.delta.include_archived = true;
    else if (**archived == "false")
      q.delta.include_archived = false;
    else
      return bad_request("include-archived must be true or false");
  }

  auto format = single(params, "_format");
  if (!format) return std::move(format).error();
  if (*format && **format != "json" && **format != "application/json" && **format != "application/fhir+json")
    return bad_request("_format: only JSON is served (json, application/fhir+json)");
  if (auto pretty = single(params, "_pretty"); !pretty) return std::move(pretty).error();

  auto token = single(params, "_pageToken");
  if (!token) return std::move(token).error();
  if (*token) {
    auto c = tokens.decode(**token, chat, domain::cursor_kind::fhir_communications);
    if (!c) return make_error(errc::invalid_page_token, "_pageToken is invalid or was issued for another search");
    q.delta.from = *c;
  }
  return q;
}

std::string next_link(std::string_view base, const domain::chat_key& chat, const std::vector<std::string>& last_updated,
                      const std::string& token) {
  boost::urls::url u;
  auto ps = u.params();
  ps.append({"subject", std::string(patient_prefix) + chat.patient});
  for (const auto& v : last_updated) ps.append({"_lastUpdated", v});
  ps.append({"_pageToken", token});
  return std::string(base) + "/Communication" + std::string(u.buffer());
}

}  // namespace carechat::api::fhir
