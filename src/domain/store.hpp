// The storage interface the domain needs, implemented by store/sqlite (and later store/postgres).
// SQL never appears above this line. Thread-safety is stated per class below.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"
#include "domain/attachment.hpp"
#include "domain/audit_chain.hpp"
#include "domain/blob_store.hpp"
#include "domain/bulk_export.hpp"
#include "domain/chat.hpp"
#include "domain/events.hpp"
#include "domain/log_bus.hpp"
#include "domain/pending_launch.hpp"
#include "domain/principal.hpp"
#include "domain/webhook.hpp"

namespace carechat::domain {

// A page walk: up to `limit` messages strictly beyond `after` in direction `dir` (or from the newest
// when `after` is empty and dir is older). Returned in walking order: older = newest first,
// newer = oldest first.
struct page_query {
  chat_key chat;
  bool include_archived = false;
  std::optional<position> after;
  direction dir = direction::older;
  int limit = 20;
};

// Same walk over the messages whose text contains `text` (case-insensitive substring).
struct search_query {
  chat_key chat;
  std::string text;
  bool include_archived = false;
  std::optional<position> after;
  direction dir = direction::older;
  int limit = 20;
};

struct token_record {
  std::string id;  // public handle ("tk_..."): shown by `token list`, used by `token revoke` and audit
  core::sha256_digest hash{};  // SHA-256 of the secret; the secret itself is never stored
  principal who;               // token_id inside equals id
  core::unix_ms created_at = 0;
  std::optional<core::unix_ms> revoked_at;
  // Tokens the OAuth token endpoint issues (domain/oauth_client) expire, and belong to the API
  // client they were issued to (revoking it revokes them). CLI tokens: neither.
  std::optional<core::unix_ms> expires_at;
  std::string client_id;  // "cl_...", or empty
};

// An OAuth API client (domain/oauth_client.hpp): either a secret's hash or a registered JWKS.
struct oauth_client_record {
  std::string id;  // the public client_id ("cl_...")
  std::string tenant;
  std::string instance;
  std::string name;  // the operator's label, may be empty
  std::optional<core::sha256_digest> secret_hash;  // client_secret_basic / client_secret_post
  std::string jwks;                                // private_key_jwt: the client's public keys (JSON)
  core::unix_ms created_at = 0;
  std::optional<core::unix_ms> revoked_at;
};

// One row of the append-only audit trail. Never holds message text or token secrets.
struct audit_entry {
  core::unix_ms at = 0;
  std::string token_id;
  domain::role actor_role = domain::role::client;
  std::string actor_id;
  std::string action;   // domain::to_string(action)
  chat_key chat;
  std::string outcome;  // "ok", "replayed", or an error code name
  // The X-Request-Id of the HTTP request that caused it (none: the CLI, a row from before SQLite v13 / PostgreSQL v5),
  // so an operator can join the audit trail with the request log.
  std::optional<std::string> request_id = std::nullopt;
};

struct audit_row {
  std::int64_t id = 0;
  audit_entry entry;
  std::optional<audit_link> link;  // none: written before the chain began (domain/audit_chain.hpp)
};

// Where a walk along the audit chains stands: after row `seq` of chain (tenant, instance).
// Chains are walked in (tenant, instance, seq) order, byte-wise.
struct audit_chain_position {
  std::string tenant;
  std::string instance;
  std::int64_t seq = 0;
};

// A chain's head as the store keeps it for appending (audit_chain_heads): its last seq and hash.
struct audit_chain_head {
  audit_chain_key chain;
  audit_link head;  // seq and row_hash; prev_hash unused
};

// Rows of a chain written before the chain began (no link): how many, and the newest id.
struct audit_unchained_rows {
  audit_chain_key chain;
  std::int64_t rows = 0;
  std::int64_t max_id = 0;
};

// A page of `carechat audit export`: rows with since <= at < until and an id above `after`, in id
// order, at most `limit`, of one tenant/instance when given.
struct audit_export_query {
  std::optional<std::string> tenant;
  std::optional<std::string> instance;
  core::unix_ms since = 0;
  core::unix_ms until = 0;
  std::int64_t after = 0;
  int limit = 1000;
};

// A page of `carechat token list`: tokens in creation order after the token `after` (its id),
// at most `limit`, of one tenant/instance when given.
struct token_listing {
  std::optional<std::string> tenant;
  std::optional<std::string> instance;
  std::optional<std::string> after;
  int limit = 1000;
};

// A page of a patient's audit trail (`carechat audit`): rows with an id above `after`, oldest
// first, at most `limit`, of one tenant/instance when given.
struct audit_listing {
  std::optional<std::string> tenant;
  std::optional<std::string> instance;
  std::int64_t after = 0;
  int limit = 1000;
};

// Idempotency-Key bookkeeping: keys are scoped per token; the hash covers route and body.
struct idempotency_claim {
  std::string token_id;
  std::string key;
  core::sha256_digest request_hash{};
};

struct send_command {
  chat_key chat;
  message_kind kind = message_kind::inbound;
  party sender;
  std::optional<party> receiver;
  std::string text;
  std::string external_id;                      // generated before the write
  std::optional<idempotency_claim> idempotency;
  audit_entry audit;                            // outcome is filled in by the store
  bool record_webhook_event = false;            // outbound: queue the reference webhook (outbox)
  // Clean attachments of this chat, uploaded by the sending token and used by no message yet; in
  // this order. Any other id fails the send (nothing stored): unknown or of another chat or token
  // unprocessable, still pending or already sent conflict.
  std::vector<std::string> attachment_ids;
};

struct archive_command {
  chat_key chat;
  core::unix_ms before = 0;  // archive messages created strictly before this instant
  audit_entry audit;
};

struct restore_command {
  chat_key chat;
  audit_entry audit;
};

// Marks the unread messages of one direction read: inbound ones by a staff user, outbound ones by
// the patient (read receipts). Up to and including `up_to_external_id` (which must be a message
// of that direction in this chat, else bad_request), or all of them.
struct mark_read_command {
  chat_key chat;
  message_kind kind = message_kind::inbound;
  party reader;
  std::optional<std::string> up_to_external_id;
  audit_entry audit;
};

// Drops events older than `older_than` from the replay log (retention), and Idempotency-Keys
// claimed before `keys_older_than` (a retry that late is a new request); no audit row: it is the
// server's own housekeeping and touches no patient's messages.
struct prune_events_command {
  core::unix_ms older_than = 0;
  std::optional<core::unix_ms> keys_older_than = std::nullopt;
};

// An upload begins: its row is recorded (pending) before a byte is stored, so whatever a crash
// mid-upload leaves is found and collected. No audit row yet: nothing is disclosed or kept.
struct attachment_begin_command {
  chat_key chat;
  std::string id;
  std::string uploader_token;
  core::unix_ms at = 0;
};

// An upload ended: clean (stored and scanned; info complete) or refused (infected or of a refused
// type: never served). Writes the upload's audit row. The row must be pending, else conflict.
struct attachment_finish_command {
  chat_key chat;
  attachment_info info;
  attachment_state state = attachment_state::clean;
  audit_entry audit;
};

// Collection, step 1 (the server's housekeeping, unaudited): up to `limit` attachments that no
// message uses and that were uploaded before `created_before` become expired (no send can take
// them from then on); the receipt lists them, expired ones of an interrupted collection included.
// The caller then removes their bytes, then deletes the rows (step 2): a crash in between leaves
// expired rows, collected again next time, never a message pointing at removed bytes.
struct expire_attachments_command {
  core::unix_ms created_before = 0;
  int limit = 1000;
};
// Step 2: deletes these rows if they are still expired.
struct delete_attachments_command {
  std::vector<std::string> ids;
};

using write_command =
    std::variant<send_command, archive_command, restore_command, mark_read_command, prune_events_command, audit_entry,
                 attachment_begin_command, attachment_finish_command, expire_attachments_command,
                 delete_attachments_command>;

// Every receipt of a change carries the event it appended to the log (none when nothing changed,
// e.g. an Idempotency-Key replay or an archive that matched no message).
struct send_receipt {
  message msg;
  bool replayed = false;  // an Idempotency-Key retry: msg is the first response's message
  std::optional<chat_event> event;
};
struct count_receipt {
  std::int64_t affected = 0;
  std::optional<chat_event> event;
};
struct read_receipt {
  std::int64_t marked = 0;            // messages that became read
  core::unix_ms read_at = 0;
  std::string up_to_external_id;      // the newest message now read ("" when there was none)
  std::optional<chat_event> event;
};
// expire_attachments_command: the attachments to collect.
struct attachment_ids_receipt {
  std::vector<std::string> ids;
};
using write_receipt = std::variant<send_receipt, count_receipt, read_receipt, std::monostate, attachment_ids_receipt>;

// The event, if any, a successful outcome appended.
const chat_event* event_of(const write_receipt& r);
using write_outcome = core::result<write_receipt>;

// Replay bounds of one event log (see chat_event::position for which log a scope reads):
// positions <= floor were pruned and cannot be replayed; latest is the last committed position.
// epoch names the log's numbering: it changes when positions stop meaning what they meant (a
// database copied to another backend with `carechat copy`, a restore), so a client resuming with
// a position of another epoch is told to resync instead of silently missing events.
struct event_log_bounds {
  std::int64_t floor = 0;
  std::int64_t latest = 0;
  std::int64_t epoch = 0;
};

// A chat with unread patient messages, for the staff inbox (badge data).
struct unread_chat {
  std::string patient;
  std::int64_t unread = 0;
  core::unix_ms oldest_unread_at = 0;
  core::unix_ms latest_unread_at = 0;
  core::unix_ms latest_message_at = 0;  // any message of the chat, either direction
};

// A message found by its externalId within a tenant's instance, with the patient whose chat holds it
// (the FHIR facade reads Communication/{id} without a patient in the URL).
struct located_message {
  std::string patient;
  message msg;
};

// "Once per cluster": whether this process holds a named duty now. held() takes it when nobody
// holds it (and keeps it while this process lives and reaches the database), so exactly one of
// the processes sharing a database acts at a time, and another takes over when it dies.
// Thread-safety: one thread at a time.
class cluster_duty {
 public:
  virtual ~cluster_duty() = default;
  virtual bool held() = 0;
};

// Reads. One reader is used by one thread at a time; open one per reading thread.
class store_reader {
 public:
  virtual ~store_reader() = default;
  virtual core::result<std::vector<message>> messages(const page_query& q) = 0;
  // Is there any message strictly beyond `from` in direction `dir`?
  virtual core::result<bool> any_beyond(const chat_key& chat, position from, direction dir,
                                        bool include_archived) = 0;
  virtual core::result<std::vector<message>> search(const search_query& q) = 0;
  virtual core::result<std::optional<token_record>> token_by_hash(const core::sha256_digest& hash) = 0;
  // The OAuth client with this id (revoked or not); nullopt when there is none.
  virtual core::result<std::optional<oauth_client_record>> oauth_client(const std::string& id) = 0;
  // How many tokens have ever been revoked: grows with every revocation, from any process or node.
  // Token caches poll it and start over when it moves.
  virtual core::result<std::int64_t> token_revocations() = 0;

  // Events with position > after in `scope`, oldest first, at most `limit`.
  virtual core::result<std::vector<chat_event>> events_after(const event_scope& scope, std::int64_t after,
                                                             int limit) = 0;
  // The bounds of the log that holds `scope`'s events (its tenant/instance; the patient does not
  // matter).
  virtual core::result<event_log_bounds> event_bounds(const event_scope& scope) = 0;
  // Unread = not archived and no read_at, among messages of `kind`.
  virtual core::result<std::optional<message>> oldest_unread(const chat_key& chat, message_kind kind) = 0;
  virtual core::result<std::int64_t> unread_count(const chat_key& chat, message_kind kind) = 0;
  // Chats of a tenant's instance with unread inbound messages, newest unread first, at most `limit`.
  virtual core::result<std::vector<unread_chat>> unread_chats(const std::string& tenant, const std::string& instance,
                                                              int limit) = 0;
  // An attachment of `chat` (any state), with the external id and archive state of the message
  // that uses it; nullopt when no attachment of that chat has that id.
  virtual core::result<std::optional<attachment_record>> attachment(const chat_key& chat, const std::string& id) = 0;
  // The message with this externalId in this tenant's instance (any chat, archived or not, its
  // attachments filled); nullopt when there is none there.
  virtual core::result<std::optional<located_message>> message_by_external_id(const std::string& tenant,
                                                                              const std::string& instance,
                                                                              const std::string& external_id) = 0;
  // The patient whose chat holds the attachment with this id in this tenant's instance; nullopt
  // when none does. Then attachment(chat, id) gives the rest.
  virtual core::result<std::optional<std::string>> attachment_patient(const std::string& tenant,
                                                                      const std::string& instance,
                                                                      const std::string& id) = 0;
  // FHIR Bulk Data export (domain/bulk_export.hpp). The newest seq of the instance's messages (0:
  // none): the snapshot's high-water mark. Within one tenant/instance, seqs are committed in
  // order (every backend appends a log's messages under its log's lock), so no message at or
  // below the mark commits later.
  virtual core::result<std::int64_t> export_high_water(const std::string& tenant, const std::string& instance) = 0;
  // How many of the range's messages, in seq order, up to `limit`, and the last one's seq.
  virtual core::result<export_span_result> export_span(const export_range& r, std::int64_t limit) = 0;
  // The range's messages (archived ones too) in seq order, at most `limit`, attachments filled,
  // each with its chat's patient.
  virtual core::result<std::vector<located_message>> export_messages(const export_range& r, int limit) = 0;
  // How many chats of the thread range, in id order, up to `limit`, and the last one's id.
  virtual core::result<export_span_result> export_thread_span(const export_thread_range& r, std::int64_t limit) = 0;
  // The thread range's chats in id order, at most `limit`, with their first and newest message.
  virtual core::result<std::vector<export_thread>> export_threads(const export_thread_range& r, int limit) = 0;
  // The export job with this id, expired or not; nullopt when there is none.
  virtual core::result<std::optional<export_job>> export_job_by_id(const std::string& id) = 0;
  // Readiness (GET /readyz): the database answers and its schema is the one this build runs on
  // (not older, nor migrated past it by a newer node). An error says which.
  virtual core::result<void> check_ready() = 0;
};

// A bounded connection pool's use at one moment (for /metrics).
struct pool_usage {
  std::size_t in_use = 0;  // lent out
  std::size_t open = 0;    // idle + lent out
  std::size_t size = 0;    // the most that may be open
};

// The store. open_reader() and the administration calls are safe from any thread; apply() is
// called by a single writer thread at a time (store/group_committer).
class store {
 public:
  virtual ~store() = default;

  virtual std::unique_ptr<store_reader> open_reader() = 0;

  // Applies a batch in one durable transaction: returns only after the commit is on disk. One
  // outcome per command, in order. A failing command changes nothing (its own savepoint) and does
  // not fail the others; each command's audit row is written with its outcome either way. If the
  // commit itself fails, every outcome is an error.
  virtual std::vector<write_outcome> apply(std::span<const write_command> batch) = 0;

  // Adds up to `max_messages` of the messages not yet in the search index to it, oldest first, and
  // answers how many (0: up to date). A store whose search index is kept after the fact (SQLite:
  // in a file of its own, so indexing never holds up apply()) needs this called regularly
  // (app/background_indexer); its searches find the not-yet-indexed messages by a scan meanwhile. A
  // store that indexes inside apply() answers 0, and may use the call for its index's upkeep
  // (PostgreSQL merges the trigram index's pending list). Called by one thread at a time; never
  // blocks apply() for longer than a lock handover.
  virtual core::result<std::int64_t> index_search(int max_messages) {
    (void)max_messages;
    return std::int64_t{0};
  }

  // Adds up to `max_rows` of the audit rows not yet in the audit log's index by patient to it and
  // answers how many (0: up to date). SQLite keeps that index after the fact, beside the search
  // index (migration v17: as an index of the main file it made every read's audit row dirty a
  // random index page); its audit_for_patient scans the rows not covered yet. A store that
  // indexes inside apply() (PostgreSQL) answers 0. Called by one thread at a time (app's indexer).
  virtual core::result<std::int64_t> index_audit(int max_rows) {
    (void)max_rows;
    return std::int64_t{0};
  }

  // The backend's own connection pool, if it keeps one (PostgreSQL's reads and administration;
  // SQLite's readers are net's reader_pool). Cheap: safe to call on every scrape.
  virtual std::optional<pool_usage> connection_pool_usage() const { return std::nullopt; }

  // Administration, used by the CLI while a server may be running on the same database.
  virtual core::result<void> insert_token(const token_record& token) = 0;
  // Listings are bounded (issue #16): a page of at most `limit` rows after a cursor, optionally of
  // one tenant and instance. The no-argument forms give the first page with the defaults.
  virtual core::result<std::vector<token_record>> list_tokens(const token_listing& q) = 0;
  core::result<std::vector<token_record>> list_tokens() { return list_tokens(token_listing{}); }
  virtual core::result<bool> revoke_token(const std::string& id, core::unix_ms at) = 0;  // false: no such token

  // OAuth API clients (`carechat client`, POST /oauth/token). Listed like tokens (the listing's
  // cursor is a client id).
  virtual core::result<void> insert_oauth_client(const oauth_client_record& client) = 0;
  virtual core::result<std::vector<oauth_client_record>> list_oauth_clients(const token_listing& q) = 0;
  // Revokes the client and, in the same transaction, every token issued to it; false: no such client.
  virtual core::result<bool> revoke_oauth_client(const std::string& id, core::unix_ms at) = 0;
  // Inserts a token issued to `token.client_id`, only while that client exists and is not revoked
  // (atomically with a concurrent revoke_oauth_client: no token outlives its client's revocation);
  // false when it was not inserted. Called by the token endpoint, from the blocking pool.
  virtual core::result<bool> insert_client_token(const token_record& token) = 0;
  virtual core::result<std::vector<audit_row>> audit_for_patient(const std::string& patient,
                                                                 const audit_listing& q) = 0;
  core::result<std::vector<audit_row>> audit_for_patient(const std::string& patient) {
    return audit_for_patient(patient, audit_listing{});
  }
  // The tamper-evident chains (domain/audit_chain.hpp), for `carechat audit verify` and `export`:
  // pages, so a walk over millions of rows holds one page at a time.
  // Linked rows strictly after `after` in (tenant, instance, seq) order, at most `limit`.
  virtual core::result<std::vector<audit_row>> audit_chain_page(const audit_chain_position& after, int limit);
  // Every chain's stored head, in (tenant, instance) order.
  virtual core::result<std::vector<audit_chain_head>> audit_chain_heads();
  // The rows without a link, per chain.
  virtual core::result<std::vector<audit_unchained_rows>> audit_unchained();
  virtual core::result<std::vector<audit_row>> audit_export_page(const audit_export_query& q);
  // A named server secret of `size` random bytes, created on first use and kept across restarts
  // (e.g. the page-token key), so every node sharing the database agrees on it.
  virtual core::result<core::bytes> secret(const std::string& name, std::size_t size) = 0;

  // Webhook endpoints, outbox progress and the delivery log; nullptr when the backend has none.
  virtual webhook_store* webhooks() { return nullptr; }

  // FHIR Bulk Data export jobs (domain/bulk_export.hpp); nullptr when the backend keeps none.
  virtual export_job_store* export_jobs() { return nullptr; }

  // SMART launches in flight (domain/pending_launch.hpp); nullptr when the backend keeps none.
  virtual smart_launch_store* smart_launches() { return nullptr; }

  // Hints between processes sharing the database (domain/log_bus.hpp), on a connection of its own;
  // nullptr when the backend is served by one process only (SQLite).
  virtual std::unique_ptr<log_bus> open_log_bus() { return nullptr; }

  // Attachment bytes kept in the database itself (PostgreSQL: a cluster then needs no other
  // service); nullptr when the backend keeps none (SQLite: files beside it instead).
  virtual std::unique_ptr<blob_store> open_blob_store() { return nullptr; }

  // A duty one process among those sharing the database performs at a time (housekeeping). A
  // backend served by one process (SQLite) always holds it.
  virtual std::unique_ptr<cluster_duty> open_cluster_duty(const std::string& name);
};

}  // namespace carechat::domain
