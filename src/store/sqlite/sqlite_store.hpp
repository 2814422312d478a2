// domain::store on one SQLite file in WAL mode: one writer connection for apply() and the
// administration calls, one connection per reader. Other processes (the CLI beside a running
// server) may use the same file; they wait for each other up to busy_timeout.
// Thread-safety: as domain::store. open_reader() and the administration calls may come from any
// thread; they and apply() take turns on the writer connection under one mutex.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <mutex>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/pending_launch.hpp"
#include "domain/store.hpp"
#include "store/sqlite/audit_heads.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/search_index.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

class sqlite_store final : public domain::store,
                           public domain::webhook_store,
                           public domain::export_job_store,
                           public domain::smart_launch_store {
 public:
  // Opens or creates the file and brings its schema up to date. `clk` stamps messages at apply time
  // and `rng` fills new server secrets; both must outlive the store.
  static core::result<std::unique_ptr<sqlite_store>> open(const sqlite_options& opts, const core::clock& clk,
                                                          core::random_source& rng);

  std::unique_ptr<domain::store_reader> open_reader() override;
  std::vector<domain::write_outcome> apply(std::span<const domain::write_command> batch) override;
  // The search database's own connections and lock: never the writer's (store/sqlite/search_index).
  core::result<std::int64_t> index_search(int max_messages) override { return search_->add_new(max_messages); }
  core::result<std::int64_t> index_audit(int max_rows) override { return search_->add_new_audit(max_rows); }

  core::result<void> insert_token(const domain::token_record& token) override;
  using domain::store::list_tokens;
  using domain::store::audit_for_patient;
  core::result<std::vector<domain::token_record>> list_tokens(const domain::token_listing& q) override;
  core::result<bool> revoke_token(const std::string& id, core::unix_ms at) override;
  core::result<bool> insert_client_token(const domain::token_record& token) override;
  // OAuth clients (store/sqlite/oauth_clients.cpp)
  core::result<void> insert_oauth_client(const domain::oauth_client_record& client) override;
  core::result<std::vector<domain::oauth_client_record>> list_oauth_clients(const domain::token_listing& q) override;
  core::result<bool> revoke_oauth_client(const std::string& id, core::unix_ms at) override;
  core::result<std::vector<domain::audit_row>> audit_for_patient(const std::string& patient,
                                                                 const domain::audit_listing& q) override;
  core::result<std::vector<domain::audit_row>> audit_chain_page(const domain::audit_chain_position& after,
                                                                int limit) override;
  core::result<std::vector<domain::audit_chain_head>> audit_chain_heads() override;
  core::result<std::vector<domain::audit_unchained_rows>> audit_unchained() override;
  core::result<std::vector<domain::audit_row>> audit_export_page(const domain::audit_export_query& q) override;
  core::result<core::bytes> secret(const std::string& name, std::size_t size) override;
  domain::webhook_store* webhooks() override { return this; }
  domain::export_job_store* export_jobs() override { return this; }
  domain::smart_launch_store* smart_launches() override { return this; }
  // domain::smart_launch_store (store/sqlite/smart_launches.cpp), on the writer's connection
  core::result<bool> put_smart_launch(const domain::pending_launch& launch, core::unix_ms now,
                                      std::size_t max_pending) override;
  core::result<std::optional<domain::pending_launch>> take_smart_launch(std::string_view state,
                                                                        core::unix_ms now) override;
  core::result<std::int64_t> prune_smart_launches(core::unix_ms now) override;
  // domain::export_job_store (store/sqlite/bulk_export.cpp), on the writer's connection
  core::result<bool> create_export_job(const domain::export_job& job, core::unix_ms now) override;
  core::result<bool> delete_export_job(const std::string& id, const std::string& tenant,
                                       const std::string& instance) override;

  // domain::webhook_store (store/sqlite/webhook_store.cpp)
  core::result<void> put_webhook_endpoint(const domain::webhook_endpoint& e) override;
  core::result<std::optional<domain::webhook_endpoint>> webhook_endpoint_of(const std::string& tenant,
                                                                            const std::string& instance) override;
  core::result<bool> disable_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                              const std::string& reason, core::unix_ms at) override;
  core::result<std::vector<domain::webhook_job>> claim_webhooks(const std::string& owner, core::unix_ms now,
                                                                std::chrono::milliseconds lease, int limit) override;
  core::result<void> release_webhook_claims(const std::string& owner) override;
  core::result<bool> record_webhook_attempt(const domain::webhook_attempt& a, std::int64_t lease_token,
                                            const domain::webhook_result& r, const std::string& disable_reason) override;
  core::result<std::vector<domain::webhook_attempt>> webhook_attempts(const std::string& tenant,
                                                                      const std::string& instance,
                                                                      int limit) override;
  core::result<std::optional<std::string>> redeliver_webhook(const std::string& tenant, const std::string& instance,
                                                             const std::string& id, core::unix_ms now) override;
  core::result<domain::webhook_outbox_state> webhook_outbox_counts(const std::string& tenant,
                                                                   const std::string& instance) override;
  core::result<std::int64_t> pending_webhook_count() override;

 private:
  sqlite_store(sqlite_options opts, connection writer, std::unique_ptr<search_index> search, const core::clock& clk,
               core::random_source& rng);

  // secret() without taking the mutex (the caller holds it).
  core::result<core::bytes> secret_locked(const std::string& name, std::size_t size);
  // The webhook sealing key (server_secrets.webhook_key), loaded once; the caller holds the mutex.
  core::result<core::bytes> webhook_key_locked();

  const sqlite_options opts_;
  const core::clock& clock_;
  core::random_source& rng_;
  std::mutex writer_mutex_;  // guards writer_ (and rng_, used only under it)
  connection writer_;
  core::bytes webhook_key_;  // guarded by writer_mutex_; empty until loaded
  audit_heads audit_heads_;  // guarded by writer_mutex_: the audit chains' heads (store/sqlite/audit_heads)
  // audit_for_patient's connection, which attaches the search database (where the audit log's
  // index by patient lives); opened on first use, guarded by writer_mutex_.
  std::optional<connection> audit_reader_;
  std::unique_ptr<search_index> search_;
};

}  // namespace carechat::store::sqlite
