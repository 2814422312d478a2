#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace carechat::core {
namespace {

// Yields 0, 1, 2, ... so ids are predictable.
class counting_random final : public random_source {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_ = 0;
};

TEST(external_id, shape) {
  counting_random rng;
  EXPECT_EQ(new_external_id(rng, 0x0123456789ab), "IM0123456789ab00010203040506070809");
  EXPECT_EQ(new_external_id(rng, 0), "IM0000000000000a0b0c0d0e0f10111213");
  openssl_random real;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_external_id(real, 1'700'000'000'000);  // all in one millisecond
    EXPECT_EQ(id.size(), 34u);
    EXPECT_TRUE(is_external_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(external_id, later_ids_sort_later) {
  openssl_random rng;
  std::string previous;
  for (unix_ms t : {unix_ms{1}, unix_ms{1'700'000'000'000}, unix_ms{1'700'000'000'001}, unix_ms{253'402'300'799'999}}) {
    const std::string id = new_external_id(rng, t);
    EXPECT_TRUE(is_external_id(id)) << id;
    EXPECT_LT(previous, id) << "made at " << t;
    previous = id;
  }
}

TEST(external_id, recognizer) {
  EXPECT_TRUE(is_external_id("IM6f03096c79094f9b9466c7d009073ca1"));
  EXPECT_FALSE(is_external_id(""));
  EXPECT_FALSE(is_external_id("IM"));
  EXPECT_FALSE(is_external_id("IM6f03096c79094f9b9466c7d009073ca"));    // 31 digits
  EXPECT_FALSE(is_external_id("IM6f03096c79094f9b9466c7d009073ca12"));  // 33
  EXPECT_FALSE(is_external_id("im6f03096c79094f9b9466c7d009073ca1"));
  EXPECT_FALSE(is_external_id("XX6f03096c79094f9b9466c7d009073ca1"));
  EXPECT_FALSE(is_external_id("IM6F03096C79094F9B9466C7D009073CA1"));  // uppercase hex
  EXPECT_FALSE(is_external_id("IM6f03096c79094f9b9466c7d009073cg1"));
  EXPECT_FALSE(is_external_id("IM6f03096c-9094f9b9466c7d009073ca1"));
}

TEST(random_hex, length_and_alphabet) {
  counting_random rng;
  EXPECT_EQ(random_hex(rng, 0), "");
  EXPECT_EQ(random_hex(rng, 3), "000102");
  openssl_random real;
  const std::string h = random_hex(real, 16);
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(path_id, accepts) {
  for (std::string_view s : {"gh", "sb-demo", "7272b601-bb09-4abf-87c0-ade48ddfaea0", "a", "A.b_c-9", "...", ".a", "a..b"})
    EXPECT_TRUE(is_path_id(s)) << s;
  EXPECT_TRUE(is_path_id(std::string(64, 'x')));
}

TEST(path_id, rejects) {
  for (std::string_view s : {"", ".", "..", "a/b", "a b", "a%2F", "é", "a\\b", "a?b", "a#b", "a:b", "a\nb", "*"})
    EXPECT_FALSE(is_path_id(s)) << s;
  EXPECT_FALSE(is_path_id(std::string(65, 'x')));
  EXPECT_FALSE(is_path_id(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace carechat::core
