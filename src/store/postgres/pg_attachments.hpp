// Filling messages' attachment lists on PostgreSQL (queries.hpp, "attachments"), for the reader
// and the writer's replays alike: one query for every message of a read that has attachments.
// Thread-safety: a connection is used by one thread at a time.
#pragma once

#include <functional>
#include <span>

#include "core/result.hpp"
#include "domain/chat.hpp"
#include "store/postgres/pg_connection.hpp"

namespace carechat::store::postgres {

// Runs one statement (on a pooled connection for a reader, the transaction's for the writer).
using run_query = std::function<core::result<result>(const named_sql&, const params&)>;

// Fills `attachments` of each message whose attachment_count is not 0 (none: no query).
core::result<void> fill_attachments(const run_query& run, std::span<domain::message* const> messages);

}  // namespace carechat::store::postgres
