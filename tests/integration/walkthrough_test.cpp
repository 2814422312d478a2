// The reference's search walk-through, exactly: Hello0, Hello1, Test1, Test2, Hello2, Test3, Test4;
// search "hello" with pageSize=2, contentPageSize=1; next search page; then the near-located fetch.
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

std::string text_of(const json::value& message) { return std::string(message.at("message").as_string()); }

TEST_F(chat_server_test, reference_search_walkthrough) {
  for (const char* t : {"Hello0", "Hello1", "Test1", "Test2", "Hello2", "Test3", "Test4"})
    ASSERT_EQ(send_outbound(t).status, 200u) << t;

  auto first = http_->get(chat_path() + "/search?query=hello&pageSize=2&contentPageSize=1&includeArchived=true", user_);
  ASSERT_EQ(first.status, 200u) << first.body;
  auto page1 = json_of(first);
  const auto& meta1 = page1.at("meta");
  EXPECT_FALSE(meta1.at("nextPageToken").is_null());
  EXPECT_TRUE(meta1.at("prevPageToken").is_null());
  EXPECT_EQ(meta1.at("pageSize").as_int64(), 2);
  EXPECT_TRUE(meta1.at("found").as_bool());
  const auto& hits1 = page1.at("content").as_array();
  ASSERT_EQ(hits1.size(), 2u);
  EXPECT_EQ(text_of(hits1[0].at("message")), "Hello2");
  EXPECT_EQ(text_of(hits1[1].at("message")), "Hello1");
  EXPECT_EQ(hits1[0].at("message").at("sender").at("clientType").as_string(), "USER");
  EXPECT_EQ(hits1[0].at("message").at("sender").at("titleName").as_string(), "Root Root");
  EXPECT_EQ(hits1[0].at("message").at("receiver").at("clientType").as_string(), "PATIENT");

  const std::string next = std::string(meta1.at("nextPageToken").as_string());
  auto second = http_->get(chat_path() + "/search?pageToken=" + url_encode(next), user_);
  ASSERT_EQ(second.status, 200u) << second.body;
  auto page2 = json_of(second);
  EXPECT_TRUE(page2.at("meta").at("nextPageToken").is_null());
  EXPECT_FALSE(page2.at("meta").at("prevPageToken").is_null());
  EXPECT_EQ(page2.at("meta").at("pageSize").as_int64(), 2);
  const auto& hits2 = page2.at("content").as_array();
  ASSERT_EQ(hits2.size(), 1u);
  EXPECT_EQ(text_of(hits2[0].at("message")), "Hello0");

  // The prev token of the second page leads back to the first page's hits.
  const std::string prev = std::string(page2.at("meta").at("prevPageToken").as_string());
  auto back = json_of(http_->get(chat_path() + "/search?pageToken=" + url_encode(prev), user_));
  ASSERT_EQ(back.at("content").as_array().size(), 2u);
  EXPECT_EQ(text_of(back.at("content").as_array()[0].at("message")), "Hello2");

  // Near-located fetch: Hello2's hit nextPageToken through GET .../chat gives Test2.
  const std::string near = std::string(hits1[0].at("meta").at("nextPageToken").as_string());
  auto around = http_->get(chat_path() + "?pageToken=" + url_encode(near) + "&includeArchived=false", user_);
  ASSERT_EQ(around.status, 200u) << around.body;
  auto page3 = json_of(around);
  EXPECT_EQ(page3.at("meta").at("pageSize").as_int64(), 1);
  EXPECT_TRUE(page3.at("meta").at("found").as_bool());
  EXPECT_FALSE(page3.at("meta").at("nextPageToken").is_null());
  EXPECT_FALSE(page3.at("meta").at("prevPageToken").is_null());
  ASSERT_EQ(page3.at("content").as_array().size(), 1u);
  EXPECT_EQ(text_of(page3.at("content").as_array()[0]), "Test2");

  // And its prevPageToken (newer) leads back to Hello2.
  const std::string newer = std::string(page3.at("meta").at("prevPageToken").as_string());
  auto up = json_of(http_->get(chat_path() + "?pageToken=" + url_encode(newer), user_));
  ASSERT_EQ(up.at("content").as_array().size(), 1u);
  EXPECT_EQ(text_of(up.at("content").as_array()[0]), "Hello2");
}

}  // namespace
}  // namespace carechat::testing
