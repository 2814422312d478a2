// The tamper-evident audit trail (issue #16): every audit row carries the hash of the row before
// it in its chain, one chain per tenant/instance, so an edited, removed or reordered row breaks
// the chain at that row. This file defines the chain's link and the one canonical encoding both
// stores hash and `carechat audit verify` recomputes. Thread-safety: plain functions and values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"

namespace carechat::domain {

struct audit_entry;

// A row's place in its chain. seq counts 1, 2, 3, ... per tenant/instance without gaps;
// prev_hash is the row_hash of the row with seq - 1 (genesis for seq 1). The contract holds
// whatever the number of concurrent writers (processes, nodes): each store serialises appends to
// a chain (SQLite: its one write lock, the head re-read when another connection wrote;
// PostgreSQL: the chain's head row locked until commit), a unique (tenant, instance, seq) index
// refuses a fork, and a rolled-back batch gives its seqs back. Proven per backend with several
// writers and rollbacks by tests/unit/store/store_audit_chain_test.cpp.
struct audit_link {
  std::int64_t seq = 0;
  core::sha256_digest prev_hash{};
  core::sha256_digest row_hash{};
};

// The prev_hash of every chain's first row: 32 zero bytes. A chain starts with the first row
// its tenant/instance wrote after the migration that added the chain (SQLite schema v11,
// PostgreSQL v3); rows written before it carry no link ("unchained", reported by verify).
inline constexpr core::sha256_digest audit_genesis{};

// The chain of an audit row: its tenant and instance.
struct audit_chain_key {
  std::string tenant;
  std::string instance;
  auto operator<=>(const audit_chain_key&) const = default;
};

// The bytes hashed for one row, version 1. Unambiguous: a tag, then every field as
//   u32be(length of its name) name, one type byte, the value:
//   'B' bytes: u32be(length) bytes;  'I' int64: 8 bytes big-endian;  'T' text: u32be(length) UTF-8
// in this fixed order: prev_hash B, seq I, at I (Unix ms), token_id T, role T, actor_id T,
// action T, tenant T, instance T, patient T, outcome T, then the later nullable columns below.
// Every column of the row is named here;
// the database id is not (PostgreSQL hands ids out across nodes before commit, not in chain
// order; seq is the row's place). A nullable column added later is appended after outcome under
// its own name, and only when it is not NULL: rows written before it keep their hashes, and
// setting or clearing it on a stored row still changes the hash. Added so far, in this order:
//   request_id T (the request's X-Request-Id; SQLite v13, PostgreSQL v5).
std::string audit_canonical_encoding(const core::sha256_digest& prev_hash, std::int64_t seq, const audit_entry& e);

// SHA-256 of audit_canonical_encoding().
core::sha256_digest audit_row_hash(const core::sha256_digest& prev_hash, std::int64_t seq, const audit_entry& e);

// The link of the row that follows `head` (nullopt: the chain's first row) in its chain.
audit_link next_audit_link(const std::optional<audit_link>& head, const audit_entry& e);

}  // namespace carechat::domain
