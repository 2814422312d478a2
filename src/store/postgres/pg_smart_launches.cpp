// The PostgreSQL side of SMART launches in flight (domain/pending_launch.hpp): one statement per
// call on a pool connection, as the other administration writes (tokens, export jobs); callers run
// these on the blocking pool, never on an I/O thread. Each statement is atomic on its own, so no
// transaction is needed: the put prunes and inserts in one statement, the take is DELETE ... RETURNING.
#include <algorithm>
#include <limits>

#include "core/crypto.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/queries.hpp"

namespace carechat::store::postgres {

core::result<bool> pg_store::put_smart_launch(const domain::pending_launch& launch, core::unix_ms now,
                                              std::size_t max_pending) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  const auto hash = core::sha256(launch.state);
  const auto cap = std::min<std::size_t>(max_pending, std::numeric_limits<std::int64_t>::max());
  params p;
  p.bytes(hash).text(launch.iss).text(launch.nonce).text(launch.code_verifier).boolean(launch.standalone);
  p.int64(now).int64(launch.expires_at).int64(static_cast<std::int64_t>(cap));
  auto r = (*c)->run(queries::insert_smart_launch, p);
  if (!r) return std::move(r).error();
  return r->affected() > 0;
}

core::result<std::optional<domain::pending_launch>> pg_store::take_smart_launch(std::string_view state,
                                                                                core::unix_ms now) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  const auto hash = core::sha256(state);
  auto r = (*c)->run(queries::take_smart_launch, params().bytes(hash).int64(now));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::pending_launch>();
  domain::pending_launch p;
  p.state = std::string(state);
  p.iss = std::string(r->text(0, 0));
  p.nonce = std::string(r->text(0, 1));
  p.code_verifier = std::string(r->text(0, 2));
  p.standalone = r->boolean(0, 3);
  p.expires_at = r->int64(0, 4);
  return std::optional<domain::pending_launch>(std::move(p));
}

core::result<std::int64_t> pg_store::prune_smart_launches(core::unix_ms now) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::prune_smart_launches, params().int64(now));
  if (!r) return std::move(r).error();
  return r->affected();
}

}  // namespace carechat::store::postgres
