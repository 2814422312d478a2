// The audit chain's canonical encoding and hash (domain/audit_chain.hpp): a known vector computed
// independently (Python's struct + hashlib, from the layout the header documents), and the
// properties that make the encoding safe: every field counts, and no byte can move between fields.
#include "domain/audit_chain.hpp"

#include <gtest/gtest.h>

#include "domain/store.hpp"

namespace carechat::domain {
namespace {

audit_entry sample() {
  audit_entry e;
  e.at = 1700000000000;
  e.token_id = "tk_abc";
  e.actor_role = role::user;
  e.actor_id = "u-1";
  e.action = "read";
  e.chat = chat_key{"gh", "sb", "p-1"};
  e.outcome = "ok";
  return e;
}

TEST(audit_chain, encoding_matches_the_documented_layout) {
  const std::string enc = audit_canonical_encoding(audit_genesis, 1, sample());
  EXPECT_EQ(enc.size(), 258u);
  // u32be(21) "carechat.audit_row.v1", then u32be(9) "prev_hash" 'B' ...
  EXPECT_EQ(core::to_hex(std::span(reinterpret_cast<const std::uint8_t*>(enc.data()), 40)),
            "0000001563617265636861742e61756469745f726f772e763100000009707265765f686173684200");
}

TEST(audit_chain, a_request_id_is_appended_after_outcome_only_when_present) {
  // Rows without one (the CLI's, older ones) keep the encoding, hence the hash, they had before.
  const std::string without = audit_canonical_encoding(audit_genesis, 1, sample());
  audit_entry e = sample();
  e.request_id = "req-7";
  const std::string with = audit_canonical_encoding(audit_genesis, 1, e);
  std::string tail;
  tail += std::string("\0\0\0\x0a", 4) + "request_id" + "T" + std::string("\0\0\0\x05", 4) + "req-7";
  EXPECT_EQ(with, without + tail);
  EXPECT_NE(audit_row_hash(audit_genesis, 1, e), audit_row_hash(audit_genesis, 1, sample()));
  e.request_id = "";  // present but empty still differs from absent
  EXPECT_NE(audit_row_hash(audit_genesis, 1, e), audit_row_hash(audit_genesis, 1, sample()));
}

TEST(audit_chain, known_vector) {
  // python3: see the test's header; the first row of a chain, then the row after it.
  const audit_link first = next_audit_link(std::nullopt, sample());
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, audit_genesis);
  EXPECT_EQ(core::to_hex(first.row_hash), "b45f217f7987479a27f3f003f530a7a7283049fc28571ee61c0abd0065c1c726");

  audit_entry second = sample();
  second.at = 1700000000001;
  second.actor_role = role::patient;
  second.actor_id = "p-1";
  second.action = "send_inbound";
  second.outcome = "forbidden";
  const audit_link next = next_audit_link(first, second);
  EXPECT_EQ(next.seq, 2);
  EXPECT_EQ(next.prev_hash, first.row_hash);
  EXPECT_EQ(core::to_hex(next.row_hash), "09df07016b268041c021760e4c3eda740d6a059d8bbf4f925ce03801c3654e98");
}

TEST(audit_chain, every_field_changes_the_hash) {
  const auto base = audit_row_hash(audit_genesis, 1, sample());
  std::vector<audit_entry> changed(9, sample());
  changed[0].at += 1;
  changed[1].token_id += "x";
  changed[2].actor_role = role::admin;
  changed[3].actor_id += "x";
  changed[4].action = "search";
  changed[5].chat.tenant += "x";
  changed[6].chat.instance += "x";
  changed[7].chat.patient += "x";
  changed[8].outcome = "forbidden";
  for (const auto& e : changed) EXPECT_NE(audit_row_hash(audit_genesis, 1, e), base);
  EXPECT_NE(audit_row_hash(audit_genesis, 2, sample()), base) << "the seq";
  core::sha256_digest other_prev{};
  other_prev[31] = 1;
  EXPECT_NE(audit_row_hash(other_prev, 1, sample()), base) << "the link to the row before";
}

TEST(audit_chain, no_byte_moves_between_fields) {
  // Plain concatenation would make these two rows one string ("p-1" + "ok" == "p-1o" + "k").
  audit_entry a = sample(), b = sample();
  a.chat.patient = "p-1";
  a.outcome = "ok";
  b.chat.patient = "p-1o";
  b.outcome = "k";
  EXPECT_NE(audit_canonical_encoding(audit_genesis, 1, a), audit_canonical_encoding(audit_genesis, 1, b));
  EXPECT_NE(audit_row_hash(audit_genesis, 1, a), audit_row_hash(audit_genesis, 1, b));
  a.token_id = "";
  a.actor_id = "tk_abc";
  b = sample();
  b.token_id = "tk_abc";
  b.actor_id = "";
  EXPECT_NE(audit_row_hash(audit_genesis, 1, a), audit_row_hash(audit_genesis, 1, b));
}

}  // namespace
}  // namespace carechat::domain
