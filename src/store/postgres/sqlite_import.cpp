#include "store/postgres/sqlite_import.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_blob_store.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/queries.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace carechat::store::postgres {
namespace {

using core::errc;

// How a column is read on the SQLite side, sent to PostgreSQL and compared.
enum class kind { integer, text, blob, boolean };

struct column {
  const char* name;
  kind k;
};

// One copied table: the SQLite SELECT (its columns in order, in key order), the PostgreSQL INSERT
// (the same columns as arrays, $1..$n, in order) and the read-back (the same columns, in the
// same key order, each as its canonical text: booleans 0/1, bytea as hex).
struct table_spec {
  const char* name;
  std::vector<column> columns;
  sqlite::named_sql source;
  named_sql insert;
  named_sql read_back;
};

constexpr int chunk_rows = 2000;

#define CC_CHATS "id, tenant, instance, patient, unread_inbound, unread_outbound"
#define CC_MESSAGES                                                                                              \
  "seq, chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type, receiver_id, receiver_name, " \
  "body, created_at"
#define CC_EVENTS                                                                                                \
  "position, chat_id, type, at, message_seq, reader_type, reader_id, reader_name, read_kind, up_to_external_id, " \
  "count, archive_before"
#define CC_ATTACHMENTS \
  "id, chat_id, uploader_token, state, created_at, name, content_type, size, sha256, thumbnail, message_seq, ordinal"
#define CC_TOKENS "id, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at"
#define CC_CLIENTS "id, tenant, instance, name, secret_hash, jwks, created_at, revoked_at"
#define CC_AUDIT                                                                                            \
  "id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id, chain_seq, prev_hash, " \
  "row_hash"
#define CC_OUTBOX                                                                                                   \
  "id, event_id, event_type, chat_id, message_seq, created_at, state, attempts, next_attempt_at, delivered_at, count, " \
  "up_to_external_id, direction"
#define CC_ENDPOINT_TEXT "url, event_types, disabled_reason, created_at, updated_at"
#define CC_ATTEMPTS "id, outbox_id, at, status, latency_ms, error, outcome"

// The order matters: rows before the rows that refer to them.
std::vector<table_spec> tables() {
  constexpr kind I = kind::integer, T = kind::text, B = kind::blob, Z = kind::boolean;
  return {
      {"chats",
       {{"id", I}, {"tenant", T}, {"instance", T}, {"patient", T}, {"unread_inbound", I}, {"unread_outbound", I}},
       {"copy.chats", "SELECT " CC_CHATS " FROM chats ORDER BY id"},
       {"copy.chats.insert",
        "INSERT INTO chats (" CC_CHATS ", log_id) SELECT k.*, h.log_id FROM unnest($1::bigint[], $2::text[], "
        "$3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS k(id, t, i, p, ui, uo) "
        "JOIN log_heads h ON h.tenant = k.t AND h.instance = k.i"},
       {"copy.chats.back", "SELECT " CC_CHATS " FROM chats ORDER BY id"}},
      {"messages",
       {{"seq", I}, {"chat_id", I}, {"external_id", T}, {"kind", I}, {"sender_type", T}, {"sender_id", T},
        {"sender_name", T}, {"receiver_type", T}, {"receiver_id", T}, {"receiver_name", T}, {"body", T},
        {"created_at", I}, {"archived", Z}, {"read_at", I}, {"read_by_type", T}, {"read_by_id", T},
        {"read_by_name", T}, {"attachment_count", I}},
       {"copy.messages",
        "SELECT " CC_MESSAGES ", archived, read_at, read_by_type, read_by_id, read_by_name, attachment_count "
        "FROM messages ORDER BY seq"},
       {"copy.messages.insert",
        "INSERT INTO messages (" CC_MESSAGES ", archived, read_at, read_by_type, read_by_id, read_by_name, "
        "attachment_count) "
        "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::text[], "
        "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::boolean[], $14::bigint[], "
        "$15::text[], $16::text[], $17::text[], $18::integer[])"},
       {"copy.messages.back",
        "SELECT " CC_MESSAGES ", archived::int, read_at, read_by_type, read_by_id, read_by_name, attachment_count "
        "FROM messages ORDER BY seq"}},
      // The rows only: the bytes stay in the blob store they were written to (docs/operations.md).
      {"attachments",
       {{"id", T}, {"chat_id", I}, {"uploader_token", T}, {"state", T}, {"created_at", I}, {"name", T},
        {"content_type", T}, {"size", I}, {"sha256", T}, {"thumbnail", Z}, {"message_seq", I}, {"ordinal", I}},
       {"copy.attachments", "SELECT " CC_ATTACHMENTS " FROM attachments ORDER BY id"},
       {"copy.attachments.insert",
        "INSERT INTO attachments (" CC_ATTACHMENTS ") SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], "
        "$4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::boolean[], $11::bigint[], "
        "$12::integer[])"},
       {"copy.attachments.back",
        "SELECT id, chat_id, uploader_token, state, created_at, name, content_type, size, sha256, thumbnail::int, "
        "message_seq, ordinal FROM attachments ORDER BY id COLLATE \"C\""}},
      {"events",
       {{"position", I}, {"chat_id", I}, {"type", T}, {"at", I}, {"message_seq", I}, {"reader_type", T},
        {"reader_id", T}, {"reader_name", T}, {"read_kind", I}, {"up_to_external_id", T}, {"count", I},
        {"archive_before", I}},
       {"copy.events", "SELECT " CC_EVENTS " FROM events ORDER BY position"},
       {"copy.events.insert",
        "INSERT INTO events (log_id, " CC_EVENTS ") SELECT c.log_id, k.* FROM unnest($1::bigint[], $2::bigint[], "
        "$3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::text[], "
        "$11::bigint[], $12::bigint[]) AS k(position, chat_id, type, at, message_seq, reader_type, reader_id, "
        "reader_name, read_kind, up_to_external_id, count, archive_before) JOIN chats c ON c.id = k.chat_id"},
       {"copy.events.back", "SELECT " CC_EVENTS " FROM events ORDER BY position"}},
      {"oauth_clients",
       {{"id", T}, {"tenant", T}, {"instance", T}, {"name", T}, {"secret_hash", B}, {"jwks", T}, {"created_at", I},
        {"revoked_at", I}},
       {"copy.clients", "SELECT " CC_CLIENTS " FROM oauth_clients ORDER BY id"},
       {"copy.clients.insert",
        "INSERT INTO oauth_clients (" CC_CLIENTS ") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], "
        "$4::text[], $5::bytea[], $6::text[], $7::bigint[], $8::bigint[])"},
       {"copy.clients.back",
        "SELECT id, tenant, instance, name, encode(secret_hash, 'hex'), jwks, created_at, revoked_at "
        "FROM oauth_clients ORDER BY id COLLATE \"C\""}},
      {"tokens",
       {{"id", T}, {"hash", B}, {"tenant", T}, {"instance", T}, {"role", T}, {"patient_id", T}, {"user_id", T},
        {"display_name", T}, {"created_at", I}, {"revoked_at", I}, {"expires_at", I}, {"client_id", T}},
       {"copy.tokens",
        "SELECT id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at, "
        "expires_at, client_id FROM tokens ORDER BY id"},
       {"copy.tokens.insert",
        "INSERT INTO tokens (id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, "
        "revoked_at, expires_at, client_id) SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], "
        "$5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])"},
       {"copy.tokens.back",
        "SELECT id, encode(hash, 'hex'), tenant, instance, role, patient_id, user_id, display_name, created_at, "
        "revoked_at, expires_at, client_id FROM tokens ORDER BY id COLLATE \"C\""}},
      {"idempotency_keys",
       {{"token_id", T}, {"key", T}, {"request_hash", B}, {"message_seq", I}, {"created_at", I}},
       {"copy.idempotency",
        "SELECT token_id, key, request_hash, message_seq, created_at FROM idempotency_keys ORDER BY token_id, key"},
       {"copy.idempotency.insert",
        "INSERT INTO idempotency_keys (token_id, key, request_hash, message_seq, created_at) SELECT * FROM "
        "unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[])"},
       {"copy.idempotency.back",
        "SELECT token_id, key, encode(request_hash, 'hex'), message_seq, created_at FROM idempotency_keys "
        "ORDER BY token_id COLLATE \"C\", key COLLATE \"C\""}},
      {"audit_log",
       {{"id", I}, {"at", I}, {"token_id", T}, {"role", T}, {"actor_id", T}, {"action", T}, {"tenant", T},
        {"instance", T}, {"patient", T}, {"outcome", T}, {"request_id", T}, {"chain_seq", I}, {"prev_hash", B},
        {"row_hash", B}},
       {"copy.audit", "SELECT " CC_AUDIT " FROM audit_log ORDER BY id"},
       {"copy.audit.insert",
        "INSERT INTO audit_log (" CC_AUDIT ") SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
        "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], "
        "$12::bigint[], $13::bytea[], $14::bytea[])"},
       {"copy.audit.back",
        "SELECT id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id, chain_seq, "
        "encode(prev_hash, 'hex'), encode(row_hash, 'hex') FROM audit_log ORDER BY id"}},
      {"webhook_outbox",
       {{"id", I}, {"event_id", T}, {"event_type", T}, {"chat_id", I}, {"message_seq", I}, {"created_at", I},
        {"state", T}, {"attempts", I}, {"next_attempt_at", I}, {"delivered_at", I}, {"count", I},
        {"up_to_external_id", T}, {"direction", T}},
       {"copy.outbox", "SELECT " CC_OUTBOX " FROM webhook_outbox ORDER BY id"},
       {"copy.outbox.insert",
        "INSERT INTO webhook_outbox (" CC_OUTBOX ", log_id) SELECT k.*, c.log_id FROM unnest($1::bigint[], $2::text[], "
        "$3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::int[], $9::bigint[], $10::bigint[], "
        "$11::bigint[], $12::text[], $13::text[]) AS k(id, event_id, event_type, chat_id, message_seq, created_at, "
        "state, attempts, next_attempt_at, delivered_at, count, up_to_external_id, direction) "
        "JOIN chats c ON c.id = k.chat_id"},
       {"copy.outbox.back", "SELECT " CC_OUTBOX " FROM webhook_outbox ORDER BY id"}},
      {"webhook_endpoints",
       {{"tenant", T}, {"instance", T}, {"api_key", B}, {"api_secret", B}, {"signing_secret", B},
        {"previous_signing_secret", B}, {"enabled", Z}, {"url", T}, {"event_types", T}, {"disabled_reason", T},
        {"created_at", I}, {"updated_at", I}},
       {"copy.endpoints",
        "SELECT tenant, instance, api_key, api_secret, signing_secret, previous_signing_secret, enabled, "
        CC_ENDPOINT_TEXT " FROM webhook_endpoints ORDER BY tenant, instance"},
       {"copy.endpoints.insert",
        "INSERT INTO webhook_endpoints (tenant, instance, api_key, api_secret, signing_secret, "
        "previous_signing_secret, enabled, " CC_ENDPOINT_TEXT ") SELECT * FROM unnest($1::text[], $2::text[], "
        "$3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::boolean[], $8::text[], $9::text[], $10::text[], "
        "$11::bigint[], $12::bigint[])"},
       {"copy.endpoints.back",
        "SELECT tenant, instance, encode(api_key, 'hex'), encode(api_secret, 'hex'), encode(signing_secret, 'hex'), "
        "encode(previous_signing_secret, 'hex'), enabled::int, " CC_ENDPOINT_TEXT " FROM webhook_endpoints "
        "ORDER BY tenant COLLATE \"C\", instance COLLATE \"C\""}},
      {"webhook_attempts",
       {{"id", I}, {"outbox_id", I}, {"at", I}, {"status", I}, {"latency_ms", I}, {"error", T}, {"outcome", T}},
       {"copy.attempts", "SELECT " CC_ATTEMPTS " FROM webhook_attempts ORDER BY id"},
       {"copy.attempts.insert",
        "INSERT INTO webhook_attempts (" CC_ATTEMPTS ") SELECT * FROM unnest($1::bigint[], $2::bigint[], "
        "$3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::text[])"},
       {"copy.attempts.back", "SELECT " CC_ATTEMPTS " FROM webhook_attempts ORDER BY id"}},
      {"server_secrets",
       {{"name", T}, {"value", B}},
       {"copy.secrets", "SELECT name, value FROM server_secrets ORDER BY name"},
       {"copy.secrets.insert",
        "INSERT INTO server_secrets (name, value) SELECT * FROM unnest($1::text[], $2::bytea[])"},
       {"copy.secrets.back", "SELECT name, encode(value, 'hex') FROM server_secrets ORDER BY name COLLATE \"C\""}},
  };
}

#undef CC_ATTEMPTS
#undef CC_ENDPOINT_TEXT
#undef CC_OUTBOX
#undef CC_AUDIT
#undef CC_CLIENTS
#undef CC_TOKENS
#undef CC_EVENTS
#undef CC_MESSAGES
#undef CC_CHATS

// Every table the copy fills or derives, locked for the whole transaction.
constexpr std::string_view lock_all =
    "LOCK TABLE log_heads, log_floors, log_state, chats, messages, events, tokens, idempotency_keys, audit_log, "
    "audit_chain_heads, "
    "webhook_outbox, webhook_endpoints, webhook_attempts, server_secrets, attachments, attachment_objects, "
    "attachment_parts IN ACCESS EXCLUSIVE MODE";
// Rows a carechat server would have written (its secrets alone hold nothing yet).
constexpr named_sql target_rows{
    "copy.target_rows",
    "SELECT (SELECT count(*) FROM log_heads) + (SELECT count(*) FROM chats) + (SELECT count(*) FROM messages) + "
    "(SELECT count(*) FROM events) + (SELECT count(*) FROM tokens) + (SELECT count(*) FROM audit_log) + "
    "(SELECT count(*) FROM webhook_outbox) + (SELECT count(*) FROM webhook_endpoints) + "
    "(SELECT count(*) FROM attachments) + (SELECT count(*) FROM attachment_objects)"};
// The attachments whose bytes exist (clean ones), in id order. Rows: id, size, sha256, thumbnail.
constexpr sqlite::named_sql source_attachment_bytes{
    "copy.attachment_bytes", "SELECT id, size, sha256, thumbnail FROM attachments WHERE state = 'clean' ORDER BY id"};
constexpr named_sql drop_unused_secrets{"copy.drop_secrets", "DELETE FROM server_secrets"};
// $1 tenants $2 instances $3 position: one log per instance, numbered on from the source's log.
constexpr named_sql make_heads{
    "copy.heads",
    "INSERT INTO log_heads (tenant, instance, position) SELECT t, i, $3 FROM unnest($1::text[], $2::text[]) AS k(t, i)"};
constexpr named_sql make_floors{"copy.floors",
                                "INSERT INTO log_floors (log_id, floor) SELECT log_id, $1 FROM log_heads"};
constexpr named_sql set_revocations{"copy.revocations",
                                    "UPDATE log_state SET value = $1 WHERE name = 'token_revocations'"};
// The audit chains go along unchanged (their hashes cover no database id); their heads follow.
constexpr named_sql make_audit_heads{
    "copy.audit_heads",
    "INSERT INTO audit_chain_heads (tenant, instance, seq, head) SELECT DISTINCT ON (tenant, instance) tenant, "
    "instance, chain_seq, row_hash FROM audit_log WHERE chain_seq IS NOT NULL "
    "ORDER BY tenant, instance, chain_seq DESC"};
constexpr named_sql newest_per_chat{
    "copy.chats.last",
    "UPDATE chats c SET last_message_at = m.newest FROM (SELECT chat_id, max(created_at) AS newest FROM messages "
    "GROUP BY chat_id) m WHERE c.id = m.chat_id"};
// The identity sequences continue after the copied ids.
constexpr std::string_view identity_tables[][2] = {{"log_heads", "log_id"}, {"chats", "id"},
                                                   {"messages", "seq"},     {"audit_log", "id"},
                                                   {"webhook_outbox", "id"}, {"webhook_attempts", "id"}};
constexpr named_sql epoch_of{"copy.epoch", "SELECT value FROM log_state WHERE name = 'epoch'"};

constexpr sqlite::named_sql source_instances{"copy.instances",
                                             "SELECT DISTINCT tenant, instance FROM chats ORDER BY tenant, instance"};
constexpr sqlite::named_sql source_log_state{
    "copy.log_state",
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), "
    "coalesce((SELECT value FROM log_state WHERE name = 'events_floor'), 0), "
    "coalesce((SELECT value FROM log_state WHERE name = 'token_revocations'), 0)"};

// Canonical text of a value for the checksum; what the read-back returns for the same value.
std::string canonical_source(const sqlite::statement& s, int col, kind k) {
  switch (k) {
    case kind::integer: return std::to_string(s.column_int64(col));
    case kind::boolean: return s.column_int64(col) != 0 ? "1" : "0";
    case kind::text: return std::string(s.column_text(col));
    case kind::blob: return core::to_hex(s.column_blob(col));
  }
  return {};
}

// A row's contribution to its table's checksum: each value followed by 0x1f (NULL as one 0x00
// byte), the row ended by 0x1e. Both sides hash their rows this same way, in the same key order.
void hash_row(core::sha256_stream& h, const std::vector<std::optional<std::string>>& values) {
  for (const auto& v : values) {
    if (v) h.update(*v);
    else h.update(std::string_view("\0", 1));
    h.update("\x1f");
  }
  h.update("\x1e");
}

// The value as PostgreSQL reads it from an array element of the column's type.
std::string pg_input(const std::string& canonical, kind k) {
  switch (k) {
    case kind::boolean: return canonical == "1" ? "t" : "f";
    case kind::blob: return "\\x" + canonical;
    default: return canonical;
  }
}

class importer {
 public:
  importer(sqlite::connection& src, connection& dst, const copy_progress& progress)
      : src_(src), dst_(dst), progress_(progress) {}

  core::result<table_copy> copy_table(const table_spec& t) {
    const std::string count_sql = "SELECT count(*) FROM " + std::string(t.name);  // our own table name
    auto count = src_.prepare(sqlite::named_sql{"copy.count", count_sql});
    if (!count) return std::move(count).error();
    auto counted = count->step();
    if (!counted) return std::move(counted).error();
    const std::int64_t total = count->column_int64(0);

    auto s = src_.prepared(t.source);
    if (!s) return std::move(s).error();
    const std::size_t n = t.columns.size();
    std::vector<std::vector<std::optional<std::string>>> chunk(n);
    std::vector<std::optional<std::string>> row(n);
    core::sha256_stream hash;
    std::int64_t done = 0;
    auto flush = [&]() -> core::result<void> {
      if (chunk[0].empty()) return {};
      params p;
      for (auto& col : chunk) p.opt_text_array(col);
      auto r = dst_.run(t.insert, p);
      if (!r) return std::move(r).error();
      if (r->affected() != static_cast<std::int64_t>(chunk[0].size()))
        return core::make_error(errc::internal, std::string("copy: ") + t.name + ": " + std::to_string(r->affected()) +
                                                    " of " + std::to_string(chunk[0].size()) + " rows inserted");
      for (auto& col : chunk) col.clear();
      if (progress_) progress_(t.name, done, total);
      return {};
    };
    for (;;) {
      auto more = (*s)->step();
      if (!more) return std::move(more).error();
      if (!*more) break;
      for (std::size_t c = 0; c < n; ++c) {
        const int col = static_cast<int>(c);
        if ((*s)->column_is_null(col)) row[c].reset();
        else row[c] = canonical_source(**s, col, t.columns[c].k);
        chunk[c].push_back(row[c] ? std::optional(pg_input(*row[c], t.columns[c].k)) : std::nullopt);
      }
      hash_row(hash, row);
      ++done;
      if (static_cast<int>(chunk[0].size()) >= chunk_rows)
        if (auto ok = flush(); !ok) return std::move(ok).error();
    }
    if (auto ok = flush(); !ok) return std::move(ok).error();
    if (progress_) progress_(t.name, done, total);
    return table_copy{t.name, done, core::to_hex(hash.finish())};
  }

  // The table as PostgreSQL now holds it: its rows and checksum, read through a cursor in chunks
  // (a clinic's messages need not fit in memory at once).
  core::result<table_copy> read_back(const table_spec& t) {
    if (auto ok = dst_.exec("copy read back", "DECLARE copy_back NO SCROLL CURSOR FOR " + std::string(t.read_back.sql));
        !ok)
      return std::move(ok).error();
    static constexpr named_sql fetch{"copy.fetch", "FETCH 5000 FROM copy_back"};
    core::sha256_stream hash;
    std::vector<std::optional<std::string>> row(t.columns.size());
    std::int64_t rows = 0;
    for (;;) {
      auto r = dst_.run_planned(fetch, {});
      if (!r) return std::move(r).error();
      for (int i = 0; i < r->rows(); ++i) {
        for (std::size_t c = 0; c < row.size(); ++c) row[c] = r->opt_text(i, static_cast<int>(c));
        hash_row(hash, row);
      }
      rows += r->rows();
      if (r->rows() == 0) break;
    }
    if (auto ok = dst_.exec("copy read back", "CLOSE copy_back"); !ok) return std::move(ok).error();
    return table_copy{t.name, rows, core::to_hex(hash.finish())};
  }

 private:
  sqlite::connection& src_;
  connection& dst_;
  const copy_progress& progress_;
};

// One object from the source's blob store into the target's attachment_objects/parts (the layout
// of pg_blob_store), inside the copy's transaction; its SHA-256 when `hash` is set.
core::result<std::string> copy_object(domain::blob_store& from, connection& dst, const std::string& key, bool hash) {
  auto size = from.size(key);
  if (!size) return core::make_error(errc::bad_request, "copy: the bytes of attachment " + key +
                                                             " are missing from the attachments directory: " +
                                                             size.error().message);
  core::sha256_stream digest;
  std::string part(pg_blob_store::part_bytes, '\0');
  std::int64_t index = 0;
  auto parts = domain::read_blob(from, key, *size, std::span<char>(part.data(), part.size()),
                                 [&](std::string_view piece) -> core::result<void> {
                                   if (hash) digest.update(piece);
                                   const auto* bytes = reinterpret_cast<const std::uint8_t*>(piece.data());
                                   auto ok = dst.run(queries::insert_blob_part,
                                                     params().text(key).int64(index++).bytes(
                                                         std::span<const std::uint8_t>(bytes, piece.size())));
                                   if (!ok) return std::move(ok).error();
                                   return {};
                                 });
  if (!parts) return std::move(parts).error();
  auto object = dst.run(queries::insert_blob_object,
                        params().text(key).int64(static_cast<std::int64_t>(*size)).int64(pg_blob_store::part_bytes));
  if (!object) return std::move(object).error();
  return hash ? core::to_hex(digest.finish()) : std::string();
}

// Every clean attachment's bytes (and thumbnail), each checked against the SHA-256 its row holds:
// a report line "attachment bytes" with the count and a SHA-256 over (id, sha256) in id order.
core::result<table_copy> copy_attachment_bytes(sqlite::connection& src, connection& dst, domain::blob_store* from,
                                               const copy_progress& progress) {
  std::vector<std::tuple<std::string, std::string, bool>> wanted;  // id, sha256, thumbnail
  auto s = src.prepared(source_attachment_bytes);
  if (!s) return std::move(s).error();
  for (;;) {
    auto more = (*s)->step();
    if (!more) return std::move(more).error();
    if (!*more) break;
    wanted.emplace_back(std::string((*s)->column_text(0)), std::string((*s)->column_text(2)),
                        (*s)->column_int64(3) != 0);
  }
  table_copy out{"attachment bytes", 0, ""};
  if (wanted.empty()) {
    out.sha256 = core::to_hex(core::sha256(""));
    return out;
  }
  if (from == nullptr)
    return core::make_error(errc::bad_request, "copy: the database has attachments but no attachments directory "
                                               "was found beside it (give it with --attachments DIR)");
  core::sha256_stream all;
  for (const auto& [id, sha, thumbnail] : wanted) {
    auto copied = copy_object(*from, dst, id, true);
    if (!copied) return std::move(copied).error();
    if (*copied != sha)
      return core::make_error(errc::internal, "copy: the bytes of attachment " + id + " do not match their SHA-256");
    if (thumbnail)
      if (auto ok = copy_object(*from, dst, domain::thumbnail_key(id), false); !ok) return std::move(ok).error();
    all.update(id);
    all.update(sha);
    ++out.rows;
    if (progress) progress(out.table, out.rows, static_cast<std::int64_t>(wanted.size()));
  }
  out.sha256 = core::to_hex(all.finish());
  return out;
}

core::result<copy_report> copy_in_transaction(sqlite::connection& src, connection& dst,
                                              domain::blob_store* attachment_bytes, const copy_progress& progress) {
  if (auto ok = dst.exec("copy lock", std::string(lock_all)); !ok) return std::move(ok).error();
  auto existing = dst.run(target_rows);
  if (!existing) return std::move(existing).error();
  if (existing->int64(0, 0) != 0)
    return core::make_error(errc::bad_request,
                            "the target database already holds carechat data; copy only into an empty one");
  // A server started on the empty target made its own secrets; the source's replace them (nothing
  // was issued under them: the target has no tokens, pages or endpoints).
  if (auto ok = dst.run(drop_unused_secrets); !ok) return std::move(ok).error();

  // The log state of the source, read in its snapshot.
  auto state = src.prepared(source_log_state);
  if (!state) return std::move(state).error();
  if (auto row = (*state)->step(); !row || !*row) return core::make_error(errc::internal, "copy: no log state");
  const std::int64_t latest = (*state)->column_int64(0), floor = (*state)->column_int64(1),
                     revocations = (*state)->column_int64(2);
  {
    std::vector<std::string> tenants, instances;
    auto s = src.prepared(source_instances);
    if (!s) return std::move(s).error();
    for (;;) {
      auto more = (*s)->step();
      if (!more) return std::move(more).error();
      if (!*more) break;
      tenants.emplace_back((*s)->column_text(0));
      instances.emplace_back((*s)->column_text(1));
    }
    // Every instance's log goes on from the source's last position, and keeps its floor: the
    // copied events keep their positions, so the log stays gap-free from here on.
    if (auto ok = dst.run(make_heads, params().text_array(tenants).text_array(instances).int64(latest)); !ok)
      return std::move(ok).error();
    if (floor > 0)
      if (auto ok = dst.run(make_floors, params().int64(floor)); !ok) return std::move(ok).error();
  }

  importer copy(src, dst, progress);
  copy_report report;
  const auto specs = tables();
  for (const auto& t : specs) {
    auto done = copy.copy_table(t);
    if (!done) return std::move(done).error();
    report.tables.push_back(std::move(*done));
  }
  auto bytes = copy_attachment_bytes(src, dst, attachment_bytes, progress);
  if (!bytes) return std::move(bytes).error();
  report.tables.push_back(std::move(*bytes));
  if (auto ok = dst.run(newest_per_chat); !ok) return std::move(ok).error();
  if (auto ok = dst.run(make_audit_heads); !ok) return std::move(ok).error();
  if (auto ok = dst.run(set_revocations, params().int64(revocations)); !ok) return std::move(ok).error();
  for (const auto& [table, column] : identity_tables) {
    const std::string t(table), c(column);
    const std::string sql = "SELECT setval(pg_get_serial_sequence('" + t + "', '" + c + "'), coalesce((SELECT max(" +
                            c + ") FROM " + t + "), 0) + 1, false)";
    if (auto ok = dst.exec("copy sequence " + t, sql); !ok) return std::move(ok).error();
  }
  // Verify before committing: every table read back from PostgreSQL, row for row.
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto back = copy.read_back(specs[i]);
    if (!back) return std::move(back).error();
    const auto& sent = report.tables[i];
    if (back->rows != sent.rows || back->sha256 != sent.sha256)
      return core::make_error(errc::internal, "copy: " + sent.table + " does not verify: " +
                                                  std::to_string(sent.rows) + " rows sent (" + sent.sha256 + "), " +
                                                  std::to_string(back->rows) + " read back (" + back->sha256 + ")");
  }
  auto epoch = dst.run(epoch_of);
  if (!epoch) return std::move(epoch).error();
  report.epoch = epoch->int64(0, 0);
  return report;
}

}  // namespace

core::result<copy_report> copy_sqlite_to_postgres(const std::string& sqlite_path, const pg_options& target,
                                                  domain::blob_store* attachment_bytes, const copy_progress& progress) {
  sqlite::sqlite_options source_opts;
  source_opts.path = sqlite_path;
  {
    // The file must exist (no copy from a typo), and be brought up to this build's schema.
    auto probe = sqlite::open_plain_read_connection(source_opts);
    if (!probe) return core::make_error(errc::bad_request, "cannot open the SQLite database " + sqlite_path);
    core::system_clock clk;
    core::openssl_random rng;
    auto migrated = sqlite::sqlite_store::open(source_opts, clk, rng);
    if (!migrated) return std::move(migrated).error();
  }
  auto src = sqlite::open_plain_read_connection(source_opts);
  if (!src) return std::move(src).error();
  auto dst = connection::open(target);
  if (!dst) return std::move(dst).error();
  if (auto v = migrate(*dst); !v) return std::move(v).error();

  // One snapshot of the source, one transaction on the target.
  if (auto ok = src->exec("copy source snapshot", "BEGIN"); !ok) return std::move(ok).error();
  if (auto ok = dst->run(queries::begin); !ok) return std::move(ok).error();
  auto report = copy_in_transaction(*src, *dst, attachment_bytes, progress);
  (void)src->exec("copy source end", "COMMIT");
  if (!report) {
    if (!dst->broken()) (void)dst->run(queries::rollback);
    return report;
  }
  if (auto ok = dst->run(queries::commit); !ok) return std::move(ok).error();
  return report;
}

}  // namespace carechat::store::postgres
