#include "api/fhir_bulk.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "api/fhir_resources.hpp"
#include "core/time_format.hpp"

namespace carechat::api::fhir {
namespace {

using core::errc;

core::result<export_kickoff> kick(const std::string& query, std::optional<std::string_view> prefer = "respond-async",
                                  std::optional<std::string_view> accept = std::nullopt) {
  const auto url = boost::urls::parse_origin_form("/fhir/R4/Group/gh.sb-demo/$export" + query);
  EXPECT_TRUE(url.has_value());
  return parse_export_kickoff(url->params(), prefer, accept);
}

TEST(fhir_bulk_wire_test, kick_off_needs_respond_async) {
  EXPECT_TRUE(kick("").has_value());
  EXPECT_TRUE(kick("", "handling=lenient, respond-async").has_value());
  EXPECT_TRUE(kick("", "Respond-Async").has_value());
  EXPECT_EQ(kick("", std::nullopt).error().code, errc::bad_request);
  EXPECT_EQ(kick("", "return=minimal").error().code, errc::bad_request);
  EXPECT_EQ(kick("", "respond-asynchronously").error().code, errc::bad_request);
}

TEST(fhir_bulk_wire_test, accept_must_allow_fhir_json) {
  for (std::string_view ok :
       {"application/fhir+json", "application/json", "*/*", "text/html, application/fhir+json;q=0.9"})
    EXPECT_TRUE(kick("", "respond-async", ok).has_value()) << ok;
  EXPECT_EQ(kick("", "respond-async", "application/xml").error().code, errc::bad_request);
}

TEST(fhir_bulk_wire_test, parameters) {
  EXPECT_FALSE(kick("")->since.has_value());
  EXPECT_TRUE(kick("?_type=Communication&_type=Communication").has_value());
  EXPECT_TRUE(kick("?_type=Communication,%20Communication").has_value());
  EXPECT_EQ(kick("?_since=2026-01-31T09:00:00Z")->since, core::parse_iso8601("2026-01-31T09:00:00Z"));
  EXPECT_EQ(kick("?_since=2026-01-31T10:00:00%2B01:00")->since, core::parse_iso8601("2026-01-31T09:00:00Z"));
  EXPECT_EQ(kick("?_since=2026-01-31T10:00:00+01:00")->since, core::parse_iso8601("2026-01-31T09:00:00Z"));
  for (const char* f : {"application/fhir+ndjson", "application/fhir%2Bndjson", "application/ndjson", "ndjson"})
    EXPECT_TRUE(kick(std::string("?_outputFormat=") + f).has_value()) << f;
  for (const char* bad :
       {"?_type=Patient", "?_type=Communication,Binary", "?_type=", "?_since=2026-01-31", "?_since=2026-01-31T09:00Z",
        "?_since=", "?_since=soon", "?_since=2026-01-31T09:00:00Z&_since=2026-01-31T09:00:00Z",
        "?_outputFormat=text/csv", "?_outputFormat=ndjson&_outputFormat=ndjson", "?patient=Patient/x", "?_typeFilter=x",
        "?_elements=id", "?includeAssociatedData=LatestProvenanceResources"})
    EXPECT_EQ(kick(bad).error().code, errc::bad_request) << bad;
}

TEST(fhir_bulk_wire_test, file_names) {
  EXPECT_EQ(export_file_url("http://h/fhir/R4", "bx1", 0), "http://h/fhir/R4/$export-file/bx1/communication-1.ndjson");
  EXPECT_EQ(export_file_index("communication-1.ndjson"), 0u);
  EXPECT_EQ(export_file_index("communication-12.ndjson"), 11u);
  for (const char* bad :
       {"communication-0.ndjson", "communication-01.ndjson", "communication-.ndjson", "communication-1.json",
        "patient-1.ndjson", "communication-1x.ndjson", "communication-9999999999.ndjson", ""})
    EXPECT_FALSE(export_file_index(bad).has_value()) << bad;
  // The thread-header files are named apart, and neither kind of name is taken for the other.
  EXPECT_EQ(export_thread_file_url("http://h/fhir/R4", "bx1", 1),
            "http://h/fhir/R4/$export-file/bx1/communication-threads-2.ndjson");
  EXPECT_EQ(export_thread_file_index("communication-threads-1.ndjson"), 0u);
  EXPECT_EQ(export_thread_file_index("communication-threads-30.ndjson"), 29u);
  EXPECT_FALSE(export_file_index("communication-threads-1.ndjson").has_value());
  for (const char* bad : {"communication-threads-0.ndjson", "communication-threads-01.ndjson",
                          "communication-threads-.ndjson", "communication-threads-1.json", "communication-1.ndjson",
                          "communication-threads1.ndjson", "communication-threads-9999999999.ndjson", ""})
    EXPECT_FALSE(export_thread_file_index(bad).has_value()) << bad;
}

// An export's thread headers: one line per chat, the read API's thread header, partOf-free.
TEST(fhir_bulk_wire_test, thread_lines_are_the_read_apis_headers) {
  std::string out;
  append_ndjson_thread_line(out, domain::export_thread{7, "p1", 1'700'000'000'000, 1'700'000'500'000}, "gh",
                            "sb-demo");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_EQ(out.substr(0, out.size() - 1),
            thread_header({domain::chat_key{"gh", "sb-demo", "p1"}, 1'700'000'000'000, 1'700'000'500'000}));
  const auto c = boost::json::parse(out).as_object();
  EXPECT_EQ(c.at("id").as_string(), "thread-p1");
  EXPECT_FALSE(c.contains("partOf"));
}

TEST(fhir_bulk_wire_test, manifest) {
  domain::export_job job;
  job.id = "bxabc";
  job.transaction_time = 1'700'000'000'000;
  job.request = "http://h/fhir/R4/Group/gh.sb-demo/$export";
  job.file_ends = {1500, 2600, 2700};
  job.total = domain::export_file_resources * 2 + 7;
  const auto m = boost::json::parse(export_manifest(job, "http://h/fhir/R4")).as_object();
  EXPECT_EQ(m.at("transactionTime").as_string(), core::format_iso8601_ms(job.transaction_time));
  EXPECT_EQ(m.at("request").as_string(), job.request);
  EXPECT_TRUE(m.at("requiresAccessToken").as_bool());
  EXPECT_TRUE(m.at("error").as_array().empty());
  const auto& out = m.at("output").as_array();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.at(0).at("count").as_int64(), domain::export_file_resources);
  EXPECT_EQ(out.at(2).at("count").as_int64(), 7);
  EXPECT_EQ(out.at(2).at("url").as_string(), "http://h/fhir/R4/$export-file/bxabc/communication-3.ndjson");
  EXPECT_EQ(out.at(1).at("type").as_string(), "Communication");
}

// The thread-header files come first (an importer loads a message's partOf target before it), each
// with its own count, then the message files.
TEST(fhir_bulk_wire_test, manifest_lists_thread_files_first) {
  domain::export_job job;
  job.id = "bxabc";
  job.file_ends = {1500, 2600};
  job.total = domain::export_file_resources + 9;
  job.thread_file_ends = {1100, 1300};
  job.thread_total = domain::export_file_resources + 2;
  const auto m = boost::json::parse(export_manifest(job, "http://h/fhir/R4")).as_object();
  const auto& out = m.at("output").as_array();
  ASSERT_EQ(out.size(), 4u);
  for (const auto& f : out) EXPECT_EQ(f.at("type").as_string(), "Communication");
  EXPECT_EQ(out.at(0).at("url").as_string(), "http://h/fhir/R4/$export-file/bxabc/communication-threads-1.ndjson");
  EXPECT_EQ(out.at(0).at("count").as_int64(), domain::export_file_resources);
  EXPECT_EQ(out.at(1).at("url").as_string(), "http://h/fhir/R4/$export-file/bxabc/communication-threads-2.ndjson");
  EXPECT_EQ(out.at(1).at("count").as_int64(), 2);
  EXPECT_EQ(out.at(2).at("url").as_string(), "http://h/fhir/R4/$export-file/bxabc/communication-1.ndjson");
  EXPECT_EQ(out.at(2).at("count").as_int64(), domain::export_file_resources);
  EXPECT_EQ(out.at(3).at("count").as_int64(), 9);
  // No message, no chat: an empty output.
  domain::export_job empty;
  empty.id = "bxdef";
  EXPECT_TRUE(boost::json::parse(export_manifest(empty, "http://h/fhir/R4")).at("output").as_array().empty());
}

}  // namespace
}  // namespace carechat::api::fhir
