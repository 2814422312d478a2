// Every SQL statement of the SQLite store, by name: the only place SQL text lives. Connections
// cache them by name (prepare once, rebind per use). Values are always bound, never spliced.
// Thread-safety: constants and pure functions.
#pragma once

#include "domain/chat.hpp"
#include "store/sqlite/connection.hpp"

// The message columns every message-reading statement selects, in the order rows.hpp's
// read_message() reads them; `p` is a table alias with its dot ("m.") or "".
#define CARECHAT_MESSAGE_COLUMNS(p)                                                                                   \
  p "seq, " p "external_id, " p "kind, " p "sender_type, " p "sender_id, " p "sender_name, " p "receiver_type, " p    \
    "receiver_id, " p "receiver_name, " p "body, " p "created_at, " p "archived, " p "read_at, " p "read_by_type, " p \
    "read_by_id, " p "read_by_name, " p "attachment_count"

namespace carechat::store::sqlite::queries {

// ---- transaction control (writer) ----
inline constexpr named_sql begin_immediate{"tx.begin", "BEGIN IMMEDIATE"};
inline constexpr named_sql commit{"tx.commit", "COMMIT"};
inline constexpr named_sql rollback{"tx.rollback", "ROLLBACK"};
inline constexpr named_sql savepoint{"tx.savepoint", "SAVEPOINT command"};
inline constexpr named_sql rollback_to_savepoint{"tx.rollback_to", "ROLLBACK TO command"};
inline constexpr named_sql release_savepoint{"tx.release", "RELEASE command"};

// ---- writes ----
// ?1 tenant ?2 instance ?3 patient
inline constexpr named_sql chat_id{"chats.id",
                                   "SELECT id FROM chats WHERE tenant = ?1 AND instance = ?2 AND patient = ?3"};
inline constexpr named_sql insert_chat{"chats.insert",
                                       "INSERT INTO chats (tenant, instance, patient) VALUES (?1, ?2, ?3)"};
// ?1 chat id: the newest createdAt of the chat (one seek at the end of messages_by_chat).
inline constexpr named_sql chat_newest_at{
    "chats.newest_at", "SELECT created_at FROM messages WHERE chat_id = ?1 ORDER BY created_at DESC, seq DESC LIMIT 1"};

inline constexpr named_sql insert_message{
    "messages.insert",
    "INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type, "
    "receiver_id, receiver_name, body, created_at, attachment_count) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
// Returns the message columns (see below).
extern const named_sql message_by_seq;
// ?1 chat id ?2 before: strictly earlier messages only.
inline constexpr named_sql archive_before{
    "messages.archive", "UPDATE messages SET archived = 1 WHERE chat_id = ?1 AND created_at < ?2 AND archived = 0"};
inline constexpr named_sql restore_all{"messages.restore",
                                       "UPDATE messages SET archived = 0 WHERE chat_id = ?1 AND archived = 1"};

// ?1 external_id ?2 tenant ?3 instance. Rows: the message columns, then the chat's patient (FHIR reads).
inline constexpr named_sql message_by_external_id{
    "messages.by_external_id",
    "SELECT " CARECHAT_MESSAGE_COLUMNS("m.") ", c.patient FROM messages AS m JOIN chats AS c ON c.id = m.chat_id "
    "WHERE m.external_id = ?1 AND c.tenant = ?2 AND c.instance = ?3"};
// ?1 id ?2 tenant ?3 instance. Rows: the patient whose chat holds the attachment.
inline constexpr named_sql attachment_patient{
    "attachments.patient",
    "SELECT c.patient FROM attachments AS a JOIN chats AS c ON c.id = a.chat_id "
    "WHERE a.id = ?1 AND c.tenant = ?2 AND c.instance = ?3"};

// ---- attachments (store/sqlite/attachments.cpp) ----
// ?1 id ?2 chat id ?3 uploader token ?4 created_at
inline constexpr named_sql insert_attachment{
    "attachments.insert",
    "INSERT INTO attachments (id, chat_id, uploader_token, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)"};
// ?1 id ?2 chat id ?3 state ?4 name ?5 content_type ?6 size ?7 sha256 ?8 thumbnail: a pending upload ends.
inline constexpr named_sql finish_attachment{
    "attachments.finish",
    "UPDATE attachments SET state = ?3, name = ?4, content_type = ?5, size = ?6, sha256 = ?7, thumbnail = ?8 "
    "WHERE id = ?1 AND chat_id = ?2 AND state = 'pending'"};
// ?1 id. Rows: chat_id, uploader_token, state, message_seq, id, name, content_type, size, sha256, thumbnail.
inline constexpr named_sql attachment_for_send{
    "attachments.for_send",
    "SELECT chat_id, uploader_token, state, message_seq, id, name, content_type, size, sha256, thumbnail "
    "FROM attachments WHERE id = ?1"};
// ?1 id ?2 message seq ?3 ordinal
inline constexpr named_sql use_attachment{"attachments.use",
                                          "UPDATE attachments SET message_seq = ?2, ordinal = ?3 WHERE id = ?1"};
// ?1 message seq. Rows: id, name, content_type, size, sha256, thumbnail, in the order they were sent.
inline constexpr named_sql attachments_of_message{
    "attachments.of_message",
    "SELECT id, name, content_type, size, sha256, thumbnail FROM attachments WHERE message_seq = ?1 "
    "ORDER BY ordinal"};
// ?1 id ?2 tenant ?3 instance ?4 patient. Rows: id, name, content_type, size, sha256, thumbnail,
// uploader_token, state, created_at, the message's external_id and archived (NULL when unsent).
inline constexpr named_sql attachment_by_id{
    "attachments.by_id",
    "SELECT a.id, a.name, a.content_type, a.size, a.sha256, a.thumbnail, a.uploader_token, a.state, a.created_at, "
    "m.external_id, m.archived FROM attachments AS a LEFT JOIN messages AS m ON m.seq = a.message_seq "
    "WHERE a.id = ?1 AND a.chat_id = (SELECT id FROM chats WHERE tenant = ?2 AND instance = ?3 AND patient = ?4)"};
// ?1 created_before ?2 limit: unsent uploads past their time become expired; the ids of every
// expired row (an interrupted collection's too) come back.
inline constexpr named_sql expire_attachments{
    "attachments.expire",
    "UPDATE attachments SET state = 'expired' WHERE id IN (SELECT id FROM attachments "
    "WHERE message_seq IS NULL AND created_at < ?1 ORDER BY created_at LIMIT ?2)"};
inline constexpr named_sql expired_attachments{
    "attachments.expired",
    "SELECT id FROM attachments WHERE message_seq IS NULL AND state = 'expired' ORDER BY created_at LIMIT ?1"};
// ?1 id
inline constexpr named_sql delete_attachment{"attachments.delete",
                                             "DELETE FROM attachments WHERE id = ?1 AND state = 'expired'"};

// ---- read state (writer) ----
// ?1 external id ?2 chat id ?3 kind: the upTo message of a mark-read, which must be of this chat and kind.
inline constexpr named_sql read_target{
    "messages.read_target",
    "SELECT created_at, seq FROM messages WHERE external_id = ?1 AND chat_id = ?2 AND kind = ?3"};
// ?1 chat id ?2 kind ?3 read_at ?4..?6 reader type, id, name [?7 created_at ?8 seq: up to and including].
// "read_at IS NULL AND archived = 0" literally: the unread partial index.
extern const named_sql mark_read_all;
extern const named_sql mark_read_up_to;
// ?1 chat id ?2 kind: the newest message of that kind that has been read.
inline constexpr named_sql newest_read{
    "messages.newest_read",
    "SELECT external_id FROM messages WHERE chat_id = ?1 AND kind = ?2 AND read_at IS NOT NULL "
    "ORDER BY created_at DESC, seq DESC LIMIT 1"};

// ---- event log (writer) ----
// ?1 chat id ?2 type ?3 at ?4 message_seq ?5..?7 reader type, id, name ?8 read_kind
// ?9 up_to_external_id ?10 count ?11 archive_before; what an event type does not use stays NULL.
inline constexpr named_sql insert_event{
    "events.insert",
    "INSERT INTO events (chat_id, type, at, message_seq, reader_type, reader_id, reader_name, read_kind, "
    "up_to_external_id, count, archive_before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
// ?1 older_than. The highest position a prune removes, then the prune, then the floor (never lowered).
// INDEXED BY: left alone, the planner answers max(position) by walking the rowid down from the
// newest event, i.e. through every event that is kept.
inline constexpr named_sql prunable_max{"events.prunable_max",
                                        "SELECT max(position) FROM events INDEXED BY events_by_at WHERE at < ?1"};
inline constexpr named_sql prune_events{"events.prune", "DELETE FROM events WHERE at < ?1"};
// ?1 older_than
inline constexpr named_sql prune_idempotency{"idempotency.prune", "DELETE FROM idempotency_keys WHERE created_at < ?1"};
inline constexpr named_sql raise_events_floor{
    "log_state.raise_floor", "UPDATE log_state SET value = max(value, ?1) WHERE name = 'events_floor'"};

inline constexpr named_sql idempotency_lookup{
    "idempotency.lookup", "SELECT request_hash, message_seq FROM idempotency_keys WHERE token_id = ?1 AND key = ?2"};
inline constexpr named_sql insert_idempotency{
    "idempotency.insert",
    "INSERT INTO idempotency_keys (token_id, key, request_hash, message_seq, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"};

// ?10 chain_seq ?11 prev_hash ?12 row_hash: the row's link (domain/audit_chain.hpp).
inline constexpr named_sql insert_audit{
    "audit.insert",
    "INSERT INTO audit_log (at, token_id, role, actor_id, action, tenant, instance, patient, outcome, chain_seq, "
    "prev_hash, row_hash, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"};
// The audit chains' heads (store/sqlite/audit_heads): read once per chain, written once per batch.
inline constexpr named_sql data_version{"audit.data_version", "PRAGMA data_version"};
inline constexpr named_sql audit_head{"audit.head",
                                      "SELECT seq, head FROM audit_chain_heads WHERE tenant = ?1 AND instance = ?2"};
inline constexpr named_sql upsert_audit_head{
    "audit.head.upsert",
    "INSERT INTO audit_chain_heads (tenant, instance, seq, head) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (tenant, instance) DO UPDATE SET seq = excluded.seq, head = excluded.head"};

// ---- administration ----
#define CARECHAT_TOKEN_COLUMNS \
  "id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at, expires_at, client_id"
inline constexpr named_sql insert_token{"tokens.insert", "INSERT INTO tokens (" CARECHAT_TOKEN_COLUMNS
                                                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
// As insert_token, only while the client ?12 exists and is not revoked (writes are serialized, so
// a revoke_oauth_client either precedes this, and nothing is inserted, or follows and revokes it).
inline constexpr named_sql insert_client_token{
    "tokens.insert_for_client",
    "INSERT INTO tokens (" CARECHAT_TOKEN_COLUMNS ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 "
    "WHERE EXISTS (SELECT 1 FROM oauth_clients WHERE id = ?12 AND revoked_at IS NULL)"};

// ---- OAuth clients (store/sqlite/oauth_clients.cpp) ----
#define CARECHAT_CLIENT_COLUMNS "id, tenant, instance, name, secret_hash, jwks, created_at, revoked_at"
inline constexpr named_sql insert_oauth_client{"clients.insert", "INSERT INTO oauth_clients (" CARECHAT_CLIENT_COLUMNS
                                                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
inline constexpr named_sql oauth_client_by_id{"clients.by_id",
                                              "SELECT " CARECHAT_CLIENT_COLUMNS " FROM oauth_clients WHERE id = ?1"};
// ?1 after (a client id, or NULL) ?2 tenant ?3 instance (NULL: any) ?4 limit; in creation order.
inline constexpr named_sql list_oauth_clients{
    "clients.list",
    "SELECT " CARECHAT_CLIENT_COLUMNS " FROM oauth_clients WHERE (?1 IS NULL OR (created_at, id) > "
    "((SELECT created_at FROM oauth_clients WHERE id = ?1), ?1)) AND (?2 IS NULL OR tenant = ?2) "
    "AND (?3 IS NULL OR instance = ?3) ORDER BY created_at, id LIMIT ?4"};
#undef CARECHAT_CLIENT_COLUMNS
inline constexpr named_sql revoke_oauth_client{
    "clients.revoke", "UPDATE oauth_clients SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"};
inline constexpr named_sql revoke_client_tokens{
    "clients.revoke_tokens", "UPDATE tokens SET revoked_at = ?2 WHERE client_id = ?1 AND revoked_at IS NULL"};
inline constexpr named_sql oauth_client_exists{"clients.exists", "SELECT 1 FROM oauth_clients WHERE id = ?1"};
// ?1 after (a token id, or NULL) ?2 tenant ?3 instance (NULL: any) ?4 limit; in creation order,
// along tokens_by_created.
inline constexpr named_sql list_tokens{
    "tokens.list",
    "SELECT " CARECHAT_TOKEN_COLUMNS " FROM tokens WHERE (?1 IS NULL OR (created_at, id) > "
    "((SELECT created_at FROM tokens WHERE id = ?1), ?1)) AND (?2 IS NULL OR tenant = ?2) "
    "AND (?3 IS NULL OR instance = ?3) ORDER BY created_at, id LIMIT ?4"};
inline constexpr named_sql token_by_hash{"tokens.by_hash",
                                         "SELECT " CARECHAT_TOKEN_COLUMNS " FROM tokens WHERE hash = ?1"};
inline constexpr named_sql revoke_token{"tokens.revoke",
                                        "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"};
inline constexpr named_sql token_exists{"tokens.exists", "SELECT 1 FROM tokens WHERE id = ?1"};

// On a connection that attaches the search database (open_read_connection): the rows its
// audit_by_patient covers, through that index, then the few above its mark by a scan of the
// newest rows. Both arms come in id order, so the LIMIT ends the merge early.
inline constexpr named_sql audit_for_patient{
    "audit.for_patient",
    "SELECT a.id, a.at, a.token_id, a.role, a.actor_id, a.action, a.tenant, a.instance, a.patient, a.outcome, "
    "a.request_id FROM search.audit_by_patient p JOIN audit_log a ON a.id = p.id "
    "WHERE p.patient = ?1 AND p.id > ?2 AND (?3 IS NULL OR a.tenant = ?3) AND (?4 IS NULL OR a.instance = ?4) "
    "UNION ALL "
    "SELECT id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id "
    "FROM audit_log WHERE id > max(?2, coalesce((SELECT upto FROM search.audit_index_state WHERE id = 1), 0)) "
    "AND patient = ?1 AND (?3 IS NULL OR tenant = ?3) AND (?4 IS NULL OR instance = ?4) "
    "ORDER BY 1 LIMIT ?5"};

// `carechat audit verify` and `export` (domain/audit_chain.hpp). Rows: read_linked_audit's columns.
#define CARECHAT_AUDIT_LINKED_COLUMNS \
  "id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id, chain_seq, prev_hash, " \
  "row_hash"
// ?1 tenant ?2 instance ?3 seq: after that row, along audit_log_chain; ?4 limit.
inline constexpr named_sql audit_chain_page{
    "audit.chain_page",
    "SELECT " CARECHAT_AUDIT_LINKED_COLUMNS " FROM audit_log WHERE chain_seq IS NOT NULL "
    "AND (tenant, instance, chain_seq) > (?1, ?2, ?3) ORDER BY tenant, instance, chain_seq LIMIT ?4"};
inline constexpr named_sql audit_chain_heads{
    "audit.heads", "SELECT tenant, instance, seq, head FROM audit_chain_heads ORDER BY tenant, instance"};
inline constexpr named_sql audit_unchained{
    "audit.unchained",
    "SELECT tenant, instance, count(*), max(id) FROM audit_log WHERE chain_seq IS NULL "
    "GROUP BY tenant, instance ORDER BY tenant, instance"};
// ?1 after id ?2 since ?3 until (at in [since, until)) ?4 tenant ?5 instance (NULL: any) ?6 limit.
inline constexpr named_sql audit_export_page{
    "audit.export_page",
    "SELECT " CARECHAT_AUDIT_LINKED_COLUMNS " FROM audit_log WHERE id > ?1 AND at >= ?2 AND at < ?3 "
    "AND (?4 IS NULL OR tenant = ?4) AND (?5 IS NULL OR instance = ?5) ORDER BY id LIMIT ?6"};
#undef CARECHAT_AUDIT_LINKED_COLUMNS

inline constexpr named_sql insert_secret{"secrets.insert",
                                         "INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?1, ?2)"};
inline constexpr named_sql select_secret{"secrets.select", "SELECT value FROM server_secrets WHERE name = ?1"};

#undef CARECHAT_TOKEN_COLUMNS

// ---- webhooks (store/sqlite/webhook_store.cpp) ----
// ?1 event id ?2 type ?3 chat id ?4 message seq (NULL for non-message events) ?5 created_at ?6 count ?7 up_to
// ?8 direction (messages.read only)
inline constexpr named_sql insert_outbox_event{
    "outbox.insert_event",
    "INSERT INTO webhook_outbox (event_id, event_type, chat_id, message_seq, created_at, count, up_to_external_id, "
    "direction) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
// ?1 tenant ?2 instance: the enabled endpoint's event types (comma-separated), for opt-in events.
inline constexpr named_sql webhook_types_enabled{
    "webhooks.types_enabled",
    "SELECT event_types FROM webhook_endpoints WHERE tenant = ?1 AND instance = ?2 AND enabled = 1"};
#define CARECHAT_ENDPOINT_COLUMNS                                                                              \
  "tenant, instance, url, api_key, api_secret, signing_secret, previous_signing_secret, enabled, event_types, " \
  "disabled_reason, created_at, updated_at"
inline constexpr named_sql webhook_endpoint_get{
    "webhooks.endpoint_get",
    "SELECT " CARECHAT_ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE tenant = ?1 AND instance = ?2"};
inline constexpr named_sql webhook_endpoint_put{
    "webhooks.endpoint_put",
    "INSERT INTO webhook_endpoints (" CARECHAT_ENDPOINT_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (tenant, instance) DO UPDATE SET url = excluded.url, api_key = excluded.api_key, "
    "api_secret = excluded.api_secret, signing_secret = excluded.signing_secret, "
    "previous_signing_secret = excluded.previous_signing_secret, enabled = excluded.enabled, "
    "event_types = excluded.event_types, disabled_reason = excluded.disabled_reason, updated_at = excluded.updated_at"};
#undef CARECHAT_ENDPOINT_COLUMNS
// ?1 tenant ?2 instance ?3 reason ?4 at
inline constexpr named_sql webhook_endpoint_disable{
    "webhooks.endpoint_disable",
    "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?3, updated_at = ?4 "
    "WHERE tenant = ?1 AND instance = ?2"};
// ?1 tenant ?2 instance: before the first endpoint exists, pending rows are history, not a backlog.
inline constexpr named_sql webhook_skip_history{
    "webhooks.skip_history",
    "UPDATE webhook_outbox SET state = 'skipped' WHERE state = 'pending' AND chat_id IN "
    "(SELECT id FROM chats WHERE tenant = ?1 AND instance = ?2)"};
// ?1 now ?2 limit. The head (oldest pending row) of every enabled endpoint's queue, if due and not
// held by an unexpired lease. Rows: outbox id, event id, type, tenant, instance, patient, body,
// external id, count, up_to, created_at, attempts, direction.
inline constexpr named_sql webhook_claimable{
    "webhooks.claimable",
    "SELECT o.id, o.event_id, o.event_type, c.tenant, c.instance, c.patient, m.body, m.external_id, o.count, "
    "o.up_to_external_id, o.created_at, o.attempts, o.direction, m.seq, m.attachment_count "
    "FROM (SELECT c2.tenant AS t, c2.instance AS i, min(o2.id) AS head FROM webhook_outbox o2 "
    "      JOIN chats c2 ON c2.id = o2.chat_id WHERE o2.state = 'pending' GROUP BY c2.tenant, c2.instance) h "
    "JOIN webhook_endpoints e ON e.tenant = h.t AND e.instance = h.i AND e.enabled = 1 "
    "JOIN webhook_outbox o ON o.id = h.head "
    "JOIN chats c ON c.id = o.chat_id "
    "LEFT JOIN messages m ON m.seq = o.message_seq "
    "WHERE o.next_attempt_at <= ?1 AND (o.lease_until IS NULL OR o.lease_until <= ?1) "
    "ORDER BY o.next_attempt_at, o.id LIMIT ?2"};
// ?1 owner: its claims given up.
inline constexpr named_sql webhook_release{
    "webhooks.release",
    "UPDATE webhook_outbox SET lease_owner = NULL, lease_token = NULL, lease_until = NULL "
    "WHERE lease_owner = ?1 AND state = 'pending'"};
// ?1 outbox id ?2 owner ?3 token ?4 until
inline constexpr named_sql webhook_lease{
    "webhooks.lease", "UPDATE webhook_outbox SET lease_owner = ?2, lease_token = ?3, lease_until = ?4 WHERE id = ?1"};
// ?1 outbox id ?2 at ?3 status ?4 latency ?5 error ?6 outcome
inline constexpr named_sql webhook_attempt_insert{
    "webhooks.attempt_insert",
    "INSERT INTO webhook_attempts (outbox_id, at, status, latency_ms, error, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
// ?1 outbox id ?2 state ?3 next_attempt_at ?4 delivered_at (NULL unless delivered) ?5 lease token:
// applied, and the claim released, only while the lease holds (no change: it was lost).
inline constexpr named_sql webhook_outbox_update{
    "webhooks.outbox_update",
    "UPDATE webhook_outbox SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3, "
    "delivered_at = coalesce(?4, delivered_at), lease_owner = NULL, lease_token = NULL, lease_until = NULL "
    "WHERE id = ?1 AND lease_token = ?5"};
// ?1 outbox id: the endpoint (tenant, instance) of a row.
inline constexpr named_sql webhook_outbox_instance{
    "webhooks.outbox_instance",
    "SELECT c.tenant, c.instance FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id WHERE o.id = ?1"};
// ?1 tenant ?2 instance ?3 limit, newest first.
inline constexpr named_sql webhook_attempts_list{
    "webhooks.attempts",
    "SELECT a.id, a.outbox_id, o.event_id, o.event_type, a.at, a.status, a.latency_ms, a.error, a.outcome "
    "FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = ?1 AND c.instance = ?2 ORDER BY a.id DESC LIMIT ?3"};
// ?1 tenant ?2 instance ?3 event id | ?4 attempt id: the outbox row to redeliver.
inline constexpr named_sql webhook_find_event{
    "webhooks.find_event",
    "SELECT o.id, o.event_id FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = ?1 AND c.instance = ?2 AND (o.event_id = ?3 OR o.id = "
    "(SELECT outbox_id FROM webhook_attempts WHERE id = ?4))"};
// ?1 outbox id ?2 now
inline constexpr named_sql webhook_requeue{
    "webhooks.requeue",
    "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, lease_owner = NULL, "
    "lease_token = NULL, lease_until = NULL WHERE id = ?1"};
// ?1 tenant ?2 instance. Rows: state, count.
inline constexpr named_sql webhook_counts{
    "webhooks.counts",
    "SELECT o.state, count(*) FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = ?1 AND c.instance = ?2 GROUP BY o.state"};
// Rows: one, the number of pending outbox rows (over the partial index webhook_outbox_pending).
inline constexpr named_sql webhook_pending_count{
    "webhooks.pending_count", "SELECT count(*) FROM webhook_outbox WHERE state = 'pending'"};

// ---- reads: read state and the event log ----
// Event rows: position, type, at, tenant, instance, patient, reader_type, reader_id, reader_name,
// read_kind, up_to_external_id, count, archive_before, message_seq, then the message columns (NULL
// unless message_seq is set). Read by rows.hpp's read_event().
// ?1 tenant ?2 instance ?3 patient ?4 after ?5 limit: one chat, over events_by_chat.
extern const named_sql events_after_chat;
// ?1 tenant ?2 instance ?4 after ?5 limit (no ?3): every chat of an instance, over the position range.
extern const named_sql events_after_instance;
// The revocation counter (schema v6) a server's token cache polls.
inline constexpr named_sql token_revocations{
    "tokens.revocations", "SELECT value FROM log_state WHERE name = 'token_revocations'"};
// floor, latest (the AUTOINCREMENT high-water mark: right even when every event was pruned), epoch.
// One log for the whole file: every scope reads the same bounds.
inline constexpr named_sql event_bounds{
    "events.bounds",
    "SELECT coalesce((SELECT value FROM log_state WHERE name = 'events_floor'), 0), "
    "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), "
    "coalesce((SELECT value FROM log_state WHERE name = 'epoch'), 0)"};
// ?1 tenant ?2 instance ?3 patient ?4 kind; over the unread partial index.
extern const named_sql oldest_unread;
extern const named_sql unread_count;
// ?1 tenant ?2 instance ?3 limit. Rows: patient, unread, oldest_unread_at, latest_unread_at, latest_message_at.
extern const named_sql unread_chats;

// ---- reads: one statement per (archived filter, direction) ----
// All take ?1 tenant ?2 instance ?3 patient, ?4 created_at and ?5 seq of the exclusive anchor;
// pages and searches also ?6 limit; searches ?7 the needle. An absent anchor is bound as the
// extreme position, so one statement serves "from the newest" too. Message rows have the columns
// of CARECHAT_MESSAGE_COLUMNS (read by rows.hpp's read_message()).
const named_sql& page(bool include_archived, domain::direction dir);
const named_sql& any_beyond(bool include_archived, domain::direction dir);
// ?7 is an FTS5 query string (see reader's quoting); needs >= 3 characters to match anything.
const named_sql& search_fts(bool include_archived, domain::direction dir);
// ?7 is the raw needle; instr(lower(body), lower(?7)), which folds ASCII letters only.
const named_sql& search_scan(bool include_archived, domain::direction dir);

// ---- FHIR Bulk Data export (store/sqlite/bulk_export.cpp) ----
// ?1 tenant ?2 instance: the newest seq of the instance's messages (0: none).
inline constexpr named_sql export_high_water{
    "export.high_water",
    "SELECT coalesce(max(seq), 0) FROM messages WHERE chat_id IN (SELECT id FROM chats WHERE tenant = ?1 AND instance = ?2)"};
// ?1 tenant ?2 instance ?3 after seq ?4 up to seq ?5 created strictly after ?6 limit. CROSS JOIN
// keeps messages the outer loop: a walk along the rowid range in seq order that stops at the limit.
#define CC_EXPORT_RANGE                                                                        \
  " FROM messages AS m CROSS JOIN chats AS c ON c.id = m.chat_id WHERE c.tenant = ?1 AND c.instance = ?2" \
  " AND m.seq > ?3 AND m.seq <= ?4 AND m.created_at > ?5 ORDER BY m.seq LIMIT ?6"
inline constexpr named_sql export_span{
    "export.span", "SELECT count(*), coalesce(max(seq), 0) FROM (SELECT m.seq AS seq" CC_EXPORT_RANGE ")"};
// Rows: the message columns, then the chat's patient.
inline constexpr named_sql export_messages{
    "export.messages", "SELECT " CARECHAT_MESSAGE_COLUMNS("m.") ", c.patient" CC_EXPORT_RANGE};
#undef CC_EXPORT_RANGE
// ?1 tenant ?2 instance ?3 after chat id ?4 up to chat id ?5 high-water seq ?6 created strictly
// after ?7 limit: the chats of a thread range. Walks chats_by_instance (tenant, instance, id) in id
// order; the EXISTS and the first/newest lookups seek messages_by_chat (chat_id, created_at, seq).
#define CC_EXPORT_THREAD_RANGE                                                                      \
  " FROM chats AS c WHERE c.tenant = ?1 AND c.instance = ?2 AND c.id > ?3 AND c.id <= ?4"            \
  " AND EXISTS (SELECT 1 FROM messages AS e WHERE e.chat_id = c.id AND e.created_at > ?6 AND e.seq <= ?5)" \
  " ORDER BY c.id LIMIT ?7"
inline constexpr named_sql export_thread_span{
    "export.thread_span", "SELECT count(*), coalesce(max(id), 0) FROM (SELECT c.id AS id" CC_EXPORT_THREAD_RANGE ")"};
// Rows: chat id, patient, its oldest and its newest message's created_at at or below the mark.
inline constexpr named_sql export_threads{
    "export.threads",
    "SELECT c.id, c.patient,"
    " (SELECT f.created_at FROM messages AS f WHERE f.chat_id = c.id AND f.seq <= ?5 ORDER BY f.created_at, f.seq LIMIT 1),"
    " (SELECT l.created_at FROM messages AS l WHERE l.chat_id = c.id AND l.seq <= ?5"
    " ORDER BY l.created_at DESC, l.seq DESC LIMIT 1)" CC_EXPORT_THREAD_RANGE};
#undef CC_EXPORT_THREAD_RANGE
#define CC_EXPORT_JOB_COLUMNS                                                                                     \
  "id, tenant, instance, token_id, since, transaction_time, high_water, request, file_ends, total, created_at, " \
  "expires_at, thread_file_ends, thread_total"
// ?1..?12 and ?14, ?15 the columns, ?13 now: inserts, or replaces the tenant/instance's job if it
// has expired.
inline constexpr named_sql insert_export_job{
    "export.insert_job",
    "INSERT INTO export_jobs (" CC_EXPORT_JOB_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?14, ?15) "
    "ON CONFLICT (tenant, instance) DO UPDATE SET id = excluded.id, token_id = excluded.token_id, "
    "since = excluded.since, transaction_time = excluded.transaction_time, high_water = excluded.high_water, "
    "request = excluded.request, file_ends = excluded.file_ends, total = excluded.total, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at, "
    "thread_file_ends = excluded.thread_file_ends, thread_total = excluded.thread_total "
    "WHERE export_jobs.expires_at <= ?13"};
// ?1 id. Rows: the columns above.
inline constexpr named_sql export_job_by_id{"export.job_by_id",
                                            "SELECT " CC_EXPORT_JOB_COLUMNS " FROM export_jobs WHERE id = ?1"};
#undef CC_EXPORT_JOB_COLUMNS
// ?1 id ?2 tenant ?3 instance
inline constexpr named_sql delete_export_job{
    "export.delete_job", "DELETE FROM export_jobs WHERE id = ?1 AND tenant = ?2 AND instance = ?3"};

// ---- SMART launches in flight (store/sqlite/smart_launches.cpp) ----
// ?1 state_hash ?2 iss ?3 nonce ?4 code_verifier ?5 standalone ?6 created_at (now) ?7 expires_at
// ?8 the cap: inserted only while fewer than ?8 unexpired launches are pending.
inline constexpr named_sql insert_smart_launch{
    "smart.insert_launch",
    "INSERT INTO smart_launches (state_hash, iss, nonce, code_verifier, standalone, created_at, expires_at) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE (SELECT count(*) FROM smart_launches WHERE expires_at > ?6) < ?8"};
// ?1 state_hash ?2 now. One statement: the row is gone once it is returned, and only an unexpired
// one is returned.
inline constexpr named_sql take_smart_launch{
    "smart.take_launch",
    "DELETE FROM smart_launches WHERE state_hash = ?1 AND expires_at > ?2 "
    "RETURNING iss, nonce, code_verifier, standalone, expires_at"};
// ?1 now
inline constexpr named_sql prune_smart_launches{"smart.prune_launches",
                                                "DELETE FROM smart_launches WHERE expires_at <= ?1"};

}  // namespace carechat::store::sqlite::queries
