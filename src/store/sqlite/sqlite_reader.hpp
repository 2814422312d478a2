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
  // (Unicode case folding); shorter ones scan the chat's rows, where only ASCII letters fold.
  core::result<std::vector<domain::message>> search(const domain::search_query& q) override;
  core::result<std::optional<domain::token_record>> token_by_hash(const core::sha256_digest& hash) override;

 private:
  core::result<connection*> db();
  core::result<std::vector<domain::message>> window(const named_sql& sql, const domain::chat_key& chat,
                                                    const std::optional<domain::position>& after, domain::direction dir,
                                                    int limit, const std::string* needle);

  sqlite_options opts_;
  std::optional<connection> db_;
};

}  // namespace carechat::store::sqlite
