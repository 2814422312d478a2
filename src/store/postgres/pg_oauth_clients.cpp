// pg_store's OAuth clients (domain::store, `carechat client`): pool connections, as the other
// administration calls.
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/queries.hpp"
#include "store/row_mapping.hpp"

namespace carechat::store::postgres {

core::result<void> pg_store::insert_oauth_client(const domain::oauth_client_record& c) {
  auto conn = pool_.acquire();
  if (!conn) return std::move(conn).error();
  params p;
  p.text(c.id).text(c.tenant).text(c.instance).text(c.name);
  if (c.secret_hash) p.bytes(*c.secret_hash);
  else p.null();
  p.opt_text(c.jwks.empty() ? std::nullopt : std::optional<std::string>(c.jwks)).int64(c.created_at).opt_int64(c.revoked_at);
  auto r = (*conn)->run(queries::insert_oauth_client, p);
  if (!r) return std::move(r).error();
  return {};
}

core::result<std::vector<domain::oauth_client_record>> pg_store::list_oauth_clients(const domain::token_listing& q) {
  auto conn = pool_.acquire();
  if (!conn) return std::move(conn).error();
  auto r = (*conn)->run(queries::list_oauth_clients,
                        params().opt_text(q.after).opt_text(q.tenant).opt_text(q.instance).int64(std::max(q.limit, 0)));
  if (!r) return std::move(r).error();
  std::vector<domain::oauth_client_record> out;
  for (int i = 0; i < r->rows(); ++i) {
    auto c = carechat::store::read_oauth_client(row{*r, i});
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
  }
  return out;
}

core::result<bool> pg_store::revoke_oauth_client(const std::string& id, core::unix_ms at) {
  bool found = false;
  auto done = transaction([&](connection& c) -> core::result<void> {
    // The client's row locked first: an insert_client_token in flight finishes (and its token is
    // revoked below) or waits and then sees the revocation.
    auto locked = c.run(queries::lock_oauth_client, params().text(id));
    if (!locked) return std::move(locked).error();
    found = locked->rows() > 0;
    if (!found) return {};
    for (const auto* sql : {&queries::revoke_oauth_client, &queries::revoke_client_tokens}) {
      auto r = c.run(*sql, params().text(id).int64(at));
      if (!r) return std::move(r).error();
    }
    return {};
  });
  if (!done) return std::move(done).error();
  return found;
}

}  // namespace carechat::store::postgres
