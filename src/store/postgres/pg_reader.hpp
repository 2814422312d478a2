// store_reader over the store's bounded connection pool: each call borrows one connection for one
// statement, so readers (many, kept by store::reader_pool) never hold more connections than the
// pool allows. Searches: ILIKE over the trigram index for 3+ characters, strpos(lower()) for
// shorter needles; both fold case as lower() does, per code point (the same folding as SQLite's).
// Thread-safety: one thread at a time (domain::store_reader's contract).
#pragma once

#include <span>

#include <optional>

#include "domain/store.hpp"
#include "store/postgres/pg_pool.hpp"

namespace carechat::store::postgres {

class pg_reader final : public domain::store_reader {
 public:
  explicit pg_reader(pg_pool& pool) : pool_(pool) {}

  core::result<std::vector<domain::message>> messages(const domain::page_query& q) override;
  core::result<bool> any_beyond(const domain::chat_key& chat, domain::position from, domain::direction dir,
                                bool include_archived) override;
  core::result<std::vector<domain::message>> search(const domain::search_query& q) override;
  core::result<std::optional<domain::token_record>> token_by_hash(const core::sha256_digest& hash) override;
  core::result<std::optional<domain::oauth_client_record>> oauth_client(const std::string& id) override;
  core::result<std::vector<domain::chat_event>> events_after(const domain::event_scope& scope, std::int64_t after,
                                                             int limit) override;
  core::result<domain::event_log_bounds> event_bounds(const domain::event_scope& scope) override;
  core::result<std::int64_t> token_revocations() override;
  core::result<std::optional<domain::located_message>> message_by_external_id(const std::string& tenant,
                                                                              const std::string& instance,
                                                                              const std::string& external_id) override;
  core::result<std::optional<std::string>> attachment_patient(const std::string& tenant, const std::string& instance,
                                                              const std::string& id) override;
  core::result<std::optional<domain::attachment_record>> attachment(const domain::chat_key& chat,
                                                                   const std::string& id) override;
  core::result<std::optional<domain::message>> oldest_unread(const domain::chat_key& chat,
                                                             domain::message_kind kind) override;
  core::result<std::int64_t> unread_count(const domain::chat_key& chat, domain::message_kind kind) override;
  core::result<std::vector<domain::unread_chat>> unread_chats(const std::string& tenant, const std::string& instance,
                                                              int limit) override;
  core::result<void> check_ready() override;
  // FHIR Bulk Data export (store/postgres/pg_bulk_export.cpp)
  core::result<std::int64_t> export_high_water(const std::string& tenant, const std::string& instance) override;
  core::result<domain::export_span_result> export_span(const domain::export_range& r, std::int64_t limit) override;
  core::result<std::vector<domain::located_message>> export_messages(const domain::export_range& r,
                                                                     int limit) override;
  core::result<domain::export_span_result> export_thread_span(const domain::export_thread_range& r,
                                                              std::int64_t limit) override;
  core::result<std::vector<domain::export_thread>> export_threads(const domain::export_thread_range& r,
                                                                  int limit) override;
  core::result<std::optional<domain::export_job>> export_job_by_id(const std::string& id) override;

 private:
  // Fills the attachments of those messages that have some (one query).
  core::result<void> fill(std::span<domain::message* const> messages);
  // One statement on a pooled connection (prepared, or planned for its values).
  core::result<result> query(const named_sql& q, const params& p, bool plan_each_time = false);
  core::result<std::vector<domain::message>> window(const named_sql& sql, const domain::chat_key& chat,
                                                    const std::optional<domain::position>& after, domain::direction dir,
                                                    int limit, const std::string* needle);

  pg_pool& pool_;
};

// The ILIKE pattern that matches `text` anywhere: '%' + text with '\', '%' and '_' escaped + '%'.
std::string contains_pattern(std::string_view text);

}  // namespace carechat::store::postgres
