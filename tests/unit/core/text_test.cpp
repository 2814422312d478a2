#include "core/text.hpp"

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

TEST(split_list, trims_and_drops_empty_items) {
  EXPECT_EQ(split_list("carechat.v1, bearer.x"), (std::vector<std::string_view>{"carechat.v1", "bearer.x"}));
  EXPECT_EQ(split_list(" a ,, \tb\t,"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ,").empty());
  EXPECT_EQ(split_list("a;b", ';'), (std::vector<std::string_view>{"a", "b"}));
}

}  // namespace
}  // namespace carechat::core
