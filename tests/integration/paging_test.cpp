// Paging of GET .../chat: walking both ways with the tokens, page-size rules and the default from
// CARECHAT_PAGE_LIMIT, and a total order even when timestamps are equal.
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

struct page {
  std::vector<std::string> texts;
  std::vector<std::string> ids;
  json::value next, prev;
  std::int64_t page_size = 0;
  bool found = false;
};

page parse_page(const http_result& r) {
  page p;
  EXPECT_EQ(r.status, 200u) << r.body;
  if (r.status != 200) return p;
  auto v = json::parse(r.body).as_object();
  const auto& meta = v.at("meta").as_object();
  p.next = meta.at("nextPageToken");
  p.prev = meta.at("prevPageToken");
  p.page_size = meta.at("pageSize").as_int64();
  p.found = meta.at("found").as_bool();
  for (const auto& m : v.at("content").as_array()) {
    p.texts.push_back(message_text(m.as_object()));
    p.ids.push_back(str(m.at("externalId")));
  }
  return p;
}

// m44 ... m00, or any [hi, lo] slice of them, newest first.
std::vector<std::string> names(int hi, int lo) {
  std::vector<std::string> out;
  for (int i = hi; i >= lo; --i) out.push_back((i < 10 ? "m0" : "m") + std::to_string(i));
  return out;
}

class paging_test : public chat_server_test {
 protected:
  void send_numbered(int n) {
    for (int i = 0; i < n; ++i) ASSERT_EQ(send_inbound((i < 10 ? "m0" : "m") + std::to_string(i)).status, 200u) << i;
  }
  page fetch(const std::string& query) { return parse_page(http_->get(chat_path() + query, user_)); }
  page follow(const json::value& token) {
    EXPECT_TRUE(token.is_string());
    if (!token.is_string()) return {};
    return fetch("?pageToken=" + url_encode(str(token)));
  }
};

TEST_F(paging_test, walks_45_messages_older_then_back_newer) {
  send_numbered(45);

  auto p1 = fetch("?pageSize=20");
  EXPECT_EQ(p1.texts, names(44, 25));
  EXPECT_TRUE(p1.prev.is_null()) << "the newest page has nothing newer";
  EXPECT_EQ(p1.page_size, 20);
  EXPECT_TRUE(p1.found);

  auto p2 = follow(p1.next);
  EXPECT_EQ(p2.texts, names(24, 5));
  EXPECT_FALSE(p2.prev.is_null());
  EXPECT_EQ(p2.page_size, 20);

  auto p3 = follow(p2.next);
  EXPECT_EQ(p3.texts, names(4, 0));
  EXPECT_TRUE(p3.next.is_null()) << "nothing is older than m00";
  EXPECT_FALSE(p3.prev.is_null());
  EXPECT_EQ(p3.page_size, 20);

  // No duplicate, no gap: the three pages are exactly the 45 messages.
  std::set<std::string> seen(p1.ids.begin(), p1.ids.end());
  seen.insert(p2.ids.begin(), p2.ids.end());
  seen.insert(p3.ids.begin(), p3.ids.end());
  EXPECT_EQ(seen.size(), 45u);

  // And back: prev walks to newer messages, page by page, to the newest page.
  auto b2 = follow(p3.prev);
  EXPECT_EQ(b2.texts, names(24, 5));
  EXPECT_EQ(b2.ids, p2.ids);
  EXPECT_FALSE(b2.next.is_null());
  EXPECT_FALSE(b2.prev.is_null());
  auto b1 = follow(b2.prev);
  EXPECT_EQ(b1.texts, names(44, 25));
  EXPECT_TRUE(b1.prev.is_null()) << "back at the newest page";
  EXPECT_FALSE(b1.next.is_null());

  // The next token of a page reached going back still leads older.
  auto again = follow(b1.next);
  EXPECT_EQ(again.texts, names(24, 5));
}

TEST_F(paging_test, page_that_fits_exactly_has_no_next_token) {
  send_numbered(20);
  auto p = fetch("?pageSize=20");
  EXPECT_EQ(p.texts, names(19, 0));
  EXPECT_TRUE(p.next.is_null());
  EXPECT_TRUE(p.prev.is_null());
  auto one = fetch("?pageSize=19");
  EXPECT_EQ(one.texts, names(19, 1));
  auto last = follow(one.next);
  EXPECT_EQ(last.texts, names(0, 0));
  EXPECT_TRUE(last.next.is_null());
}

TEST_F(paging_test, page_size_above_200_is_served_as_200) {
  // 205 sends, concurrently to keep the test short (each is its own fsync when sequential).
  restart(rate_limits_off());  // 205 sends at once from one token: a load, over the default send limit
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 5; ++t)
    threads.emplace_back([&, t] {
      http_client c(server_->port());
      for (int i = 0; i < 41; ++i)
        if (c.post_json(chat_path() + "/inbound", patient_,
                        json::serialize(json::object{{"message", "t" + std::to_string(t) + "-" + std::to_string(i)}}))
                .status == 200)
          ++ok;
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(ok.load(), 205);

  auto p = fetch("?pageSize=500");
  EXPECT_EQ(p.page_size, 200);
  EXPECT_EQ(p.texts.size(), 200u);
  EXPECT_FALSE(p.next.is_null());
  auto rest = follow(p.next);
  EXPECT_EQ(rest.texts.size(), 5u);
  EXPECT_EQ(rest.page_size, 200);
  EXPECT_TRUE(rest.next.is_null());

  auto max = fetch("?pageSize=2147483647");
  EXPECT_EQ(max.page_size, 200);
  EXPECT_EQ(max.texts.size(), 200u);
}

TEST_F(paging_test, invalid_page_sizes_are_400) {
  send_numbered(3);
  for (const char* bad : {"0", "-1", "abc", "1.5", "", "1e1", "%2B5", "%205", "0x10", "99999999999999999999"}) {
    expect_error(http_->get(chat_path() + "?pageSize=" + bad, user_), 400, "bad_request");
    expect_error(http_->get(chat_path() + "/search?query=m0&pageSize=" + bad, user_), 400, "bad_request");
    expect_error(http_->get(chat_path() + "/search?query=m0&contentPageSize=" + bad, user_), 400, "bad_request");
  }
  expect_error(http_->get(chat_path() + "?pageSize=2&pageSize=3", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "?includeArchived=yes", user_), 400, "bad_request");
  EXPECT_EQ(fetch("?pageSize=1").texts, names(2, 2));
}

TEST_F(paging_test, page_size_with_page_token_is_400) {
  send_numbered(5);
  auto p = fetch("?pageSize=2");
  ASSERT_TRUE(p.next.is_string());
  expect_error(http_->get(chat_path() + "?pageSize=2&pageToken=" + url_encode(str(p.next)), user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "?pageToken=" + url_encode(str(p.next)) + "&pageSize=2", user_), 400,
               "bad_request");
}

TEST_F(paging_test, default_page_size_comes_from_carechat_page_limit) {
  send_numbered(25);
  EXPECT_EQ(fetch("").page_size, 20);
  EXPECT_EQ(fetch("").texts, names(24, 5));

  restart({{"CARECHAT_PAGE_LIMIT", "5"}});
  auto five = fetch("");
  EXPECT_EQ(five.page_size, 5);
  EXPECT_EQ(five.texts, names(24, 20));
  EXPECT_EQ(follow(five.next).texts, names(19, 15)) << "tokens keep the page size they were minted with";
  EXPECT_EQ(fetch("?pageSize=7").texts.size(), 7u) << "an explicit pageSize still wins";

  restart({{"CARECHAT_PAGE_LIMIT", "abc"}});
  auto fallback = fetch("");
  EXPECT_EQ(fallback.page_size, 20);
  EXPECT_EQ(fallback.texts.size(), 20u);

  restart({{"CARECHAT_PAGE_LIMIT", "1000"}});
  auto capped = fetch("");
  EXPECT_EQ(capped.page_size, 200);
  EXPECT_EQ(capped.texts.size(), 25u);

  restart({{"CARECHAT_PAGE_LIMIT", "0"}});
  EXPECT_EQ(fetch("").page_size, 20);
}

TEST_F(paging_test, equal_timestamps_still_have_a_total_stable_order) {
  // 30 sends at once: the writer commits them in few batches, so many share a millisecond.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 30; ++t)
    threads.emplace_back([&, t] {
      http_client c(server_->port());
      if (c.post_json(chat_path() + "/inbound", patient_,
                      json::serialize(json::object{{"message", "c" + std::to_string(t)}}))
              .status == 200)
        ++ok;
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(ok.load(), 30);

  auto first = http_->get(chat_path() + "?pageSize=200", user_);
  auto second = http_->get(chat_path() + "?pageSize=200", user_);
  ASSERT_EQ(first.status, 200u);
  auto a = parse_page(first);
  auto b = parse_page(second);
  ASSERT_EQ(a.ids.size(), 30u);
  EXPECT_EQ(a.ids, b.ids) << "two identical reads give one order";
  EXPECT_EQ(std::set<std::string>(a.ids.begin(), a.ids.end()).size(), 30u);

  auto all = json::parse(first.body).at("content").as_array();
  int ties = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(str(all[i - 1].at("createdAt")), str(all[i].at("createdAt"))) << "newest first";
    ties += all[i - 1].at("createdAt") == all[i].at("createdAt");
  }
  RecordProperty("equal_timestamp_neighbours", ties);

  // Pages of 7 cut through runs of equal timestamps and must still give the same sequence, both ways.
  std::vector<std::string> walked;
  std::vector<page> pages;
  auto p = fetch("?pageSize=7");
  for (;;) {
    pages.push_back(p);
    walked.insert(walked.end(), p.ids.begin(), p.ids.end());
    if (p.next.is_null()) break;
    p = follow(p.next);
  }
  EXPECT_EQ(walked, a.ids);
  std::vector<std::string> back(pages.back().ids);
  page q = pages.back();
  while (!q.prev.is_null()) {
    q = follow(q.prev);
    back.insert(back.begin(), q.ids.begin(), q.ids.end());
  }
  EXPECT_EQ(back, a.ids);
}

}  // namespace
}  // namespace carechat::testing
