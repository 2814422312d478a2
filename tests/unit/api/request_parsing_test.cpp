#include "api/request_parsing.hpp"
#include "api/json_body.hpp"

#include <gtest/gtest.h>

#include <boost/url/url_view.hpp>

namespace carechat::api {
namespace {

using core::errc;
using domain::chat_key;
using domain::cursor;
using domain::cursor_kind;
using domain::direction;

template <class T>
void expect_error(const core::result<T>& r, errc code, std::string_view message_part = {}) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_NE(r.error().message.find(message_part), std::string::npos) << r.error().message;
}

// ---- send bodies ----

TEST(parse_send_body, message_only) {
  const auto r = parse_send_body(R"({"message":"hello, world!"})", "application/json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "hello, world!");
  EXPECT_FALSE(r->sender.has_value());
}

TEST(parse_send_body, attachment_ids_and_then_the_text_may_be_left_out) {
  const auto r = parse_send_body(R"({"attachmentIds":["AT1","AT2"]})", "application/json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "");
  EXPECT_EQ(r->attachment_ids, (std::vector<std::string>{"AT1", "AT2"}));
  const auto both = parse_send_body(R"({"message":"see","attachmentIds":null})", "application/json");
  ASSERT_TRUE(both.has_value());
  EXPECT_TRUE(both->attachment_ids.empty());
  for (const char* bad : {R"({})", R"({"attachmentIds":[]})", R"({"attachmentIds":"AT1"})",
                          R"({"attachmentIds":[1]})", R"({"message":"x","attachmentIds":{}})"}) {
    const auto e = parse_send_body(bad, "application/json");
    ASSERT_FALSE(e.has_value()) << bad;
    EXPECT_EQ(e.error().code, core::errc::bad_request) << bad;
  }
  std::string many = R"({"attachmentIds":[)";
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + "\"AT\"";
  many += "]}";
  EXPECT_FALSE(parse_send_body(many, "application/json").has_value());
}

TEST(parse_send_body, with_sender) {
  const auto r = parse_send_body(R"({"sender":{"id":"u-1","titleName":"Root Root"},"message":"hi \u00e9"})",
                                 "application/json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "hi é");
  ASSERT_TRUE(r->sender.has_value());
  EXPECT_EQ(r->sender->type, domain::client_type::user);
  EXPECT_EQ(r->sender->id, "u-1");
  EXPECT_EQ(r->sender->title_name, "Root Root");
}

TEST(parse_send_body, sender_without_title_and_null_values) {
  auto r = parse_send_body(R"({"message":"x","sender":{"id":"u"}})", "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->sender->title_name.has_value());
  r = parse_send_body(R"({"message":"x","sender":{"id":"u","titleName":null}})", "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->sender->title_name.has_value());
  r = parse_send_body(R"({"message":"x","sender":null})", "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->sender.has_value());
}

TEST(parse_send_body, unknown_fields_are_ignored) {
  const auto r = parse_send_body(R"({"message":"x","future":{"a":[1,2,3]},"sender":{"id":"u","extra":true}})",
                                 "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "x");
}

TEST(parse_send_body, large_body_beyond_the_scratch_buffer) {
  const std::string text(50000, 'z');
  const auto r = parse_send_body(R"({"message":")" + text + R"(","sender":{"id":"u","titleName":"T"}})", "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, text);
  EXPECT_EQ(r->sender->title_name, "T");
}

TEST(parse_send_body, lengths_are_left_to_the_domain) {
  for (std::string text : {std::string(), std::string("   "), std::string(100000, 'x')}) {
    const auto r = parse_send_body(R"({"message":")" + text + R"("})", "application/json");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->text, text);
  }
}

TEST(parse_send_body, embedded_nul_is_kept) {
  const auto r = parse_send_body(R"({"message":"a\u0000b"})", "application/json");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, std::string("a\0b", 3));
}

TEST(parse_send_body, content_type_variants) {
  for (std::string_view ct : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                              "application/json;charset=UTF-8", "application/json ; charset=\"utf-8\"",
                              " application/json ", "application/json; foo=bar", "application/json;"}) {
    EXPECT_TRUE(parse_send_body(R"({"message":"x"})", ct).has_value()) << ct;
  }
}

TEST(parse_send_body, other_content_types_are_unsupported) {
  for (std::string_view ct : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                              "application/json-patch+json", "application/ld+json", "application/json; charset=latin1",
                              "application/json; charset=utf-16", "json", "application/ json"}) {
    expect_error(parse_send_body(R"({"message":"x"})", ct), errc::unsupported_media_type, "Content-Type");
  }
}

TEST(parse_send_body, invalid_json) {
  for (std::string_view body : {"", "{", "{\"message\":}", "{\"message\":\"x\"} trailing", "{'message':'x'}",
                                "{\"message\":\"x\",}", "{\"message\":\"x\" /* c */}", "\xff", "{\"message\":\"\xff\"}",
                                "{\"message\":\"\xc0\xaf\"}"}) {
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "body is not valid JSON");
  }
}

TEST(parse_send_body, deep_nesting_is_refused) {
  std::string deep = R"({"message":"x","a":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  expect_error(parse_send_body(deep, "application/json"), errc::bad_request, "nested too deeply");
  std::string ok = R"({"message":"x","a":)";
  for (int i = 0; i < 10; ++i) ok += "[";
  for (int i = 0; i < 10; ++i) ok += "]";
  ok += "}";
  EXPECT_TRUE(parse_send_body(ok, "application/json").has_value());
}

TEST(parse_send_body, not_an_object) {
  for (std::string_view body : {"[]", "\"message\"", "42", "null", "true"})
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "body must be a JSON object");
}

TEST(parse_send_body, message_missing_or_mistyped) {
  expect_error(parse_send_body("{}", "application/json"), errc::bad_request, "message is required");
  expect_error(parse_send_body(R"({"Message":"x"})", "application/json"), errc::bad_request, "message is required");
  for (std::string_view body : {R"({"message":1})", R"({"message":null})", R"({"message":["x"]})", R"({"message":{}})",
                                R"({"message":true})"})
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "message must be a string");
}

TEST(parse_send_body, sender_mistyped) {
  for (std::string_view body : {R"({"message":"x","sender":"u"})", R"({"message":"x","sender":[]})",
                                R"({"message":"x","sender":1})"})
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "sender must be an object");
  for (std::string_view body : {R"({"message":"x","sender":{}})", R"({"message":"x","sender":{"id":5}})",
                                R"({"message":"x","sender":{"id":null,"titleName":"A"}})"})
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "sender.id");
  for (std::string_view body : {R"({"message":"x","sender":{"id":"u","titleName":5}})",
                                R"({"message":"x","sender":{"id":"u","titleName":{}}})"})
    expect_error(parse_send_body(body, "application/json"), errc::bad_request, "sender.titleName must be a string");
}

// ---- query parameters ----

class query_parsing_test : public ::testing::Test {
 protected:
  core::openssl_random rng_;
  page_token_codec tokens_{core::bytes(32, 3), rng_};
  chat_key chat_{"gh", "sb-demo", "p-1"};

  std::string messages_token(int size = 5) {
    cursor c;
    c.kind = cursor_kind::messages;
    c.dir = direction::newer;
    c.anchor = {1000, 2};
    c.page_size = size;
    return tokens_.encode(c, chat_);
  }
  std::string search_token(std::string query = "hello world") {
    cursor c;
    c.kind = cursor_kind::search;
    c.anchor = {1000, 2};
    c.page_size = 2;
    c.content_page_size = 1;
    c.query = std::move(query);
    return tokens_.encode(c, chat_);
  }
};

TEST_F(query_parsing_test, page_defaults) {
  const auto r = parse_page_request("", tokens_, chat_);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->from.has_value());
  EXPECT_FALSE(r->page_size.has_value());
  EXPECT_FALSE(r->include_archived.has_value());
}

TEST_F(query_parsing_test, page_all_parameters) {
  const std::string t = messages_token();
  const auto r = parse_page_request("pageSize=10&includeArchived=TRUE&pageToken=" + t + "&unknown=1&x", tokens_, chat_);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->page_size, 10);
  EXPECT_EQ(r->include_archived, true);
  ASSERT_TRUE(r->from.has_value());
  EXPECT_EQ(r->from->page_size, 5);
  EXPECT_EQ(r->from->dir, direction::newer);
  // Both pageSize and pageToken are passed on: the domain owns the mutual-exclusion rule.
}

TEST_F(query_parsing_test, page_from_url_view_params) {
  const std::string target = "/gh/sb-demo/patient/p-1/chat?includeArchived=false&pageToken=" + messages_token();
  const boost::urls::url_view url(target);
  const auto r = parse_page_request(url.params(), tokens_, chat_);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->include_archived, false);
  EXPECT_TRUE(r->from.has_value());
}

TEST_F(query_parsing_test, page_size_is_percent_decoded) {
  const auto r = parse_page_request("page%53ize=%31%30", tokens_, chat_);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->page_size, 10);
}

TEST_F(query_parsing_test, page_size_syntax) {
  for (std::string_view ok : {"1", "10", "200", "010", "5000", "2147483647"})
    EXPECT_TRUE(parse_page_request("pageSize=" + std::string(ok), tokens_, chat_).has_value()) << ok;
  for (std::string_view bad : {"", "0", "00", "-1", "-0", "+5", "1e1", "0x10", "%205", "5%20", "5+", "+", "1.0", "ten", "%EF%BC%91",
                               "5;", "%00"}) {
    expect_error(parse_page_request("pageSize=" + std::string(bad), tokens_, chat_), errc::bad_request,
                 "pageSize must be a positive integer");
  }
  expect_error(parse_page_request("pageSize", tokens_, chat_), errc::bad_request, "pageSize must be a positive integer");
  for (std::string_view big : {"2147483648", "99999999999999999999999"})
    expect_error(parse_page_request("pageSize=" + std::string(big), tokens_, chat_), errc::bad_request,
                 "pageSize is out of range");
}

TEST_F(query_parsing_test, booleans) {
  for (auto [text, value] : {std::pair{"true", true}, {"false", false}, {"True", true}, {"FALSE", false}, {"tRuE", true}}) {
    const auto r = parse_page_request(std::string("includeArchived=") + text, tokens_, chat_);
    ASSERT_TRUE(r.has_value()) << text;
    EXPECT_EQ(r->include_archived, value);
  }
  for (std::string_view bad : {"", "1", "0", "yes", "no", "t", "truee", "%20true", "true%20"})
    expect_error(parse_page_request("includeArchived=" + std::string(bad), tokens_, chat_), errc::bad_request,
                 "includeArchived must be true or false");
  expect_error(parse_page_request("includeArchived", tokens_, chat_), errc::bad_request, "includeArchived");
}

TEST_F(query_parsing_test, repeated_parameters_are_rejected) {
  expect_error(parse_page_request("pageSize=1&pageSize=1", tokens_, chat_), errc::bad_request,
               "pageSize is given more than once");
  expect_error(parse_page_request("includeArchived=true&includeArchived=false", tokens_, chat_), errc::bad_request,
               "includeArchived is given more than once");
  const std::string t = messages_token();
  expect_error(parse_page_request("pageToken=" + t + "&pageToken=" + t, tokens_, chat_), errc::bad_request,
               "pageToken is given more than once");
  // Even when the second spelling is percent-encoded.
  expect_error(parse_page_request("pageSize=1&page%53ize=2", tokens_, chat_), errc::bad_request, "more than once");
  // Unknown parameters may repeat.
  EXPECT_TRUE(parse_page_request("x=1&x=2", tokens_, chat_).has_value());
}

TEST_F(query_parsing_test, parameter_names_are_case_sensitive) {
  const auto r = parse_page_request("pagesize=abc&PAGESIZE=-1", tokens_, chat_);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->page_size.has_value());
}

TEST_F(query_parsing_test, bad_page_tokens) {
  expect_error(parse_page_request("pageToken=", tokens_, chat_), errc::invalid_page_token);
  expect_error(parse_page_request("pageToken=garbage", tokens_, chat_), errc::invalid_page_token);
  expect_error(parse_page_request("pageToken=" + search_token(), tokens_, chat_), errc::invalid_page_token);
  expect_error(parse_page_request("pageToken=" + messages_token(), tokens_, chat_key{"gh", "sb-demo", "p-2"}),
               errc::invalid_page_token);
  // A reference-style (unsealed base64 JSON) token.
  expect_error(parse_page_request("pageToken=eyJ0eXBlIjoiTE9DQUxfRklORCJ9", tokens_, chat_), errc::invalid_page_token);
}

TEST_F(query_parsing_test, malformed_query_string) {
  // Raw spaces and non-ASCII bytes are not valid in a query (RFC 3986); clients percent-encode them.
  expect_error(parse_page_request("pageSize= 5", tokens_, chat_), errc::bad_request, "query string is malformed");
  expect_error(parse_search_request("query=１", tokens_, chat_), errc::bad_request, "query string is malformed");
  expect_error(parse_page_request("pageSize=%zz", tokens_, chat_), errc::bad_request, "query string is malformed");
  expect_error(parse_page_request("pageSize=%1", tokens_, chat_), errc::bad_request, "query string is malformed");
  expect_error(parse_search_request("query=a%", tokens_, chat_), errc::bad_request, "query string is malformed");
  expect_error(parse_archive_date(std::string_view("archiveDate=%G0")), errc::bad_request, "query string is malformed");
}

TEST_F(query_parsing_test, raw_query_is_read_only_within_its_view) {
  // Regression (found by fuzz/query_fuzz): Boost.URL 1.81's parse_query() sizes what it returns
  // with strlen(data()), so a query viewed inside a larger buffer was read past its end (its last
  // parameter ran on to the next '&' or NUL), and an empty view with a null data() crashed.
  const std::string_view buffer = "pageSize=12&includeArchived=true&archiveDate=2020-10-05T10:51:41.000Z";
  const auto page = parse_page_request(buffer.substr(0, 10), tokens_, chat_);  // "pageSize=1"
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->page_size, 1);
  const auto search = parse_search_request(buffer.substr(0, 10), tokens_, chat_);
  ASSERT_TRUE(search.has_value()) << search.error().message;
  EXPECT_EQ(search->page_size, 1);
  const auto date = parse_archive_date(buffer.substr(33, 22));  // "archiveDate=2020-10-05"
  ASSERT_TRUE(date.has_value()) << date.error().message;
  EXPECT_EQ(*date, 1601856000000);
  for (std::string_view empty : {buffer.substr(0, 0), std::string_view()}) {
    const auto p = parse_page_request(empty, tokens_, chat_);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_FALSE(p->page_size.has_value());
    ASSERT_TRUE(parse_search_request(empty, tokens_, chat_).has_value());
    expect_error(parse_archive_date(empty), errc::bad_request, "archiveDate is required");
  }
}

TEST_F(query_parsing_test, search_first_page) {
  const auto r = parse_search_request("query=hello+world%21&pageSize=2&contentPageSize=1&includeArchived=true", tokens_, chat_);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->query, "hello world!");
  EXPECT_EQ(r->page_size, 2);
  EXPECT_EQ(r->content_page_size, 1);
  EXPECT_EQ(r->include_archived, true);
  EXPECT_FALSE(r->from.has_value());
}

TEST_F(query_parsing_test, search_query_is_passed_as_given) {
  // Emptiness, UTF-8 and length are the domain's to judge.
  for (auto [raw, decoded] : {std::pair{"query=", ""}, {"query", ""}, {"query=%20", " "}, {"query=%FF", "\xff"},
                              {"query=a%26b%3Dc", "a&b=c"}, {"query=%E2%9C%93", "✓"}}) {
    const auto r = parse_search_request(raw, tokens_, chat_);
    ASSERT_TRUE(r.has_value()) << raw;
    EXPECT_EQ(r->query, decoded) << raw;
  }
  const auto none = parse_search_request("pageSize=2", tokens_, chat_);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->query.has_value());
}

TEST_F(query_parsing_test, search_next_page) {
  const auto r = parse_search_request("pageToken=" + search_token(), tokens_, chat_);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_TRUE(r->from.has_value());
  EXPECT_EQ(r->from->kind, cursor_kind::search);
  EXPECT_EQ(r->from->query, "hello world");
  EXPECT_FALSE(r->query.has_value());
  EXPECT_FALSE(r->page_size.has_value());
}

TEST_F(query_parsing_test, search_errors) {
  expect_error(parse_search_request("pageToken=" + messages_token(), tokens_, chat_), errc::invalid_page_token);
  expect_error(parse_search_request("pageToken=x", tokens_, chat_), errc::invalid_page_token);
  expect_error(parse_search_request("query=a&query=b", tokens_, chat_), errc::bad_request, "query is given more than once");
  expect_error(parse_search_request("query=a&pageSize=0", tokens_, chat_), errc::bad_request,
               "pageSize must be a positive integer");
  expect_error(parse_search_request("query=a&contentPageSize=1e3", tokens_, chat_), errc::bad_request,
               "contentPageSize must be a positive integer");
  expect_error(parse_search_request("query=a&contentPageSize=3000000000", tokens_, chat_), errc::bad_request,
               "contentPageSize is out of range");
  expect_error(parse_search_request("query=a&contentPageSize=1&contentPageSize=1", tokens_, chat_), errc::bad_request,
               "contentPageSize is given more than once");
  expect_error(parse_search_request("query=a&includeArchived=on", tokens_, chat_), errc::bad_request,
               "includeArchived must be true or false");
}

TEST(parse_archive_date, accepts_iso8601) {
  auto r = parse_archive_date(std::string_view("archiveDate=2020-10-05T10:51:41.000Z"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1601895101000);
  r = parse_archive_date(std::string_view("archiveDate=2020-10-05T11:51:41.000%2B01:00&other=1"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 1601895101000);
  // An unencoded '+' decodes as a space; it can only have meant '+'.
  r = parse_archive_date(std::string_view("archiveDate=2020-10-05T11:51:41.000+01:00"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 1601895101000);
  r = parse_archive_date(std::string_view("archiveDate=2020-10-05"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 1601856000000);
  const boost::urls::url_view url("/gh/sb-demo/patient/p/chat/archive?archiveDate=2020-10-05T10:51:41.000Z");
  r = parse_archive_date(url.params());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 1601895101000);
}

TEST(parse_archive_date, errors) {
  expect_error(parse_archive_date(std::string_view("")), errc::bad_request, "archiveDate is required");
  expect_error(parse_archive_date(std::string_view("archivedate=2020-10-05")), errc::bad_request, "archiveDate is required");
  for (std::string_view bad : {"archiveDate", "archiveDate=", "archiveDate=yesterday", "archiveDate=1601895101000",
                               "archiveDate=2020-13-01T00:00:00Z", "archiveDate=2020-10-05T10:51:41",
                               "archiveDate=2020-10-05%2010:51:41Z"})
    expect_error(parse_archive_date(bad), errc::bad_request, "archiveDate must be an ISO-8601 date-time");
  expect_error(parse_archive_date(std::string_view("archiveDate=2020-10-05&archiveDate=2020-10-06")), errc::bad_request,
               "archiveDate is given more than once");
  expect_error(parse_archive_date(std::string_view("archiveDate=%")), errc::bad_request, "query string is malformed");
}

// ---- headers ----

TEST(parse_idempotency_key, absent_and_valid) {
  auto r = parse_idempotency_key(std::nullopt);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->has_value());
  for (std::string key : {std::string("a"), std::string("550e8400-e29b-41d4-a716-446655440000"), std::string(255, '~'),
                          std::string("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")}) {
    r = parse_idempotency_key(std::string_view(key));
    ASSERT_TRUE(r.has_value()) << key;
    EXPECT_EQ(r->value(), key);
  }
}

TEST(parse_idempotency_key, invalid) {
  for (std::string key : {std::string(), std::string(256, 'a'), std::string("has space"), std::string("tab\there"),
                          std::string("é"), std::string("a\x7f"), std::string("a\0b", 3), std::string("a\r\n")}) {
    expect_error(parse_idempotency_key(std::string_view(key)), errc::bad_request, "Idempotency-Key");
  }
}

TEST(request_fingerprint, is_stable_and_framed) {
  const auto a = request_fingerprint("POST", "/gh/sb/patient/p/chat/inbound", R"({"message":"x"})");
  EXPECT_EQ(a, request_fingerprint("POST", "/gh/sb/patient/p/chat/inbound", R"({"message":"x"})"));
  EXPECT_NE(a, request_fingerprint("POST", "/gh/sb/patient/p/chat/inbound", R"({"message":"y"})"));
  EXPECT_NE(a, request_fingerprint("POST", "/gh/sb/patient/p/chat/outbound", R"({"message":"x"})"));
  EXPECT_NE(a, request_fingerprint("PUT", "/gh/sb/patient/p/chat/inbound", R"({"message":"x"})"));
  // Moving bytes across field boundaries changes the fingerprint.
  EXPECT_NE(request_fingerprint("POST", "/a", "b"), request_fingerprint("POST", "/ab", ""));
  EXPECT_NE(request_fingerprint("POS", "T/a", "b"), request_fingerprint("POST", "/a", "b"));
  EXPECT_NE(request_fingerprint("", "", ""), request_fingerprint("", "", std::string_view("\0", 1)));
}

}  // namespace
}  // namespace carechat::api

namespace carechat::api {
namespace {

TEST(json_body, duplicate_keys_are_found_at_any_depth_and_after_unescaping) {
  EXPECT_TRUE(has_duplicate_keys(R"({"a":1,"a":2})"));
  EXPECT_TRUE(has_duplicate_keys(R"({"a":1,"\u0061":2})"));
  EXPECT_TRUE(has_duplicate_keys(R"({"x":{"b":1,"c":2,"b":3}})"));
  EXPECT_TRUE(has_duplicate_keys(R"([{"k":1},{"k":1,"k":2}])"));
  EXPECT_FALSE(has_duplicate_keys(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})"));
  EXPECT_FALSE(has_duplicate_keys(R"({"a":1,"A":2})"));
  EXPECT_FALSE(has_duplicate_keys(R"({})"));
}

TEST(json_body, a_send_or_read_body_with_a_duplicate_key_is_refused) {
  auto send = parse_send_body(R"({"message":"one","message":"two"})", "application/json");
  ASSERT_FALSE(send);
  EXPECT_EQ(send.error().code, core::errc::bad_request);
  auto read = parse_read_body(R"({"upTo":"IMa","upTo":"IMb"})", "application/json");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, core::errc::bad_request);
}

}  // namespace
}  // namespace carechat::api
