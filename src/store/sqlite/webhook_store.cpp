// sqlite_store's domain::webhook_store half: endpoints (credentials sealed with AES-256-GCM), the
// outbox queue and the attempt log. Each call takes the writer mutex and, when it changes more than
// one row, runs in its own transaction.
#include "core/text.hpp"

#include "store/sqlite/attachments.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {
namespace {

using core::errc;

std::string aad_of(const std::string& tenant, const std::string& instance, std::string_view field) {
  return "carechat.webhook/" + tenant + "/" + instance + "/" + std::string(field);
}


}  // namespace

core::result<core::bytes> sqlite_store::webhook_key_locked() {
  if (webhook_key_.empty()) {
    auto k = secret_locked("webhook_key", core::aead_key_size);
    if (!k) return std::move(k).error();
    webhook_key_ = std::move(*k);
  }
  return webhook_key_;
}

core::result<void> sqlite_store::put_webhook_endpoint(const domain::webhook_endpoint& e) {
  std::lock_guard lock(writer_mutex_);
  auto key = webhook_key_locked();
  if (!key) return std::move(key).error();
  auto seal = [&](std::string_view field, const std::string& value) {
    return core::aead_seal(*key, core::as_bytes(value), aad_of(e.tenant, e.instance, field), rng_);
  };
  return immediate_transaction(writer_, [&]() -> core::result<void> {
    bool existed = false;
    {
      auto s = writer_.prepared(queries::webhook_endpoint_get);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, e.tenant);
      (*s)->bind_text(2, e.instance);
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      existed = *row;
    }
    if (!existed) {
      auto s = writer_.prepared(queries::webhook_skip_history);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, e.tenant);
      (*s)->bind_text(2, e.instance);
      if (auto ok = (*s)->run(); !ok) return ok;
    }
    auto s = writer_.prepared(queries::webhook_endpoint_put);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, e.tenant);
    (*s)->bind_text(2, e.instance);
    (*s)->bind_text(3, e.url);
    (*s)->bind_blob(4, seal("api_key", e.api_key));
    (*s)->bind_blob(5, seal("api_secret", e.api_secret));
    (*s)->bind_blob(6, seal("signing_secret", e.signing_secret));
    if (e.previous_signing_secret) (*s)->bind_blob(7, seal("previous_signing_secret", *e.previous_signing_secret));
    (*s)->bind_int64(8, e.enabled ? 1 : 0);
    (*s)->bind_text(9, core::join_list(e.event_types));
    (*s)->bind_text(10, e.enabled ? std::string() : e.disabled_reason);
    (*s)->bind_int64(11, e.created_at);
    (*s)->bind_int64(12, e.updated_at);
    return (*s)->run();
  });
}

core::result<std::optional<domain::webhook_endpoint>> sqlite_store::webhook_endpoint_of(const std::string& tenant,
                                                                                        const std::string& instance) {
  std::lock_guard lock(writer_mutex_);
  auto key = webhook_key_locked();
  if (!key) return std::move(key).error();
  auto s = writer_.prepared(queries::webhook_endpoint_get);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::webhook_endpoint>();
  auto open = [&](int col, std::string_view field) -> std::optional<std::string> {
    auto plain = core::aead_open(*key, (*s)->column_blob(col), aad_of(tenant, instance, field));
    if (!plain) return std::nullopt;
    return std::string(plain->begin(), plain->end());
  };
  domain::webhook_endpoint e;
  e.tenant = std::string((*s)->column_text(0));
  e.instance = std::string((*s)->column_text(1));
  e.url = std::string((*s)->column_text(2));
  auto api_key = open(3, "api_key");
  auto api_secret = open(4, "api_secret");
  auto signing = open(5, "signing_secret");
  if (!api_key || !api_secret || !signing)
    return core::make_error(errc::internal, "sqlite: a webhook secret of " + tenant + "/" + instance +
                                                " does not open with the server's webhook key");
  e.api_key = std::move(*api_key);
  e.api_secret = std::move(*api_secret);
  e.signing_secret = std::move(*signing);
  if (!(*s)->column_is_null(6)) {
    auto prev = open(6, "previous_signing_secret");
    if (!prev) return core::make_error(errc::internal, "sqlite: the previous webhook signing secret does not open");
    e.previous_signing_secret = std::move(*prev);
  }
  e.enabled = (*s)->column_int64(7) != 0;
  e.event_types = core::split_list_copy((*s)->column_text(8));
  e.disabled_reason = std::string((*s)->column_text(9));
  e.created_at = (*s)->column_int64(10);
  e.updated_at = (*s)->column_int64(11);
  return std::optional<domain::webhook_endpoint>(std::move(e));
}

core::result<bool> sqlite_store::disable_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                                          const std::string& reason, core::unix_ms at) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::webhook_endpoint_disable);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  (*s)->bind_text(3, reason);
  (*s)->bind_int64(4, at);
  if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  return writer_.changes() > 0;
}

core::result<std::vector<domain::webhook_job>> sqlite_store::claim_webhooks(const std::string& owner,
                                                                           core::unix_ms now,
                                                                           std::chrono::milliseconds lease,
                                                                           int limit) {
  std::lock_guard lock(writer_mutex_);
  std::vector<domain::webhook_job> out;
  std::vector<domain::message> pending_attachments;  // one per job of a message event, in order
  std::vector<std::size_t> jobs_with_message;        // which job each of them belongs to
  auto ok = immediate_transaction(writer_, [&]() -> core::result<void> {
    {
      auto s = writer_.prepared(queries::webhook_claimable);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, now);
      (*s)->bind_int64(2, limit);
      for (;;) {
        auto row = (*s)->step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        domain::webhook_job j;
        j.outbox_id = (*s)->column_int64(0);
        j.event_id = std::string((*s)->column_text(1));
        j.event_type = std::string((*s)->column_text(2));
        j.tenant = std::string((*s)->column_text(3));
        j.instance = std::string((*s)->column_text(4));
        j.patient = std::string((*s)->column_text(5));
        if (!(*s)->column_is_null(6)) j.message_text = std::string((*s)->column_text(6));
        if (!(*s)->column_is_null(7)) j.message_external_id = std::string((*s)->column_text(7));
        j.count = (*s)->column_int64(8);
        if (!(*s)->column_is_null(9)) j.up_to_external_id = std::string((*s)->column_text(9));
        j.at = (*s)->column_int64(10);
        j.attempts = static_cast<int>((*s)->column_int64(11));
        if (!(*s)->column_is_null(12)) j.direction = std::string((*s)->column_text(12));
        if (!(*s)->column_is_null(13)) {
          // The message's attachments (read below, once this statement is done with the connection).
          domain::message m;
          m.seq = (*s)->column_int64(13);
          m.attachment_count = static_cast<std::int32_t>((*s)->column_int64(14));
          pending_attachments.push_back(std::move(m));
          jobs_with_message.push_back(out.size());
        }
        out.push_back(std::move(j));
      }
    }
    if (auto filled = fill_attachments(writer_, pending_attachments); !filled) return filled;
    for (std::size_t i = 0; i < jobs_with_message.size(); ++i)
      out[jobs_with_message[i]].attachments = std::move(pending_attachments[i].attachments);
    for (auto& j : out) {
      std::uint64_t token = 0;
      rng_.fill(std::span(reinterpret_cast<std::uint8_t*>(&token), sizeof token));
      j.lease_token = static_cast<std::int64_t>(token >> 1) | 1;  // positive, never 0
      auto s = writer_.prepared(queries::webhook_lease);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, j.outbox_id);
      (*s)->bind_text(2, owner);
      (*s)->bind_int64(3, j.lease_token);
      (*s)->bind_int64(4, now + lease.count());
      if (auto done = (*s)->run(); !done) return done;
    }
    return {};
  });
  if (!ok) return std::move(ok).error();
  return out;
}

core::result<void> sqlite_store::release_webhook_claims(const std::string& owner) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::webhook_release);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, owner);
  return (*s)->run();
}

core::result<bool> sqlite_store::record_webhook_attempt(const domain::webhook_attempt& a, std::int64_t lease_token,
                                                        const domain::webhook_result& r,
                                                        const std::string& disable_reason) {
  std::lock_guard lock(writer_mutex_);
  bool held = false;
  auto ok = immediate_transaction(writer_, [&]() -> core::result<void> {
    {
      using next = domain::webhook_result::next;
      auto s = writer_.prepared(queries::webhook_outbox_update);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, a.outbox_id);
      // A 410 leaves the row pending: it goes out once the endpoint is configured again.
      const char* state = r.what == next::delivered ? "delivered" : r.what == next::failed ? "failed" : "pending";
      (*s)->bind_text(2, state);
      (*s)->bind_int64(3, r.what == next::retry ? r.retry_at : a.at);
      if (r.what == next::delivered) (*s)->bind_int64(4, a.at);
      (*s)->bind_int64(5, lease_token);
      if (auto done = (*s)->run(); !done) return done;
      held = writer_.changes() == 1;
      if (!held) return {};  // another owner has the row now
    }
    {
      auto s = writer_.prepared(queries::webhook_attempt_insert);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, a.outbox_id);
      (*s)->bind_int64(2, a.at);
      (*s)->bind_int64(3, a.status);
      (*s)->bind_int64(4, a.latency_ms);
      (*s)->bind_text(5, a.error);
      (*s)->bind_text(6, a.outcome);
      if (auto done = (*s)->run(); !done) return done;
    }
    if (r.what == domain::webhook_result::next::endpoint_gone) {
      std::string tenant, instance;
      {
        auto s = writer_.prepared(queries::webhook_outbox_instance);
        if (!s) return std::move(s).error();
        (*s)->bind_int64(1, a.outbox_id);
        auto row = (*s)->step();
        if (!row) return std::move(row).error();
        if (!*row) return core::make_error(errc::internal, "sqlite: webhook outbox row vanished");
        tenant = std::string((*s)->column_text(0));
        instance = std::string((*s)->column_text(1));
      }
      auto s = writer_.prepared(queries::webhook_endpoint_disable);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, tenant);
      (*s)->bind_text(2, instance);
      (*s)->bind_text(3, disable_reason);
      (*s)->bind_int64(4, a.at);
      if (auto done = (*s)->run(); !done) return done;
    }
    return {};
  });
  if (!ok) return std::move(ok).error();
  return held;
}

core::result<std::vector<domain::webhook_attempt>> sqlite_store::webhook_attempts(const std::string& tenant,
                                                                                  const std::string& instance,
                                                                                  int limit) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::webhook_attempts_list);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  (*s)->bind_int64(3, limit);
  std::vector<domain::webhook_attempt> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    domain::webhook_attempt a;
    a.id = (*s)->column_int64(0);
    a.outbox_id = (*s)->column_int64(1);
    a.event_id = std::string((*s)->column_text(2));
    a.event_type = std::string((*s)->column_text(3));
    a.at = (*s)->column_int64(4);
    a.status = static_cast<int>((*s)->column_int64(5));
    a.latency_ms = (*s)->column_int64(6);
    a.error = std::string((*s)->column_text(7));
    a.outcome = std::string((*s)->column_text(8));
    out.push_back(std::move(a));
  }
}

core::result<std::optional<std::string>> sqlite_store::redeliver_webhook(const std::string& tenant,
                                                                         const std::string& instance,
                                                                         const std::string& id, core::unix_ms now) {
  std::lock_guard lock(writer_mutex_);
  std::int64_t attempt_id = -1;  // "dl_<n>": a delivery-log row; anything else: an event id
  if (id.starts_with("dl_"))
    if (const auto n = core::parse_decimal<std::int64_t>(std::string_view(id).substr(3))) attempt_id = *n;
  std::optional<std::string> found;
  auto ok = immediate_transaction(writer_, [&]() -> core::result<void> {
    std::int64_t outbox_id = 0;
    {
      auto s = writer_.prepared(queries::webhook_find_event);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, tenant);
      (*s)->bind_text(2, instance);
      (*s)->bind_text(3, id);
      (*s)->bind_int64(4, attempt_id);
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (!*row) return {};
      outbox_id = (*s)->column_int64(0);
      found = std::string((*s)->column_text(1));
    }
    auto s = writer_.prepared(queries::webhook_requeue);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, outbox_id);
    (*s)->bind_int64(2, now);
    return (*s)->run();
  });
  if (!ok) return std::move(ok).error();
  return found;
}

core::result<domain::webhook_outbox_state> sqlite_store::webhook_outbox_counts(const std::string& tenant,
                                                                               const std::string& instance) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::webhook_counts);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  domain::webhook_outbox_state out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    const auto state = (*s)->column_text(0);
    const auto n = (*s)->column_int64(1);
    if (state == "pending") out.pending = n;
    else if (state == "delivered") out.delivered = n;
    else if (state == "failed") out.failed = n;
  }
}

core::result<std::int64_t> sqlite_store::pending_webhook_count() {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::webhook_pending_count);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  const std::int64_t n = *row ? (*s)->column_int64(0) : 0;
  return n;
}

}  // namespace carechat::store::sqlite
