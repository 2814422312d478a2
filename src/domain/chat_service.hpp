// The chat use cases as free functions (the handler classes stay thin). Each one authorizes first,
// then validates, then reads or prepares a write command for the group committer.
// Thread-safety: pure functions over the arguments; a store_reader is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/access_policy.hpp"
#include "domain/cursor.hpp"
#include "domain/limits.hpp"
#include "domain/store.hpp"

namespace carechat::domain {

// ---- GET .../chat ----
struct page_request {
  std::optional<cursor> from;  // a decoded pageToken; exclusive with page_size
  std::optional<int> page_size;
  std::optional<bool> include_archived;  // overrides the token's setting when given
  // anchor=firstUnread: open at the oldest unread message the caller should read (patient messages
  // for staff, staff messages for the patient) with a few older ones for context. Exclusive with
  // from. Without unread messages, the newest page.
  bool first_unread_anchor = false;
};

struct page_result {
  std::vector<message> messages;  // newest first
  int page_size = 0;
  std::optional<cursor> next;  // older; empty exactly when nothing older exists
  std::optional<cursor> prev;  // newer; empty exactly when nothing newer exists (or this is the newest page)
  std::int64_t unread_count = 0;  // messages the caller has yet to read (see unread_kind_for)
  std::optional<std::string> first_unread_external_id;  // set when the page opened at it
  // The event log position read just before the page: subscribing with after=<this> misses nothing
  // that happened after the page was read (events already reflected in it may come again).
  std::int64_t event_position = 0;
  std::int64_t event_epoch = 0;  // the log's epoch (event_log_bounds::epoch), to resume with
};

// Whose unread messages matter to the caller: staff read the patient's (inbound), the patient
// reads the care team's (outbound).
message_kind unread_kind_for(const principal& who);

core::result<page_result> read_page(store_reader& reader, const principal& who, const chat_key& chat,
                                    const page_request& req, const limits& lim);

// ---- GET .../chat/search ----
struct search_request {
  std::optional<cursor> from;  // a decoded search pageToken; exclusive with query and sizes
  std::optional<std::string> query;
  std::optional<int> page_size;
  std::optional<int> content_page_size;
  std::optional<bool> include_archived;
};

struct search_hit {
  message msg;
  std::optional<cursor> older;  // the content_page_size messages just older than the hit
  std::optional<cursor> newer;  // ... just newer
};

struct search_result {
  std::vector<search_hit> hits;  // newest first
  int page_size = 0;
  std::optional<cursor> next;
  std::optional<cursor> prev;
};

core::result<search_result> search_page(store_reader& reader, const principal& who, const chat_key& chat,
                                        const search_request& req, const limits& lim);

// ---- POST .../chat/inbound and .../chat/outbound ----
struct send_input {
  std::string text;
  std::optional<party> named_sender;  // outbound by a client: the staff user it sends for
  std::optional<std::string> idempotency_key;
  core::sha256_digest request_hash{};  // of route and body, for Idempotency-Key conflicts
  std::vector<std::string> attachment_ids;  // "attachmentIds": the text may be empty when there are some
};

core::result<send_command> prepare_send(const principal& who, const chat_key& chat, message_kind kind,
                                        send_input input, const limits& lim, core::random_source& rng,
                                        const core::clock& clk);

// ---- POST .../chat/archive and .../chat/restore ----
core::result<archive_command> prepare_archive(const principal& who, const chat_key& chat, core::unix_ms before,
                                              const core::clock& clk);
core::result<restore_command> prepare_restore(const principal& who, const chat_key& chat, const core::clock& clk);

// ---- POST .../chat/read ----
struct mark_read_input {
  std::optional<std::string> up_to_external_id;  // "upTo": read up to and including this message
  std::optional<party> named_reader;             // a client marking as a staff user: {id, titleName}
};

// patient: the care team's messages (read receipts); user: the patient's messages, read by that
// user; client: the patient's receipts, or, naming a staff reader, the patient's messages.
core::result<mark_read_command> prepare_mark_read(const principal& who, const chat_key& chat, mark_read_input input,
                                                  const limits& lim, const core::clock& clk);

// ---- GET /{tenant}/{instance}/chat/unread ----
core::result<std::vector<unread_chat>> list_unread(store_reader& reader, const principal& who,
                                                   const std::string& tenant, const std::string& instance,
                                                   std::optional<int> page_size, const limits& lim);

// An audit row for `who` doing `what` on `chat`; outcome "ok" unless set.
audit_entry make_audit(const principal& who, const chat_key& chat, action what, const core::clock& clk,
                       std::string outcome = "ok");
// An audit row for an instance-wide action (the staff inbox, instance live updates, webhook
// administration): the patient column is "*", the action is named by `what`.
audit_entry make_instance_audit(const principal& who, const std::string& tenant, const std::string& instance,
                                std::string_view what, const core::clock& clk, std::string outcome = "ok");
// The outcome an audit row records for a result: "ok", or the error code's name.
template <class T>
std::string audit_outcome(const core::result<T>& r) {
  return r ? "ok" : std::string(core::to_string(r.error().code));
}

// Resolves a requested page size: absent -> default; above max -> max; below 1 -> bad_request.
core::result<int> effective_page_size(std::optional<int> requested, const limits& lim, const char* name);

}  // namespace carechat::domain
