// One write transaction on a connection, the same way everywhere (batches, webhook administration,
// migrations): BEGIN IMMEDIATE, the work, COMMIT; ROLLBACK when the work fails, when COMMIT fails,
// or when the work throws (the exception then goes on), so a connection is never left inside a
// transaction that holds the database's write lock. Thread-safety: as the connection.
#pragma once

#include <functional>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"

namespace carechat::store::sqlite {

core::result<void> immediate_transaction(connection& db, const std::function<core::result<void>()>& work);

}  // namespace carechat::store::sqlite
