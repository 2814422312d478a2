// pg_store's domain::webhook_store half: endpoints (credentials sealed with AES-256-GCM, as in the
// SQLite store), the outbox queue and the attempt log. Each call borrows a pool connection; the
// calls that change more than one row run in one transaction.
#include "core/text.hpp"
#include "store/postgres/pg_store.hpp"

#include "store/postgres/pg_attachments.hpp"
#include "store/postgres/queries.hpp"

namespace carechat::store::postgres {
namespace {

using core::errc;

std::string aad_of(const std::string& tenant, const std::string& instance, std::string_view field) {
  return "carechat.webhook/" + tenant + "/" + instance + "/" + std::string(field);
}

}  // namespace

core::result<void> pg_store::put_webhook_endpoint(const domain::webhook_endpoint& e) {
  auto key = webhook_key();
  if (!key) return std::move(key).error();
  // Sealed before the transaction: the random source is shared, the connection need not wait.
  core::bytes api_key, api_secret, signing;
  std::optional<core::bytes> previous;
  {
    std::lock_guard lock(rng_mutex_);
    auto seal = [&](std::string_view field, const std::string& value) {
      return core::aead_seal(*key, core::as_bytes(value), aad_of(e.tenant, e.instance, field), rng_);
    };
    api_key = seal("api_key", e.api_key);
    api_secret = seal("api_secret", e.api_secret);
    signing = seal("signing_secret", e.signing_secret);
    if (e.previous_signing_secret) previous = seal("previous_signing_secret", *e.previous_signing_secret);
  }
  return transaction([&](connection& db) -> core::result<void> {
    auto existing = db.run(queries::webhook_endpoint_get, params().text(e.tenant).text(e.instance));
    if (!existing) return std::move(existing).error();
    if (existing->rows() == 0)
      if (auto ok = db.run(queries::webhook_skip_history, params().text(e.tenant).text(e.instance)); !ok)
        return std::move(ok).error();
    params p;
    p.text(e.tenant).text(e.instance).text(e.url);
    p.bytes(api_key).bytes(api_secret).bytes(signing);
    if (previous) p.bytes(*previous);
    else p.null();
    p.boolean(e.enabled).text(core::join_list(e.event_types)).text(e.enabled ? std::string() : e.disabled_reason);
    p.int64(e.created_at).int64(e.updated_at);
    auto put = db.run(queries::webhook_endpoint_put, p);
    if (!put) return std::move(put).error();
    return {};
  });
}

core::result<std::optional<domain::webhook_endpoint>> pg_store::webhook_endpoint_of(const std::string& tenant,
                                                                                    const std::string& instance) {
  auto key = webhook_key();
  if (!key) return std::move(key).error();
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_endpoint_get, params().text(tenant).text(instance));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::webhook_endpoint>();
  auto open = [&](int col, std::string_view field) -> std::optional<std::string> {
    auto plain = core::aead_open(*key, r->bytea(0, col), aad_of(tenant, instance, field));
    if (!plain) return std::nullopt;
    return std::string(plain->begin(), plain->end());
  };
  domain::webhook_endpoint e;
  e.tenant = std::string(r->text(0, 0));
  e.instance = std::string(r->text(0, 1));
  e.url = std::string(r->text(0, 2));
  auto api_key = open(3, "api_key");
  auto api_secret = open(4, "api_secret");
  auto signing = open(5, "signing_secret");
  if (!api_key || !api_secret || !signing)
    return core::make_error(errc::internal, "postgres: a webhook secret of " + tenant + "/" + instance +
                                                " does not open with the server's webhook key");
  e.api_key = std::move(*api_key);
  e.api_secret = std::move(*api_secret);
  e.signing_secret = std::move(*signing);
  if (!r->null(0, 6)) {
    auto prev = open(6, "previous_signing_secret");
    if (!prev) return core::make_error(errc::internal, "postgres: the previous webhook signing secret does not open");
    e.previous_signing_secret = std::move(*prev);
  }
  e.enabled = r->int64(0, 7) != 0;
  e.event_types = core::split_list_copy(r->text(0, 8));
  e.disabled_reason = std::string(r->text(0, 9));
  e.created_at = r->int64(0, 10);
  e.updated_at = r->int64(0, 11);
  return std::optional<domain::webhook_endpoint>(std::move(e));
}

core::result<bool> pg_store::disable_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                                      const std::string& reason, core::unix_ms at) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_endpoint_disable, params().text(tenant).text(instance).text(reason).int64(at));
  if (!r) return std::move(r).error();
  return r->affected() > 0;
}

core::result<std::vector<domain::webhook_job>> pg_store::claim_webhooks(const std::string& owner, core::unix_ms now,
                                                                       std::chrono::milliseconds lease, int limit) {
  std::vector<std::int64_t> ids;
  auto claimed = transaction([&](connection& db) -> core::result<void> {
    auto r = db.run(queries::webhook_claim,
                    params().int64(now).text(owner).int64(static_cast<std::int64_t>(lease.count())).int64(limit));
    if (!r) return std::move(r).error();
    for (int i = 0; i < r->rows(); ++i) ids.push_back(r->int64(i, 0));
    return {};
  });
  if (!claimed) return std::move(claimed).error();
  std::vector<domain::webhook_job> out;
  if (ids.empty()) return out;
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_jobs, params().int64_array(ids));
  if (!r) return std::move(r).error();
  for (int i = 0; i < r->rows(); ++i) {
    domain::webhook_job j;
    j.outbox_id = r->int64(i, 0);
    j.event_id = std::string(r->text(i, 1));
    j.event_type = std::string(r->text(i, 2));
    j.tenant = std::string(r->text(i, 3));
    j.instance = std::string(r->text(i, 4));
    j.patient = std::string(r->text(i, 5));
    j.message_text = std::string(r->text(i, 6));  // NULL reads as ""
    j.message_external_id = std::string(r->text(i, 7));
    j.count = r->null(i, 8) ? 0 : r->int64(i, 8);
    j.up_to_external_id = std::string(r->text(i, 9));
    j.at = r->int64(i, 10);
    j.attempts = static_cast<int>(r->int64(i, 11));
    j.direction = std::string(r->text(i, 12));
    j.lease_token = r->int64(i, 13);
    out.push_back(std::move(j));
  }
  // The messages' attachments, in one more query (none when no message has any).
  std::vector<domain::message> messages(out.size());
  std::vector<domain::message*> refs;
  for (int i = 0; i < r->rows(); ++i)
    if (!r->null(i, 14)) {
      messages[static_cast<std::size_t>(i)].seq = r->int64(i, 14);
      messages[static_cast<std::size_t>(i)].attachment_count = static_cast<std::int32_t>(r->int64(i, 15));
      refs.push_back(&messages[static_cast<std::size_t>(i)]);
    }
  if (auto ok = fill_attachments([&](const named_sql& q, const params& p) { return (*c)->run(q, p); }, refs); !ok)
    return std::move(ok).error();
  for (std::size_t i = 0; i < out.size(); ++i) out[i].attachments = std::move(messages[i].attachments);
  return out;
}

core::result<void> pg_store::release_webhook_claims(const std::string& owner) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_release, params().text(owner));
  if (!r) return std::move(r).error();
  return {};
}

core::result<bool> pg_store::record_webhook_attempt(const domain::webhook_attempt& a, std::int64_t lease_token,
                                                    const domain::webhook_result& r, const std::string& disable_reason) {
  bool held = false;
  auto ok = transaction([&](connection& db) -> core::result<void> {
    using next = domain::webhook_result::next;
    // A 410 leaves the row pending: it goes out once the endpoint is configured again.
    const char* state = r.what == next::delivered ? "delivered" : r.what == next::failed ? "failed" : "pending";
    params p;
    p.int64(a.outbox_id).text(state).int64(r.what == next::retry ? r.retry_at : a.at);
    p.opt_int64(r.what == next::delivered ? std::optional<std::int64_t>(a.at) : std::nullopt);
    p.int64(lease_token);
    auto updated = db.run(queries::webhook_outbox_update, p);
    if (!updated) return std::move(updated).error();
    held = updated->affected() == 1;
    if (!held) return {};  // another owner has the row now: its outcome is the one that counts
    auto logged = db.run(queries::webhook_attempt_insert, params()
                                                              .int64(a.outbox_id)
                                                              .int64(a.at)
                                                              .int64(a.status)
                                                              .int64(a.latency_ms)
                                                              .text(a.error)
                                                              .text(a.outcome));
    if (!logged) return std::move(logged).error();
    if (r.what != next::endpoint_gone) return {};
    auto owner = db.run(queries::webhook_outbox_instance, params().int64(a.outbox_id));
    if (!owner) return std::move(owner).error();
    if (owner->rows() == 0) return core::make_error(errc::internal, "postgres: webhook outbox row vanished");
    auto disabled = db.run(queries::webhook_endpoint_disable, params()
                                                                  .text(owner->text(0, 0))
                                                                  .text(owner->text(0, 1))
                                                                  .text(disable_reason)
                                                                  .int64(a.at));
    if (!disabled) return std::move(disabled).error();
    return {};
  });
  if (!ok) return std::move(ok).error();
  return held;
}

core::result<std::vector<domain::webhook_attempt>> pg_store::webhook_attempts(const std::string& tenant,
                                                                              const std::string& instance,
                                                                              int limit) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_attempts_list, params().text(tenant).text(instance).int64(limit));
  if (!r) return std::move(r).error();
  std::vector<domain::webhook_attempt> out;
  for (int i = 0; i < r->rows(); ++i) {
    domain::webhook_attempt a;
    a.id = r->int64(i, 0);
    a.outbox_id = r->int64(i, 1);
    a.event_id = std::string(r->text(i, 2));
    a.event_type = std::string(r->text(i, 3));
    a.at = r->int64(i, 4);
    a.status = static_cast<int>(r->int64(i, 5));
    a.latency_ms = r->int64(i, 6);
    a.error = std::string(r->text(i, 7));
    a.outcome = std::string(r->text(i, 8));
    out.push_back(std::move(a));
  }
  return out;
}

core::result<std::optional<std::string>> pg_store::redeliver_webhook(const std::string& tenant,
                                                                     const std::string& instance,
                                                                     const std::string& id, core::unix_ms now) {
  std::int64_t attempt_id = -1;  // "dl_<n>": a delivery-log row; anything else: an event id
  if (id.starts_with("dl_"))
    if (const auto n = core::parse_decimal<std::int64_t>(std::string_view(id).substr(3))) attempt_id = *n;
  std::optional<std::string> found;
  auto ok = transaction([&](connection& db) -> core::result<void> {
    auto row = db.run(queries::webhook_find_event, params().text(tenant).text(instance).text(id).int64(attempt_id));
    if (!row) return std::move(row).error();
    if (row->rows() == 0) return {};
    found = std::string(row->text(0, 1));
    auto requeued = db.run(queries::webhook_requeue, params().int64(row->int64(0, 0)).int64(now));
    if (!requeued) return std::move(requeued).error();
    return {};
  });
  if (!ok) return std::move(ok).error();
  return found;
}

core::result<domain::webhook_outbox_state> pg_store::webhook_outbox_counts(const std::string& tenant,
                                                                           const std::string& instance) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_counts, params().text(tenant).text(instance));
  if (!r) return std::move(r).error();
  domain::webhook_outbox_state out;
  for (int i = 0; i < r->rows(); ++i) {
    const auto state = r->text(i, 0);
    const auto n = r->int64(i, 1);
    if (state == "pending") out.pending = n;
    else if (state == "delivered") out.delivered = n;
    else if (state == "failed") out.failed = n;
  }
  return out;
}

core::result<std::int64_t> pg_store::pending_webhook_count() {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::webhook_pending_count, params());
  if (!r) return std::move(r).error();
  return r->rows() > 0 ? r->int64(0, 0) : 0;
}

}  // namespace carechat::store::postgres
