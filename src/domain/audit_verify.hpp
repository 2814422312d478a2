// `carechat audit verify`: walks every audit chain (domain/audit_chain.hpp) through the store in
// pages, so memory stays bounded whatever the trail's length (one page plus one small record per
// chain), and reports each chain: intact with its row count and head, or its first broken link.
// Thread-safety: one call at a time per store (the store's administration calls).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "domain/audit_chain.hpp"
#include "domain/store.hpp"

namespace carechat::domain {

// What one chain looked like.
struct audit_chain_report {
  audit_chain_key chain;
  std::int64_t rows = 0;       // linked rows walked (up to the break, when broken)
  std::int64_t unchained = 0;  // rows from before the chain began (no link), not covered by it
  std::optional<audit_link> head;  // the last linked row walked
  std::int64_t head_row_id = 0;
  // The first broken link, if any: the row it was found at (0: none, e.g. rows missing at the
  // chain's end) and what differs.
  std::optional<std::string> broken;
  std::int64_t broken_row_id = 0;
};

struct audit_verify_scope {
  std::optional<std::string> tenant;    // nullopt: every tenant
  std::optional<std::string> instance;  // only with tenant
  int page_size = 5000;
};

// Walks the chains in scope in (tenant, instance) order, calling `report` once per chain as soon
// as it is done. An error only when the store cannot be read; a broken chain is a report.
core::result<void> verify_audit_chains(store& st, const audit_verify_scope& scope,
                                       const std::function<void(const audit_chain_report&)>& report);

}  // namespace carechat::domain
