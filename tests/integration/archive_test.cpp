// POST .../archive and .../restore: strictly-before semantics, counts, visibility in reads and
// search, and who may do it.
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

class archive_test : public chat_server_test {
 protected:
  http_result post(const std::string& route, const std::string& token) {
    return http_->request("POST", chat_path() + route, {}, {{"Authorization", "Bearer " + token}});
  }
  std::vector<std::string> texts(bool include_archived) {
    std::vector<std::string> out;
    for (const auto& m : all_messages(user_, include_archived)) out.push_back(message_text(m));
    return out;
  }
};

TEST_F(archive_test, archive_hides_messages_strictly_before_the_date_until_restore) {
  for (int i = 0; i < 8; ++i) ASSERT_EQ(send_inbound("a" + std::to_string(i)).status, 200u);
  const auto all = all_messages(user_);  // newest first: a7 .. a0
  ASSERT_EQ(all.size(), 8u);
  const std::string cut = str(all[3].at("createdAt"));  // a4's instant
  std::vector<std::string> expect_live;
  std::size_t expect_archived = 0;
  for (const auto& m : all) {
    if (str(m.at("createdAt")) < cut)
      ++expect_archived;
    else
      expect_live.push_back(message_text(m));
  }
  ASSERT_GE(expect_archived, 1u);

  auto r = post("/archive?archiveDate=" + url_encode(cut), user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r), (json::value(json::object{{"archived", expect_archived}})));

  EXPECT_EQ(texts(false), expect_live);
  EXPECT_NE(std::find(expect_live.begin(), expect_live.end(), "a4"), expect_live.end())
      << "a message at exactly archiveDate is not before it";
  EXPECT_EQ(texts(true).size(), 8u) << "includeArchived=true shows them";
  // The default GET (no includeArchived) hides them too, and so does the patient's view.
  auto page = json_of(http_->get(chat_path(), patient_));
  EXPECT_EQ(page.at("content").as_array().size(), expect_live.size());

  // Archiving again at the same date changes nothing more.
  auto again = post("/archive?archiveDate=" + url_encode(cut), user_);
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(json_of(again).at("archived").as_int64(), 0);

  auto back = post("/restore", user_);
  ASSERT_EQ(back.status, 200u) << back.body;
  EXPECT_EQ(json_of(back), (json::value(json::object{{"restored", expect_archived}})));
  EXPECT_EQ(texts(false).size(), 8u);
  auto nothing = post("/restore", user_);
  EXPECT_EQ(json_of(nothing).at("restored").as_int64(), 0);
}

TEST_F(archive_test, archive_accepts_offsets_and_a_past_date_archives_nothing) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("b" + std::to_string(i)).status, 200u);
  auto past = post("/archive?archiveDate=2020-10-05T10:51:41.000Z", user_);
  ASSERT_EQ(past.status, 200u) << past.body;
  EXPECT_EQ(json_of(past).at("archived").as_int64(), 0);
  // Far future with an offset (encoded '+'): everything.
  auto future = post("/archive?archiveDate=" + url_encode("2999-01-01T00:00:00+01:00"), user_);
  ASSERT_EQ(future.status, 200u) << future.body;
  EXPECT_EQ(json_of(future).at("archived").as_int64(), 3);
  EXPECT_TRUE(texts(false).empty());
  EXPECT_EQ(texts(true).size(), 3u);
  auto page = json_of(http_->get(chat_path(), user_));
  EXPECT_FALSE(page.at("meta").at("found").as_bool());
}

TEST_F(archive_test, search_hides_archived_messages_unless_asked) {
  ASSERT_EQ(send_inbound("hello old").status, 200u);
  ASSERT_EQ(post("/archive?archiveDate=2999-01-01T00:00:00.000Z", user_).status, 200u);
  ASSERT_EQ(send_inbound("hello new").status, 200u);
  auto hits = [&](const std::string& extra) {
    auto r = http_->get(chat_path() + "/search?query=hello" + extra, user_);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<std::string> out;
    const auto page = json_of(r);
    for (const auto& h : page.at("content").as_array()) out.push_back(message_text(h.at("message").as_object()));
    return out;
  };
  EXPECT_EQ(hits(""), std::vector<std::string>{"hello new"});
  EXPECT_EQ(hits("&includeArchived=false"), std::vector<std::string>{"hello new"});
  EXPECT_EQ(hits("&includeArchived=true"), (std::vector<std::string>{"hello new", "hello old"}));
}

TEST_F(archive_test, archive_date_is_required_and_must_be_iso_8601) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("c" + std::to_string(i)).status, 200u);
  for (const std::string q : {"", "?archiveDate=", "?archiveDate=yesterday", "?archiveDate=2021-13-01T00:00:00Z",
                              "?archiveDate=2021-02-30T00:00:00Z", "?archiveDate=1612804649000",
                              "?archiveDate=2021-02-08T10:00:00", "?archiveDate=2021-02-08T25:00:00Z",
                              "?archiveDate=2999-01-01T00:00:00.000Z&archiveDate=2999-01-01T00:00:00.000Z"}) {
    SCOPED_TRACE(q);
    expect_error(post("/archive" + q, user_), 400, "bad_request");
  }
  EXPECT_EQ(texts(false).size(), 3u) << "nothing archived by a refused request";
  // A date alone means midnight UTC (a common integrator form); a past one archives nothing.
  auto date_only = post("/archive?archiveDate=2021-02-08", user_);
  EXPECT_EQ(date_only.status, 200u) << date_only.body;
}

TEST_F(archive_test, client_and_patient_may_not_archive_or_restore) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("d" + std::to_string(i)).status, 200u);
  for (const std::string& token : {client_, patient_}) {
    expect_error(post("/archive?archiveDate=2999-01-01T00:00:00.000Z", token), 403, "forbidden");
    EXPECT_EQ(texts(false).size(), 3u);
  }
  ASSERT_EQ(post("/archive?archiveDate=2999-01-01T00:00:00.000Z", user_).status, 200u);
  for (const std::string& token : {client_, patient_}) {
    expect_error(post("/restore", token), 403, "forbidden");
    EXPECT_EQ(texts(false).size(), 0u);
  }
}

}  // namespace
}  // namespace carechat::testing
