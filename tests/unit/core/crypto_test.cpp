#include "core/crypto.hpp"

#include <thread>

#include <gtest/gtest.h>

#include <stdexcept>

namespace carechat::core {
namespace {

// Fills with one repeated byte, so nonces are known.
class fixed_random final : public random_source {
 public:
  explicit fixed_random(std::uint8_t b) : b_(b) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& x : out) x = b_;
  }

 private:
  std::uint8_t b_;
};

std::string hex(std::span<const std::uint8_t> d) { return to_hex(d); }

bytes from_hex(std::string_view h) {
  bytes out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string str(const bytes& b) { return std::string(b.begin(), b.end()); }

TEST(sha256, each_thread_and_each_call_starts_afresh) {
  // The digest context is kept per thread and reused: no call may see the previous one's input.
  const auto expect_abc = [] {
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
  };
  std::thread a(expect_abc), b(expect_abc);
  expect_abc();
  a.join();
  b.join();
}

TEST(sha256, known_vectors) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex(sha256(std::string(1'000'000, 'a'))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_stream, pieces_hash_as_the_whole) {
  sha256_stream empty;
  EXPECT_EQ(hex(empty.finish()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  sha256_stream s;
  for (std::string_view piece : {"abcdbcdecdefdefgefgh", "", "fghighijhijkijkljklmklmnlmnomnopnopq"}) s.update(piece);
  EXPECT_EQ(hex(s.finish()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  sha256_stream million;
  for (int i = 0; i < 1000; ++i) million.update(std::string(1000, 'a'));
  EXPECT_EQ(hex(million.finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(hmac_sha256, rfc4231_vectors) {
  EXPECT_EQ(hex(hmac_sha256(bytes(20, 0x0b), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256(as_bytes("Jefe"), "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(bytes(20, 0xaa), std::string(50, '\xdd'))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  bytes key4;
  for (std::uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
  EXPECT_EQ(hex(hmac_sha256(key4, std::string(50, '\xcd'))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(hex(hmac_sha256(bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex(hmac_sha256(bytes(131, 0xaa),
                            "This is a test using a larger than block-size key and a larger than block-size data. The "
                            "key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(hmac_sha256, empty_data_and_empty_key) {
  EXPECT_EQ(hex(hmac_sha256(as_bytes("key"), "")), "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
  EXPECT_EQ(hex(hmac_sha256(bytes{}, "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(constant_time_equal, compares_length_and_content) {
  const bytes a{1, 2, 3};
  EXPECT_TRUE(constant_time_equal(a, bytes{1, 2, 3}));
  EXPECT_FALSE(constant_time_equal(a, bytes{1, 2, 4}));
  EXPECT_FALSE(constant_time_equal(a, bytes{0, 2, 3}));
  EXPECT_FALSE(constant_time_equal(a, bytes{1, 2}));
  EXPECT_FALSE(constant_time_equal(a, bytes{1, 2, 3, 0}));
  EXPECT_TRUE(constant_time_equal(bytes{}, bytes{}));
  EXPECT_FALSE(constant_time_equal(bytes{}, bytes{0}));
  const sha256_digest d1 = sha256("x"), d2 = sha256("x"), d3 = sha256("y");
  EXPECT_TRUE(constant_time_equal(d1, d2));
  EXPECT_FALSE(constant_time_equal(d1, d3));
}

TEST(to_hex, lowercase_two_digits_per_byte) {
  EXPECT_EQ(to_hex(bytes{}), "");
  EXPECT_EQ(to_hex(bytes{0x00, 0x0f, 0xa0, 0xff}), "000fa0ff");
}

TEST(base64, rfc4648_vectors) {
  const std::pair<const char*, const char*> url[] = {{"", ""},         {"f", "Zg"},         {"fo", "Zm8"},
                                                     {"foo", "Zm9v"},  {"foob", "Zm9vYg"},  {"fooba", "Zm9vYmE"},
                                                     {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : url) {
    EXPECT_EQ(base64url_encode(as_bytes(plain)), enc);
    const auto back = base64url_decode(enc);
    ASSERT_TRUE(back.has_value()) << enc;
    EXPECT_EQ(str(*back), plain);
  }
  const std::pair<const char*, const char*> std_padded[] = {{"", ""},          {"f", "Zg=="},       {"fo", "Zm8="},
                                                            {"foo", "Zm9v"},   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                            {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : std_padded) EXPECT_EQ(base64_encode(as_bytes(plain)), enc);
}

TEST(base64, alphabets_differ_only_in_62_and_63) {
  const bytes b{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(b), "-_-_");
  EXPECT_EQ(base64_encode(b), "+/+/");
  EXPECT_EQ(*base64url_decode("-_-_"), b);
}

TEST(base64url, round_trips_every_length_and_byte) {
  bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const bytes in(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string enc = base64url_encode(in);
    EXPECT_EQ(enc.size(), (n * 4 + 2) / 3);
    EXPECT_EQ(enc.find('='), std::string::npos);
    const auto out = base64url_decode(enc);
    ASSERT_TRUE(out.has_value()) << n;
    EXPECT_EQ(*out, in);
  }
}

TEST(base64url, rejects_padding_foreign_chars_and_impossible_lengths) {
  for (std::string_view bad : {"Zg==", "Zg=", "Zm8=", "=", "Z", "Zm9vY", "+/", "Zm9v/w", "Zm 9v", "Zm9v\n", " Zm9v",
                               "Zm9v.", "Zm9v!", "\xc3\xa9"}) {
    EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\09v", 5)).has_value());
}

TEST(base64url, rejects_nonzero_leftover_bits) {
  // "Zg" is "f"; "Zh".."Zv" carry the same byte plus non-zero spare bits: a second spelling.
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_FALSE(base64url_decode("Zv").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
}

TEST(aead, round_trip) {
  openssl_random rng;
  const bytes key(aead_key_size, 0x42);
  for (std::string plain : {std::string(), std::string("x"), std::string(1000, 'y')}) {
    const bytes sealed = aead_seal(key, as_bytes(plain), "aad", rng);
    EXPECT_EQ(sealed.size(), 12 + plain.size() + 16);
    const auto opened = aead_open(key, sealed, "aad");
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(str(*opened), plain);
  }
  const bytes sealed = aead_seal(key, as_bytes("no aad"), "", rng);
  ASSERT_TRUE(aead_open(key, sealed, "").has_value());
}

TEST(aead, nist_known_answer) {
  // AES-256-GCM, zero key and zero IV (GCM spec test cases 13 and 14).
  fixed_random zeros(0);
  const bytes key(32, 0);
  EXPECT_EQ(hex(aead_seal(key, bytes{}, "", zeros)), "000000000000000000000000530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(hex(aead_seal(key, bytes(16, 0), "", zeros)),
            "000000000000000000000000cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  const auto opened = aead_open(key, from_hex("000000000000000000000000cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"), "");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, bytes(16, 0));
}

TEST(aead, nonce_comes_from_the_random_source) {
  fixed_random r1(1), r2(2);
  const bytes key(32, 9);
  const bytes a = aead_seal(key, as_bytes("same"), "", r1);
  const bytes b = aead_seal(key, as_bytes("same"), "", r2);
  EXPECT_EQ(bytes(a.begin(), a.begin() + 12), bytes(12, 1));
  EXPECT_EQ(bytes(b.begin(), b.begin() + 12), bytes(12, 2));
  EXPECT_NE(a, b);
  openssl_random rng;
  EXPECT_NE(aead_seal(key, as_bytes("same"), "", rng), aead_seal(key, as_bytes("same"), "", rng));
}

TEST(aead, every_tampered_bit_fails) {
  openssl_random rng;
  const bytes key(32, 1);
  const bytes sealed = aead_seal(key, as_bytes("patient data"), "ctx", rng);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes bad = sealed;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      EXPECT_FALSE(aead_open(key, bad, "ctx").has_value()) << i << ":" << bit;
    }
  }
}

TEST(aead, wrong_key_aad_or_length_fails) {
  openssl_random rng;
  const bytes key(32, 1);
  const bytes sealed = aead_seal(key, as_bytes("patient data"), "ctx", rng);
  EXPECT_FALSE(aead_open(bytes(32, 2), sealed, "ctx").has_value());
  EXPECT_FALSE(aead_open(key, sealed, "ctx2").has_value());
  EXPECT_FALSE(aead_open(key, sealed, "").has_value());
  EXPECT_FALSE(aead_open(key, sealed, std::string_view("ctx\0", 4)).has_value());
  for (std::size_t n = 0; n < sealed.size(); ++n)
    EXPECT_FALSE(aead_open(key, std::span(sealed.data(), n), "ctx").has_value()) << n;
  bytes longer = sealed;
  longer.push_back(0);
  EXPECT_FALSE(aead_open(key, longer, "ctx").has_value());
  EXPECT_FALSE(aead_open(bytes(16, 1), sealed, "ctx").has_value());
  EXPECT_FALSE(aead_open(bytes{}, sealed, "ctx").has_value());
}

TEST(aead, seal_requires_a_32_byte_key) {
  openssl_random rng;
  EXPECT_THROW((void)aead_seal(bytes(16, 1), as_bytes("x"), "", rng), std::invalid_argument);
  EXPECT_THROW((void)aead_seal(bytes{}, as_bytes("x"), "", rng), std::invalid_argument);
}

TEST(openssl_random, fills_and_accepts_empty) {
  openssl_random rng;
  bytes a(32), b(32);
  rng.fill(a);
  rng.fill(b);
  EXPECT_NE(a, b);
  rng.fill(std::span<std::uint8_t>());
}

}  // namespace
}  // namespace carechat::core
