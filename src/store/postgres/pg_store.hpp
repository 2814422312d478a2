// domain::store on PostgreSQL, a database that several carechat processes and nodes may share:
// a dedicated connection for the writer (store::group_committer's one thread; write_batch), and a
// bounded pool (pg_pool) for reads and administration. A lost connection is reopened on next use,
// so the store heals by itself after a database restart or failover. The schema lives in the
// first schema of the connection's search_path (public unless the URI sets options).
// Thread-safety: as domain::store. apply() runs on one thread at a time; everything else may be
// called from any thread (each call borrows a pool connection).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/pending_launch.hpp"
#include "domain/store.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_options.hpp"
#include "store/postgres/pg_pool.hpp"

namespace carechat::store::postgres {

class pg_store final : public domain::store,
                       public domain::webhook_store,
                       public domain::export_job_store,
                       public domain::smart_launch_store {
 public:
  // Connects, checks the database (UTF-8) and brings the schema up to date under the migration
  // lock. `clk` stamps messages at apply time and `rng` fills new server secrets; both must
  // outlive the store.
  static core::result<std::unique_ptr<pg_store>> open(const pg_options& opts, const core::clock& clk,
                                                      core::random_source& rng);

  std::unique_ptr<domain::store_reader> open_reader() override;
  std::vector<domain::write_outcome> apply(std::span<const domain::write_command> batch) override;
  // Messages are indexed inside apply() (answers 0); the call does the index's upkeep: the trigram
  // index's pending list is merged on a pool connection, off the writer (migrations.cpp).
  core::result<std::int64_t> index_search(int max_messages) override;

  core::result<void> insert_token(const domain::token_record& token) override;
  using domain::store::list_tokens;
  using domain::store::audit_for_patient;
  core::result<std::vector<domain::token_record>> list_tokens(const domain::token_listing& q) override;
  core::result<bool> revoke_token(const std::string& id, core::unix_ms at) override;
  core::result<bool> insert_client_token(const domain::token_record& token) override;
  // OAuth clients (store/postgres/pg_oauth_clients.cpp)
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
  // domain::smart_launch_store (store/postgres/pg_smart_launches.cpp), on the pool
  core::result<bool> put_smart_launch(const domain::pending_launch& launch, core::unix_ms now,
                                      std::size_t max_pending) override;
  core::result<std::optional<domain::pending_launch>> take_smart_launch(std::string_view state,
                                                                        core::unix_ms now) override;
  core::result<std::int64_t> prune_smart_launches(core::unix_ms now) override;
  // domain::export_job_store (store/postgres/pg_bulk_export.cpp), on the pool
  core::result<bool> create_export_job(const domain::export_job& job, core::unix_ms now) override;
  core::result<bool> delete_export_job(const std::string& id, const std::string& tenant,
                                       const std::string& instance) override;
  std::unique_ptr<domain::log_bus> open_log_bus() override;
  std::unique_ptr<domain::cluster_duty> open_cluster_duty(const std::string& name) override;
  std::unique_ptr<domain::blob_store> open_blob_store() override;  // pg_blob_store, on the pool

  // domain::webhook_store (store/postgres/webhook_store.cpp)
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
  std::optional<domain::pool_usage> connection_pool_usage() const override { return pool_.usage(); }

 private:
  pg_store(pg_options opts, const core::clock& clk, core::random_source& rng);

  // The writer connection, reopened if lost. Writer thread only.
  core::result<connection*> writer();
  // `work` inside BEGIN ... COMMIT on a pooled connection (ROLLBACK when it fails).
  core::result<void> transaction(const std::function<core::result<void>(connection&)>& work);
  // The webhook sealing key (server_secrets.webhook_key), loaded once.
  core::result<core::bytes> webhook_key();

  const pg_options opts_;
  const core::clock& clock_;
  core::random_source& rng_;
  pg_pool pool_;
  std::optional<connection> writer_;  // writer thread only (apply() runs one batch at a time)
  std::mutex rng_mutex_;              // rng_ is not thread-safe; administration calls share it
  std::mutex key_mutex_;
  core::bytes webhook_key_;           // guarded by key_mutex_; empty until loaded
};

}  // namespace carechat::store::postgres
