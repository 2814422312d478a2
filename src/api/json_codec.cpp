#include "api/json_codec.hpp"

#include <optional>

#include "api/json_writer.hpp"
#include "core/time_format.hpp"

namespace carechat::api {
namespace {

// Fixed JSON around one message, plus its ids and timestamp: enough that a page's reserve()
// rarely needs to grow.
constexpr std::size_t message_overhead = 256;
// A page's meta object: two tokens (~70 chars each, longer for long queries) and the counters.
constexpr std::size_t meta_overhead = 256;

std::string_view client_type_name(domain::client_type t) {
  return t == domain::client_type::user ? "USER" : "PATIENT";
}

std::size_t estimate(const domain::message& m) {
  std::size_t n = message_overhead + m.text.size() + m.sender.id.size() + m.sender.title_name.value_or("").size();
  if (m.receiver) n += m.receiver->id.size() + m.receiver->title_name.value_or("").size();
  return n;
}

void write_party(json_writer& w, const domain::party& p) {
  w.raw("{\"clientType\":");
  w.string(client_type_name(p.type));
  w.raw(",\"id\":");
  w.string(p.id);
  w.raw(",\"titleName\":");
  if (p.title_name)
    w.string(*p.title_name);
  else
    w.null();
  w.raw("}");
}

void write_token(json_writer& w, const std::optional<domain::cursor>& c, const page_token_codec& tokens,
                 const domain::chat_key& chat) {
  if (c)
    w.string(tokens.encode(*c, chat));
  else
    w.null();
}

void write_meta(json_writer& w, const std::optional<domain::cursor>& next, const std::optional<domain::cursor>& prev,
                int page_size, bool found, const page_token_codec& tokens, const domain::chat_key& chat) {
  w.raw("{\"meta\":{\"nextPageToken\":");
  write_token(w, next, tokens, chat);
  w.raw(",\"prevPageToken\":");
  write_token(w, prev, tokens, chat);
  w.raw(",\"pageSize\":");
  w.integer(page_size);
  w.raw(",\"found\":");
  w.boolean(found);
  w.raw("},\"content\":[");
}

}  // namespace

void write_message(json_writer& w, const domain::message& m) {
  w.raw("{\"sender\":");
  write_party(w, m.sender);
  w.raw(",\"receiver\":");
  if (m.receiver)
    write_party(w, *m.receiver);
  else
    w.null();
  w.raw(",\"message\":");
  w.string(m.text);
  w.raw(",\"externalId\":");
  w.string(m.external_id);
  w.raw(",\"createdAt\":");
  w.string(core::format_iso8601_ms(m.created_at));
  w.raw("}");
}

std::string serialize_message(const domain::message& m) {
  json_writer w(estimate(m));
  write_message(w, m);
  return std::move(w).take();
}

std::string serialize_page(const domain::page_result& page, const page_token_codec& tokens,
                           const domain::chat_key& chat) {
  std::size_t size = meta_overhead;
  for (const auto& m : page.messages) size += estimate(m);
  json_writer w(size);
  write_meta(w, page.next, page.prev, page.page_size, !page.messages.empty(), tokens, chat);
  bool first = true;
  for (const auto& m : page.messages) {
    if (!first) w.raw(",");
    first = false;
    write_message(w, m);
  }
  w.raw("]}");
  return std::move(w).take();
}

std::string serialize_search(const domain::search_result& result, const page_token_codec& tokens,
                             const domain::chat_key& chat) {
  std::size_t size = meta_overhead;
  for (const auto& h : result.hits) size += estimate(h.msg) + meta_overhead;
  json_writer w(size);
  write_meta(w, result.next, result.prev, result.page_size, !result.hits.empty(), tokens, chat);
  bool first = true;
  for (const auto& h : result.hits) {
    if (!first) w.raw(",");
    first = false;
    w.raw("{\"meta\":{\"nextPageToken\":");
    write_token(w, h.older, tokens, chat);
    w.raw(",\"prevPageToken\":");
    write_token(w, h.newer, tokens, chat);
    w.raw("},\"message\":");
    write_message(w, h.msg);
    w.raw("}");
  }
  w.raw("]}");
  return std::move(w).take();
}

std::string serialize_count(std::string_view field, std::int64_t n) {
  json_writer w(field.size() + 32);
  w.raw("{");
  w.string(field);
  w.raw(":");
  w.integer(n);
  w.raw("}");
  return std::move(w).take();
}

}  // namespace carechat::api
