// The read-only FHIR R4 facade (issue #15) on the real server, on both backends: a searchset walked
// by its next links returns every message once, _count and _lastUpdated narrow it, tenants and
// patients stay isolated (403/404 with OperationOutcome, audited), bad parameters are 400
// OperationOutcomes, and Binary serves the uploaded bytes. (web/e2e/tests/fhir_validation.test.mjs
// validates the resources themselves with FHIR validators.)
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

class fhir_test : public chat_server_test {
 protected:
  http_result fhir_get(const std::string& target, const std::string& token,
                       std::map<std::string, std::string> headers = {}) {
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_->request("GET", target, "", headers);
  }

  // The path and query of an absolute link the server gave ("http://host/fhir/R4/...").
  static std::string target_of(const std::string& link) {
    const auto scheme = link.find("://");
    EXPECT_NE(scheme, std::string::npos) << link;
    const auto path = link.find('/', scheme + 3);
    EXPECT_NE(path, std::string::npos) << link;
    return link.substr(path);
  }

  static json::object resource(const http_result& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    auto it = r.headers.find("content-type");
    EXPECT_TRUE(it != r.headers.end() && it->second.find("application/fhir+json") == 0) << r.body;
    return json::parse(r.body).as_object();
  }

  // Every Communication id of a search, following the next links; counts the pages.
  std::vector<std::string> walk(const std::string& first, const std::string& token, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string target = first;
    for (int guard = 0; guard < 500; ++guard) {
      auto bundle = resource(fhir_get(target, token));
      EXPECT_EQ(str(bundle.at("resourceType")), "Bundle");
      EXPECT_EQ(str(bundle.at("type")), "searchset");
      if (pages) ++*pages;
      if (bundle.contains("entry"))
        for (auto& e : bundle.at("entry").as_array()) ids.push_back(str(e.at("resource").at("id")));
      std::optional<std::string> next;
      for (auto& l : bundle.at("link").as_array())
        if (str(l.at("relation")) == "next") next = str(l.at("url"));
      if (!next) return ids;
      target = target_of(*next);
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }

  // The other patient writes in their own chat.
  http_result send_theirs(const std::string& text) {
    json::object body{{"message", text}};
    return http_->post_json(chat_path(other_patient) + "/inbound", other_patient_, json::serialize(body));
  }

  std::string search(const std::string& p = patient) { return "/fhir/R4/Communication?subject=Patient/" + p; }

  // The created message's externalId and createdAt.
  std::pair<std::string, std::string> sent(const http_result& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    auto m = json::parse(r.body).as_object();
    return {str(m.at("externalId")), str(m.at("createdAt"))};
  }

  void expect_outcome(const http_result& r, unsigned status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    auto it = r.headers.find("content-type");
    EXPECT_TRUE(it != r.headers.end() && it->second.find("application/fhir+json") == 0) << r.body;
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    ASSERT_EQ(str(v.at("resourceType")), "OperationOutcome") << r.body;
    const auto& issue = v.at("issue").as_array().at(0).as_object();
    EXPECT_EQ(str(issue.at("severity")), "error") << r.body;
    EXPECT_EQ(str(issue.at("code")), code) << r.body;
    EXPECT_FALSE(str(issue.at("diagnostics")).empty());
  }

};

TEST_F(fhir_test, metadata_is_a_capability_statement_without_a_token) {
  auto cs = resource(fhir_get("/fhir/R4/metadata", ""));
  EXPECT_EQ(str(cs.at("resourceType")), "CapabilityStatement");
  EXPECT_EQ(str(cs.at("fhirVersion")), "4.0.1");
  EXPECT_EQ(str(cs.at("kind")), "instance");
  const auto& resources = cs.at("rest").as_array().at(0).at("resource").as_array();
  ASSERT_EQ(resources.size(), 3u);
  EXPECT_EQ(str(resources.at(0).at("type")), "Communication");
  EXPECT_EQ(str(resources.at(1).at("type")), "Binary");
  EXPECT_EQ(str(resources.at(2).at("type")), "Group");  // Bulk Data $export (fhir_bulk_test)
  expect_outcome(http_->request("POST", "/fhir/R4/metadata", "{}", {{"Content-Type", "application/json"}}), 405,
                 "not-supported");
  expect_outcome(fhir_get("/fhir/R4/Patient", user_), 404, "not-found");
  expect_outcome(fhir_get("/fhir/R4/Communication/a/b", user_), 404, "not-found");
}

TEST_F(fhir_test, next_links_walk_every_message_once_oldest_first) {
  std::vector<std::string> want;
  for (int i = 0; i < 23; ++i) want.push_back(sent(i % 3 == 0 ? send_outbound("staff " + std::to_string(i))
                                                              : send_inbound("patient " + std::to_string(i)))
                                                  .first);
  ASSERT_EQ(send_theirs("someone else's").status, 200u);
  int pages = 0;
  EXPECT_EQ(walk(search() + "&_count=5", user_, &pages), want);
  EXPECT_EQ(pages, 5);  // 5+5+5+5+3
  pages = 0;
  EXPECT_EQ(walk(search(), patient_, &pages), want);  // default 20
  EXPECT_EQ(pages, 2);

  // _count limits a page; above the maximum it is served at the maximum.
  auto first = resource(fhir_get(search() + "&_count=7", client_));
  EXPECT_EQ(first.at("entry").as_array().size(), 7u);
  auto big = resource(fhir_get(search() + "&_count=100000", client_));
  EXPECT_EQ(big.at("entry").as_array().size(), 23u);
  // The self link is the request; the next link carries an opaque token, never an offset.
  std::string next;
  for (auto& l : first.at("link").as_array())
    if (str(l.at("relation")) == "next") next = str(l.at("url"));
  EXPECT_NE(next.find("_pageToken="), std::string::npos) << next;
  EXPECT_EQ(next.find("offset"), std::string::npos) << next;
  // A chat without messages: an empty searchset.
  auto empty = resource(fhir_get(search("p-nobody"), user_));
  EXPECT_FALSE(empty.contains("entry"));
}

TEST_F(fhir_test, last_updated_returns_only_the_delta) {
  std::vector<std::string> before, after;
  for (int i = 0; i < 3; ++i) before.push_back(sent(send_inbound("old " + std::to_string(i))).first);
  // Times are in milliseconds: the boundary message gets one of its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto [last_id, last_at] = sent(send_outbound("the last old one"));
  before.push_back(last_id);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (int i = 0; i < 5; ++i) after.push_back(sent(send_inbound("new " + std::to_string(i))).first);

  EXPECT_EQ(walk(search() + "&_lastUpdated=gt" + last_at + "&_count=2", user_), after);
  EXPECT_EQ(walk(search() + "&_lastUpdated=le" + last_at, user_), before);
  std::vector<std::string> from_last = {last_id};
  from_last.insert(from_last.end(), after.begin(), after.end());
  EXPECT_EQ(walk(search() + "&_lastUpdated=ge" + last_at, user_), from_last);
  EXPECT_EQ(walk(search() + "&_lastUpdated=ge" + last_at + "&_lastUpdated=lt" + last_at, user_),
            std::vector<std::string>{});
  // An offset written with '+' (percent-encoded) is the same instant.
  EXPECT_EQ(walk(search() + "&_lastUpdated=gt2000-01-01T01:00:00%2B01:00", user_).size(), 9u);
  EXPECT_TRUE(walk(search() + "&_lastUpdated=lt2000-01-01", user_).empty());
}

TEST_F(fhir_test, archived_messages_only_when_asked) {
  const auto old_id = sent(send_inbound("archived soon")).first;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto archive = http_->post_json(chat_path() + "/archive?archiveDate=2100-01-01T00:00:00Z", user_, "{}");
  ASSERT_EQ(archive.status, 200u) << archive.body;
  const auto new_id = sent(send_inbound("live")).first;
  EXPECT_EQ(walk(search(), user_), std::vector<std::string>{new_id});
  EXPECT_EQ(walk(search() + "&include-archived=true&_count=1", user_), (std::vector<std::string>{old_id, new_id}));
  // A direct read serves it, tagged.
  auto c = resource(fhir_get("/fhir/R4/Communication/" + old_id, user_));
  EXPECT_EQ(str(c.at("meta").at("tag").as_array().at(0).at("code")), "archived");
}

TEST_F(fhir_test, communication_mapping_and_thread_header) {
  const auto [in_id, in_at] = sent(send_inbound("hello from the patient"));
  const auto [out_id, out_at] = sent(send_outbound("hello from the care team"));
  ASSERT_EQ(http_->post_json(chat_path() + "/read", patient_, "{}").status, 200u);

  auto in = resource(fhir_get("/fhir/R4/Communication/" + in_id, user_));
  EXPECT_EQ(str(in.at("resourceType")), "Communication");
  EXPECT_EQ(str(in.at("id")), in_id);
  EXPECT_EQ(str(in.at("status")), "completed");
  EXPECT_EQ(str(in.at("subject").at("reference")), "Patient/" + patient);
  EXPECT_EQ(str(in.at("sender").at("reference")), "Patient/" + patient);
  EXPECT_EQ(str(in.at("sent")), in_at);
  EXPECT_EQ(str(in.at("meta").at("lastUpdated")), in_at);
  EXPECT_FALSE(in.contains("received"));  // staff have not read it
  EXPECT_FALSE(in.contains("recipient"));  // the care team
  EXPECT_EQ(str(in.at("payload").as_array().at(0).at("contentString")), "hello from the patient");
  EXPECT_EQ(str(in.at("identifier").as_array().at(0).at("system")), "urn:carechat:" + tenant + ":" + instance);
  EXPECT_EQ(str(in.at("identifier").as_array().at(0).at("value")), in_id);
  EXPECT_EQ(str(in.at("partOf").as_array().at(0).at("reference")), "Communication/thread-" + patient);

  auto out = resource(fhir_get("/fhir/R4/Communication/" + out_id, patient_));
  EXPECT_EQ(str(out.at("sender").at("reference")), "Practitioner/u-1");
  EXPECT_EQ(str(out.at("sender").at("display")), "Root Root");
  EXPECT_EQ(str(out.at("recipient").as_array().at(0).at("reference")), "Patient/" + patient);
  EXPECT_TRUE(out.contains("received"));  // the patient read it

  auto thread = resource(fhir_get("/fhir/R4/Communication/thread-" + patient, patient_));
  EXPECT_EQ(str(thread.at("id")), "thread-" + patient);
  EXPECT_FALSE(thread.contains("payload"));
  EXPECT_FALSE(thread.contains("partOf"));
  EXPECT_EQ(str(thread.at("sent")), in_at);
  EXPECT_EQ(str(thread.at("meta").at("lastUpdated")), out_at);
  expect_outcome(fhir_get("/fhir/R4/Communication/thread-p-nobody", user_), 404, "not-found");
}

TEST_F(fhir_test, isolation_between_patients_and_tenants) {
  const auto mine = sent(send_inbound("mine")).first;
  const auto theirs = sent(send_theirs("theirs")).first;
  // A patient reading another patient's message, thread or search: 403, audited on that chat.
  expect_outcome(fhir_get("/fhir/R4/Communication/" + theirs, patient_), 403, "forbidden");
  expect_outcome(fhir_get("/fhir/R4/Communication/thread-" + other_patient, patient_), 403, "forbidden");
  expect_outcome(fhir_get(search(other_patient), patient_), 403, "forbidden");
  EXPECT_GE(audit_rows(other_patient, "read", "forbidden", 3), 3u);
  // Another tenant's token does not find the message at all.
  expect_outcome(fhir_get("/fhir/R4/Communication/" + mine, foreign_user_), 404, "not-found");
  auto foreign = resource(fhir_get(search(), foreign_user_));
  EXPECT_FALSE(foreign.contains("entry"));
  // No token, a bad token: 401.
  expect_outcome(fhir_get(search(), ""), 401, "login");
  expect_outcome(fhir_get("/fhir/R4/Communication/" + mine, "cc_nope"), 401, "login");
  // Unknown ids: 404.
  expect_outcome(fhir_get("/fhir/R4/Communication/IM00000000000000000000000000000000", user_), 404, "not-found");
  expect_outcome(fhir_get("/fhir/R4/Communication/nonsense", user_), 404, "not-found");
  // A page token of another chat does not open.
  send_inbound("two");
  auto page = resource(fhir_get(search() + "&_count=1", user_));
  std::string next;
  for (auto& l : page.at("link").as_array())
    if (str(l.at("relation")) == "next") next = str(l.at("url"));
  ASSERT_FALSE(next.empty());
  const std::string token = next.substr(next.find("_pageToken=") + 11);
  expect_outcome(fhir_get(search(other_patient) + "&_pageToken=" + token, user_), 400, "invalid");
  // Reads are audited.
  EXPECT_GE(audit_rows(patient, "read", "ok", 1), 1u);
}

TEST_F(fhir_test, bad_parameters_are_400_operation_outcomes) {
  send_inbound("x");
  for (const std::string& q : std::vector<std::string>{"/fhir/R4/Communication", "/fhir/R4/Communication?subject=Practitioner/u-1",
                              "/fhir/R4/Communication?subject=Patient/", "/fhir/R4/Communication?subject=Patient/a%20b"})
    expect_outcome(fhir_get(q, user_), 400, "invalid");
  for (const std::string& p : std::vector<std::string>{"&_count=0", "&_count=-1", "&_count=abc", "&_count=", "&_count=1&_count=2", "&_lastUpdated=2026-01-01",
        "&_lastUpdated=eq2026-01-01", "&_lastUpdated=gtyesterday", "&_lastUpdated=", "&include-archived=yes",
        "&_pageToken=garbage", "&_format=xml", "&_sort=-_lastUpdated", "&_lastupdated=ge2026-01-01",
        "&subject=Patient/" + patient,
        "&_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01&_lastUpdated=ge2026-01-01"
        "&_lastUpdated=ge2026-01-01"})
    expect_outcome(fhir_get(search() + p, user_), 400, "invalid");
  // A page token with _count or include-archived is refused (the token carries them).
  send_inbound("y");
  auto page = resource(fhir_get(search() + "&_count=1", user_));
  std::string next;
  for (auto& l : page.at("link").as_array())
    if (str(l.at("relation")) == "next") next = str(l.at("url"));
  expect_outcome(fhir_get(target_of(next) + "&_count=5", user_), 400, "invalid");
  // Read-only.
  expect_outcome(http_->request("DELETE", search(), "", {{"Authorization", "Bearer " + user_}}), 405, "not-supported");
  // The accepted forms still work.
  EXPECT_EQ(walk(search() + "&_format=json&_pretty=true&include-archived=false", user_).size(), 2u);
}

TEST_F(fhir_test, binary_serves_the_uploaded_bytes) {
  std::string bytes = "%PDF-1.4\n";
  while (bytes.size() < 300000) bytes += "% lab results, line of filler text for the fhir test\n";
  auto up = http_->request("POST", chat_path() + "/attachments", bytes,
                           {{"Authorization", "Bearer " + patient_},
                            {"Content-Type", "application/pdf"},
                            {"Content-Disposition", "attachment; filename=\"labs.pdf\""}});
  ASSERT_EQ(up.status, 201u) << up.body;
  const std::string id = str(json::parse(up.body).at("id"));
  json::object body{{"message", "my labs"}, {"attachmentIds", json::array{id}}};
  auto m = sent(http_->post_json(chat_path() + "/inbound", patient_, json::serialize(body)));

  auto c = resource(fhir_get("/fhir/R4/Communication/" + m.first, user_));
  const auto& payload = c.at("payload").as_array();
  ASSERT_EQ(payload.size(), 2u);
  EXPECT_EQ(str(payload.at(0).at("contentString")), "my labs");
  const auto& att = payload.at(1).at("contentAttachment").as_object();
  EXPECT_EQ(str(att.at("contentType")), "application/pdf");
  EXPECT_EQ(att.at("size").to_number<std::int64_t>(), static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(str(att.at("title")), "labs.pdf");
  EXPECT_EQ(str(att.at("url")), "Binary/" + id);

  auto got = fhir_get("/fhir/R4/" + str(att.at("url")), user_);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, bytes);
  EXPECT_EQ(got.headers["content-type"], "application/pdf");
  EXPECT_EQ(fhir_get("/fhir/R4/Binary/" + id, patient_).body, bytes);
  EXPECT_GE(audit_rows(patient, "download_attachment", "ok", 2), 2u);
  // Isolation and errors as OperationOutcomes.
  expect_outcome(fhir_get("/fhir/R4/Binary/" + id, other_patient_), 403, "forbidden");
  EXPECT_GE(audit_rows(patient, "download_attachment", "forbidden", 1), 1u);
  expect_outcome(fhir_get("/fhir/R4/Binary/" + id, foreign_user_), 404, "not-found");
  expect_outcome(fhir_get("/fhir/R4/Binary/" + id, ""), 401, "login");
  expect_outcome(fhir_get("/fhir/R4/Binary/AT00000000000000000000000000000000", user_), 404, "not-found");
  expect_outcome(fhir_get("/fhir/R4/Binary/nonsense", user_), 404, "not-found");
}

}  // namespace
}  // namespace carechat::testing
