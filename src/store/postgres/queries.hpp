// Every SQL statement of the PostgreSQL store, by name: the only place its SQL lives. Each is
// prepared once per connection. Values are always parameters, never spliced; sets of rows go as
// arrays (unnest), so a batch writes each table with one statement.
// Thread-safety: constants and pure functions.
#pragma once

#include "domain/chat.hpp"
#include "store/postgres/pg_connection.hpp"

// The message columns every message-reading statement selects, in the order store/row_mapping's
// read_message() reads them; `p` is a table alias with its dot ("m.") or "".
#define CARECHAT_PG_MESSAGE_COLUMNS(p)                                                                                \
  p "seq, " p "external_id, " p "kind, " p "sender_type, " p "sender_id, " p "sender_name, " p "receiver_type, " p    \
    "receiver_id, " p "receiver_name, " p "body, " p "created_at, " p "archived::int, " p "read_at, " p               \
    "read_by_type, " p "read_by_id, " p "read_by_name, " p "attachment_count"

namespace carechat::store::postgres::queries {

// ---- transaction control ----
inline constexpr named_sql begin{"tx.begin", "BEGIN"};
inline constexpr named_sql commit{"tx.commit", "COMMIT"};
inline constexpr named_sql rollback{"tx.rollback", "ROLLBACK"};
// $1 log $2 position $3 chat $4 type $5 at $6 message_seq: is this very event in the log (a batch
// whose COMMIT's answer was lost, looked for: write_batch)?
inline constexpr named_sql event_exists{
    "events.exists",
    "SELECT 1 FROM events WHERE log_id = $1 AND position = $2 AND chat_id = $3 AND type = $4 AND at = $5 "
    "AND message_seq IS NOT DISTINCT FROM $6::bigint"};

// ---- the writer: locks and lookups of a batch ----
// $1 tenants $2 instances: every log the batch appends to, made if missing.
inline constexpr named_sql create_heads{
    "heads.create",
    "INSERT INTO log_heads (tenant, instance) SELECT t, i FROM unnest($1::text[], $2::text[]) AS k(t, i) "
    "ON CONFLICT (tenant, instance) DO NOTHING"};
// $1 tenants $2 instances. Locks the logs' counter rows in one fixed order (tenant, instance, by
// code point) until commit, so batches of several writers that share logs queue up instead of
// deadlocking. Rows: log_id, tenant, instance, position.
inline constexpr named_sql lock_heads{
    "heads.lock",
    "SELECT h.log_id, h.tenant, h.instance, h.position FROM log_heads h "
    "JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON h.tenant = k.t AND h.instance = k.i "
    "ORDER BY h.tenant COLLATE \"C\", h.instance COLLATE \"C\" FOR UPDATE OF h"};
// $1 log ids $2 positions: the counters after the batch.
inline constexpr named_sql update_heads{
    "heads.update",
    "UPDATE log_heads h SET position = d.pos FROM unnest($1::bigint[], $2::bigint[]) AS d(id, pos) "
    "WHERE h.log_id = d.id"};
// $1 tenants $2 instances $3 patients. Rows: id, tenant, instance, patient, last_message_at.
inline constexpr named_sql find_chats{
    "chats.find",
    "SELECT c.id, c.tenant, c.instance, c.patient, c.last_message_at FROM chats c "
    "JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(t, i, p) "
    "ON c.tenant = k.t AND c.instance = k.i AND c.patient = k.p"};
// $1 tenants $2 instances $3 patients: the chats a batch's sends need, made if missing (their
// logs exist: the batch made and locked them first).
inline constexpr named_sql create_chats{
    "chats.create",
    "INSERT INTO chats (tenant, instance, patient, log_id) "
    "SELECT k.t, k.i, k.p, h.log_id FROM unnest($1::text[], $2::text[], $3::text[]) AS k(t, i, p) "
    "JOIN log_heads h ON h.tenant = k.t AND h.instance = k.i "
    "ON CONFLICT (tenant, instance, patient) DO NOTHING"};
// $1 token ids $2 keys. Rows: token_id, key, request_hash, message_seq.
inline constexpr named_sql find_claims{
    "idempotency.find",
    "SELECT i.token_id, i.key, i.request_hash, i.message_seq FROM idempotency_keys i "
    "JOIN unnest($1::text[], $2::text[]) AS k(t, k2) ON i.token_id = k.t AND i.key = k.k2"};
// $1 tenants $2 instances. Rows: tenant, instance, event_types of the enabled endpoints.
inline constexpr named_sql endpoint_types{
    "webhooks.types_enabled",
    "SELECT e.tenant, e.instance, e.event_types FROM webhook_endpoints e "
    "JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON e.tenant = k.t AND e.instance = k.i WHERE e.enabled"};
// $1 how many message seqs to reserve; taken after the logs are locked, so seqs grow in commit
// order within a log. Rows: one seq each.
inline constexpr named_sql reserve_seqs{"messages.reserve_seqs",
                                        "SELECT nextval('messages_seq_seq') FROM generate_series(1, $1::int)"};

// ---- the writer: one statement per table per flush ----
// $1 seq $2 chat_id $3 external_id $4 kind $5 sender_type $6 sender_id $7 sender_name
// $8 receiver_type $9 receiver_id $10 receiver_name $11 body $12 created_at (arrays).
inline constexpr named_sql insert_messages{
    "messages.insert",
    "INSERT INTO messages (seq, chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type, "
    "receiver_id, receiver_name, body, created_at, attachment_count) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::integer[])"};
// $1 log_id $2 position $3 chat_id $4 type $5 at $6 message_seq $7 reader_type $8 reader_id
// $9 reader_name $10 read_kind $11 up_to_external_id $12 count $13 archive_before (arrays).
inline constexpr named_sql insert_events{
    "events.insert",
    "INSERT INTO events (log_id, position, chat_id, type, at, message_seq, reader_type, reader_id, reader_name, "
    "read_kind, up_to_external_id, count, archive_before) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], "
    "$7::text[], $8::text[], $9::text[], $10::smallint[], $11::text[], $12::bigint[], $13::bigint[])"};
// $1 event_id $2 event_type $3 chat_id $4 message_seq $5 created_at $6 count $7 up_to $8 direction
// $9 log_id.
inline constexpr named_sql insert_outbox{
    "outbox.insert",
    "INSERT INTO webhook_outbox (event_id, event_type, chat_id, message_seq, created_at, count, up_to_external_id, "
    "direction, log_id) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::text[], $8::text[], $9::bigint[])"};
// $1 at $2 token_id $3 role $4 actor_id $5 action $6 tenant $7 instance $8 patient $9 outcome
// $10 chain_seq $11 prev_hash $12 row_hash (domain/audit_chain.hpp) $13 request_id (NULL elements: none).
inline constexpr named_sql insert_audits{
    "audit.insert",
    "INSERT INTO audit_log (at, token_id, role, actor_id, action, tenant, instance, patient, outcome, chain_seq, "
    "prev_hash, row_hash, request_id) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
    "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bytea[], $12::bytea[], "
    "$13::text[])"};
// $1 tenants $2 instances: the audit chains a batch appends to get a head row (seq 0, genesis).
inline constexpr named_sql create_audit_heads{
    "audit.heads.create",
    "INSERT INTO audit_chain_heads (tenant, instance, seq, head) SELECT t, i, 0, decode(repeat('00', 32), 'hex') "
    "FROM unnest($1::text[], $2::text[]) AS k(t, i) ON CONFLICT (tenant, instance) DO NOTHING"};
// $1 tenants $2 instances. Locks the chains' heads until commit, in one fixed order (after the
// logs' heads: every writer takes them in that order), so appends to a chain are serialised
// across nodes. Rows: tenant, instance, seq, head.
inline constexpr named_sql lock_audit_heads{
    "audit.heads.lock",
    "SELECT h.tenant, h.instance, h.seq, h.head FROM audit_chain_heads h "
    "JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON h.tenant = k.t AND h.instance = k.i "
    "ORDER BY h.tenant COLLATE \"C\", h.instance COLLATE \"C\" FOR UPDATE OF h"};
// $1 tenants $2 instances $3 seqs $4 heads: the chains after the batch.
inline constexpr named_sql update_audit_heads{
    "audit.heads.update",
    "UPDATE audit_chain_heads h SET seq = d.s, head = d.hd FROM unnest($1::text[], $2::text[], $3::bigint[], "
    "$4::bytea[]) AS d(t, i, s, hd) WHERE h.tenant = d.t AND h.instance = d.i"};
// $1 token_id $2 key $3 request_hash $4 message_seq $5 created_at.
inline constexpr named_sql insert_claims{
    "idempotency.insert",
    "INSERT INTO idempotency_keys (token_id, key, request_hash, message_seq, created_at) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[])"};
// $1 chat ids $2 new unread inbound $3 new unread outbound $4 newest created_at.
inline constexpr named_sql update_chats_after_sends{
    "chats.after_sends",
    "UPDATE chats c SET unread_inbound = c.unread_inbound + d.inb, unread_outbound = c.unread_outbound + d.outb, "
    "last_message_at = greatest(c.last_message_at, d.last_at) "
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS d(id, inb, outb, last_at) "
    "WHERE c.id = d.id"};
// $1 seqs: the first answers of Idempotency-Key replays.
extern const named_sql messages_by_seqs;

// ---- attachments ----
// $1 ids. Rows: id, chat_id, uploader_token, state, message_seq, name, content_type, size, sha256,
// thumbnail. Locked until commit: two nodes sending the same attachment queue here, and the second
// sees the first's message_seq.
inline constexpr named_sql attachments_for_send{
    "attachments.for_send",
    "SELECT id, chat_id, uploader_token, state, message_seq, name, content_type, size, sha256, thumbnail::int "
    "FROM attachments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE"};
// $1 ids $2 message seqs $3 ordinals (arrays)
inline constexpr named_sql use_attachments{
    "attachments.use",
    "UPDATE attachments AS a SET message_seq = u.seq, ordinal = u.ord "
    "FROM unnest($1::text[], $2::bigint[], $3::integer[]) AS u(id, seq, ord) WHERE a.id = u.id"};
// $1 id $2 chat id $3 uploader token $4 created_at
inline constexpr named_sql insert_attachment{
    "attachments.insert",
    "INSERT INTO attachments (id, chat_id, uploader_token, state, created_at) VALUES ($1, $2, $3, 'pending', $4)"};
// $1 id $2 chat id $3 state $4 name $5 content_type $6 size $7 sha256 $8 thumbnail: a pending upload ends.
inline constexpr named_sql finish_attachment{
    "attachments.finish",
    "UPDATE attachments SET state = $3, name = $4, content_type = $5, size = $6, sha256 = $7, thumbnail = $8::int = 1 "
    "WHERE id = $1 AND chat_id = $2 AND state = 'pending'"};
// $1 created_before $2 limit. SKIP LOCKED: an attachment a send holds is not collected from under it.
inline constexpr named_sql expire_attachments{
    "attachments.expire",
    "UPDATE attachments SET state = 'expired' WHERE id IN (SELECT id FROM attachments "
    "WHERE message_seq IS NULL AND created_at < $1 AND state <> 'expired' ORDER BY created_at LIMIT $2 "
    "FOR UPDATE SKIP LOCKED)"};
// $1 limit
inline constexpr named_sql expired_attachments{
    "attachments.expired",
    "SELECT id FROM attachments WHERE message_seq IS NULL AND state = 'expired' ORDER BY created_at LIMIT $1"};
// $1 ids
inline constexpr named_sql delete_attachments{
    "attachments.delete", "DELETE FROM attachments WHERE id = ANY($1::text[]) AND state = 'expired'"};
// $1 message seqs. Rows: message_seq, id, name, content_type, size, sha256, thumbnail.
inline constexpr named_sql attachments_of_messages{
    "attachments.of_messages",
    "SELECT message_seq, id, name, content_type, size, sha256, thumbnail::int FROM attachments "
    "WHERE message_seq = ANY($1::bigint[]) ORDER BY message_seq, ordinal"};
// $1 id $2 tenant $3 instance $4 patient. Rows: id, name, content_type, size, sha256, thumbnail,
// uploader_token, state, created_at, the message's external_id and archived (NULL when unsent).
inline constexpr named_sql attachment_by_id{
    "attachments.by_id",
    "SELECT a.id, a.name, a.content_type, a.size, a.sha256, a.thumbnail::int, a.uploader_token, a.state, "
    "a.created_at, m.external_id, m.archived::int FROM attachments AS a LEFT JOIN messages AS m ON m.seq = a.message_seq "
    "WHERE a.id = $1 AND a.chat_id = (SELECT id FROM chats WHERE tenant = $2 AND instance = $3 AND patient = $4)"};

// $1 external_id $2 tenant $3 instance. Rows: the message columns, then the chat's patient (FHIR reads).
inline constexpr named_sql message_by_external_id{
    "messages.by_external_id",
    "SELECT " CARECHAT_PG_MESSAGE_COLUMNS("m.") ", c.patient FROM messages AS m JOIN chats AS c ON c.id = m.chat_id "
    "WHERE m.external_id = $1 AND c.tenant = $2 AND c.instance = $3"};
// $1 id $2 tenant $3 instance. Rows: the patient whose chat holds the attachment.
inline constexpr named_sql attachment_patient{
    "attachments.patient",
    "SELECT c.patient FROM attachments AS a JOIN chats AS c ON c.id = a.chat_id "
    "WHERE a.id = $1 AND c.tenant = $2 AND c.instance = $3"};

// ---- attachment bytes (pg_blob_store) ----
// $1 key $2 part $3 bytes
inline constexpr named_sql insert_blob_part{"blobs.insert_part",
                                            "INSERT INTO attachment_parts (key, part, bytes) VALUES ($1, $2, $3)"};
// $1 key $2 size $3 part size. No row affected: the object exists (written once).
inline constexpr named_sql insert_blob_object{
    "blobs.insert_object",
    "INSERT INTO attachment_objects (key, size, part_size) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING"};
// $1 key. Rows: size.
inline constexpr named_sql blob_object{"blobs.object", "SELECT size FROM attachment_objects WHERE key = $1"};
// $1 key $2 first part $3 last part. Rows: the object's size, then part and bytes (NULL when
// none of those parts exists: a read past the end). No row: no such object. One round trip per
// read, a download's hot path.
inline constexpr named_sql blob_parts{
    "blobs.parts",
    "SELECT o.size, p.part, p.bytes FROM attachment_objects o LEFT JOIN attachment_parts p "
    "ON p.key = o.key AND p.part BETWEEN $2 AND $3 WHERE o.key = $1 ORDER BY p.part"};
inline constexpr named_sql delete_blob_object{"blobs.delete_object", "DELETE FROM attachment_objects WHERE key = $1"};
inline constexpr named_sql delete_blob_parts{"blobs.delete_parts", "DELETE FROM attachment_parts WHERE key = $1"};

// ---- the writer: archive, restore, read state, retention ----
// $1 chat id $2 before: strictly earlier messages only.
inline constexpr named_sql archive_before{
    "messages.archive",
    "UPDATE messages SET archived = true WHERE chat_id = $1 AND created_at < $2 AND NOT archived"};
inline constexpr named_sql restore_all{"messages.restore",
                                       "UPDATE messages SET archived = false WHERE chat_id = $1 AND archived"};
// $1 chat id: the unread counters counted again (after an archive or a restore moved messages in
// or out of "unread"), over the unread partial index.
inline constexpr named_sql recount_unread{
    "chats.recount_unread",
    "UPDATE chats SET "
    "unread_inbound = (SELECT count(*) FROM messages WHERE chat_id = $1 AND kind = 0 AND read_at IS NULL "
    "AND NOT archived), "
    "unread_outbound = (SELECT count(*) FROM messages WHERE chat_id = $1 AND kind = 1 AND read_at IS NULL "
    "AND NOT archived) WHERE id = $1"};
// $1 external id $2 chat id $3 kind. Rows: created_at, seq.
inline constexpr named_sql read_target{
    "messages.read_target", "SELECT created_at, seq FROM messages WHERE external_id = $1 AND chat_id = $2 AND kind = $3"};
// $1 chat id $2 kind $3 read_at $4..$6 reader type, id, name [$7 created_at $8 seq: up to and including].
extern const named_sql mark_read_all;
extern const named_sql mark_read_up_to;
// $1 chat id $2 kind $3 how many became read.
inline constexpr named_sql subtract_unread{
    "chats.subtract_unread",
    "UPDATE chats SET unread_inbound = unread_inbound - CASE WHEN $2 = 0 THEN $3::bigint ELSE 0 END, "
    "unread_outbound = unread_outbound - CASE WHEN $2 = 1 THEN $3::bigint ELSE 0 END WHERE id = $1"};
// $1 chat id $2 kind. Rows: the external id of the newest message of that kind that is read.
inline constexpr named_sql newest_read{
    "messages.newest_read",
    "SELECT external_id FROM messages WHERE chat_id = $1 AND kind = $2 AND read_at IS NOT NULL "
    "ORDER BY created_at DESC, seq DESC LIMIT 1"};
// $1 older_than: drops expired events and raises each log's floor to the highest one dropped.
inline constexpr named_sql prune_events{
    "events.prune",
    "WITH gone AS (DELETE FROM events WHERE at < $1 RETURNING log_id, position) "
    "INSERT INTO log_floors (log_id, floor) SELECT log_id, max(position) FROM gone GROUP BY log_id "
    "ON CONFLICT (log_id) DO UPDATE SET floor = greatest(log_floors.floor, excluded.floor)"};

// The trigram index's pending list moved into the index (see migrations.cpp, messages_search).
inline constexpr named_sql clean_search_pending{"search.clean_pending",
                                                "SELECT gin_clean_pending_list('messages_search'::regclass)"};

// $1 older_than
inline constexpr named_sql prune_idempotency{"idempotency.prune", "DELETE FROM idempotency_keys WHERE created_at < $1"};

// ---- administration ----
#define CARECHAT_PG_TOKEN_COLUMNS \
  "id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at, expires_at, client_id"
inline constexpr named_sql insert_token{"tokens.insert", "INSERT INTO tokens (" CARECHAT_PG_TOKEN_COLUMNS
                                                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
// As insert_token, only while the client $12 exists and is not revoked. FOR SHARE locks the
// client's row: a concurrent revoke_oauth_client either waits for this insert to commit (and then
// revokes the new token too) or commits first (and READ COMMITTED re-checks the row: revoked, no
// insert). No token outlives its client's revocation.
inline constexpr named_sql insert_client_token{
    "tokens.insert_for_client",
    "INSERT INTO tokens (" CARECHAT_PG_TOKEN_COLUMNS ") SELECT $1::text, $2::bytea, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::bigint, "
    "$10::bigint, $11::bigint, $12::text FROM (SELECT id FROM oauth_clients WHERE id = $12::text AND revoked_at IS NULL "
    "FOR SHARE) c"};
// $1 after (a token id, or NULL) $2 tenant $3 instance (NULL: any) $4 limit; in creation order.
inline constexpr named_sql list_tokens{
    "tokens.list",
    "SELECT " CARECHAT_PG_TOKEN_COLUMNS " FROM tokens WHERE ($1::text IS NULL OR (created_at, id COLLATE \"C\") > "
    "((SELECT t.created_at FROM tokens t WHERE t.id = $1::text), $1::text COLLATE \"C\")) "
    "AND ($2::text IS NULL OR tenant = $2::text) AND ($3::text IS NULL OR instance = $3::text) "
    "ORDER BY created_at, id COLLATE \"C\" LIMIT $4"};
inline constexpr named_sql token_by_hash{"tokens.by_hash",
                                         "SELECT " CARECHAT_PG_TOKEN_COLUMNS " FROM tokens WHERE hash = $1"};
inline constexpr named_sql revoke_token{"tokens.revoke",
                                        "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"};
inline constexpr named_sql token_exists{"tokens.exists", "SELECT 1 FROM tokens WHERE id = $1"};
#undef CARECHAT_PG_TOKEN_COLUMNS

// ---- OAuth clients (store/postgres/pg_oauth_clients.cpp) ----
#define CARECHAT_PG_CLIENT_COLUMNS "id, tenant, instance, name, secret_hash, jwks, created_at, revoked_at"
inline constexpr named_sql insert_oauth_client{"clients.insert", "INSERT INTO oauth_clients (" CARECHAT_PG_CLIENT_COLUMNS
                                                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
inline constexpr named_sql oauth_client_by_id{"clients.by_id",
                                              "SELECT " CARECHAT_PG_CLIENT_COLUMNS " FROM oauth_clients WHERE id = $1"};
// $1 after (a client id, or NULL) $2 tenant $3 instance (NULL: any) $4 limit; in creation order.
inline constexpr named_sql list_oauth_clients{
    "clients.list",
    "SELECT " CARECHAT_PG_CLIENT_COLUMNS " FROM oauth_clients WHERE ($1::text IS NULL OR (created_at, id COLLATE \"C\") > "
    "((SELECT c.created_at FROM oauth_clients c WHERE c.id = $1::text), $1::text COLLATE \"C\")) "
    "AND ($2::text IS NULL OR tenant = $2::text) AND ($3::text IS NULL OR instance = $3::text) "
    "ORDER BY created_at, id COLLATE \"C\" LIMIT $4"};
#undef CARECHAT_PG_CLIENT_COLUMNS
// $1 id $2 at. Locks the client's row (see insert_client_token); no row: no such client.
inline constexpr named_sql lock_oauth_client{"clients.lock", "SELECT 1 FROM oauth_clients WHERE id = $1 FOR UPDATE"};
inline constexpr named_sql revoke_oauth_client{
    "clients.revoke", "UPDATE oauth_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"};
inline constexpr named_sql revoke_client_tokens{
    "clients.revoke_tokens", "UPDATE tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL"};
inline constexpr named_sql audit_for_patient{
    "audit.for_patient",
    "SELECT id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id "
    "FROM audit_log WHERE patient = $1 AND id > $2 AND ($3::text IS NULL OR tenant = $3::text) "
    "AND ($4::text IS NULL OR instance = $4::text) ORDER BY id LIMIT $5"};
// `carechat audit verify` and `export` (domain/audit_chain.hpp). Rows: read_linked_audit's columns.
#define CARECHAT_PG_AUDIT_LINKED_COLUMNS \
  "id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id, chain_seq, prev_hash, " \
  "row_hash"
// $1 tenant $2 instance $3 seq: after that row, along audit_log_chain (byte-wise order); $4 limit.
inline constexpr named_sql audit_chain_page{
    "audit.chain_page",
    "SELECT " CARECHAT_PG_AUDIT_LINKED_COLUMNS " FROM audit_log WHERE chain_seq IS NOT NULL "
    "AND (tenant COLLATE \"C\", instance COLLATE \"C\", chain_seq) > ($1::text COLLATE \"C\", $2::text COLLATE \"C\", $3::bigint) "
    "ORDER BY tenant COLLATE \"C\", instance COLLATE \"C\", chain_seq LIMIT $4"};
// Chains that have a row (a head at seq 0 is a batch that was rolled back: no chain yet).
inline constexpr named_sql audit_chain_heads{
    "audit.heads",
    "SELECT tenant, instance, seq, head FROM audit_chain_heads WHERE seq > 0 "
    "ORDER BY tenant COLLATE \"C\", instance COLLATE \"C\""};
inline constexpr named_sql audit_unchained{
    "audit.unchained",
    "SELECT tenant, instance, count(*), max(id) FROM audit_log WHERE chain_seq IS NULL "
    "GROUP BY tenant, instance ORDER BY tenant COLLATE \"C\", instance COLLATE \"C\""};
// $1 after id $2 since $3 until (at in [since, until)) $4 tenant $5 instance (NULL: any) $6 limit.
inline constexpr named_sql audit_export_page{
    "audit.export_page",
    "SELECT " CARECHAT_PG_AUDIT_LINKED_COLUMNS " FROM audit_log WHERE id > $1 AND at >= $2 AND at < $3 "
    "AND ($4::text IS NULL OR tenant = $4::text) AND ($5::text IS NULL OR instance = $5::text) ORDER BY id LIMIT $6"};
#undef CARECHAT_PG_AUDIT_LINKED_COLUMNS
inline constexpr named_sql insert_secret{
    "secrets.insert", "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"};
inline constexpr named_sql select_secret{"secrets.select", "SELECT value FROM server_secrets WHERE name = $1"};

// ---- webhooks (store/postgres/webhook_store.cpp) ----
#define CARECHAT_PG_ENDPOINT_COLUMNS                                                                            \
  "tenant, instance, url, api_key, api_secret, signing_secret, previous_signing_secret, enabled, event_types, " \
  "disabled_reason, created_at, updated_at"
// $1 tenant $2 instance. The enabled flag reads as 0/1.
inline constexpr named_sql webhook_endpoint_get{
    "webhooks.endpoint_get",
    "SELECT tenant, instance, url, api_key, api_secret, signing_secret, previous_signing_secret, enabled::int, "
    "event_types, disabled_reason, created_at, updated_at FROM webhook_endpoints WHERE tenant = $1 AND instance = $2"};
inline constexpr named_sql webhook_endpoint_put{
    "webhooks.endpoint_put",
    "INSERT INTO webhook_endpoints (" CARECHAT_PG_ENDPOINT_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (tenant, instance) DO UPDATE SET url = excluded.url, api_key = excluded.api_key, "
    "api_secret = excluded.api_secret, signing_secret = excluded.signing_secret, "
    "previous_signing_secret = excluded.previous_signing_secret, enabled = excluded.enabled, "
    "event_types = excluded.event_types, disabled_reason = excluded.disabled_reason, updated_at = excluded.updated_at"};
#undef CARECHAT_PG_ENDPOINT_COLUMNS
// $1 tenant $2 instance $3 reason $4 at
inline constexpr named_sql webhook_endpoint_disable{
    "webhooks.endpoint_disable",
    "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3, updated_at = $4 "
    "WHERE tenant = $1 AND instance = $2"};
// $1 tenant $2 instance: before the first endpoint exists, pending rows are history, not a backlog.
inline constexpr named_sql webhook_skip_history{
    "webhooks.skip_history",
    "UPDATE webhook_outbox SET state = 'skipped' WHERE state = 'pending' AND log_id = "
    "(SELECT log_id FROM log_heads WHERE tenant = $1 AND instance = $2)"};
// $1 now (the worker's clock: retries are scheduled by it) $2 owner $3 lease ms $4 limit. Claims
// the head (oldest pending row) of every enabled endpoint's queue that is due and held by nobody
// (no lease, or one expired by the database's clock, which every node shares). A head another
// node is claiming this very moment is skipped (SKIP LOCKED), never waited for. Rows: id.
inline constexpr named_sql webhook_claim{
    "webhooks.claim",
    "WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms), "
    "heads AS (SELECT h.id FROM webhook_endpoints e "
    "  JOIN log_heads l ON l.tenant = e.tenant AND l.instance = e.instance "
    "  CROSS JOIN LATERAL (SELECT o.id FROM webhook_outbox o WHERE o.log_id = l.log_id AND o.state = 'pending' "
    "                      ORDER BY o.id LIMIT 1) h WHERE e.enabled), "
    "claimable AS (SELECT o.id FROM webhook_outbox o JOIN heads ON heads.id = o.id CROSS JOIN clock "
    "  WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= clock.ms) "
    "  ORDER BY o.next_attempt_at, o.id LIMIT $4::int FOR UPDATE OF o SKIP LOCKED) "
    "UPDATE webhook_outbox o SET lease_owner = $2, lease_token = nextval('webhook_lease_tokens'), "
    "  lease_until = (SELECT ms FROM clock) + $3::bigint FROM claimable WHERE o.id = claimable.id RETURNING o.id"};
// $1 owner: its claims given up.
inline constexpr named_sql webhook_release{
    "webhooks.release",
    "UPDATE webhook_outbox SET lease_owner = NULL, lease_token = NULL, lease_until = NULL "
    "WHERE lease_owner = $1 AND state = 'pending'"};
// $1 outbox ids: what the claimed jobs' bodies are built from. Rows: outbox id, event id, type,
// tenant, instance, patient, body, external id, count, up_to, created_at, attempts, direction,
// lease_token, the message's seq and attachment_count.
inline constexpr named_sql webhook_jobs{
    "webhooks.jobs",
    "SELECT o.id, o.event_id, o.event_type, c.tenant, c.instance, c.patient, m.body, m.external_id, o.count, "
    "o.up_to_external_id, o.created_at, o.attempts, o.direction, o.lease_token, m.seq, m.attachment_count "
    "FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id LEFT JOIN messages m ON m.seq = o.message_seq "
    "WHERE o.id = ANY($1::bigint[]) ORDER BY o.next_attempt_at, o.id"};
// $1 outbox id $2 at $3 status $4 latency $5 error $6 outcome
inline constexpr named_sql webhook_attempt_insert{
    "webhooks.attempt_insert",
    "INSERT INTO webhook_attempts (outbox_id, at, status, latency_ms, error, outcome) VALUES ($1, $2, $3, $4, $5, $6)"};
// $1 outbox id $2 state $3 next_attempt_at $4 delivered_at (NULL unless delivered) $5 lease token:
// applied and the claim released only while the lease holds (0 rows: it was lost).
inline constexpr named_sql webhook_outbox_update{
    "webhooks.outbox_update",
    "UPDATE webhook_outbox SET state = $2, attempts = attempts + 1, next_attempt_at = $3, "
    "delivered_at = coalesce($4::bigint, delivered_at), lease_owner = NULL, lease_token = NULL, lease_until = NULL "
    "WHERE id = $1 AND lease_token = $5::bigint"};
// $1 outbox id: the endpoint (tenant, instance) of a row.
inline constexpr named_sql webhook_outbox_instance{
    "webhooks.outbox_instance",
    "SELECT c.tenant, c.instance FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id WHERE o.id = $1"};
// $1 tenant $2 instance $3 limit, newest first.
inline constexpr named_sql webhook_attempts_list{
    "webhooks.attempts",
    "SELECT a.id, a.outbox_id, o.event_id, o.event_type, a.at, a.status, a.latency_ms, a.error, a.outcome "
    "FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = $1 AND c.instance = $2 ORDER BY a.id DESC LIMIT $3::int"};
// $1 tenant $2 instance $3 event id | $4 attempt id: the outbox row to redeliver.
inline constexpr named_sql webhook_find_event{
    "webhooks.find_event",
    "SELECT o.id, o.event_id FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = $1 AND c.instance = $2 AND (o.event_id = $3 OR o.id = "
    "(SELECT outbox_id FROM webhook_attempts WHERE id = $4::bigint))"};
// $1 outbox id $2 now
inline constexpr named_sql webhook_requeue{
    "webhooks.requeue",
    "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, lease_owner = NULL, "
    "lease_token = NULL, lease_until = NULL WHERE id = $1"};
// $1 tenant $2 instance. Rows: state, count.
inline constexpr named_sql webhook_counts{
    "webhooks.counts",
    "SELECT o.state, count(*) FROM webhook_outbox o JOIN chats c ON c.id = o.chat_id "
    "WHERE c.tenant = $1 AND c.instance = $2 GROUP BY o.state"};
// Rows: one, the number of pending outbox rows (over the partial index webhook_outbox_pending).
inline constexpr named_sql webhook_pending_count{
    "webhooks.pending_count", "SELECT count(*) FROM webhook_outbox WHERE state = 'pending'"};

// ---- reads ----
// Event rows: position, type, at, tenant, instance, patient, reader_type, reader_id, reader_name,
// read_kind, up_to_external_id, count, archive_before, message_seq, then the message columns.
// $1 tenant $2 instance $3 patient $4 after $5 limit: one chat, over events_by_chat.
extern const named_sql events_after_chat;
// $1 tenant $2 instance $3 after $4 limit: every chat of an instance: its log, over the primary key.
extern const named_sql events_after_instance;
// $1 tenant $2 instance. Rows: floor, latest, epoch (0, 0, epoch for a log nothing was written to).
inline constexpr named_sql event_bounds{
    "events.bounds",
    "SELECT coalesce((SELECT f.floor FROM log_floors f JOIN log_heads h ON h.log_id = f.log_id "
    "WHERE h.tenant = $1 AND h.instance = $2), 0), "
    "coalesce((SELECT position FROM log_heads WHERE tenant = $1 AND instance = $2), 0), "
    "(SELECT value FROM log_state WHERE name = 'epoch')"};
inline constexpr named_sql token_revocations{"tokens.revocations",
                                             "SELECT value FROM log_state WHERE name = 'token_revocations'"};
// $1 tenant $2 instance $3 patient $4 kind.
extern const named_sql oldest_unread;
extern const named_sql unread_count;
// $1 tenant $2 instance $3 limit. Rows: patient, unread, oldest_unread_at, latest_unread_at, latest_message_at.
extern const named_sql unread_chats;

// One statement per (archived filter, direction). All take $1 tenant $2 instance $3 patient, $4
// created_at and $5 seq of the exclusive anchor and $6 limit; searches $7 the needle. An absent
// anchor is bound as the extreme position, so one statement serves "from the newest" too.
const named_sql& page(bool include_archived, domain::direction dir);
// The same without $6: is there any message beyond the anchor? Rows: one boolean.
const named_sql& any_beyond(bool include_archived, domain::direction dir);
// $7 an ILIKE pattern ('%' + the escaped text + '%'): the trigram index serves it (3+ characters).
const named_sql& search_indexed(bool include_archived, domain::direction dir);
// $7 the raw text: strpos over lower(), for 1-2 characters, which trigrams cannot index. The same
// folding as ILIKE (lower() per code point of the database's UTF-8 LC_CTYPE).
const named_sql& search_scan(bool include_archived, domain::direction dir);

// ---- FHIR Bulk Data export (store/postgres/pg_bulk_export.cpp) ----
// $1 tenant $2 instance: the newest seq of the instance's messages (0: none).
inline constexpr named_sql export_high_water{
    "export.high_water",
    "SELECT coalesce(max(seq), 0) FROM messages WHERE chat_id IN (SELECT id FROM chats WHERE tenant = $1 AND instance = $2)"};
// $1 tenant $2 instance $3 after seq $4 up to seq $5 created strictly after $6 limit.
#define CC_PG_EXPORT_RANGE                                                                        \
  " FROM messages AS m JOIN chats AS c ON c.id = m.chat_id WHERE c.tenant = $1 AND c.instance = $2" \
  " AND m.seq > $3::bigint AND m.seq <= $4::bigint AND m.created_at > $5::bigint ORDER BY m.seq LIMIT $6::bigint"
inline constexpr named_sql export_span{
    "export.span", "SELECT count(*), coalesce(max(seq), 0) FROM (SELECT m.seq AS seq" CC_PG_EXPORT_RANGE ") AS s"};
// Rows: the message columns, then the chat's patient.
inline constexpr named_sql export_messages{
    "export.messages", "SELECT " CARECHAT_PG_MESSAGE_COLUMNS("m.") ", c.patient" CC_PG_EXPORT_RANGE};
#undef CC_PG_EXPORT_RANGE
// $1 tenant $2 instance $3 after chat id $4 up to chat id $5 high-water seq $6 created strictly
// after $7 limit: the chats of a thread range. Walks chats_by_instance (tenant, instance, id) in id
// order; the EXISTS and the first/newest lookups seek messages_by_chat (chat_id, created_at, seq).
#define CC_PG_EXPORT_THREAD_RANGE                                                                      \
  " FROM chats AS c WHERE c.tenant = $1 AND c.instance = $2 AND c.id > $3::bigint AND c.id <= $4::bigint" \
  " AND EXISTS (SELECT 1 FROM messages AS e WHERE e.chat_id = c.id AND e.created_at > $6::bigint"         \
  " AND e.seq <= $5::bigint) ORDER BY c.id LIMIT $7::bigint"
inline constexpr named_sql export_thread_span{
    "export.thread_span",
    "SELECT count(*), coalesce(max(id), 0) FROM (SELECT c.id AS id" CC_PG_EXPORT_THREAD_RANGE ") AS s"};
// Rows: chat id, patient, its oldest and its newest message's created_at at or below the mark.
inline constexpr named_sql export_threads{
    "export.threads",
    "SELECT c.id, c.patient,"
    " (SELECT f.created_at FROM messages AS f WHERE f.chat_id = c.id AND f.seq <= $5::bigint"
    " ORDER BY f.created_at, f.seq LIMIT 1),"
    " (SELECT l.created_at FROM messages AS l WHERE l.chat_id = c.id AND l.seq <= $5::bigint"
    " ORDER BY l.created_at DESC, l.seq DESC LIMIT 1)" CC_PG_EXPORT_THREAD_RANGE};
#undef CC_PG_EXPORT_THREAD_RANGE
#define CC_PG_EXPORT_JOB_COLUMNS                                                                                  \
  "id, tenant, instance, token_id, since, transaction_time, high_water, request, file_ends, total, created_at, " \
  "expires_at, thread_file_ends, thread_total"
// $1..$12 and $14, $15 the columns, $13 now: inserts, or replaces the tenant/instance's job if it
// has expired. A concurrent kick-off for the same instance waits on the unique key, then finds a
// live job.
inline constexpr named_sql insert_export_job{
    "export.insert_job",
    "INSERT INTO export_jobs (" CC_PG_EXPORT_JOB_COLUMNS ") VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, "
    "$7::bigint, $8, $9, $10::bigint, $11::bigint, $12::bigint, $14, $15::bigint) "
    "ON CONFLICT (tenant, instance) DO UPDATE SET id = excluded.id, token_id = excluded.token_id, "
    "since = excluded.since, transaction_time = excluded.transaction_time, high_water = excluded.high_water, "
    "request = excluded.request, file_ends = excluded.file_ends, total = excluded.total, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at, "
    "thread_file_ends = excluded.thread_file_ends, thread_total = excluded.thread_total "
    "WHERE export_jobs.expires_at <= $13::bigint"};
// $1 id. Rows: the columns above.
inline constexpr named_sql export_job_by_id{"export.job_by_id",
                                            "SELECT " CC_PG_EXPORT_JOB_COLUMNS " FROM export_jobs WHERE id = $1"};
#undef CC_PG_EXPORT_JOB_COLUMNS
// $1 id $2 tenant $3 instance
inline constexpr named_sql delete_export_job{
    "export.delete_job", "DELETE FROM export_jobs WHERE id = $1 AND tenant = $2 AND instance = $3"};

// ---- SMART launches in flight (store/postgres/pg_smart_launches.cpp) ----
// $1 state_hash $2 iss $3 nonce $4 code_verifier $5 standalone $6 created_at (now) $7 expires_at
// $8 the cap. One statement: the launches expired at $6 are deleted, and the new one inserted only
// while fewer than $8 unexpired ones are pending (the count does not see the CTE's delete, nor
// needs to: it counts unexpired rows only).
inline constexpr named_sql insert_smart_launch{
    "smart.insert_launch",
    "WITH pruned AS (DELETE FROM smart_launches WHERE expires_at <= $6::bigint) "
    "INSERT INTO smart_launches (state_hash, iss, nonce, code_verifier, standalone, created_at, expires_at) "
    "SELECT $1::bytea, $2::text, $3::text, $4::text, $5::boolean, $6::bigint, $7::bigint "
    "WHERE (SELECT count(*) FROM smart_launches WHERE expires_at > $6::bigint) < $8::bigint"};
// $1 state_hash $2 now. One statement: of two takes of one state (two nodes), the second waits on
// the row lock, then finds the row gone and returns nothing; only an unexpired row is returned.
inline constexpr named_sql take_smart_launch{
    "smart.take_launch",
    "DELETE FROM smart_launches WHERE state_hash = $1 AND expires_at > $2::bigint "
    "RETURNING iss, nonce, code_verifier, standalone, expires_at"};
// $1 now
inline constexpr named_sql prune_smart_launches{"smart.prune_launches",
                                                "DELETE FROM smart_launches WHERE expires_at <= $1::bigint"};

}  // namespace carechat::store::postgres::queries
