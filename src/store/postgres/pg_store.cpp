#include "store/postgres/pg_store.hpp"

#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_blob_store.hpp"
#include "store/postgres/pg_cluster_duty.hpp"
#include "store/postgres/pg_log_bus.hpp"
#include "store/postgres/pg_reader.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/queries.hpp"
#include "store/postgres/write_batch.hpp"

namespace carechat::store::postgres {

core::result<std::unique_ptr<pg_store>> pg_store::open(const pg_options& opts, const core::clock& clk,
                                                       core::random_source& rng) {
  auto first = connection::open(opts);
  if (!first) return std::move(first).error();
  if (auto v = migrate(*first); !v) return std::move(v).error();
  auto s = std::unique_ptr<pg_store>(new pg_store(opts, clk, rng));
  if (auto w = s->writer(); !w) return std::move(w).error();
  return s;
}

pg_store::pg_store(pg_options opts, const core::clock& clk, core::random_source& rng)
    : opts_(std::move(opts)), clock_(clk), rng_(rng), pool_(opts_) {}

std::unique_ptr<domain::store_reader> pg_store::open_reader() { return std::make_unique<pg_reader>(pool_); }

core::result<connection*> pg_store::writer() {
  if (!writer_ || writer_->broken()) {
    writer_.reset();
    auto opened = connection::open(opts_);
    if (!opened) return std::move(opened).error();
    // The writer's statements take arrays whose plans never depend on their values: one generic
    // plan each, instead of the planner running again for every batch (7% of its CPU).
    if (auto ok = opened->exec("writer settings", "SET plan_cache_mode = force_generic_plan"); !ok)
      return std::move(ok).error();
    writer_.emplace(std::move(*opened));
  }
  return &*writer_;
}

std::vector<domain::write_outcome> pg_store::apply(std::span<const domain::write_command> batch) {
  const batch_options opts{std::chrono::milliseconds(opts_.statement_timeout_ms), opts_.before_commit};
  return apply_batch([this] { return writer(); }, clock_, batch, opts);
}

std::unique_ptr<domain::log_bus> pg_store::open_log_bus() { return std::make_unique<pg_log_bus>(opts_); }

std::unique_ptr<domain::blob_store> pg_store::open_blob_store() { return std::make_unique<pg_blob_store>(pool_); }

std::unique_ptr<domain::cluster_duty> pg_store::open_cluster_duty(const std::string& name) {
  return std::make_unique<pg_cluster_duty>(opts_, name);
}

core::result<std::int64_t> pg_store::index_search(int) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  if (auto ok = (*c)->run(queries::clean_search_pending); !ok) return std::move(ok).error();
  return std::int64_t{0};
}

core::result<void> pg_store::transaction(const std::function<core::result<void>(connection&)>& work) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  if (auto ok = (*c)->run(queries::begin); !ok) return std::move(ok).error();
  auto done = work(**c);
  if (!done) {
    if (!(*c)->broken()) (void)(*c)->run(queries::rollback);
    return done;
  }
  auto committed = (*c)->run(queries::commit);
  if (!committed) return std::move(committed).error();
  return {};
}

namespace {

// The parameters of insert_token and insert_client_token ($1..$12, CARECHAT_PG_TOKEN_COLUMNS' order).
params token_params(const domain::token_record& token) {
  // The principal's "none" is an empty string; the table says NULL.
  auto text_or_null = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
  params p;
  p.text(token.id)
      .bytes(token.hash)
      .text(token.who.tenant)
      .text(token.who.instance)
      .text(domain::to_string(token.who.role))
      .opt_text(text_or_null(token.who.patient_id))
      .opt_text(text_or_null(token.who.user_id))
      .opt_text(text_or_null(token.who.display_name))
      .int64(token.created_at)
      .opt_int64(token.revoked_at)
      .opt_int64(token.expires_at)
      .opt_text(text_or_null(token.client_id));
  return p;
}

}  // namespace

core::result<void> pg_store::insert_token(const domain::token_record& token) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::insert_token, token_params(token));
  if (!r) return std::move(r).error();
  return {};
}

core::result<bool> pg_store::insert_client_token(const domain::token_record& token) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::insert_client_token, token_params(token));
  if (!r) return std::move(r).error();
  return r->affected() > 0;
}

core::result<std::vector<domain::token_record>> pg_store::list_tokens(const domain::token_listing& q) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::list_tokens,
                     params().opt_text(q.after).opt_text(q.tenant).opt_text(q.instance).int64(std::max(q.limit, 0)));
  if (!r) return std::move(r).error();
  std::vector<domain::token_record> out;
  for (int i = 0; i < r->rows(); ++i) {
    auto t = carechat::store::read_token(row{*r, i});
    if (!t) return std::move(t).error();
    out.push_back(std::move(*t));
  }
  return out;
}

core::result<bool> pg_store::revoke_token(const std::string& id, core::unix_ms at) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::revoke_token, params().text(id).int64(at));
  if (!r) return std::move(r).error();
  if (r->affected() > 0) return true;
  // Unchanged: either already revoked (keep the first instant) or no such token.
  auto exists = (*c)->run(queries::token_exists, params().text(id));
  if (!exists) return std::move(exists).error();
  return exists->rows() > 0;
}

core::result<std::vector<domain::audit_row>> pg_store::audit_for_patient(const std::string& patient,
                                                                       const domain::audit_listing& q) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::audit_for_patient, params()
                                                     .text(patient)
                                                     .int64(q.after)
                                                     .opt_text(q.tenant)
                                                     .opt_text(q.instance)
                                                     .int64(std::max(q.limit, 0)));
  if (!r) return std::move(r).error();
  std::vector<domain::audit_row> out;
  for (int i = 0; i < r->rows(); ++i) {
    auto a = carechat::store::read_audit(row{*r, i});
    if (!a) return std::move(a).error();
    out.push_back(std::move(*a));
  }
  return out;
}

namespace {

core::result<std::vector<domain::audit_row>> linked_audit_rows(const result& r) {
  std::vector<domain::audit_row> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    auto a = carechat::store::read_linked_audit(row{r, i});
    if (!a) return std::move(a).error();
    out.push_back(std::move(*a));
  }
  return out;
}

}  // namespace

core::result<std::vector<domain::audit_row>> pg_store::audit_chain_page(const domain::audit_chain_position& after,
                                                                      int limit) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::audit_chain_page,
                     params().text(after.tenant).text(after.instance).int64(after.seq).int64(std::max(limit, 0)));
  if (!r) return std::move(r).error();
  return linked_audit_rows(*r);
}

core::result<std::vector<domain::audit_chain_head>> pg_store::audit_chain_heads() {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::audit_chain_heads);
  if (!r) return std::move(r).error();
  std::vector<domain::audit_chain_head> out;
  for (int i = 0; i < r->rows(); ++i) {
    domain::audit_chain_head h;
    h.chain = {std::string(r->text(i, 0)), std::string(r->text(i, 1))};
    h.head.seq = r->int64(i, 2);
    const auto hash = r->bytea(i, 3);
    if (hash.size() != h.head.row_hash.size())
      return core::make_error(core::errc::internal, "postgres: audit_chain_heads.head is not a SHA-256");
    std::copy(hash.begin(), hash.end(), h.head.row_hash.begin());
    out.push_back(std::move(h));
  }
  return out;
}

core::result<std::vector<domain::audit_unchained_rows>> pg_store::audit_unchained() {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::audit_unchained);
  if (!r) return std::move(r).error();
  std::vector<domain::audit_unchained_rows> out;
  for (int i = 0; i < r->rows(); ++i)
    out.push_back({{std::string(r->text(i, 0)), std::string(r->text(i, 1))}, r->int64(i, 2), r->int64(i, 3)});
  return out;
}

core::result<std::vector<domain::audit_row>> pg_store::audit_export_page(const domain::audit_export_query& q) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::audit_export_page, params()
                                                     .int64(q.after)
                                                     .int64(q.since)
                                                     .int64(q.until)
                                                     .opt_text(q.tenant)
                                                     .opt_text(q.instance)
                                                     .int64(std::max(q.limit, 0)));
  if (!r) return std::move(r).error();
  return linked_audit_rows(*r);
}

core::result<core::bytes> pg_store::secret(const std::string& name, std::size_t size) {
  core::bytes fresh(size);
  {
    std::lock_guard lock(rng_mutex_);
    rng_.fill(fresh);
  }
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  // Insert-if-absent then read back: whichever process or node inserts first wins, and everyone
  // reads the winner's bytes.
  if (auto ok = (*c)->run(queries::insert_secret, params().text(name).bytes(fresh)); !ok) return std::move(ok).error();
  auto r = (*c)->run(queries::select_secret, params().text(name));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return core::make_error(core::errc::internal, "postgres: server secret '" + name + "' vanished");
  auto value = r->bytea(0, 0);
  if (value.size() != size)
    return core::make_error(core::errc::internal, "postgres: server secret '" + name + "' has " +
                                                      std::to_string(value.size()) + " bytes, expected " +
                                                      std::to_string(size));
  return value;
}

core::result<core::bytes> pg_store::webhook_key() {
  std::lock_guard lock(key_mutex_);
  if (webhook_key_.empty()) {
    auto k = secret("webhook_key", core::aead_key_size);
    if (!k) return std::move(k).error();
    webhook_key_ = std::move(*k);
  }
  return webhook_key_;
}

}  // namespace carechat::store::postgres
