#include "api/fhir_search.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "api/fhir_resources.hpp"
#include "core/random.hpp"
#include "core/time_format.hpp"

namespace carechat::api::fhir {
namespace {

using core::errc;

core::bytes key() { return core::bytes(32, 7); }

class fhir_search_test : public ::testing::Test {
 protected:
  core::result<communication_query> parse(const std::string& query) {
    const auto url = boost::urls::parse_origin_form("/fhir/R4/Communication?" + query);
    EXPECT_TRUE(url.has_value());
    return parse_communication_search(url->params(), codec_, chat_);
  }
  core::result<std::string> subject(const std::string& query) {
    const auto url = boost::urls::parse_origin_form("/fhir/R4/Communication?" + query);
    EXPECT_TRUE(url.has_value());
    return parse_subject(url->params());
  }

  core::openssl_random rng_;
  page_token_codec codec_{key(), rng_};
  domain::chat_key chat_{"t", "i", "p-1"};
};

TEST_F(fhir_search_test, subject_is_required_and_a_patient) {
  EXPECT_EQ(*subject("subject=Patient/p-1"), "p-1");
  for (const std::string q : {"", "subject=", "subject=p-1", "subject=Practitioner/u", "subject=Patient/",
                              "subject=Patient/a%2Fb", "subject=Patient/p&subject=Patient/p"}) {
    auto r = subject(q);
    ASSERT_FALSE(r) << q;
    EXPECT_EQ(r.error().code, errc::bad_request) << q;
  }
}

TEST_F(fhir_search_test, last_updated_prefixes_narrow_inclusive_bounds) {
  const auto t = *core::parse_iso8601("2026-03-01T10:00:00Z");
  auto q = parse("subject=Patient/p-1&_lastUpdated=gt2026-03-01T10:00:00Z&_lastUpdated=le2026-03-02");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(*q->delta.min_created, t + 1);
  EXPECT_EQ(*q->delta.max_created, *core::parse_iso8601("2026-03-02"));
  EXPECT_EQ(q->last_updated.size(), 2u);
  q = parse("_lastUpdated=ge2026-03-01T11:00:00%2B01:00&_lastUpdated=lt2026-03-01T10:00:01Z");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->delta.min_created, t);
  EXPECT_EQ(*q->delta.max_created, t + 999);
  // An unencoded '+' (read as a space) is the offset it meant.
  q = parse("_lastUpdated=ge2026-03-01T11:00:00+01:00");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->delta.min_created, t);
  EXPECT_EQ(q->last_updated[0], "ge2026-03-01T11:00:00+01:00");
  // The tighter of two lower bounds wins.
  q = parse("_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-03-01T10:00:00Z");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->delta.min_created, t);
}

TEST_F(fhir_search_test, bad_parameters_are_refused) {
  for (const std::string q :
       {"_count=0", "_count=-3", "_count=x", "_count=", "_count=1234567890", "_count=1&_count=2", "_lastUpdated=",
        "_lastUpdated=2026-01-01", "_lastUpdated=eq2026-01-01", "_lastUpdated=sa2026-01-01", "_lastUpdated=ge",
        "_lastUpdated=gt2026-13-01", "include-archived=1", "_format=xml", "_sort=_lastUpdated", "patient=p-1",
        "_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01&"
        "_lastUpdated=ge2026-01-01"}) {
    auto r = parse(q);
    ASSERT_FALSE(r) << q;
    EXPECT_EQ(r.error().code, errc::bad_request) << q;
  }
  auto r = parse("_pageToken=nonsense");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_page_token);
}

TEST_F(fhir_search_test, a_next_link_round_trips_its_token_and_bounds) {
  domain::cursor c;
  c.kind = domain::cursor_kind::fhir_communications;
  c.dir = domain::direction::newer;
  c.anchor = {1700000000000, 12};
  c.page_size = 3;
  const std::string link =
      next_link("http://h/fhir/R4", chat_, {"gt2026-01-01T00:00:00+01:00"}, codec_.encode(c, chat_));
  ASSERT_EQ(link.rfind("http://h/fhir/R4/Communication?subject=Patient/p-1&_lastUpdated=", 0), 0u) << link;
  const auto url = boost::urls::parse_absolute_uri(link);
  ASSERT_TRUE(url);
  auto q = parse_communication_search(url->params(), codec_, chat_);
  ASSERT_TRUE(q) << q.error().message;
  ASSERT_TRUE(q->delta.from);
  EXPECT_EQ(*q->delta.from, c);
  EXPECT_EQ(q->last_updated, std::vector<std::string>{"gt2026-01-01T00:00:00+01:00"});
  // Another patient's search cannot use it; nor can the chat API's pages (another cursor kind).
  const domain::chat_key other{"t", "i", "p-2"};
  EXPECT_FALSE(parse_communication_search(url->params(), codec_, other));
  EXPECT_FALSE(codec_.decode(codec_.encode(c, chat_), chat_, domain::cursor_kind::messages));
}

TEST(fhir_resources, thread_ids_and_outcomes) {
  EXPECT_EQ(thread_id("p-1"), "thread-p-1");
  EXPECT_EQ(*thread_patient("thread-p-1"), "p-1");
  EXPECT_FALSE(thread_patient("thread-"));
  EXPECT_FALSE(thread_patient("IM0123"));
  EXPECT_FALSE(thread_patient("thread-a/b"));
  const std::string oo = operation_outcome(core::make_error(errc::forbidden, "no \"way\""));
  EXPECT_EQ(oo,
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"no \"way\""}]})");
}

TEST(fhir_resources, a_message_maps_to_a_communication) {
  domain::message m;
  m.external_id = "IM0000000000000000000000000000000a";
  m.kind = domain::message_kind::outbound;
  m.sender = {domain::client_type::user, "u-1", std::string("Ann Lee")};
  m.receiver = domain::party{domain::client_type::patient, "p-1", std::nullopt};
  m.text = "hi";
  m.created_at = 1700000000000;
  m.read_at = 1700000005000;
  m.attachments.push_back({"AT0000000000000000000000000000000b", "x.pdf", "application/pdf", 42, "ab", false});
  const std::string c = communication(m, {"t", "i", "p-1"});
  for (const std::string part :
       {R"("id":"IM0000000000000000000000000000000a")", R"("identifier":[{"system":"urn:carechat:t:i")",
        R"("partOf":[{"reference":"Communication/thread-p-1"}])", R"("status":"completed")",
        R"("subject":{"reference":"Patient/p-1"})", R"("sent":"2023-11-14T22:13:20.000Z")",
        R"("received":"2023-11-14T22:13:25.000Z")", R"("recipient":[{"reference":"Patient/p-1"}])",
        R"("sender":{"reference":"Practitioner/u-1","display":"Ann Lee"})", R"({"contentString":"hi"})",
        R"({"contentAttachment":{"contentType":"application/pdf","url":"Binary/AT0000000000000000000000000000000b","size":42,"title":"x.pdf"}})"})
    EXPECT_NE(c.find(part), std::string::npos) << part << "\n" << c;
  EXPECT_EQ(c.find("\"tag\""), std::string::npos);
  EXPECT_EQ(c.find("\"hash\""), std::string::npos);
}

}  // namespace
}  // namespace carechat::api::fhir
