#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_reader.hpp"
#include "store/sqlite/write_batch.hpp"

namespace carechat::store::sqlite {

core::result<std::unique_ptr<sqlite_store>> sqlite_store::open(const sqlite_options& opts, const core::clock& clk,
                                                               core::random_source& rng) {
  auto writer = open_write_connection(opts);
  if (!writer) return std::move(writer).error();
  if (auto v = migrate(*writer); !v) return std::move(v).error();
  // Before any reader: readers attach the search database.
  auto search = search_index::open(opts, *writer);
  if (!search) return std::move(search).error();
  return std::unique_ptr<sqlite_store>(new sqlite_store(opts, std::move(*writer), std::move(*search), clk, rng));
}

sqlite_store::sqlite_store(sqlite_options opts, connection writer, std::unique_ptr<search_index> search,
                           const core::clock& clk, core::random_source& rng)
    : opts_(std::move(opts)), clock_(clk), rng_(rng), writer_(std::move(writer)), search_(std::move(search)) {}

std::unique_ptr<domain::store_reader> sqlite_store::open_reader() { return std::make_unique<sqlite_reader>(opts_); }

std::vector<domain::write_outcome> sqlite_store::apply(std::span<const domain::write_command> batch) {
  std::lock_guard lock(writer_mutex_);
  return apply_batch(writer_, clock_, audit_heads_, batch, opts_.before_commit);
}

namespace {

// The parameters of insert_token and insert_client_token (?1..?12, CARECHAT_TOKEN_COLUMNS' order).
void bind_token(statement& s, const domain::token_record& token) {
  // The principal's "none" is an empty string; the table says NULL.
  auto text_or_null = [&](int index, const std::string& v) {
    bind_optional_text(s, index, v.empty() ? std::nullopt : std::optional<std::string>(v));
  };
  s.bind_text(1, token.id);
  s.bind_blob(2, token.hash);
  s.bind_text(3, token.who.tenant);
  s.bind_text(4, token.who.instance);
  s.bind_text(5, domain::to_string(token.who.role));
  text_or_null(6, token.who.patient_id);
  text_or_null(7, token.who.user_id);
  text_or_null(8, token.who.display_name);
  s.bind_int64(9, token.created_at);
  if (token.revoked_at) s.bind_int64(10, *token.revoked_at);
  if (token.expires_at) s.bind_int64(11, *token.expires_at);
  text_or_null(12, token.client_id);
}

}  // namespace

core::result<void> sqlite_store::insert_token(const domain::token_record& token) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::insert_token);
  if (!s) return std::move(s).error();
  bind_token(**s, token);
  return (*s)->run();
}

core::result<bool> sqlite_store::insert_client_token(const domain::token_record& token) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::insert_client_token);
  if (!s) return std::move(s).error();
  bind_token(**s, token);
  if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  return writer_.changes() > 0;
}

core::result<std::vector<domain::token_record>> sqlite_store::list_tokens(const domain::token_listing& q) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::list_tokens);
  if (!s) return std::move(s).error();
  bind_optional_text(**s, 1, q.after);
  bind_optional_text(**s, 2, q.tenant);
  bind_optional_text(**s, 3, q.instance);
  (*s)->bind_int64(4, std::max(q.limit, 0));
  std::vector<domain::token_record> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto t = read_token(**s);
    if (!t) return std::move(t).error();
    out.push_back(std::move(*t));
  }
}

core::result<bool> sqlite_store::revoke_token(const std::string& id, core::unix_ms at) {
  std::lock_guard lock(writer_mutex_);
  {
    auto s = writer_.prepared(queries::revoke_token);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, id);
    (*s)->bind_int64(2, at);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    if (writer_.changes() > 0) return true;
  }
  // Unchanged: either already revoked (keep the first instant) or no such token.
  auto s = writer_.prepared(queries::token_exists);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, id);
  return (*s)->step();
}

core::result<std::vector<domain::audit_row>> sqlite_store::audit_for_patient(const std::string& patient,
                                                                           const domain::audit_listing& q) {
  // The index by patient is brought up to date here, by whoever asks (`carechat audit --patient`),
  // unless CARECHAT_AUDIT_INDEX_MS keeps it up in the background: the server's writer and readers
  // pay nothing for it, and a query costs the rows written since the last one (1.5-6 s per million,
  // docs/benchmarks.md). The rows committed meanwhile are the scanned tail of the query below.
  // Outside writer_mutex_: the search database has its own lock, and a first query over a long log
  // takes seconds that the writer must not wait out.
  for (;;) {
    constexpr int batch = 50'000;
    auto added = search_->add_new_audit(batch);
    if (!added) return std::move(added).error();
    if (*added < batch) break;
  }
  std::lock_guard lock(writer_mutex_);  // guards audit_reader_
  if (!audit_reader_) {
    auto r = open_read_connection(opts_);
    if (!r) return std::move(r).error();
    audit_reader_.emplace(std::move(*r));
  }
  auto s = audit_reader_->prepared(queries::audit_for_patient);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, patient);
  (*s)->bind_int64(2, q.after);
  bind_optional_text(**s, 3, q.tenant);
  bind_optional_text(**s, 4, q.instance);
  (*s)->bind_int64(5, std::max(q.limit, 0));
  std::vector<domain::audit_row> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto r = read_audit(**s);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
}

namespace {

// Every row of a statement selecting the linked audit columns.
core::result<std::vector<domain::audit_row>> linked_audit_rows(statement& s) {
  std::vector<domain::audit_row> out;
  for (;;) {
    auto row = s.step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto r = read_linked_audit(s);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
}

}  // namespace

core::result<std::vector<domain::audit_row>> sqlite_store::audit_chain_page(const domain::audit_chain_position& after,
                                                                          int limit) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::audit_chain_page);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, after.tenant);
  (*s)->bind_text(2, after.instance);
  (*s)->bind_int64(3, after.seq);
  (*s)->bind_int64(4, std::max(limit, 0));
  return linked_audit_rows(**s);
}

core::result<std::vector<domain::audit_chain_head>> sqlite_store::audit_chain_heads() {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::audit_chain_heads);
  if (!s) return std::move(s).error();
  std::vector<domain::audit_chain_head> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    domain::audit_chain_head h;
    h.chain = {std::string((*s)->column_text(0)), std::string((*s)->column_text(1))};
    h.head.seq = (*s)->column_int64(2);
    const auto hash = (*s)->column_blob(3);
    if (hash.size() != h.head.row_hash.size())
      return core::make_error(core::errc::internal, "sqlite: audit_chain_heads.head is not a SHA-256");
    std::copy(hash.begin(), hash.end(), h.head.row_hash.begin());
    out.push_back(std::move(h));
  }
}

core::result<std::vector<domain::audit_unchained_rows>> sqlite_store::audit_unchained() {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::audit_unchained);
  if (!s) return std::move(s).error();
  std::vector<domain::audit_unchained_rows> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back({{std::string((*s)->column_text(0)), std::string((*s)->column_text(1))},
                   (*s)->column_int64(2),
                   (*s)->column_int64(3)});
  }
}

core::result<std::vector<domain::audit_row>> sqlite_store::audit_export_page(const domain::audit_export_query& q) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::audit_export_page);
  if (!s) return std::move(s).error();
  (*s)->bind_int64(1, q.after);
  (*s)->bind_int64(2, q.since);
  (*s)->bind_int64(3, q.until);
  bind_optional_text(**s, 4, q.tenant);
  bind_optional_text(**s, 5, q.instance);
  (*s)->bind_int64(6, std::max(q.limit, 0));
  return linked_audit_rows(**s);
}

core::result<core::bytes> sqlite_store::secret(const std::string& name, std::size_t size) {
  std::lock_guard lock(writer_mutex_);
  return secret_locked(name, size);
}

core::result<core::bytes> sqlite_store::secret_locked(const std::string& name, std::size_t size) {
  {
    // Insert-if-absent then read back: whichever process or node inserts first wins, and everyone
    // reads the winner's bytes.
    core::bytes fresh(size);
    rng_.fill(fresh);
    auto s = writer_.prepared(queries::insert_secret);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, name);
    (*s)->bind_blob(2, fresh);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  }
  auto s = writer_.prepared(queries::select_secret);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, name);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return core::make_error(core::errc::internal, "sqlite: server secret '" + name + "' vanished");
  const auto value = (*s)->column_blob(0);
  if (value.size() != size)
    return core::make_error(core::errc::internal, "sqlite: server secret '" + name + "' has " +
                                                      std::to_string(value.size()) + " bytes, expected " +
                                                      std::to_string(size));
  return core::bytes(value.begin(), value.end());
}

}  // namespace carechat::store::sqlite
