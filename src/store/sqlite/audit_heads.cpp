#include "store/sqlite/audit_heads.hpp"

#include <algorithm>

#include "store/sqlite/queries.hpp"

namespace carechat::store::sqlite {

core::result<void> audit_heads::begin(connection& db) {
  pending_.clear();
  auto s = db.prepared(queries::data_version);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  const std::int64_t v = (*s)->column_int64(0);
  if (data_version_ != v) kept_.clear();
  data_version_ = v;
  return {};
}

core::result<domain::audit_link> audit_heads::next(connection& db, const domain::audit_entry& e) {
  domain::audit_chain_key key{e.chat.tenant, e.chat.instance};
  if (auto p = pending_.find(key); p != pending_.end()) return domain::next_audit_link(p->second, e);
  auto k = kept_.find(key);
  if (k == kept_.end()) {
    auto s = db.prepared(queries::audit_head);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, key.tenant);
    (*s)->bind_text(2, key.instance);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    std::optional<domain::audit_link> head;
    if (*row) {
      domain::audit_link l;
      l.seq = (*s)->column_int64(0);
      const auto hash = (*s)->column_blob(1);
      if (hash.size() != l.row_hash.size())
        return core::make_error(core::errc::internal, "sqlite: audit_chain_heads.head is not a SHA-256");
      std::copy(hash.begin(), hash.end(), l.row_hash.begin());
      head = l;
    }
    k = kept_.emplace(std::move(key), head).first;
  }
  return domain::next_audit_link(k->second, e);
}

void audit_heads::appended(const domain::audit_entry& e, const domain::audit_link& link) {
  pending_[domain::audit_chain_key{e.chat.tenant, e.chat.instance}] = link;
}

core::result<void> audit_heads::write(connection& db) {
  for (const auto& [key, link] : pending_) {
    auto s = db.prepared(queries::upsert_audit_head);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, key.tenant);
    (*s)->bind_text(2, key.instance);
    (*s)->bind_int64(3, link.seq);
    (*s)->bind_blob(4, link.row_hash);
    if (auto ok = (*s)->run(); !ok) return ok;
  }
  return {};
}

void audit_heads::end(bool committed) {
  if (committed) {
    for (auto& [key, link] : pending_) kept_[key] = link;
    // Our own COMMIT does not move data_version (it moves for other connections' commits only).
  } else {
    // A failed COMMIT may or may not have left rows behind (SQLITE_FULL mid-commit): read again.
    kept_.clear();
  }
  pending_.clear();
}

}  // namespace carechat::store::sqlite
