#include "api/request_parsing.hpp"

#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <boost/url/param.hpp>
#include <boost/url/parse_query.hpp>

#include <array>
#include <charconv>
#include <limits>

#include "api/json_body.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"

namespace carechat::api {
namespace {

using core::errc;
using core::make_error;

constexpr std::size_t max_idempotency_key = 255;

core::error bad_request(std::string message) { return make_error(errc::bad_request, std::move(message)); }

// ---- query parameters ----

// One known parameter's raw (percent-decoded) value, if given.
struct slot {
  std::string_view name;
  std::optional<std::string> value;
};

template <std::size_t N>
core::result<void> collect(boost::urls::params_view params, std::array<slot, N>& slots) {
  for (auto&& p : params) {
    for (slot& s : slots) {
      if (p.key != s.name) continue;
      // Two values for one parameter have no single meaning; guessing one would hide a client bug.
      if (s.value) return bad_request(std::string(s.name) + " is given more than once");
      s.value = p.has_value ? std::move(p.value) : std::string();
    }
  }
  return {};
}

// Plain decimal digits only: "1e1", "0x10", "+5", " 5" and "" are not page sizes.
core::result<int> positive_int(std::string_view name, std::string_view text) {
  const auto not_positive = [&] { return bad_request(std::string(name) + " must be a positive integer"); };
  if (text.empty()) return not_positive();
  for (char c : text)
    if (c < '0' || c > '9') return not_positive();
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range)
    return bad_request(std::string(name) + " is out of range (at most " +
                       std::to_string(std::numeric_limits<int>::max()) + ")");
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) return not_positive();
  return v;
}

core::result<bool> boolean(std::string_view name, std::string_view text) {
  if (core::iequals_ascii(text, "true")) return true;
  if (core::iequals_ascii(text, "false")) return false;
  return bad_request(std::string(name) + " must be true or false");
}

// A raw query must be valid before Boost.URL's params_view is built over it (its constructor throws).
// It must also be NUL-terminated, hence std::string: Boost.URL 1.81's parse_query() sizes the view it
// returns with strlen(data()), so over a plain string_view the last parameter ran past the view's end
// (and a null data() crashed).
core::result<boost::urls::params_view> view_of(const std::string& raw_query) {
  if (!boost::urls::parse_query(boost::urls::string_view(raw_query.data(), raw_query.size())))
    return bad_request("query string is malformed");
  return boost::urls::params_view(boost::urls::string_view(raw_query.data(), raw_query.size()));
}

}  // namespace

namespace {

// A staff user named in a body ("sender" of an outbound send, "reader" of a read): an object with a
// string id and an optional string titleName; null reads as absent.
core::result<std::optional<domain::party>> named_user(const boost::json::object& obj, std::string_view field) {
  const boost::json::value* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<domain::party>{};
  const std::string f(field);
  const boost::json::object* s = v->if_object();
  if (!s) return bad_request(f + " must be an object with string fields id and titleName");
  const boost::json::value* id = s->if_contains("id");
  if (!id || !id->is_string()) return bad_request(f + ".id is required and must be a string");
  domain::party who;
  who.type = domain::client_type::user;
  who.id.assign(id->get_string().data(), id->get_string().size());
  const boost::json::value* title = s->if_contains("titleName");
  if (title && !title->is_null()) {
    if (!title->is_string()) return bad_request(f + ".titleName must be a string");
    who.title_name.emplace(title->get_string().data(), title->get_string().size());
  }
  return std::optional<domain::party>{std::move(who)};
}

}  // namespace

core::result<send_body> parse_send_body(std::string_view body, std::string_view content_type) {
  // The tree lives only for this call: small bodies parse without touching the heap.
  unsigned char scratch[4096];
  boost::json::monotonic_resource arena(scratch, sizeof scratch);
  boost::json::value doc;
  auto obj = parse_json_object(body, content_type, arena, doc);
  if (!obj) return std::move(obj).error();

  send_body out;
  if (const boost::json::value* ids = (*obj)->if_contains("attachmentIds"); ids && !ids->is_null()) {
    const boost::json::array* list = ids->if_array();
    if (!list) return bad_request("attachmentIds must be an array of attachment ids");
    // A bound before the domain's own limit, so a huge array costs nothing more than its parse.
    if (list->size() > 64) return bad_request("attachmentIds lists too many attachments");
    for (const auto& id : *list) {
      const boost::json::string* s = id.if_string();
      if (!s) return bad_request("attachmentIds must be an array of attachment ids");
      out.attachment_ids.emplace_back(s->data(), s->size());
    }
  }
  const boost::json::value* message = (*obj)->if_contains("message");
  if (!message && out.attachment_ids.empty()) return bad_request("message is required");
  if (message) {
    const boost::json::string* text = message->if_string();
    if (!text) return bad_request("message must be a string");
    out.text.assign(text->data(), text->size());
  }
  auto sender = named_user(**obj, "sender");
  if (!sender) return std::move(sender).error();
  out.sender = std::move(*sender);
  return out;
}

core::result<domain::mark_read_input> parse_read_body(std::string_view body, std::string_view content_type) {
  domain::mark_read_input out;
  if (core::trim_ows(body).empty()) return out;  // no body: mark everything read
  unsigned char scratch[2048];
  boost::json::monotonic_resource arena(scratch, sizeof scratch);
  boost::json::value doc;
  auto obj = parse_json_object(body, content_type, arena, doc);
  if (!obj) return std::move(obj).error();
  if (const boost::json::value* up_to = (*obj)->if_contains("upTo"); up_to && !up_to->is_null()) {
    if (!up_to->is_string()) return bad_request("upTo must be a message's externalId string");
    out.up_to_external_id.emplace(up_to->get_string().data(), up_to->get_string().size());
  }
  auto reader = named_user(**obj, "reader");
  if (!reader) return std::move(reader).error();
  out.named_reader = std::move(*reader);
  return out;
}

core::result<domain::page_request> parse_page_request(boost::urls::params_view params, const page_token_codec& tokens,
                                                      const domain::chat_key& chat) {
  std::array<slot, 4> s{{{"pageSize", {}}, {"pageToken", {}}, {"includeArchived", {}}, {"anchor", {}}}};
  if (auto ok = collect(params, s); !ok) return std::move(ok).error();
  domain::page_request req;
  if (s[3].value) {
    if (*s[3].value == "firstUnread")
      req.first_unread_anchor = true;
    else if (*s[3].value != "newest")
      return bad_request("anchor must be newest or firstUnread");
  }
  if (s[0].value) {
    auto v = positive_int(s[0].name, *s[0].value);
    if (!v) return std::move(v).error();
    req.page_size = *v;
  }
  if (s[1].value) {
    auto c = tokens.decode(*s[1].value, chat, domain::cursor_kind::messages);
    if (!c) return std::move(c).error();
    req.from = std::move(*c);
  }
  if (s[2].value) {
    auto b = boolean(s[2].name, *s[2].value);
    if (!b) return std::move(b).error();
    req.include_archived = *b;
  }
  return req;
}

core::result<domain::page_request> parse_page_request(std::string_view raw_query, const page_token_codec& tokens,
                                                      const domain::chat_key& chat) {
  const std::string query(raw_query);  // NUL-terminated for Boost.URL, see view_of
  auto params = view_of(query);
  if (!params) return std::move(params).error();
  return parse_page_request(*params, tokens, chat);
}

core::result<domain::search_request> parse_search_request(boost::urls::params_view params,
                                                          const page_token_codec& tokens,
                                                          const domain::chat_key& chat) {
  std::array<slot, 5> s{
      {{"query", {}}, {"pageSize", {}}, {"contentPageSize", {}}, {"includeArchived", {}}, {"pageToken", {}}}};
  if (auto ok = collect(params, s); !ok) return std::move(ok).error();
  domain::search_request req;
  if (s[0].value) req.query = std::move(*s[0].value);  // the domain checks UTF-8, blankness and length
  for (std::size_t i : {1u, 2u}) {
    if (!s[i].value) continue;
    auto v = positive_int(s[i].name, *s[i].value);
    if (!v) return std::move(v).error();
    (i == 1 ? req.page_size : req.content_page_size) = *v;
  }
  if (s[3].value) {
    auto b = boolean(s[3].name, *s[3].value);
    if (!b) return std::move(b).error();
    req.include_archived = *b;
  }
  if (s[4].value) {
    auto c = tokens.decode(*s[4].value, chat, domain::cursor_kind::search);
    if (!c) return std::move(c).error();
    req.from = std::move(*c);
  }
  return req;
}

core::result<domain::search_request> parse_search_request(std::string_view raw_query, const page_token_codec& tokens,
                                                          const domain::chat_key& chat) {
  const std::string query(raw_query);  // NUL-terminated for Boost.URL, see view_of
  auto params = view_of(query);
  if (!params) return std::move(params).error();
  return parse_search_request(*params, tokens, chat);
}

core::result<core::unix_ms> parse_archive_date(boost::urls::params_view params) {
  std::array<slot, 1> s{{{"archiveDate", {}}}};
  if (auto ok = collect(params, s); !ok) return std::move(ok).error();
  if (!s[0].value) return bad_request("archiveDate is required, e.g. archiveDate=2020-10-05T10:51:41.000Z");
  std::string& text = *s[0].value;
  // An unencoded '+' in "+01:00" arrives as a space (form decoding); a space is never valid
  // ISO-8601, so reading it back as '+' is unambiguous.
  for (char& c : text)
    if (c == ' ') c = '+';
  const auto t = core::parse_iso8601(text);
  if (!t) return bad_request("archiveDate must be an ISO-8601 date-time such as 2020-10-05T10:51:41.000Z");
  return *t;
}

core::result<core::unix_ms> parse_archive_date(std::string_view raw_query) {
  const std::string query(raw_query);  // NUL-terminated for Boost.URL, see view_of
  auto params = view_of(query);
  if (!params) return std::move(params).error();
  return parse_archive_date(*params);
}

core::result<std::optional<std::string>> parse_idempotency_key(std::optional<std::string_view> header) {
  if (!header) return std::optional<std::string>();
  const std::string_view k = *header;
  bool ok = !k.empty() && k.size() <= max_idempotency_key;
  for (char c : k) ok = ok && c >= 0x21 && c <= 0x7E;
  if (!ok) return bad_request("Idempotency-Key must be 1-255 printable ASCII characters without spaces");
  return std::optional<std::string>(std::string(k));
}

core::sha256_digest request_fingerprint(std::string_view method, std::string_view path, std::string_view body) {
  static constexpr std::string_view label = "carechat.request_fingerprint.v1";
  std::string framed;
  framed.reserve(label.size() + 3 * 8 + method.size() + path.size() + body.size());
  framed.append(label);
  for (std::string_view part : {method, path, body}) {
    const auto n = static_cast<std::uint64_t>(part.size());
    for (int shift = 56; shift >= 0; shift -= 8) framed.push_back(static_cast<char>(n >> shift & 0xff));
    framed.append(part);
  }
  return core::sha256(framed);
}

core::result<std::optional<int>> parse_list_page_size(boost::urls::params_view params) {
  std::array<slot, 1> s{{{"pageSize", {}}}};
  if (auto ok = collect(params, s); !ok) return std::move(ok).error();
  if (!s[0].value) return std::optional<int>{};
  auto v = positive_int(s[0].name, *s[0].value);
  if (!v) return std::move(v).error();
  return std::optional<int>{*v};
}

core::result<domain::resume_point> parse_event_position(boost::urls::params_view params) {
  std::array<slot, 2> s{{{"after", {}}, {"epoch", {}}}};
  if (auto ok = collect(params, s); !ok) return std::move(ok).error();
  domain::resume_point out;
  if (s[0].value) {
    const auto v = core::parse_decimal<std::int64_t>(*s[0].value);
    if (!v) return bad_request("after must be an event position (a non-negative integer)");
    out.after = *v;
  }
  if (s[1].value) {
    const auto v = core::parse_decimal<std::int64_t>(*s[1].value);
    if (!v) return bad_request("epoch must be the epoch a ready frame or meta.epoch reported (a non-negative integer)");
    if (!out.after) return bad_request("epoch is given without after");
    out.epoch = *v;
  }
  return out;
}

}  // namespace carechat::api
