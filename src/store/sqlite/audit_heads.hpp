// The writer's memory of each audit chain's head (domain/audit_chain.hpp), so appending an audit
// row costs no read: a chain's head is read from audit_chain_heads once, then kept. Another
// process may append to the same file (`carechat webhook` writes its audit rows itself), so at
// the start of every batch PRAGMA data_version (which moves only when another connection
// commits) says whether what is kept may be stale; then it is forgotten and read again.
// A batch's heads are pending until its COMMIT: a rolled-back batch leaves the kept heads as
// they were. Thread-safety: the writer's; used under the store's writer mutex only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "core/result.hpp"
#include "domain/audit_chain.hpp"
#include "domain/store.hpp"
#include "store/sqlite/connection.hpp"

namespace carechat::store::sqlite {

class audit_heads {
 public:
  // Inside the batch's transaction, before its first row.
  core::result<void> begin(connection& db);
  // The link of the next row of `e`'s chain (not yet taken: call appended() once it is inserted).
  core::result<domain::audit_link> next(connection& db, const domain::audit_entry& e);
  void appended(const domain::audit_entry& e, const domain::audit_link& link);
  // Before COMMIT: the batch's new heads into audit_chain_heads (one row per chain it touched).
  core::result<void> write(connection& db);
  // After the batch: COMMIT done (committed = true) or rolled back.
  void end(bool committed);

 private:
  std::map<domain::audit_chain_key, std::optional<domain::audit_link>> kept_;     // nullopt: empty chain
  std::map<domain::audit_chain_key, domain::audit_link> pending_;                // this batch's
  std::optional<std::int64_t> data_version_;
};

}  // namespace carechat::store::sqlite
