#include "domain/chat_service.hpp"

#include <algorithm>

#include "core/ids.hpp"
#include "core/utf8.hpp"

namespace carechat::domain {
namespace {

using core::errc;
using core::make_error;

// One page of a newest-first walk, and whether anything lies beyond it each way.
struct window {
  std::vector<message> newest_first;
  bool older = false;
  bool newer = false;
  position older_anchor;
  position newer_anchor;
};

// The paging rule shared by messages and search: fetch one extra row to learn whether more lies in
// the walking direction, and ask the store about the other direction. The newest page (no cursor)
// has no newer page by definition, so prev is null there as the reference shows.
template <class Fetch, class Exists>
core::result<window> walk(Fetch&& fetch, Exists&& exists, std::optional<position> from, direction dir, int size) {
  auto rows = fetch(from, dir, size + 1);
  if (!rows) return std::move(rows).error();
  std::vector<message> page = std::move(*rows);
  const bool more = static_cast<int>(page.size()) > size;
  if (more) page.resize(static_cast<std::size_t>(size));
  if (dir == direction::newer) std::reverse(page.begin(), page.end());

  window w;
  if (page.empty()) {
    if (from) {
      w.older_anchor = w.newer_anchor = *from;
      const direction other = dir == direction::older ? direction::newer : direction::older;
      auto e = exists(*from, other);
      if (!e) return std::move(e).error();
      (other == direction::older ? w.older : w.newer) = *e;
    }
    return w;
  }
  w.older_anchor = page.back().pos();
  w.newer_anchor = page.front().pos();
  if (dir == direction::older) {
    w.older = more;
    if (from) {
      auto e = exists(w.newer_anchor, direction::newer);
      if (!e) return std::move(e).error();
      w.newer = *e;
    }
  } else {
    w.newer = more;
    auto e = exists(w.older_anchor, direction::older);
    if (!e) return std::move(e).error();
    w.older = *e;
  }
  w.newest_first = std::move(page);
  return w;
}

cursor make_cursor(cursor_kind kind, direction dir, position anchor, int size, bool include_archived) {
  cursor c;
  c.kind = kind;
  c.dir = dir;
  c.anchor = anchor;
  c.page_size = size;
  c.include_archived = include_archived;
  return c;
}

core::result<void> check_cursor(const cursor& c, cursor_kind expected, const limits& lim) {
  if (c.kind != expected || c.page_size < 1 || c.page_size > lim.max_page_size)
    return make_error(errc::invalid_page_token, "pageToken is not valid for this request");
  return {};
}

core::result<std::string> checked_text(const std::string& text, std::size_t max_chars, const char* what) {
  // The rules are core::inspect_text's (and the API reference's "Text rules").
  const core::text_facts facts = core::inspect_text(text);
  if (!facts.well_formed) return make_error(errc::bad_request, std::string(what) + " must be valid UTF-8");
  if (facts.code_points == 0) return make_error(errc::bad_request, std::string(what) + " must not be empty");
  if (facts.has_control)
    return make_error(errc::bad_request, std::string(what) +
                                             " must not contain control characters (C0 other than tab, line feed "
                                             "and carriage return, DEL, C1)");
  if (facts.blank)
    return make_error(errc::bad_request, std::string(what) + " must not be only whitespace or invisible characters");
  if (facts.code_points > max_chars)
    return make_error(errc::bad_request,
                      std::string(what) + " is longer than " + std::to_string(max_chars) + " characters");
  return text;
}

// A staff user an API client names in a body ("sender" of a send, "reader" of a read): a path-like
// id and a titleName, checked like any other text.
core::result<party> named_staff_user(const party& named, const limits& lim, const std::string& field) {
  if (!core::is_path_id(named.id))
    return make_error(errc::bad_request, field + ".id must be 1-64 characters of [A-Za-z0-9._-]");
  if (!named.title_name) return make_error(errc::bad_request, field + ".titleName is required");
  auto title = checked_text(*named.title_name, lim.max_title_name_chars, (field + ".titleName").c_str());
  if (!title) return std::move(title).error();
  return party{client_type::user, named.id, std::move(*title)};
}

}  // namespace

core::result<int> effective_page_size(std::optional<int> requested, const limits& lim, const char* name) {
  if (!requested) return lim.default_page_size;
  if (*requested < 1) return make_error(errc::bad_request, std::string(name) + " must be a positive integer");
  return std::min(*requested, lim.max_page_size);
}

message_kind unread_kind_for(const principal& who) {
  return who.role == role::patient ? message_kind::outbound : message_kind::inbound;
}

namespace {

// The page that opens at `first` (the oldest unread message): up to a quarter of the page of older
// context, then `first` and the messages after it.
core::result<page_result> first_unread_page(store_reader& reader, const chat_key& chat, const message& first,
                                            int size, bool include_archived) {
  const int context = size / 4;
  std::vector<message> older;
  if (context > 0) {
    auto r = reader.messages(page_query{chat, include_archived, first.pos(), direction::older, context});
    if (!r) return std::move(r).error();
    older = std::move(*r);  // newest first
  }
  const int room = size - static_cast<int>(older.size());
  // Just before `first` in the order, so the walk newer starts with `first` itself.
  const position before_first{first.created_at, first.seq - 1};
  auto r = reader.messages(page_query{chat, include_archived, before_first, direction::newer, room + 1});
  if (!r) return std::move(r).error();
  std::vector<message> newer = std::move(*r);  // oldest first
  const bool more_newer = static_cast<int>(newer.size()) > room;
  if (more_newer) newer.resize(static_cast<std::size_t>(room));

  page_result out;
  out.page_size = size;
  out.first_unread_external_id = first.external_id;
  out.messages.assign(std::make_move_iterator(newer.rbegin()), std::make_move_iterator(newer.rend()));
  for (auto& m : older) out.messages.push_back(std::move(m));
  if (out.messages.empty()) return out;
  const position oldest = out.messages.back().pos();
  auto any_older = reader.any_beyond(chat, oldest, direction::older, include_archived);
  if (!any_older) return std::move(any_older).error();
  if (*any_older) out.next = make_cursor(cursor_kind::messages, direction::older, oldest, size, include_archived);
  if (more_newer)
    out.prev = make_cursor(cursor_kind::messages, direction::newer, out.messages.front().pos(), size, include_archived);
  return out;
}

}  // namespace

core::result<page_result> read_page(store_reader& reader, const principal& who, const chat_key& chat,
                                    const page_request& req, const limits& lim) {
  if (auto ok = authorize(who, chat, action::read); !ok) return std::move(ok).error();
  if (req.from && req.page_size)
    return make_error(errc::bad_request, "pageSize and pageToken are mutually exclusive");
  if (req.from && req.first_unread_anchor)
    return make_error(errc::bad_request, "anchor and pageToken are mutually exclusive");
  int size;
  std::optional<position> from;
  direction dir = direction::older;
  bool include_archived = req.include_archived.value_or(false);
  if (req.from) {
    if (auto ok = check_cursor(*req.from, cursor_kind::messages, lim); !ok) return std::move(ok).error();
    size = req.from->page_size;
    from = req.from->anchor;
    dir = req.from->dir;
    include_archived = req.include_archived.value_or(req.from->include_archived);
  } else {
    auto s = effective_page_size(req.page_size, lim, "pageSize");
    if (!s) return std::move(s).error();
    size = *s;
  }

  // Before the page: see page_result::event_position.
  auto bounds = reader.event_bounds(event_scope{chat.tenant, chat.instance, chat.patient});
  if (!bounds) return std::move(bounds).error();

  const message_kind unread_kind = unread_kind_for(who);
  auto unread = reader.unread_count(chat, unread_kind);
  if (!unread) return std::move(unread).error();

  if (req.first_unread_anchor) {
    auto first = reader.oldest_unread(chat, unread_kind);
    if (!first) return std::move(first).error();
    if (*first) {
      auto page = first_unread_page(reader, chat, **first, size, include_archived);
      if (page) {
        page->unread_count = *unread;
        page->event_position = bounds->latest;
        page->event_epoch = bounds->epoch;
      }
      return page;
    }
  }

  auto fetch = [&](std::optional<position> after, direction d, int limit) {
    return reader.messages(page_query{chat, include_archived, after, d, limit});
  };
  auto exists = [&](position p, direction d) { return reader.any_beyond(chat, p, d, include_archived); };
  auto w = walk(fetch, exists, from, dir, size);
  if (!w) return std::move(w).error();

  page_result out;
  out.page_size = size;
  out.unread_count = *unread;
  out.event_position = bounds->latest;
  out.event_epoch = bounds->epoch;
  out.messages = std::move(w->newest_first);
  if (w->older) out.next = make_cursor(cursor_kind::messages, direction::older, w->older_anchor, size, include_archived);
  if (w->newer) out.prev = make_cursor(cursor_kind::messages, direction::newer, w->newer_anchor, size, include_archived);
  return out;
}

core::result<search_result> search_page(store_reader& reader, const principal& who, const chat_key& chat,
                                        const search_request& req, const limits& lim) {
  if (auto ok = authorize(who, chat, action::search); !ok) return std::move(ok).error();
  cursor base;  // the search this page belongs to: query, sizes, archive flag
  std::optional<position> from;
  direction dir = direction::older;
  if (req.from) {
    if (req.page_size || req.content_page_size)
      return make_error(errc::bad_request, "pageToken is mutually exclusive with pageSize and contentPageSize");
    if (auto ok = check_cursor(*req.from, cursor_kind::search, lim); !ok) return std::move(ok).error();
    if (req.query && *req.query != req.from->query)
      return make_error(errc::invalid_page_token, "pageToken belongs to another query");
    base = *req.from;
    if (req.include_archived) base.include_archived = *req.include_archived;
    from = base.anchor;
    dir = base.dir;
  } else {
    if (!req.query) return make_error(errc::bad_request, "query is required");
    auto q = checked_text(*req.query, lim.max_query_chars, "query");
    if (!q) return std::move(q).error();
    auto s = effective_page_size(req.page_size, lim, "pageSize");
    if (!s) return std::move(s).error();
    auto cs = effective_page_size(req.content_page_size, lim, "contentPageSize");
    if (!cs) return std::move(cs).error();
    base.kind = cursor_kind::search;
    base.query = std::move(*q);
    base.page_size = *s;
    base.content_page_size = *cs;
    base.include_archived = req.include_archived.value_or(false);
  }
  if (base.content_page_size < 1 || base.content_page_size > lim.max_page_size)
    return make_error(errc::invalid_page_token, "pageToken is not valid for this request");

  auto fetch = [&](std::optional<position> after, direction d, int limit) {
    return reader.search(search_query{chat, base.query, base.include_archived, after, d, limit});
  };
  auto exists = [&](position p, direction d) -> core::result<bool> {
    auto r = fetch(p, d, 1);
    if (!r) return std::move(r).error();
    return !r->empty();
  };
  auto w = walk(fetch, exists, from, dir, base.page_size);
  if (!w) return std::move(w).error();

  search_result out;
  out.page_size = base.page_size;
  const std::size_t n = w->newest_first.size();
  out.hits.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    message& m = w->newest_first[i];
    search_hit hit;
    for (direction d : {direction::older, direction::newer}) {
      // Another hit (a message too) beyond this one, on this page or past it, settles it; only
      // the page's outermost hits may need to ask the store: two queries a page, not two a hit.
      bool exists = d == direction::older ? (i + 1 < n || w->older) : (i > 0 || w->newer);
      if (!exists) {
        auto e = reader.any_beyond(chat, m.pos(), d, base.include_archived);
        if (!e) return std::move(e).error();
        exists = *e;
      }
      if (exists)
        (d == direction::older ? hit.older : hit.newer) =
            make_cursor(cursor_kind::messages, d, m.pos(), base.content_page_size, base.include_archived);
    }
    hit.msg = std::move(m);
    out.hits.push_back(std::move(hit));
  }
  auto page_cursor = [&](direction d, position anchor) {
    cursor c = base;
    c.dir = d;
    c.anchor = anchor;
    return c;
  };
  if (w->older) out.next = page_cursor(direction::older, w->older_anchor);
  if (w->newer) out.prev = page_cursor(direction::newer, w->newer_anchor);
  return out;
}

core::result<send_command> prepare_send(const principal& who, const chat_key& chat, message_kind kind,
                                        send_input input, const limits& lim, core::random_source& rng,
                                        const core::clock& clk) {
  const action what = kind == message_kind::inbound ? action::send_inbound : action::send_outbound;
  if (auto ok = authorize(who, chat, what); !ok) return std::move(ok).error();
  // A message may be its attachments alone; text, when there is any, follows the usual rules.
  auto text = input.text.empty() && !input.attachment_ids.empty()
                  ? core::result<std::string>(std::string())
                  : checked_text(input.text, lim.max_message_chars, "message");
  if (!text) return std::move(text).error();
  if (input.attachment_ids.size() > lim.attachments.max_per_message)
    return make_error(errc::bad_request, "a message carries at most " +
                                             std::to_string(lim.attachments.max_per_message) + " attachments");
  for (std::size_t i = 0; i < input.attachment_ids.size(); ++i) {
    const std::string& id = input.attachment_ids[i];
    if (!is_attachment_id(id))
      return make_error(errc::bad_request, "attachmentIds must be attachment ids (AT followed by 32 hex digits)");
    for (std::size_t j = 0; j < i; ++j)
      if (input.attachment_ids[j] == id) return make_error(errc::bad_request, "attachmentIds lists " + id + " twice");
  }

  send_command cmd;
  cmd.chat = chat;
  cmd.kind = kind;
  const party patient{client_type::patient, chat.patient, std::nullopt};
  if (kind == message_kind::inbound) {
    if (input.named_sender)
      return make_error(errc::bad_request, "sender is not accepted on inbound messages: the patient is the sender");
    cmd.sender = patient;
  } else {
    cmd.receiver = patient;
    if (is_staff_member(who.role)) {
      if (input.named_sender)
        return make_error(errc::bad_request, "sender is taken from your token; do not send it in the body");
      cmd.sender = party{client_type::user, who.user_id, who.display_name};
    } else {
      if (!input.named_sender)
        return make_error(errc::bad_request, "an API client must name the sending staff user: sender {id, titleName}");
      auto sender = named_staff_user(*input.named_sender, lim, "sender");
      if (!sender) return std::move(sender).error();
      cmd.sender = std::move(*sender);
    }
  }
  cmd.text = std::move(*text);
  cmd.external_id = core::new_external_id(rng, clk.now_ms());
  if (input.idempotency_key)
    cmd.idempotency = idempotency_claim{who.token_id, std::move(*input.idempotency_key), input.request_hash};
  cmd.audit = make_audit(who, chat, what, clk);
  cmd.record_webhook_event = kind == message_kind::outbound;
  cmd.attachment_ids = std::move(input.attachment_ids);
  return cmd;
}

core::result<archive_command> prepare_archive(const principal& who, const chat_key& chat, core::unix_ms before,
                                              const core::clock& clk) {
  if (auto ok = authorize(who, chat, action::archive); !ok) return std::move(ok).error();
  return archive_command{chat, before, make_audit(who, chat, action::archive, clk)};
}

core::result<restore_command> prepare_restore(const principal& who, const chat_key& chat, const core::clock& clk) {
  if (auto ok = authorize(who, chat, action::restore); !ok) return std::move(ok).error();
  return restore_command{chat, make_audit(who, chat, action::restore, clk)};
}

core::result<mark_read_command> prepare_mark_read(const principal& who, const chat_key& chat, mark_read_input input,
                                                  const limits& lim, const core::clock& clk) {
  if (auto ok = authorize(who, chat, action::mark_read); !ok) return std::move(ok).error();
  if (input.up_to_external_id && !core::is_external_id(*input.up_to_external_id))
    return make_error(errc::bad_request, "upTo must be a message's externalId (IM followed by 32 hex digits)");
  mark_read_command cmd;
  cmd.chat = chat;
  cmd.up_to_external_id = std::move(input.up_to_external_id);
  const party patient{client_type::patient, chat.patient, std::nullopt};
  switch (who.role) {
    case role::patient:
    case role::user:
    case role::admin:
      if (input.named_reader)
        return make_error(errc::bad_request, "reader is taken from your token; do not send it in the body");
      cmd.kind = unread_kind_for(who);  // what this caller reads is what counts as its unread
      cmd.reader = who.role == role::patient ? patient : party{client_type::user, who.user_id, who.display_name};
      break;
    case role::client:
      if (!input.named_reader) {
        cmd.kind = message_kind::outbound;  // the patient's app reports the patient's reads
        cmd.reader = patient;
      } else {
        auto reader = named_staff_user(*input.named_reader, lim, "reader");
        if (!reader) return std::move(reader).error();
        cmd.kind = message_kind::inbound;
        cmd.reader = std::move(*reader);
      }
      break;
  }
  cmd.audit = make_audit(who, chat, action::mark_read, clk);
  return cmd;
}

core::result<std::vector<unread_chat>> list_unread(store_reader& reader, const principal& who,
                                                   const std::string& tenant, const std::string& instance,
                                                   std::optional<int> page_size, const limits& lim) {
  if (auto ok = authorize_instance(who, tenant, instance, instance_action::list_unread); !ok)
    return std::move(ok).error();
  auto size = effective_page_size(page_size, lim, "pageSize");
  if (!size) return std::move(size).error();
  return reader.unread_chats(tenant, instance, *size);
}

audit_entry make_audit(const principal& who, const chat_key& chat, action what, const core::clock& clk,
                       std::string outcome) {
  return audit_entry{clk.now_ms(), who.token_id, who.role, who.actor_id(), std::string(to_string(what)), chat,
                     std::move(outcome)};
}

audit_entry make_instance_audit(const principal& who, const std::string& tenant, const std::string& instance,
                                std::string_view what, const core::clock& clk, std::string outcome) {
  return audit_entry{clk.now_ms(), who.token_id, who.role, who.actor_id(), std::string(what),
                     chat_key{tenant, instance, "*"}, std::move(outcome)};
}

}  // namespace carechat::domain
