#include "store/sqlite/migrations.hpp"

#include <string>

#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {
namespace {

// v1. Notes on choices a reader might question:
// - messages.seq is the rowid: append-only, never reused, the tie-breaker of (created_at, seq).
// - Two indexes on (chat_id, created_at, seq): a full one for include_archived reads and a partial
//   one (archived = 0) for the default reads, whose SQL repeats "archived = 0" literally so the
//   planner can prove the partial index applies.
// - message_fts is an external-content trigram index over messages.body: the text is stored once.
//   Only the insert trigger is needed because messages are append-only; the guard triggers make
//   that a rule rather than a habit (only `archived` may change), so the index cannot go stale.
//   (v7 moves the index to a search database of its own: store/sqlite/search_index.)
// - The webhook outbox points at the message instead of copying its text.
// - audit_log is append-only, enforced by triggers.
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE chats (
  id       INTEGER PRIMARY KEY,
  tenant   TEXT NOT NULL,
  instance TEXT NOT NULL,
  patient  TEXT NOT NULL,
  UNIQUE (tenant, instance, patient)
);

CREATE TABLE messages (
  seq           INTEGER PRIMARY KEY,
  chat_id       INTEGER NOT NULL REFERENCES chats (id),
  external_id   TEXT NOT NULL UNIQUE,
  kind          INTEGER NOT NULL CHECK (kind IN (0, 1)),  -- 0 inbound, 1 outbound
  sender_type   TEXT NOT NULL CHECK (sender_type IN ('PATIENT', 'USER')),
  sender_id     TEXT NOT NULL,
  sender_name   TEXT,
  receiver_type TEXT CHECK (receiver_type IN ('PATIENT', 'USER')),
  receiver_id   TEXT,
  receiver_name TEXT,
  body          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,  -- Unix ms, UTC
  archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
);
CREATE INDEX messages_by_chat ON messages (chat_id, created_at, seq);
CREATE INDEX messages_live_by_chat ON messages (chat_id, created_at, seq) WHERE archived = 0;

CREATE TRIGGER messages_append_only_update
BEFORE UPDATE OF seq, chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type,
                 receiver_id, receiver_name, body, created_at ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only: only archived may change'); END;
CREATE TRIGGER messages_append_only_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;

CREATE VIRTUAL TABLE message_fts USING fts5 (
  body, content = 'messages', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN INSERT INTO message_fts (rowid, body) VALUES (new.seq, new.body); END;

CREATE TABLE tokens (
  id           TEXT PRIMARY KEY,
  hash         BLOB NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret is never stored
  tenant       TEXT NOT NULL,
  instance     TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('patient', 'user', 'client')),
  patient_id   TEXT,
  user_id      TEXT,
  display_name TEXT,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
);
CREATE INDEX tokens_by_created ON tokens (created_at, id);

CREATE TABLE idempotency_keys (
  token_id     TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  message_seq  INTEGER NOT NULL REFERENCES messages (seq),
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (token_id, key)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  role     TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action   TEXT NOT NULL,
  tenant   TEXT NOT NULL,
  instance TEXT NOT NULL,
  patient  TEXT NOT NULL,
  outcome  TEXT NOT NULL
);
CREATE INDEX audit_log_by_patient ON audit_log (patient, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE webhook_outbox (
  id          INTEGER PRIMARY KEY,
  event_id    TEXT NOT NULL UNIQUE,  -- "evt_" + the message's 32 external-id hex digits
  event_type  TEXT NOT NULL,
  chat_id     INTEGER NOT NULL REFERENCES chats (id),
  message_seq INTEGER NOT NULL REFERENCES messages (seq),
  created_at  INTEGER NOT NULL,
  state       TEXT NOT NULL DEFAULT 'pending',
  attempts    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE server_secrets (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
)sql";

// v2: read state and the event log (live updates).
// - Read columns are set once: the append-only trigger is recreated with the same column list (the
//   new columns are not in it) and a second trigger lets them go from NULL to a value, never back
//   or to another value; read_at and the reader's type and id come together.
// - messages_unread_by_chat is partial (read_at IS NULL AND archived = 0): it holds only what is
//   still to be read, so unread counts and the oldest unread message cost O(unread). Statements
//   spell that condition literally so the planner can prove the index applies.
// - events: one durable ordered log. AUTOINCREMENT, so a position is never reused after pruning
//   (sqlite_sequence keeps the high-water mark even when the table is empty). A message_created
//   event references its message instead of copying the text. events_by_at serves retention
//   (prune deletes by age inside the writer's transaction; without it every prune scans the log).
// - log_state.events_floor: the highest pruned position; a client resuming from below it has missed
//   events and must reload.
constexpr std::string_view schema_v2 = R"sql(
ALTER TABLE messages ADD COLUMN read_at INTEGER;
ALTER TABLE messages ADD COLUMN read_by_type TEXT CHECK (read_by_type IN ('PATIENT', 'USER'));
ALTER TABLE messages ADD COLUMN read_by_id TEXT;
ALTER TABLE messages ADD COLUMN read_by_name TEXT;

DROP TRIGGER messages_append_only_update;
CREATE TRIGGER messages_append_only_update
BEFORE UPDATE OF seq, chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type,
                 receiver_id, receiver_name, body, created_at ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only: only archived and the read state may change'); END;
CREATE TRIGGER messages_read_once
BEFORE UPDATE OF read_at, read_by_type, read_by_id, read_by_name ON messages
WHEN (old.read_at IS NOT NULL AND (new.read_at IS NOT old.read_at OR new.read_by_type IS NOT old.read_by_type
                                   OR new.read_by_id IS NOT old.read_by_id OR new.read_by_name IS NOT old.read_by_name))
  OR (new.read_at IS NULL AND (new.read_by_type IS NOT NULL OR new.read_by_id IS NOT NULL OR new.read_by_name IS NOT NULL))
  OR (new.read_at IS NOT NULL AND (new.read_by_type IS NULL OR new.read_by_id IS NULL))
BEGIN SELECT RAISE(ABORT, 'messages: the read state is set once, with its reader'); END;

CREATE INDEX messages_unread_by_chat ON messages (chat_id, kind, created_at, seq)
  WHERE read_at IS NULL AND archived = 0;

CREATE TABLE events (
  position          INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_id           INTEGER NOT NULL REFERENCES chats (id),
  type              TEXT NOT NULL
                    CHECK (type IN ('message.created', 'messages.read', 'chat.archived', 'chat.restored')),
  at                INTEGER NOT NULL,  -- Unix ms, UTC
  message_seq       INTEGER REFERENCES messages (seq),             -- message.created
  reader_type       TEXT CHECK (reader_type IN ('PATIENT', 'USER')),  -- messages.read
  reader_id         TEXT,
  reader_name       TEXT,
  read_kind         INTEGER CHECK (read_kind IN (0, 1)),
  up_to_external_id TEXT,
  count             INTEGER,  -- messages.read, chat.archived, chat.restored
  archive_before    INTEGER   -- chat.archived
);
CREATE INDEX events_by_chat ON events (chat_id, position);
CREATE INDEX events_by_at ON events (at);

CREATE TABLE log_state (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO log_state (name, value) VALUES ('events_floor', 0);
)sql";

// v3: webhooks. SQLite cannot alter a CHECK constraint or a NOT NULL, so `tokens` (new role admin)
// and `webhook_outbox` (events without a message, retry schedule) are rebuilt and copied.
// - webhook_endpoints: one per tenant/instance; the credentials and signing secrets are sealed
//   with AES-256-GCM under server_secrets.webhook_key (associated data names the instance and the
//   field, so a sealed value cannot be moved to another row or column).
// - webhook_outbox: next_attempt_at orders retries; count/up_to_external_id carry the facts of
//   messages.read and chat.archived events (never message text: message events point at the row).
//   The partial index serves the per-instance head-of-line lookup over pending rows.
// - webhook_attempts: one row per HTTP attempt (the delivery log); error text never holds secrets
//   or message text.
constexpr std::string_view schema_v3 = R"sql(
CREATE TABLE tokens_v3 (
  id           TEXT PRIMARY KEY,
  hash         BLOB NOT NULL UNIQUE,
  tenant       TEXT NOT NULL,
  instance     TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('patient', 'user', 'client', 'admin')),
  patient_id   TEXT,
  user_id      TEXT,
  display_name TEXT,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
);
INSERT INTO tokens_v3 (id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at)
  SELECT id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v3 RENAME TO tokens;
CREATE INDEX tokens_by_created ON tokens (created_at, id);

CREATE TABLE webhook_outbox_v3 (
  id                INTEGER PRIMARY KEY,
  event_id          TEXT NOT NULL UNIQUE,
  event_type        TEXT NOT NULL,
  chat_id           INTEGER NOT NULL REFERENCES chats (id),
  message_seq       INTEGER REFERENCES messages (seq),  -- message events
  created_at        INTEGER NOT NULL,
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'skipped')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL DEFAULT 0,
  delivered_at      INTEGER,
  count             INTEGER,
  up_to_external_id TEXT
);
INSERT INTO webhook_outbox_v3 (id, event_id, event_type, chat_id, message_seq, created_at, state, attempts,
                               next_attempt_at)
  SELECT id, event_id, event_type, chat_id, message_seq, created_at, state, attempts, created_at FROM webhook_outbox;
DROP TABLE webhook_outbox;
ALTER TABLE webhook_outbox_v3 RENAME TO webhook_outbox;
CREATE INDEX webhook_outbox_pending ON webhook_outbox (chat_id, id) WHERE state = 'pending';

CREATE TABLE webhook_endpoints (
  tenant                  TEXT NOT NULL,
  instance                TEXT NOT NULL,
  url                     TEXT NOT NULL,
  api_key                 BLOB NOT NULL,  -- sealed
  api_secret              BLOB NOT NULL,  -- sealed
  signing_secret          BLOB NOT NULL,  -- sealed
  previous_signing_secret BLOB,           -- sealed; set during a rotation
  enabled                 INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  event_types             TEXT NOT NULL,  -- comma-separated
  disabled_reason         TEXT NOT NULL DEFAULT '',
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  PRIMARY KEY (tenant, instance)
) WITHOUT ROWID;

CREATE TABLE webhook_attempts (
  id         INTEGER PRIMARY KEY,
  outbox_id  INTEGER NOT NULL REFERENCES webhook_outbox (id),
  at         INTEGER NOT NULL,
  status     INTEGER NOT NULL,  -- HTTP status, 0 when none arrived
  latency_ms INTEGER NOT NULL,
  error      TEXT NOT NULL,
  outcome    TEXT NOT NULL
);
CREATE INDEX webhook_attempts_by_outbox ON webhook_attempts (outbox_id, id);
)sql";

// v4: a messages.read webhook says which direction was read (inbound: the patient's messages, read
// by staff; outbound: the care team's, read by the patient). NULL on every other event type.
constexpr std::string_view schema_v4 = R"sql(
ALTER TABLE webhook_outbox ADD COLUMN direction TEXT CHECK (direction IN ('inbound', 'outbound'));
)sql";

// v5: unread counters per chat and direction, so a page reads its unreadCount in O(1) instead of
// counting the unread index (O(unread): thousands of rows per GET in a busy chat). Triggers keep
// them exact whatever statement changes a message: an insert, a mark-read (read_at set), an
// archive or a restore (archived flipped). "Unread" is the partial index's condition: read_at IS
// NULL AND archived = 0. Existing chats are counted once here.
constexpr std::string_view schema_v5 = R"sql(
ALTER TABLE chats ADD COLUMN unread_inbound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN unread_outbound INTEGER NOT NULL DEFAULT 0;
UPDATE chats SET
  unread_inbound = (SELECT count(*) FROM messages m WHERE m.chat_id = chats.id AND m.kind = 0
                    AND m.read_at IS NULL AND m.archived = 0),
  unread_outbound = (SELECT count(*) FROM messages m WHERE m.chat_id = chats.id AND m.kind = 1
                     AND m.read_at IS NULL AND m.archived = 0);

CREATE TRIGGER messages_unread_insert AFTER INSERT ON messages
WHEN new.read_at IS NULL AND new.archived = 0
BEGIN
  UPDATE chats SET unread_inbound = unread_inbound + (new.kind = 0), unread_outbound = unread_outbound + (new.kind = 1)
  WHERE id = new.chat_id;
END;
CREATE TRIGGER messages_unread_update AFTER UPDATE OF read_at, archived ON messages
WHEN (old.read_at IS NULL AND old.archived = 0) IS NOT (new.read_at IS NULL AND new.archived = 0)
BEGIN
  UPDATE chats SET
    unread_inbound = unread_inbound + (new.kind = 0) * (CASE WHEN new.read_at IS NULL AND new.archived = 0 THEN 1 ELSE -1 END),
    unread_outbound = unread_outbound + (new.kind = 1) * (CASE WHEN new.read_at IS NULL AND new.archived = 0 THEN 1 ELSE -1 END)
  WHERE id = new.chat_id;
END;
)sql";

// v6: a revocation counter, so a server's token cache (net: authenticate without a store read)
// can notice, by polling one row, that a token was revoked by another process (`carechat token
// revoke`) or node. The trigger counts every first revocation, whatever statement sets it.
constexpr std::string_view schema_v6 = R"sql(
INSERT INTO log_state (name, value) VALUES ('token_revocations', 0);
CREATE TRIGGER tokens_count_revocations AFTER UPDATE OF revoked_at ON tokens
WHEN old.revoked_at IS NULL AND new.revoked_at IS NOT NULL
BEGIN
  UPDATE log_state SET value = value + 1 WHERE name = 'token_revocations';
END;
)sql";

// v7: the full-text index moves out of this file into a search database of its own, kept after
// the fact by an indexer (store/sqlite/search_index), no longer by a trigger inside every send's
// transaction: FTS5 flushes and merges segments per transaction, which was most of a send's cost
// in the writer, and indexing in this file would hold its one write lock. The new index starts
// empty and is rebuilt in the background; searches scan what it does not cover yet.
// log_state.search_binding: a random number the search database repeats, so an index made for
// another main file is recognised (and dropped) rather than trusted.
constexpr std::string_view schema_v7 = R"sql(
DROP TRIGGER messages_fts_insert;
DROP TABLE message_fts;
INSERT INTO log_state (name, value) VALUES ('search_binding', random() & 0x7fffffffffffffff);
)sql";

// v8: the log's epoch (domain::event_log_bounds::epoch), a random number below 2^53 (exact in
// JavaScript). A restore or a copy into another database gives the log a new one, so clients
// resuming with a position of the old numbering resync.
constexpr std::string_view schema_v8 = R"sql(
INSERT INTO log_state (name, value) VALUES ('epoch', 1 + abs(random() % 9007199254740990));
)sql";

// v9: webhook deliveries are claimed with a lease and a fencing token (webhook_store: claim,
// record), as on PostgreSQL where several nodes share the outbox. One SQLite server has one
// worker, but a claim that a crash left behind must expire the same way there. And Idempotency-Keys
// are pruned by age (housekeeping): an index on created_at.
constexpr std::string_view schema_v9 = R"sql(
ALTER TABLE webhook_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE webhook_outbox ADD COLUMN lease_token INTEGER;
ALTER TABLE webhook_outbox ADD COLUMN lease_until INTEGER;
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);
)sql";

// v10: attachments (issue #14, domain/attachment.hpp). A row is written when an upload begins
// (pending), so a crash mid-upload leaves a row for the collector to find; the bytes are in the
// blob store under the row's id. A sent attachment is part of its message: immutable and kept,
// as messages are. messages.attachment_count lets a read skip the lookup for the (many) messages
// without attachments; it is written with the message and never changes.
constexpr std::string_view schema_v10 = R"sql(
ALTER TABLE messages ADD COLUMN attachment_count INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER messages_attachment_count_fixed BEFORE UPDATE OF attachment_count ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only: only archived may change'); END;

CREATE TABLE attachments (
  id             TEXT PRIMARY KEY,
  chat_id        INTEGER NOT NULL REFERENCES chats (id),
  uploader_token TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('pending', 'clean', 'refused', 'expired')),
  created_at     INTEGER NOT NULL,  -- Unix ms, UTC
  name           TEXT NOT NULL DEFAULT '',
  content_type   TEXT NOT NULL DEFAULT '',
  size           INTEGER NOT NULL DEFAULT 0,
  sha256         TEXT NOT NULL DEFAULT '',
  thumbnail      INTEGER NOT NULL DEFAULT 0 CHECK (thumbnail IN (0, 1)),
  message_seq    INTEGER REFERENCES messages (seq),
  ordinal        INTEGER,  -- its place among its message's attachments
  CHECK (message_seq IS NULL OR state = 'clean')
) WITHOUT ROWID;
CREATE INDEX attachments_by_message ON attachments (message_seq, ordinal) WHERE message_seq IS NOT NULL;
CREATE INDEX attachments_unsent_by_created ON attachments (created_at) WHERE message_seq IS NULL;

CREATE TRIGGER attachments_sent_fixed BEFORE UPDATE ON attachments WHEN old.message_seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sent attachment is part of its message: it never changes'); END;
CREATE TRIGGER attachments_sent_kept BEFORE DELETE ON attachments WHEN old.message_seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sent attachment is kept with its message'); END;
)sql";

// v11: the tamper-evident audit trail (domain/audit_chain.hpp). Each row links to the one before
// it in its tenant/instance's chain: chain_seq (1, 2, ... without gaps), prev_hash, row_hash.
// Rows already present stay as they were, without a link (the chains begin with the first row
// written after this migration, at the genesis hash; `audit verify` counts the older rows apart):
// hashing them here would need the encoding in SQL, and rewriting them would defeat the
// append-only triggers this table has always had. audit_log_chain walks a chain in order and
// makes a fork (two rows with one seq) impossible. audit_chain_heads holds each chain's last seq
// and hash: the writer reads it once per chain and then keeps it in memory
// (store/sqlite/audit_heads), and verify notices rows missing at a chain's end by it. A head
// only moves forward.
constexpr std::string_view schema_v11 = R"sql(
ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_log ADD COLUMN row_hash BLOB;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (tenant, instance, chain_seq);

CREATE TABLE audit_chain_heads (
  tenant   TEXT NOT NULL,
  instance TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  head     BLOB NOT NULL,  -- row_hash of the row with chain_seq = seq
  PRIMARY KEY (tenant, instance)
) WITHOUT ROWID;
CREATE TRIGGER audit_chain_heads_forward BEFORE UPDATE ON audit_chain_heads
WHEN new.seq <= old.seq OR new.tenant IS NOT old.tenant OR new.instance IS NOT old.instance
BEGIN SELECT RAISE(ABORT, 'audit_chain_heads only move forward'); END;
CREATE TRIGGER audit_chain_heads_kept BEFORE DELETE ON audit_chain_heads
BEGIN SELECT RAISE(ABORT, 'audit_chain_heads are kept'); END;
)sql";

// v12: OAuth API clients (domain/oauth_client). Their tokens are rows of `tokens` with an expiry
// and the client's id, so revoking the client revokes them (and moves the revocation counter).
// A client has a secret's hash or a JWKS (private_key_jwt), never both.
constexpr std::string_view schema_v12 = R"sql(
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;  -- Unix ms, UTC; NULL: does not expire (CLI tokens)
ALTER TABLE tokens ADD COLUMN client_id TEXT;      -- the OAuth client it was issued to, or NULL
CREATE INDEX tokens_by_client ON tokens (client_id) WHERE client_id IS NOT NULL;

CREATE TABLE oauth_clients (
  id          TEXT PRIMARY KEY,
  tenant      TEXT NOT NULL,
  instance    TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  secret_hash BLOB,
  jwks        TEXT,
  created_at  INTEGER NOT NULL,  -- Unix ms, UTC
  revoked_at  INTEGER,
  CHECK ((secret_hash IS NULL) <> (jwks IS NULL))
) WITHOUT ROWID;
CREATE INDEX oauth_clients_by_created ON oauth_clients (created_at, id);
)sql";

// v13: the X-Request-Id of the request behind each audit row (NULL for the CLI's rows and older
// ones), to join the audit trail with the request log.
constexpr std::string_view schema_v13 = R"sql(
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
)sql";

// v14: FHIR Bulk Data export jobs (domain/bulk_export.hpp). One row per tenant/instance at a time
// (the UNIQUE key; an expired row is replaced by the next kick-off), so "one export at a time" is
// decided by the database. file_ends: the last seq of each NDJSON file, comma-separated.
constexpr std::string_view schema_v14 = R"sql(
CREATE TABLE export_jobs (
  id               TEXT PRIMARY KEY,
  tenant           TEXT NOT NULL,
  instance         TEXT NOT NULL,
  token_id         TEXT NOT NULL,
  since            INTEGER,           -- Unix ms, UTC; NULL: everything
  transaction_time INTEGER NOT NULL,  -- Unix ms, UTC
  high_water       INTEGER NOT NULL,  -- messages.seq at kick-off
  request          TEXT NOT NULL,
  file_ends        TEXT NOT NULL,
  total            INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  UNIQUE (tenant, instance)
) WITHOUT ROWID;
)sql";

// SMART launches in flight (domain/pending_launch.hpp), shared by every process on the file. The
// key is SHA-256 of the state, as tokens are kept hashed: the state itself is never stored.
constexpr std::string_view schema_v15 = R"sql(
CREATE TABLE smart_launches (
  state_hash    BLOB PRIMARY KEY,   -- SHA-256 of the state parameter
  iss           TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  code_verifier TEXT NOT NULL,      -- PKCE
  standalone    INTEGER NOT NULL,   -- 1: the portal's standalone launch
  created_at    INTEGER NOT NULL,   -- Unix ms, UTC
  expires_at    INTEGER NOT NULL    -- Unix ms, UTC
) WITHOUT ROWID;
CREATE INDEX smart_launches_by_expiry ON smart_launches (expires_at);
)sql";

// v16: the thread headers of an export (domain/bulk_export.hpp): their files' boundaries (chat ids)
// and count on the job, and the index that walks an instance's chats in id order. A job recorded
// before v16 has no thread files (the defaults); it expires within a day.
constexpr std::string_view schema_v16 = R"sql(
ALTER TABLE export_jobs ADD COLUMN thread_file_ends TEXT NOT NULL DEFAULT '';
ALTER TABLE export_jobs ADD COLUMN thread_total INTEGER NOT NULL DEFAULT 0;
CREATE INDEX chats_by_instance ON chats (tenant, instance, id);
)sql";

// v17: the audit log's index by patient leaves the main file. Every audit row (one per read of a
// chat) landed in it at a random place (the patient), so each commit of a batch of read-audit rows
// dirtied about one index page per row: at 100 k chats most of the writer's time per batch, and
// the latest page's p99 on one core 4-5 ms instead of 1.2 (docs/benchmarks.md, "5a on one core").
// It is now kept after the fact in the search database (store/sqlite/search_index), sorted by
// patient per batch, and `carechat audit --patient` scans the few rows it does not cover yet.
constexpr std::string_view schema_v17 = R"sql(
DROP INDEX IF EXISTS audit_log_by_patient;
)sql";

constexpr migration all[] = {
    {1, "v1 chats, messages, search, tokens, idempotency, audit, outbox, secrets", schema_v1},
    {2, "v2 read state, unread index, event log", schema_v2},
    {3, "v3 webhooks: endpoints, outbox schedule, attempt log; role admin", schema_v3},
    {4, "v4 webhook outbox: direction of messages.read", schema_v4},
    {5, "v5 unread counters per chat", schema_v5},
    {6, "v6 token revocation counter", schema_v6},
    {7, "v7 search index moved to its own file, kept by an indexer", schema_v7},
    {8, "v8 event log epoch", schema_v8},
    {9, "v9 webhook delivery leases, idempotency keys by age", schema_v9},
    {10, "v10 attachments", schema_v10},
    {11, "v11 audit chain: chain_seq, prev_hash, row_hash; chain heads", schema_v11},
    {12, "v12 OAuth API clients; token expiry and owning client", schema_v12},
    {13, "v13 audit rows carry their request id", schema_v13},
    {14, "v14 FHIR Bulk Data export jobs", schema_v14},
    {15, "v15 SMART launches in flight", schema_v15},
    {16, "v16 FHIR Bulk Data export: thread-header files, chats by instance", schema_v16},
    {17, "v17 the audit log's index by patient moves to the search database", schema_v17},
};

constexpr named_sql read_version{"migrations.user_version", "PRAGMA user_version"};

core::result<int> current_version(connection& db) {
  auto s = db.prepared(read_version);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return static_cast<int>((*s)->column_int64(0));
}

core::error newer_than_build(int found) {
  return core::make_error(core::errc::internal, "sqlite: database schema version " + std::to_string(found) +
                                                    " is newer than this build supports (" +
                                                    std::to_string(latest_schema_version()) + ")");
}

// One migration in its own transaction; a no-op if another process applied it meanwhile.
core::result<void> apply_one(connection& db, const migration& m) {
  return immediate_transaction(db, [&]() -> core::result<void> {
    auto v = current_version(db);
    if (!v) return std::move(v).error();
    if (*v >= m.version) return {};
    if (*v != m.version - 1)
      return core::make_error(core::errc::internal,
                              "sqlite: schema version gap before migration " + std::to_string(m.version));
    if (auto ok = db.exec("migration " + std::to_string(m.version), std::string(m.sql)); !ok) return ok;
    // PRAGMA takes no bound parameters; the version is our own integer.
    return db.exec("migration set version", "PRAGMA user_version = " + std::to_string(m.version));
  });
}

}  // namespace

std::span<const migration> migrations() { return all; }

int latest_schema_version() { return all[std::size(all) - 1].version; }

core::result<int> migrate(connection& db, int target) {
  auto v = current_version(db);
  if (!v) return std::move(v).error();
  if (*v > latest_schema_version()) return newer_than_build(*v);
  for (const migration& m : all) {
    if (m.version <= *v) continue;
    if (m.version > target) break;
    if (auto ok = apply_one(db, m); !ok) return std::move(ok).error();
  }
  auto final_version = current_version(db);
  if (!final_version) return std::move(final_version).error();
  if (*final_version > latest_schema_version()) return newer_than_build(*final_version);
  return *final_version;
}

}  // namespace carechat::store::sqlite
