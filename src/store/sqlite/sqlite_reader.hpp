// store_reader over its own SQLite connection (query_only), opened on first use and reopened after
// a failed open, so a reader kept in a pool heals instead of failing forever.
// Thread-safety: one thread at a time (domain::store_reader's contract).
#pragma once

#include <optional>

#include "domain/store.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

class sqlite_reader final : public domain::store_reader {
 public:
  explicit sqlite_reader(sqlite_options opts) : opts_(std::move(opts)) {}

  core::result<std::vector<domain::message>> messages(const domain::page_query& q) override;
  core::result<bool> any_beyond(const domain::chat_key& chat, domain::position from, domain::direction dir,
                                bool include_archived) override;
  // Case-insensitive substring of the text. Queries of 3 or more characters use the trigram index
  // plus a scan of the messages not indexed yet; shorter ones scan the chat's rows. Both fold case
  // the same Unicode-aware way (carechat_contains agrees with the trigram index).
  core::result<std::vector<domain::message>> search(const domain::search_query& q) override;
  core::result<std::optional<domain::token_record>> token_by_hash(const core::sha256_digest& hash) override;
  core::result<std::optional<domain::oauth_client_record>> oauth_client(const std::string& id) override;

  // A chat scope seeks events_by_chat; an instance scope walks the position range and skips other
  // instances' events, so it reads at most what the log gained since `after` (plus `limit`).
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
  // FHIR Bulk Data export (store/sqlite/bulk_export.cpp)
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
  core::result<connection*> db();
  core::result<std::vector<domain::message>> window(const named_sql& sql, const domain::chat_key& chat,
                                                    const std::optional<domain::position>& after, domain::direction dir,
                                                    int limit, const std::string* needle,
                                                    const std::string* raw_needle = nullptr);

  sqlite_options opts_;
  std::optional<connection> db_;
};

}  // namespace carechat::store::sqlite
