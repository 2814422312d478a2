// The bytes an API reply goes out as (format_reply_head + body) against the Beast message of the
// same reply (to_response): a client must not be able to tell the two writers apart.
#include "net/reply.hpp"

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

struct parsed {
  unsigned status = 0;
  unsigned version = 0;
  bool keep_alive = false;
  std::multimap<std::string, std::string> fields;
  std::string body;
};

parsed parse(const std::string& wire) {
  http::response_parser<http::string_body> p;
  p.eager(true);
  beast::error_code ec;
  const std::size_t used = p.put(asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << wire;
  EXPECT_TRUE(p.is_done()) << wire;
  EXPECT_EQ(used, wire.size()) << "nothing after the body";
  parsed out;
  const auto& m = p.get();
  out.status = m.result_int();
  out.version = m.version();
  out.keep_alive = m.keep_alive();
  for (const auto& f : m) out.fields.emplace(std::string(f.name_string()), std::string(f.value()));
  out.body = m.body();
  return out;
}

std::string beast_wire(unsigned version, bool keep, const reply& rep) {
  std::ostringstream os;
  os << to_response(version, keep, rep);
  return os.str();
}

std::string our_wire(unsigned version, bool keep, const reply& rep) {
  std::string head = "left over from the previous request";
  format_reply_head(head, version, keep, rep);
  return head + std::string(body_of(rep));
}

void expect_same(unsigned version, bool keep, const reply& rep) {
  const parsed ours = parse(our_wire(version, keep, rep));
  const parsed beasts = parse(beast_wire(version, keep, rep));
  EXPECT_EQ(ours.status, beasts.status);
  EXPECT_EQ(ours.version, version);
  EXPECT_EQ(ours.version, beasts.version);
  EXPECT_EQ(ours.keep_alive, keep);
  EXPECT_EQ(ours.keep_alive, beasts.keep_alive);
  EXPECT_EQ(ours.fields, beasts.fields);
  EXPECT_EQ(ours.body, beasts.body);
}

TEST(reply_head, matches_beast_for_every_kind_of_reply) {
  reply ok{200, R"({"content":[]})"};
  reply replay{200, R"({"id":"x"})"};
  replay.idempotent_replay = true;
  reply unauthorized = error_reply(core::error{core::errc::unauthorized, "missing token"});
  reply post_only = error_reply(core::error{core::errc::method_not_allowed, "use POST"});
  post_only.allow_post_only = true;
  reply get_put = error_reply(core::error{core::errc::method_not_allowed, "use GET or PUT"});
  get_put.allow_get_or_put = true;
  reply empty{204, ""};
  reply unavailable = error_reply(core::error{core::errc::unavailable, "postgres: the database connection failed"});
  for (const reply* rep : {&ok, &replay, &unauthorized, &post_only, &get_put, &empty, &unavailable})
    for (unsigned version : {10u, 11u})
      for (bool keep : {true, false}) {
        SCOPED_TRACE(std::to_string(rep->status) + " HTTP/" + std::to_string(version) + (keep ? " keep" : " close"));
        expect_same(version, keep, *rep);
      }
}

TEST(reply_head, a_shared_body_is_sent_instead_of_the_own_one) {
  reply rep{200, "not this"};
  rep.shared_body = std::make_shared<const std::string>(R"({"cached":true})");
  EXPECT_EQ(body_of(rep), R"({"cached":true})");
  const parsed ours = parse(our_wire(11, true, rep));
  EXPECT_EQ(ours.body, R"({"cached":true})");
  EXPECT_EQ(ours.fields.find("Content-Length")->second, "15");
  expect_same(11, true, rep);
}

TEST(reply_head, names_the_status) {
  std::string head;
  format_reply_head(head, 11, true, reply{404, "{}"});
  EXPECT_EQ(head.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << head;
  format_reply_head(head, 10, false, reply{503, "{}"});
  EXPECT_EQ(head.rfind("HTTP/1.0 503 Service Unavailable\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("Connection"), std::string::npos) << "HTTP/1.0 closes unless told otherwise";
}

TEST(reply_head, unavailable_says_when_to_retry_and_hides_the_cause) {
  const reply rep = error_reply(core::error{core::errc::unavailable, "postgres: connect: the database connection failed"});
  const parsed ours = parse(our_wire(11, true, rep));
  EXPECT_EQ(ours.status, 503u);
  ASSERT_EQ(ours.fields.count("Retry-After"), 1u);
  EXPECT_EQ(ours.fields.find("Retry-After")->second, "1");
  EXPECT_EQ(ours.body.find("postgres"), std::string::npos) << "the cause is for the log, not the client";
}

}  // namespace
}  // namespace carechat::net

namespace carechat::net {
namespace {

// The token endpoint's headers (RFC 6749 sections 5.1 and 5.2), the same from both writers.
TEST(reply_head, oauth_challenge_retry_after_and_pragma) {
  reply bad_client{401, R"({"error":"invalid_client"})"};
  bad_client.www_authenticate = "Basic realm=\"carechat\"";
  bad_client.pragma_no_cache = true;
  reply limited{429, R"({"error":"too_many_requests"})"};
  limited.retry_after = "7";
  for (const reply* r : {&bad_client, &limited}) expect_same(11, true, *r);
  const parsed challenge = parse(our_wire(11, true, bad_client));
  EXPECT_EQ(challenge.fields.find("WWW-Authenticate")->second, "Basic realm=\"carechat\"");
  EXPECT_EQ(challenge.fields.find("Pragma")->second, "no-cache");
  const parsed wait = parse(our_wire(11, true, limited));
  EXPECT_EQ(wait.fields.find("Retry-After")->second, "7");
  EXPECT_EQ(wait.status, 429u);
  // A plain 401 still challenges for Bearer.
  const parsed bearer = parse(our_wire(11, true, error_reply(core::error{core::errc::unauthorized, "x"})));
  EXPECT_EQ(bearer.fields.find("WWW-Authenticate")->second, "Bearer");
}

}  // namespace
}  // namespace carechat::net
