// The oldest-first walk over one chat that the FHIR facade's Communication search serves
// (GET /fhir/R4/Communication?subject=Patient/x&_lastUpdated=...): messages created within
// [min_created, max_created], from just past an anchor (a decoded page token), a page at a time.
// A message is immutable apart from its archive and read state, so its creation time is the
// "last updated" the search filters on (docs/integration.md, "FHIR R4").
// Thread-safety: pure functions over the arguments; a store_reader is used by one thread at a time.
#pragma once

#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/cursor.hpp"
#include "domain/limits.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"

namespace carechat::domain {

struct delta_request {
  std::optional<cursor> from;  // a decoded page token (kind fhir_communications); exclusive with page_size
  std::optional<int> page_size;
  std::optional<bool> include_archived;  // exclusive with from (the token carries it)
  std::optional<core::unix_ms> min_created;  // inclusive bounds on created_at
  std::optional<core::unix_ms> max_created;
};

struct delta_page {
  std::vector<message> messages;  // oldest first
  int page_size = 0;
  std::optional<cursor> next;  // set exactly when more messages within the bounds follow
};

// Authorizes `who` to read `chat` first (forbidden otherwise), then walks.
core::result<delta_page> read_delta_page(store_reader& reader, const principal& who, const chat_key& chat,
                                         const delta_request& req, const limits& lim);

}  // namespace carechat::domain
