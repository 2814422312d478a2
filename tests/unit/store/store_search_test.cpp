// Contract: search is a case-insensitive substring match over one chat, walked like pages.
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::direction;
using strings = std::vector<std::string>;

// Every test runs twice per backend: "scanned", where nothing is ever indexed and the scan of the
// not-yet-indexed messages answers every search, and "indexed", where every message is indexed
// (store::index_search) before each search, so the full-text index answers. The literal
// expectations then hold each path to the contract on its own.
class store_search : public store_contract {
 public:
  static constexpr std::string_view indexed_suffix = "_indexed";

 protected:
  std::vector<domain::message> search(const std::string& text, std::optional<domain::position> after = {},
                                      direction dir = direction::older, int limit = 50, bool include_archived = false,
                                      const std::string& who = "p1") {
    if (indexed()) index_all();
    return store_contract::search(text, after, dir, limit, include_archived, who);
  }

  bool indexed() const { return GetParam().name.ends_with(indexed_suffix); }

  // Indexes until nothing is left; returns how many messages it indexed.
  std::int64_t index_all(int per_batch = 2'000) {
    std::int64_t total = 0;
    for (;;) {
      auto n = store_->index_search(per_batch);
      EXPECT_TRUE(n.has_value()) << n.error().message;
      if (!n || *n == 0) return total;
      total += *n;
    }
  }
};

TEST_P(store_search, the_index_catches_up_in_batches_and_never_twice) {
  if (!GetParam().indexes_later) {
    // Indexed inside apply(): there is never anything left to index, and every message is found.
    send_all({"kiwi one", "two", "KIWI three"});
    auto n = store_->index_search(2);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 0);
    EXPECT_EQ(texts(store_contract::search("kiwi")), (strings{"KIWI three", "kiwi one"}));
    return;
  }
  send_all({"kiwi one", "two", "kiwi three", "four", "KIWI five"});
  EXPECT_EQ(texts(store_contract::search("kiwi")), (strings{"KIWI five", "kiwi three", "kiwi one"}));  // all scanned
  auto first = store_->index_search(2);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(*first, 2);
  // Two indexed, three scanned: one answer, no duplicates.
  EXPECT_EQ(texts(store_contract::search("kiwi")), (strings{"KIWI five", "kiwi three", "kiwi one"}));
  EXPECT_EQ(index_all(2), 3);
  EXPECT_EQ(index_all(), 0) << "nothing is indexed twice";
  EXPECT_EQ(texts(store_contract::search("kiwi")), (strings{"KIWI five", "kiwi three", "kiwi one"}));
  send_all({"kiwi six"});
  EXPECT_EQ(texts(store_contract::search("kiwi")), (strings{"kiwi six", "KIWI five", "kiwi three", "kiwi one"}));
  EXPECT_EQ(index_all(), 1);
}

TEST_P(store_search, finds_case_insensitive_substrings_newest_first) {
  send_all({"Hello0", "Hello1", "Test1", "Test2", "Hello2", "Test3", "Test4"});
  EXPECT_EQ(texts(search("hello")), (strings{"Hello2", "Hello1", "Hello0"}));
  EXPECT_EQ(texts(search("HELLO")), (strings{"Hello2", "Hello1", "Hello0"}));
  EXPECT_EQ(texts(search("llo1")), (strings{"Hello1"}));
  EXPECT_EQ(texts(search("test")), (strings{"Test4", "Test3", "Test2", "Test1"}));
  EXPECT_TRUE(search("absent").empty());
}

TEST_P(store_search, walks_both_ways_from_an_anchor) {
  const auto ms = send_all({"Hello0", "Hello1", "Test1", "Test2", "Hello2", "Test3", "Test4"});
  EXPECT_EQ(texts(search("hello", {}, direction::older, 2)), (strings{"Hello2", "Hello1"}));
  EXPECT_EQ(texts(search("hello", ms[1].pos(), direction::older, 2)), (strings{"Hello0"}));
  EXPECT_EQ(texts(search("hello", ms[0].pos(), direction::newer, 2)), (strings{"Hello1", "Hello2"}));
  EXPECT_EQ(texts(search("hello", ms[3].pos(), direction::newer, 5)), (strings{"Hello2"}));
  EXPECT_TRUE(search("hello", ms[4].pos(), direction::newer, 5).empty());
  EXPECT_TRUE(search("hello", {}, direction::older, 0).empty());
}

TEST_P(store_search, short_queries_fall_back_to_a_scan) {
  send_all({"ok", "OK then", "fine", "a", "Żółw"});
  EXPECT_EQ(texts(search("ok")), (strings{"OK then", "ok"}));
  EXPECT_EQ(texts(search("K")), (strings{"OK then", "ok"}));
  EXPECT_EQ(texts(search("a")), (strings{"a"}));
  EXPECT_EQ(texts(search("ół")), (strings{"Żółw"}));    // two code points, four bytes: still the scan
  EXPECT_EQ(texts(search("ÓŁ")), (strings{"Żółw"}));    // which folds Unicode too
  EXPECT_EQ(texts(search("żółw")), (strings{"Żółw"}));  // 4 code points: the index, which folds Unicode
}

TEST_P(store_search, query_syntax_is_never_interpreted) {
  send_all({R"(say "hi" to her)", "a OR b", "x* y", "col:umn", "NEAR(a b)", "100% sure_", "it's", "(-^-)", "excess",
            R"(a\b)"});
  // LIKE's wildcards and escape are characters like any other (the PostgreSQL store searches with ILIKE).
  EXPECT_TRUE(search("e%s").empty());
  EXPECT_TRUE(search("e_c").empty());
  EXPECT_EQ(texts(search(R"(\b)")), (strings{R"(a\b)"}));
  EXPECT_EQ(texts(search(R"(a\)")), (strings{R"(a\b)"}));
  EXPECT_EQ(texts(search(R"("hi")")), (strings{R"(say "hi" to her)"}));
  EXPECT_EQ(texts(search(R"(y "hi)")), (strings{R"(say "hi" to her)"}));
  EXPECT_EQ(texts(search("a OR b")), (strings{"a OR b"}));
  EXPECT_EQ(texts(search("OR")), (strings{"a OR b"}));
  EXPECT_EQ(texts(search("x*")), (strings{"x* y"}));
  EXPECT_EQ(texts(search("col:umn")), (strings{"col:umn"}));
  EXPECT_EQ(texts(search("NEAR(")), (strings{"NEAR(a b)"}));
  EXPECT_EQ(texts(search("0% s")), (strings{"100% sure_"}));
  EXPECT_EQ(texts(search("%")), (strings{"100% sure_"}));  // no LIKE wildcards in the fallback either
  EXPECT_EQ(texts(search("_")), (strings{"100% sure_"}));
  EXPECT_EQ(texts(search("'s")), (strings{"it's"}));
  EXPECT_EQ(texts(search("(-^-)")), (strings{"(-^-)"}));
  EXPECT_TRUE(search(R"(""")").empty());
  EXPECT_TRUE(search("' OR 1=1 --").empty());
}

TEST_P(store_search, stays_inside_its_chat) {
  send_all({"hello mine"}, "p1");
  send_all({"hello theirs", "hi theirs"}, "p2");
  EXPECT_EQ(texts(search("hello", {}, direction::older, 10, false, "p1")), (strings{"hello mine"}));
  EXPECT_EQ(texts(search("hello", {}, direction::older, 10, false, "p2")), (strings{"hello theirs"}));
  EXPECT_EQ(texts(search("hi", {}, direction::older, 10, false, "p2")), (strings{"hi theirs"}));
  EXPECT_TRUE(search("hi", {}, direction::older, 10, false, "p1").empty());
  EXPECT_TRUE(search("hello", {}, direction::older, 10, false, "nobody").empty());
}

TEST_P(store_search, respects_the_archive_filter) {
  const auto ms = send_all({"hello old", "hello new"});
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), ms[1].created_at, clock_).value()).has_value());
  EXPECT_EQ(texts(search("hello")), (strings{"hello new"}));
  EXPECT_EQ(texts(search("hello", {}, direction::older, 10, true)), (strings{"hello new", "hello old"}));
  EXPECT_EQ(texts(search("he", {}, direction::older, 10, false)), (strings{"hello new"}));
  EXPECT_EQ(texts(search("he", {}, direction::older, 10, true)), (strings{"hello new", "hello old"}));
}

TEST_P(store_search, finds_messages_written_after_a_restart) {
  send_all({"before restart"});
  reopen();
  send_all({"after restart"});
  EXPECT_EQ(texts(search("restart")), (strings{"after restart", "before restart"}));
}

// A backend that indexes after the fact twice: searched through the scan only, and through the
// index (see store_search); one that indexes inside apply() once.
std::vector<backend_factory> scanned_and_indexed() {
  std::vector<backend_factory> out;
  for (const auto& b : all_backends()) {
    if (!b.indexes_later) {
      out.push_back(b);
      continue;
    }
    out.push_back({b.name + "_scanned", b.make, true});
    out.push_back({b.name + std::string(store_search::indexed_suffix), b.make, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(backends, store_search, testing::ValuesIn(scanned_and_indexed()), backend_name);

}  // namespace
}  // namespace carechat::test
