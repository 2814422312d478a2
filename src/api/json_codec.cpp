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
  for (const auto& a : m.attachments) n += 200 + a.name.size();
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

// Opens {"meta":{... and leaves the meta object open for extra fields; close_meta() ends it.
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
}

void close_meta(json_writer& w) { w.raw("},\"content\":["); }

void write_time_or_null(json_writer& w, const std::optional<core::unix_ms>& t) {
  if (t)
    w.string(core::format_iso8601_ms(*t));
  else
    w.null();
}

void write_event_head(json_writer& w, const domain::chat_event& e) {
  w.raw("{\"position\":");
  w.integer(e.position);
  w.raw(",\"type\":");
  w.string(domain::to_string(e.type));
  w.raw(",\"patientId\":");
  w.string(e.chat.patient);
  w.raw(",\"at\":");
  w.string(core::format_iso8601_ms(e.at));
}

}  // namespace

viewer viewer_of(const domain::principal& who) {
  return who.role == domain::role::patient ? viewer::patient : viewer::staff;
}

void write_message(json_writer& w, const domain::message& m, viewer v) {
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
  w.raw(",\"readAt\":");
  write_time_or_null(w, m.read_at);
  if (v == viewer::staff) {
    w.raw(",\"readBy\":");
    if (m.read_by)
      write_party(w, *m.read_by);
    else
      w.null();
  }
  // Only when there are some: a message without attachments keeps the reference API's shape.
  if (!m.attachments.empty()) {
    w.raw(",\"attachments\":[");
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
      if (i > 0) w.raw(",");
      write_attachment(w, m.attachments[i]);
    }
    w.raw("]");
  }
  w.raw("}");
}

void write_attachment(json_writer& w, const domain::attachment_info& a) {
  w.raw("{\"id\":");
  w.string(a.id);
  w.raw(",\"name\":");
  w.string(a.name);
  w.raw(",\"contentType\":");
  w.string(a.content_type);
  w.raw(",\"size\":");
  w.integer(static_cast<std::int64_t>(a.size));
  w.raw(",\"sha256\":");
  w.string(a.sha256);
  w.raw(",\"thumbnail\":");
  w.boolean(a.thumbnail);
  w.raw("}");
}

std::string serialize_attachment(const domain::attachment_info& a) {
  json_writer w(a.name.size() + 200);
  write_attachment(w, a);
  return std::move(w).take();
}

std::string serialize_message(const domain::message& m, viewer v) {
  json_writer w(estimate(m));
  write_message(w, m, v);
  return std::move(w).take();
}

std::string serialize_page(const domain::page_result& page, const page_token_codec& tokens,
                           const domain::chat_key& chat, viewer v) {
  std::size_t size = meta_overhead;
  for (const auto& m : page.messages) size += estimate(m);
  json_writer w(size);
  write_meta(w, page.next, page.prev, page.page_size, !page.messages.empty(), tokens, chat);
  w.raw(",\"unreadCount\":");
  w.integer(page.unread_count);
  w.raw(",\"firstUnreadExternalId\":");
  if (page.first_unread_external_id)
    w.string(*page.first_unread_external_id);
  else
    w.null();
  w.raw(",\"position\":");
  w.integer(page.event_position);
  w.raw(",\"epoch\":");
  w.integer(page.event_epoch);
  close_meta(w);
  bool first = true;
  for (const auto& m : page.messages) {
    if (!first) w.raw(",");
    first = false;
    write_message(w, m, v);
  }
  w.raw("]}");
  return std::move(w).take();
}

std::string serialize_search(const domain::search_result& result, const page_token_codec& tokens,
                             const domain::chat_key& chat, viewer v) {
  std::size_t size = meta_overhead;
  for (const auto& h : result.hits) size += estimate(h.msg) + meta_overhead;
  json_writer w(size);
  write_meta(w, result.next, result.prev, result.page_size, !result.hits.empty(), tokens, chat);
  close_meta(w);
  bool first = true;
  for (const auto& h : result.hits) {
    if (!first) w.raw(",");
    first = false;
    w.raw("{\"meta\":{\"nextPageToken\":");
    write_token(w, h.older, tokens, chat);
    w.raw(",\"prevPageToken\":");
    write_token(w, h.newer, tokens, chat);
    w.raw("},\"message\":");
    write_message(w, h.msg, v);
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

std::string serialize_read(const domain::read_receipt& r) {
  json_writer w(128);
  w.raw("{\"marked\":");
  w.integer(r.marked);
  w.raw(",\"readAt\":");
  w.string(core::format_iso8601_ms(r.read_at));
  w.raw(",\"upToExternalId\":");
  if (r.up_to_external_id.empty())
    w.null();
  else
    w.string(r.up_to_external_id);
  w.raw("}");
  return std::move(w).take();
}

std::string serialize_unread(const std::vector<domain::unread_chat>& chats, int page_size) {
  json_writer w(64 + chats.size() * 200);
  w.raw("{\"meta\":{\"pageSize\":");
  w.integer(page_size);
  w.raw(",\"found\":");
  w.boolean(!chats.empty());
  w.raw("},\"content\":[");
  bool first = true;
  for (const auto& c : chats) {
    if (!first) w.raw(",");
    first = false;
    w.raw("{\"patientId\":");
    w.string(c.patient);
    w.raw(",\"unreadCount\":");
    w.integer(c.unread);
    w.raw(",\"oldestUnreadAt\":");
    w.string(core::format_iso8601_ms(c.oldest_unread_at));
    w.raw(",\"latestUnreadAt\":");
    w.string(core::format_iso8601_ms(c.latest_unread_at));
    w.raw(",\"latestMessageAt\":");
    w.string(core::format_iso8601_ms(c.latest_message_at));
    w.raw("}");
  }
  w.raw("]}");
  return std::move(w).take();
}

std::string serialize_event(const domain::chat_event& e, viewer v) {
  json_writer w(e.msg ? estimate(*e.msg) + 128 : 256);
  write_event_head(w, e);
  switch (e.type) {
    case domain::event_type::message_created:
      w.raw(",\"message\":");
      if (e.msg)
        write_message(w, *e.msg, v);
      else
        w.null();
      break;
    case domain::event_type::messages_read:
      w.raw(",\"direction\":");
      w.string(domain::wire_direction(e.read_kind));
      w.raw(",\"upToExternalId\":");
      w.string(e.up_to_external_id);
      w.raw(",\"count\":");
      w.integer(e.count);
      w.raw(",\"readAt\":");
      w.string(core::format_iso8601_ms(e.at));
      if (v == viewer::staff) {
        w.raw(",\"reader\":");
        if (e.reader)
          write_party(w, *e.reader);
        else
          w.null();
      }
      break;
    case domain::event_type::chat_archived:
      w.raw(",\"archiveDate\":");
      write_time_or_null(w, e.archive_before);
      w.raw(",\"count\":");
      w.integer(e.count);
      break;
    case domain::event_type::chat_restored:
      w.raw(",\"count\":");
      w.integer(e.count);
      break;
  }
  w.raw("}");
  return std::move(w).take();
}

std::string serialize_ready(std::int64_t position, std::int64_t epoch) {
  json_writer w(80);
  w.raw("{\"type\":\"ready\",\"position\":");
  w.integer(position);
  w.raw(",\"epoch\":");
  w.integer(epoch);
  w.raw("}");
  return std::move(w).take();
}

std::string serialize_resync_required(std::int64_t latest, std::int64_t epoch, bool epoch_changed) {
  json_writer w(200);
  w.raw("{\"type\":\"resync_required\",\"position\":");
  w.integer(latest);
  w.raw(",\"epoch\":");
  w.integer(epoch);
  w.raw(epoch_changed ? ",\"message\":\"the event log was renumbered (the database moved or was restored): refetch the "
                        "chat, then continue from this position and epoch\"}"
                      : ",\"message\":\"events before your position are no longer kept: refetch the chat, then "
                        "continue from this position\"}");
  return std::move(w).take();
}

}  // namespace carechat::api
