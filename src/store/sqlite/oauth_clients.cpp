// sqlite_store's OAuth clients (domain::store, `carechat client`): on the writer connection, under
// the writer mutex, as the other administration calls.
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {

core::result<void> sqlite_store::insert_oauth_client(const domain::oauth_client_record& c) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::insert_oauth_client);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, c.id);
  (*s)->bind_text(2, c.tenant);
  (*s)->bind_text(3, c.instance);
  (*s)->bind_text(4, c.name);
  if (c.secret_hash) (*s)->bind_blob(5, *c.secret_hash);
  bind_optional_text(**s, 6, c.jwks.empty() ? std::nullopt : std::optional<std::string>(c.jwks));
  (*s)->bind_int64(7, c.created_at);
  if (c.revoked_at) (*s)->bind_int64(8, *c.revoked_at);
  return (*s)->run();
}

core::result<std::vector<domain::oauth_client_record>> sqlite_store::list_oauth_clients(const domain::token_listing& q) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::list_oauth_clients);
  if (!s) return std::move(s).error();
  bind_optional_text(**s, 1, q.after);
  bind_optional_text(**s, 2, q.tenant);
  bind_optional_text(**s, 3, q.instance);
  (*s)->bind_int64(4, std::max(q.limit, 0));
  std::vector<domain::oauth_client_record> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto c = read_oauth_client(**s);
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
  }
}

core::result<bool> sqlite_store::revoke_oauth_client(const std::string& id, core::unix_ms at) {
  std::lock_guard lock(writer_mutex_);
  bool found = false;
  auto done = immediate_transaction(writer_, [&]() -> core::result<void> {
    auto exists = writer_.prepared(queries::oauth_client_exists);
    if (!exists) return std::move(exists).error();
    (*exists)->bind_text(1, id);
    auto row = (*exists)->step();
    if (!row) return std::move(row).error();
    found = *row;
    (*exists)->reset();
    if (!found) return {};
    // The client first (keeps the first revocation instant), then every token it still holds:
    // their revocation moves the counter the token caches poll.
    for (const auto* sql : {&queries::revoke_oauth_client, &queries::revoke_client_tokens}) {
      auto s = writer_.prepared(*sql);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, id);
      (*s)->bind_int64(2, at);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    return {};
  });
  if (!done) return std::move(done).error();
  return found;
}

}  // namespace carechat::store::sqlite
