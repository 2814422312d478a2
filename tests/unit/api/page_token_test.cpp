#include "api/page_token.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "core/crypto.hpp"

namespace carechat::api {
namespace {

using core::errc;
using domain::chat_key;
using domain::cursor;
using domain::cursor_kind;
using domain::direction;

core::bytes test_key(std::uint8_t seed) {
  core::bytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i);
  return k;
}

cursor messages_cursor() {
  cursor c;
  c.kind = cursor_kind::messages;
  c.dir = direction::older;
  c.anchor = {1615334079152, 42};
  c.page_size = 7;
  c.include_archived = true;
  return c;
}

cursor search_cursor(std::string query = "hello") {
  cursor c;
  c.kind = cursor_kind::search;
  c.dir = direction::newer;
  c.anchor = {1615333988926, 9};
  c.page_size = 2;
  c.content_page_size = 1;
  c.include_archived = false;
  c.query = std::move(query);
  return c;
}

// The v1 plaintext layout and associated data, restated here so tests can mint well-authenticated
// tokens with malformed contents. A change to the format must change these on purpose.
std::string aad_for(const chat_key& chat, cursor_kind kind) {
  std::string aad = "carechat.page_token.v1";
  aad += '\0';
  aad += chat.tenant;
  aad += '\0';
  aad += chat.instance;
  aad += '\0';
  aad += chat.patient;
  aad += '\0';
  aad += static_cast<char>(kind);
  return aad;
}

struct plain_fields {
  std::uint8_t version = 1;
  std::uint8_t kind = 1;
  std::uint8_t dir = 0;
  std::uint8_t flags = 0;
  std::uint16_t page_size = 20;
  std::uint16_t content_page_size = 20;
  std::int64_t created_at = 1000;
  std::int64_t seq = 5;
};

core::bytes plaintext(const plain_fields& f) {
  core::bytes p{f.version, f.kind, f.dir, f.flags};
  p.push_back(static_cast<std::uint8_t>(f.page_size >> 8));
  p.push_back(static_cast<std::uint8_t>(f.page_size));
  p.push_back(static_cast<std::uint8_t>(f.content_page_size >> 8));
  p.push_back(static_cast<std::uint8_t>(f.content_page_size));
  for (std::int64_t v : {f.created_at, f.seq})
    for (int s = 56; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> s));
  return p;
}

void append_query(core::bytes& p, std::string_view q, std::size_t padded_to) {
  p.push_back(static_cast<std::uint8_t>(q.size() >> 8));
  p.push_back(static_cast<std::uint8_t>(q.size()));
  p.insert(p.end(), q.begin(), q.end());
  p.resize(p.size() + (padded_to - q.size()), 0);
}

class page_token_test : public ::testing::Test {
 protected:
  core::openssl_random rng_;
  page_token_codec codec_{test_key(1), rng_};
  chat_key chat_{"gh", "sb-demo", "7272b601-bb09-4abf-87c0-ade48ddfaea0"};

  std::string seal(const core::bytes& plain, cursor_kind aad_kind) {
    return core::base64url_encode(core::aead_seal(test_key(1), plain, aad_for(chat_, aad_kind), rng_));
  }

  void expect_invalid(std::string_view token, cursor_kind kind, const chat_key& chat) {
    const auto r = codec_.decode(token, chat, kind);
    ASSERT_FALSE(r.has_value()) << "token accepted: " << token;
    EXPECT_EQ(r.error().code, errc::invalid_page_token);
    EXPECT_EQ(r.error().message, "pageToken is invalid or was issued for another chat or query");
  }
  void expect_invalid(std::string_view token, cursor_kind kind) { expect_invalid(token, kind, chat_); }
};

TEST_F(page_token_test, messages_cursor_round_trips) {
  for (direction d : {direction::older, direction::newer}) {
    for (bool archived : {false, true}) {
      cursor c = messages_cursor();
      c.dir = d;
      c.include_archived = archived;
      const auto r = codec_.decode(codec_.encode(c, chat_), chat_, cursor_kind::messages);
      ASSERT_TRUE(r.has_value()) << r.error().message;
      EXPECT_EQ(*r, c);
    }
  }
}

TEST_F(page_token_test, search_cursor_round_trips) {
  for (std::string q : {std::string("hello"), std::string(), std::string("é 😀 \"quoted\" & = ?"), std::string(200 * 4, 'x')}) {
    const cursor c = search_cursor(q);
    const auto r = codec_.decode(codec_.encode(c, chat_), chat_, cursor_kind::search);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(*r, c);
  }
}

TEST_F(page_token_test, query_is_dropped_from_messages_cursors) {
  cursor c = messages_cursor();
  c.query = "not stored";
  const auto r = codec_.decode(codec_.encode(c, chat_), chat_, cursor_kind::messages);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->query, "");
}

TEST_F(page_token_test, extreme_anchor_and_sizes_round_trip) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, INT64_MIN, INT64_MAX}) {
    for (int size : {1, 200}) {
      cursor c = search_cursor();
      c.anchor = {v, v};
      c.page_size = size;
      c.content_page_size = size;
      const auto r = codec_.decode(codec_.encode(c, chat_), chat_, cursor_kind::search);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(*r, c);
    }
  }
}

TEST_F(page_token_test, token_is_url_safe_and_unpadded) {
  const std::string t = codec_.encode(search_cursor("a/b+c=d?&"), chat_);
  for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
}

TEST_F(page_token_test, two_encodes_differ_and_reveal_no_query) {
  const std::string query = "confidential diagnosis question";
  const cursor c = search_cursor(query);
  const std::string a = codec_.encode(c, chat_);
  const std::string b = codec_.encode(c, chat_);
  EXPECT_NE(a, b);
  for (const std::string& t : {a, b}) {
    EXPECT_EQ(t.find(query), std::string::npos);
    EXPECT_EQ(t.find("confidential"), std::string::npos);
    // The query's base64 at each of the three byte alignments, both alphabets; the middle of each
    // encoding does not depend on the neighbouring bytes.
    for (std::string prefix : {"", "x", "xx"}) {
      const std::string raw = prefix + query;
      for (const std::string& enc : {core::base64url_encode(core::as_bytes(raw)), core::base64_encode(core::as_bytes(raw))}) {
        const std::string middle = enc.substr(4, enc.size() - 8);
        EXPECT_EQ(t.find(middle), std::string::npos) << middle;
      }
    }
  }
}

TEST_F(page_token_test, token_length_hides_short_query_length) {
  EXPECT_EQ(codec_.encode(search_cursor("a"), chat_).size(), codec_.encode(search_cursor(std::string(30, 'a')), chat_).size());
  EXPECT_EQ(codec_.encode(search_cursor("a"), chat_).size(), codec_.encode(search_cursor(std::string(32, 'a')), chat_).size());
  EXPECT_LT(codec_.encode(search_cursor(std::string(32, 'a')), chat_).size(),
            codec_.encode(search_cursor(std::string(33, 'a')), chat_).size());
}

TEST_F(page_token_test, every_flipped_byte_is_rejected) {
  for (const cursor& c : {messages_cursor(), search_cursor()}) {
    const std::string t = codec_.encode(c, chat_);
    const core::bytes sealed = *core::base64url_decode(t);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      for (std::uint8_t mask : {0x01, 0x80}) {
        core::bytes bad = sealed;
        bad[i] ^= mask;
        expect_invalid(core::base64url_encode(bad), c.kind);
      }
    }
  }
}

TEST_F(page_token_test, every_changed_character_is_rejected) {
  const std::string t = codec_.encode(messages_cursor(), chat_);
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::string bad = t;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    expect_invalid(bad, cursor_kind::messages);
  }
}

TEST_F(page_token_test, truncated_and_extended_tokens_are_rejected) {
  const std::string t = codec_.encode(search_cursor(), chat_);
  for (std::size_t n = 0; n < t.size(); ++n) expect_invalid(t.substr(0, n), cursor_kind::search);
  for (std::string tail : {"A", "AA", "AAAA", "-_"}) expect_invalid(t + tail, cursor_kind::search);
  // Authenticated bytes appended inside the base64 are no better.
  core::bytes sealed = *core::base64url_decode(t);
  sealed.push_back(0);
  expect_invalid(core::base64url_encode(sealed), cursor_kind::search);
}

TEST_F(page_token_test, over_long_and_garbage_tokens_are_rejected) {
  expect_invalid(std::string(page_token_codec::max_token_chars + 1, 'A'), cursor_kind::messages);
  expect_invalid(std::string(100000, 'A'), cursor_kind::messages);
  for (std::string g : {"", " ", "!!!!", "abc=", "abcd====", "ab+/", "ab cd", "\xff\xfe", "null", "eyJ0eXBlIjoiTE9DQUxfRklORCJ9",
                        "eyJ0eXBlIjoiUFJPVklERVIiLCJ0d2lsaW9Ub2tlbiI6Ik9yZGVyPWRlc2MmUGFnZVNpemU9MSZQYWdlPTEmUGFnZVRva2VuPVBUMTAifQ=="})
    expect_invalid(g, cursor_kind::messages);
  const std::string t = codec_.encode(messages_cursor(), chat_);
  expect_invalid(t + "=", cursor_kind::messages);
  expect_invalid(" " + t, cursor_kind::messages);
  expect_invalid(t + "\n", cursor_kind::messages);
}

TEST_F(page_token_test, foreign_chat_is_rejected) {
  const std::string t = codec_.encode(messages_cursor(), chat_);
  expect_invalid(t, cursor_kind::messages, {"gh", "sb-demo", "another-patient"});
  expect_invalid(t, cursor_kind::messages, {"other", "sb-demo", chat_.patient});
  expect_invalid(t, cursor_kind::messages, {"gh", "prod", chat_.patient});
  // Fields shifted across the separators are another chat too.
  const chat_key a{"ab", "c", "p"};
  const chat_key b{"a", "bc", "p"};
  expect_invalid(codec_.encode(messages_cursor(), a), cursor_kind::messages, b);
  ASSERT_TRUE(codec_.decode(codec_.encode(messages_cursor(), a), a, cursor_kind::messages).has_value());
}

TEST_F(page_token_test, other_kind_is_rejected) {
  expect_invalid(codec_.encode(messages_cursor(), chat_), cursor_kind::search);
  expect_invalid(codec_.encode(search_cursor(), chat_), cursor_kind::messages);
}

TEST_F(page_token_test, other_key_is_rejected) {
  core::openssl_random rng;
  const page_token_codec other(test_key(2), rng);
  expect_invalid(other.encode(messages_cursor(), chat_), cursor_kind::messages);
}

TEST_F(page_token_test, handmade_v1_plaintext_decodes) {
  // Pins the format: a token minted by an older build of this version stays valid.
  plain_fields f;
  f.dir = 1;
  f.flags = 1;
  f.page_size = 3;
  f.content_page_size = 4;
  f.created_at = -5;
  f.seq = 77;
  const auto r = codec_.decode(seal(plaintext(f), cursor_kind::messages), chat_, cursor_kind::messages);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, cursor_kind::messages);
  EXPECT_EQ(r->dir, direction::newer);
  EXPECT_TRUE(r->include_archived);
  EXPECT_EQ(r->page_size, 3);
  EXPECT_EQ(r->content_page_size, 4);
  EXPECT_EQ(r->anchor.created_at, -5);
  EXPECT_EQ(r->anchor.seq, 77);

  f.kind = 2;
  core::bytes p = plaintext(f);
  append_query(p, "hi", 32);
  const auto s = codec_.decode(seal(p, cursor_kind::search), chat_, cursor_kind::search);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query, "hi");
}

TEST_F(page_token_test, authenticated_but_malformed_plaintexts_are_rejected) {
  const auto check = [&](plain_fields f) { expect_invalid(seal(plaintext(f), cursor_kind::messages), cursor_kind::messages); };
  plain_fields f;
  f.version = 2;
  check(f);
  f = {};
  f.version = 0;
  check(f);
  f = {};
  f.kind = 2;  // plaintext says search, associated data says messages
  check(f);
  f = {};
  f.kind = 0;
  check(f);
  f = {};
  f.dir = 2;
  check(f);
  f = {};
  f.flags = 2;
  check(f);
  for (std::uint16_t bad : {std::uint16_t{0}, std::uint16_t{201}, std::uint16_t{65535}}) {
    f = {};
    f.page_size = bad;
    check(f);
    f = {};
    f.content_page_size = bad;
    check(f);
  }
  // Trailing bytes, and bytes missing.
  core::bytes p = plaintext({});
  p.push_back(0);
  expect_invalid(seal(p, cursor_kind::messages), cursor_kind::messages);
  p = plaintext({});
  p.pop_back();
  expect_invalid(seal(p, cursor_kind::messages), cursor_kind::messages);
  expect_invalid(seal({}, cursor_kind::messages), cursor_kind::messages);
}

TEST_F(page_token_test, malformed_search_query_fields_are_rejected) {
  plain_fields f;
  f.kind = 2;
  const auto check = [&](const core::bytes& p) { expect_invalid(seal(p, cursor_kind::search), cursor_kind::search); };
  check(plaintext(f));  // no query length
  core::bytes p = plaintext(f);
  p.push_back(0);  // half a length
  check(p);
  p = plaintext(f);
  append_query(p, "hi", 2);  // padding missing
  check(p);
  p = plaintext(f);
  append_query(p, "hi", 64);  // too much padding
  check(p);
  p = plaintext(f);
  append_query(p, "hi", 32);
  p.back() = 1;  // padding not zero
  check(p);
  p = plaintext(f);
  append_query(p, "hi", 32);
  p[24] = 0x7f;  // length past the end
  check(p);
}

TEST_F(page_token_test, encode_refuses_cursors_it_could_not_decode) {
  cursor c = messages_cursor();
  c.page_size = 0;
  EXPECT_THROW((void)codec_.encode(c, chat_), std::invalid_argument);
  c.page_size = 201;
  EXPECT_THROW((void)codec_.encode(c, chat_), std::invalid_argument);
  c = search_cursor(std::string(5000, 'q'));
  EXPECT_THROW((void)codec_.encode(c, chat_), std::length_error);
}

TEST_F(page_token_test, longest_query_fits_the_token_limit) {
  const cursor c = search_cursor(std::string(1472, 'q'));
  const std::string t = codec_.encode(c, chat_);
  EXPECT_LE(t.size(), page_token_codec::max_token_chars);
  const auto r = codec_.decode(t, chat_, cursor_kind::search);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, c);
}

TEST_F(page_token_test, shared_codec_works_across_threads) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        cursor c = search_cursor("q" + std::to_string(t * 1000 + i));
        const auto r = codec_.decode(codec_.encode(c, chat_), chat_, cursor_kind::search);
        if (!r || *r != c) ++failures[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(page_token_codec_ctor, rejects_wrong_key_size) {
  core::openssl_random rng;
  EXPECT_THROW(page_token_codec(core::bytes(16), rng), std::invalid_argument);
  EXPECT_THROW(page_token_codec(core::bytes(33), rng), std::invalid_argument);
  EXPECT_NO_THROW(page_token_codec(core::bytes(32), rng));
}

}  // namespace
}  // namespace carechat::api
