#include "core/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>

namespace carechat::core {
namespace {

result<int> half(int x) {
  if (x % 2 != 0) return make_error(errc::bad_request, "odd");
  return x / 2;
}

TEST(result, holds_a_value) {
  const auto r = half(8);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.value(), 4);
  EXPECT_THROW((void)r.error(), std::logic_error);
}

TEST(result, holds_an_error) {
  const auto r = half(3);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, errc::bad_request);
  EXPECT_EQ(r.error().message, "odd");
  EXPECT_THROW((void)r.value(), std::logic_error);
  try {
    (void)r.value();
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("odd"), std::string::npos);
  }
}

TEST(result, move_only_values_and_arrow) {
  result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("hi");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(**r, "hi");
  EXPECT_EQ((*r)->size(), 2u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "hi");

  result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  s->append("d");
  EXPECT_EQ(*s, "abcd");
}

TEST(result, error_can_be_moved_out) {
  result<int> r = make_error(errc::not_found, "gone");
  error e = std::move(r).error();
  EXPECT_EQ(e.code, errc::not_found);
  EXPECT_EQ(e.message, "gone");
}

TEST(result, void_specialisation) {
  result<void> ok;
  EXPECT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  result<void> bad = make_error(errc::forbidden, "no");
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, errc::forbidden);
  EXPECT_EQ(std::move(bad).error().message, "no");
}

TEST(errc, wire_names_are_stable_and_distinct) {
  EXPECT_EQ(to_string(errc::bad_request), "bad_request");
  EXPECT_EQ(to_string(errc::invalid_page_token), "invalid_page_token");
  EXPECT_EQ(to_string(errc::unauthorized), "unauthorized");
  EXPECT_EQ(to_string(errc::forbidden), "forbidden");
  EXPECT_EQ(to_string(errc::not_found), "not_found");
  EXPECT_EQ(to_string(errc::method_not_allowed), "method_not_allowed");
  EXPECT_EQ(to_string(errc::payload_too_large), "payload_too_large");
  EXPECT_EQ(to_string(errc::unsupported_media_type), "unsupported_media_type");
  EXPECT_EQ(to_string(errc::idempotency_conflict), "idempotency_conflict");
  EXPECT_EQ(to_string(errc::conflict), "conflict");
  EXPECT_EQ(to_string(errc::unprocessable), "unprocessable");
  EXPECT_EQ(to_string(errc::range_not_satisfiable), "range_not_satisfiable");
  EXPECT_EQ(to_string(errc::too_many_requests), "too_many_requests");
  EXPECT_EQ(to_string(errc::rate_limited), "rate_limited");
  EXPECT_EQ(to_string(errc::version_not_supported), "version_not_supported");
  EXPECT_EQ(to_string(errc::unavailable), "unavailable");
  EXPECT_EQ(to_string(errc::internal), "internal");
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(errc::internal); ++i) names.insert(to_string(static_cast<errc>(i)));
  EXPECT_EQ(names.size(), 17u);
  EXPECT_EQ(to_string(static_cast<errc>(12345)), "internal");
}

}  // namespace
}  // namespace carechat::core
