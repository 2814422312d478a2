// FHIR Bulk Data export (issue #15) on the real server, on both backends: kick-off (202 +
// Content-Location), status (the manifest), NDJSON files whose counts equal the chats' messages
// as the chat API lists them (archived ones included), files cut at 1000 resources, a snapshot
// that later sends do not change, `_since` returning only the delta, DELETE, one export per
// instance at a time, and every bad input a 4xx OperationOutcome that records no job. The thread
// headers: one per chat with an exported message, the read API's header as it was at the kick-off,
// listed first, resolving every message's partOf; `_since` narrows them as it does the messages.
// (web/e2e/tests/fhir_validation.test.mjs validates every NDJSON line with a FHIR validator.)

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

const std::string group = "/fhir/R4/Group/" + tenant + "." + instance + "/$export";

class fhir_bulk_test : public chat_server_test {
 protected:
  http_result call(const std::string& method, const std::string& target, const std::string& token,
                   std::map<std::string, std::string> headers = {}) {
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_->request(method, target, "", headers);
  }

  http_result kick_off(const std::string& query, const std::string& token) {
    return call("GET", group + query, token, {{"Prefer", "respond-async"}, {"Accept", "application/fhir+json"}});
  }

  // The path of an absolute URL the server gave ("http://host/fhir/R4/...").
  static std::string target_of(const std::string& link) {
    const auto scheme = link.find("://");
    EXPECT_NE(scheme, std::string::npos) << link;
    return link.substr(link.find('/', scheme + 3));
  }

  // Kicks off and answers the status URL's path.
  std::string started(const std::string& query = "", const std::string& token = {}) {
    auto r = kick_off(query, token.empty() ? user_ : token);
    EXPECT_EQ(r.status, 202u) << r.body;
    auto loc = r.headers.find("content-location");
    if (loc == r.headers.end()) {
      ADD_FAILURE() << "no Content-Location";
      return {};
    }
    return target_of(loc->second);
  }

  json::object manifest(const std::string& status_path, const std::string& token = {}) {
    auto r = call("GET", status_path, token.empty() ? user_ : token);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.headers["content-type"].find("application/json"), 0u);
    return json::parse(r.body).as_object();
  }

  // Which files: the thread headers ("communication-threads-{n}.ndjson") or the messages.
  enum class files { threads, messages };
  static bool is_thread_file(const boost::json::value& f) {
    return str(f.at("url")).find("/communication-threads-") != std::string::npos;
  }

  // Every resource of every file of that kind in the manifest, checking each file's count against
  // its lines.
  std::vector<json::object> download_all(const json::object& m, files kind = files::messages,
                                         const std::string& token = {}) {
    std::vector<json::object> out;
    for (auto& f : m.at("output").as_array()) {
      EXPECT_EQ(str(f.at("type")), "Communication");
      if (is_thread_file(f) != (kind == files::threads)) continue;
      auto r = call("GET", target_of(str(f.at("url"))), token.empty() ? user_ : token);
      EXPECT_EQ(r.status, 200u) << r.body;
      EXPECT_EQ(r.headers["content-type"], "application/fhir+ndjson");
      std::istringstream lines(r.body);
      std::string line;
      std::int64_t n = 0;
      while (std::getline(lines, line)) {
        out.push_back(json::parse(line).as_object());
        ++n;
      }
      EXPECT_EQ(n, f.at("count").to_number<std::int64_t>());
      EXPECT_FALSE(r.body.empty() || r.body.back() != '\n');
    }
    return out;
  }

  static std::int64_t total(const json::object& m, files kind = files::messages) {
    std::int64_t n = 0;
    for (auto& f : m.at("output").as_array())
      if (is_thread_file(f) == (kind == files::threads)) n += f.at("count").to_number<std::int64_t>();
    return n;
  }

  // The thread files come before every message file in `output`.
  static void expect_thread_files_first(const json::object& m) {
    bool message_seen = false;
    for (auto& f : m.at("output").as_array()) {
      if (!is_thread_file(f)) message_seen = true;
      EXPECT_FALSE(is_thread_file(f) && message_seen) << json::serialize(m);
    }
  }

  // Checks the export's thread headers: one per chat that has an exported message, each message's
  // partOf resolving to one of them; answers the headers by id.
  std::map<std::string, json::object> expect_headers_resolve(const json::object& m) {
    expect_thread_files_first(m);
    std::map<std::string, json::object> headers;
    for (auto& h : download_all(m, files::threads)) {
      EXPECT_EQ(str(h.at("resourceType")), "Communication");
      EXPECT_FALSE(h.contains("partOf"));
      const std::string id = str(h.at("id"));
      EXPECT_EQ(id.rfind("thread-", 0), 0u) << id;
      EXPECT_TRUE(headers.emplace(id, h).second) << "two headers " << id;
    }
    std::set<std::string> referenced;
    for (auto& msg : download_all(m)) {
      const std::string ref = str(msg.at("partOf").as_array().at(0).at("reference"));
      EXPECT_EQ(ref.rfind("Communication/", 0), 0u) << ref;
      const std::string id = ref.substr(ref.find('/') + 1);
      EXPECT_TRUE(headers.count(id)) << "dangling partOf " << ref;
      // The header's subject is the message's patient.
      if (headers.count(id)) {
        EXPECT_EQ(str(headers[id].at("subject").at("reference")), str(msg.at("subject").at("reference")));
      }
      referenced.insert(id);
    }
    std::set<std::string> header_ids;
    for (auto& [id, h] : headers) header_ids.insert(id);
    EXPECT_EQ(header_ids, referenced) << "a header without an exported message";
    return headers;
  }

  // GET Communication/thread-{p}, the read API's header.
  json::object read_header(const std::string& p) {
    auto r = call("GET", "/fhir/R4/Communication/thread-" + p, user_);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body).as_object();
  }

  http_result send_to_new_chat(const std::string& p, const std::string& text) {
    json::object body{{"message", text}};
    return http_->post_json(chat_path(p) + "/outbound", user_, json::serialize(body));
  }

  // The externalIds the chat API lists for both patients (archived ones too): the database's rows.
  std::set<std::string> database_ids() {
    std::set<std::string> ids;
    for (const auto& p : {patient, other_patient})
      for (auto& m : all_messages(user_, true, chat_path(p))) ids.insert(str(m.at("externalId")));
    return ids;
  }

  static std::set<std::string> ids_of(const std::vector<json::object>& resources) {
    std::set<std::string> ids;
    for (auto& r : resources) {
      EXPECT_EQ(str(r.at("resourceType")), "Communication");
      ids.insert(str(r.at("id")));
    }
    return ids;
  }

  void expect_outcome(const http_result& r, unsigned status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    auto type = r.headers.find("content-type");
    EXPECT_TRUE(type != r.headers.end() && type->second.find("application/fhir+json") == 0) << r.body;
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    ASSERT_EQ(str(v.at("resourceType")), "OperationOutcome") << r.body;
    EXPECT_EQ(str(v.at("issue").as_array().at(0).at("code")), code) << r.body;
  }

  http_result send_theirs(const std::string& text) {
    json::object body{{"message", text}};
    return http_->post_json(chat_path(other_patient) + "/inbound", other_patient_, json::serialize(body));
  }
};

TEST_F(fhir_bulk_test, export_counts_equal_the_database_and_files_are_cut_at_1000) {
  // 1003 messages in two chats, a few archived: two files (1000 + 3).
  restart(rate_limits_off());  // a thousand sends from two tokens at once: over the abuse limits
  for (int i = 0; i < 995; ++i)
    ASSERT_EQ(
        (i % 2 ? send_inbound("patient " + std::to_string(i)) : send_outbound("staff " + std::to_string(i))).status,
        200u);
  auto archive = http_->post_json(chat_path() + "/archive?archiveDate=2100-01-01T00:00:00Z", user_, "{}");
  ASSERT_EQ(archive.status, 200u) << archive.body;
  for (int i = 0; i < 8; ++i) ASSERT_EQ(send_theirs("other " + std::to_string(i)).status, 200u);
  const auto want = database_ids();
  ASSERT_EQ(want.size(), 1003u);

  const std::string status = started("?_type=Communication&_outputFormat=application/fhir+ndjson");
  // A send after the kick-off is not in this export: the job is a snapshot.
  ASSERT_EQ(send_inbound("after the kick-off").status, 200u);

  auto m = manifest(status);
  EXPECT_TRUE(m.at("requiresAccessToken").as_bool());
  EXPECT_TRUE(std::regex_match(str(m.at("transactionTime")), created_at_re));
  EXPECT_NE(str(m.at("request")).find(group), std::string::npos);
  EXPECT_TRUE(m.at("error").as_array().empty());
  // One thread-header file (two chats) first, then the messages' two files.
  ASSERT_EQ(m.at("output").as_array().size(), 3u);
  EXPECT_TRUE(is_thread_file(m.at("output").as_array().at(0)));
  EXPECT_EQ(m.at("output").as_array().at(0).at("count").to_number<std::int64_t>(), 2);
  EXPECT_EQ(m.at("output").as_array().at(1).at("count").to_number<std::int64_t>(), 1000);
  EXPECT_EQ(total(m), 1003);
  EXPECT_EQ(total(m, files::threads), 2);
  EXPECT_EQ(expect_headers_resolve(m).size(), 2u);
  auto resources = download_all(m);
  EXPECT_EQ(resources.size(), 1003u);
  EXPECT_EQ(ids_of(resources), want);
  // Archived messages are exported, tagged.
  std::size_t archived = 0;
  for (auto& r : resources)
    if (r.at("meta").as_object().contains("tag")) ++archived;
  EXPECT_EQ(archived, 995u);
  // Any staff token of the instance polls and downloads; the kick-off and each file are audited.
  EXPECT_EQ(total(manifest(status, client_)), 1003);
  EXPECT_GE(audit_rows("*", "bulk_export", "ok", 1), 1u);
  EXPECT_GE(audit_rows("*", "bulk_export_file", "ok", 3), 3u);
}

// The headers are the read API's (the same mapping) as they were at the kick-off: a message or a
// chat added after it changes neither the headers nor their count.
TEST_F(fhir_bulk_test, thread_headers_resolve_every_part_of_and_are_the_read_apis) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("mine " + std::to_string(i)).status, 200u);
  ASSERT_EQ(send_outbound("staff answer").status, 200u);
  ASSERT_EQ(send_theirs("theirs").status, 200u);
  ASSERT_EQ(send_to_new_chat("p-third", "hello third").status, 200u);
  std::map<std::string, json::object> read;
  for (const auto& p : {patient, other_patient, std::string("p-third")}) read["thread-" + p] = read_header(p);

  const std::string status = started();
  // After the kick-off: a new message in a chat, and a new chat. Neither is in this export.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(send_inbound("after the kick-off").status, 200u);
  ASSERT_EQ(send_to_new_chat("p-late", "a chat created after the kick-off").status, 200u);

  auto m = manifest(status);
  EXPECT_EQ(total(m), 6);
  EXPECT_EQ(total(m, files::threads), 3);
  const auto headers = expect_headers_resolve(m);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_FALSE(headers.count("thread-p-late"));
  for (const auto& [id, h] : headers) {
    ASSERT_TRUE(read.count(id)) << id;
    EXPECT_EQ(h, read[id]) << id;  // meta.lastUpdated too: the newest message at the kick-off
  }
  // The read API has moved on since; the export has not.
  EXPECT_NE(read_header(patient).at("meta"), headers.at("thread-" + patient).at("meta"));
}

TEST_F(fhir_bulk_test, since_returns_only_the_delta) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("old " + std::to_string(i)).status, 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto last_old = send_outbound("the last old one");
  ASSERT_EQ(last_old.status, 200u);
  const std::string boundary = str(json_of(last_old).at("createdAt"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::set<std::string> delta;
  for (int i = 0; i < 4; ++i) delta.insert(str(json_of(send_inbound("new " + std::to_string(i))).at("externalId")));
  delta.insert(str(json_of(send_theirs("new in the other chat")).at("externalId")));

  // Messages created strictly after _since: the boundary message itself is not in the delta.
  const std::string status = started("?_since=" + boundary);
  auto m = manifest(status);
  EXPECT_EQ(total(m), 5);
  EXPECT_EQ(ids_of(download_all(m)), delta);
  // Both chats have new messages: both headers.
  EXPECT_EQ(total(m, files::threads), 2);
  EXPECT_EQ(expect_headers_resolve(m).size(), 2u);
  ASSERT_EQ(call("DELETE", status, user_).status, 202u);

  // Only the other chat has a message after this boundary: only its header.
  const std::string their_boundary = str(json_of(send_inbound("mine, last")).at("createdAt"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string theirs = str(json_of(send_theirs("theirs, last")).at("externalId"));
  const std::string narrowed = started("?_since=" + their_boundary);
  auto n = manifest(narrowed);
  EXPECT_EQ(ids_of(download_all(n)), std::set<std::string>{theirs});
  const auto headers = expect_headers_resolve(n);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers.begin()->first, "thread-" + other_patient);
  // The header is the whole chat's, not the delta's: it began with the first message.
  EXPECT_EQ(headers.begin()->second, read_header(other_patient));
  ASSERT_EQ(call("DELETE", narrowed, user_).status, 202u);

  // A zone offset is the same instant; a _since in the future exports nothing.
  const std::string everything =
      started("?_since=2000-01-01T01:00:00%2B01:00&_outputFormat=application%2Ffhir%2Bndjson");
  EXPECT_EQ(total(manifest(everything)), 11);
  EXPECT_EQ(total(manifest(everything), files::threads), 2);
  ASSERT_EQ(call("DELETE", everything, user_).status, 202u);
  const std::string nothing = started("?_since=2999-01-01T00:00:00Z");
  auto empty = manifest(nothing);
  EXPECT_TRUE(empty.at("output").as_array().empty());
}

TEST_F(fhir_bulk_test, delete_cancels_and_one_export_at_a_time) {
  ASSERT_EQ(send_inbound("x").status, 200u);
  const std::string status = started();
  auto m = manifest(status);
  const std::string file = target_of(str(m.at("output").as_array().at(0).at("url")));
  // A second export of the instance while this one lives: 429, no second job.
  expect_outcome(kick_off("", client_), 429, "throttled");
  // Another instance's staff do not see the job; a patient may not.
  expect_outcome(call("GET", status, foreign_user_), 404, "not-found");
  expect_outcome(call("DELETE", status, foreign_user_), 404, "not-found");
  expect_outcome(call("GET", file, foreign_user_), 404, "not-found");
  expect_outcome(call("GET", status, patient_), 403, "forbidden");
  expect_outcome(call("GET", file, patient_), 403, "forbidden");
  EXPECT_EQ(total(manifest(status)), 1);  // still there

  auto del = call("DELETE", status, user_);
  EXPECT_EQ(del.status, 202u) << del.body;
  expect_outcome(call("GET", status, user_), 404, "not-found");
  expect_outcome(call("GET", file, user_), 404, "not-found");
  expect_outcome(call("DELETE", status, user_), 404, "not-found");
  EXPECT_GE(audit_rows("*", "bulk_export_delete", "ok", 1), 1u);
  // Then a new export may start.
  EXPECT_FALSE(started().empty());
}

TEST_F(fhir_bulk_test, bad_inputs_are_4xx_operation_outcomes_and_record_no_job) {
  ASSERT_EQ(send_inbound("x").status, 200u);
  // No Prefer: respond-async.
  expect_outcome(call("GET", group, user_), 400, "invalid");
  expect_outcome(call("GET", group, user_, {{"Prefer", "return=minimal"}}), 400, "invalid");
  expect_outcome(call("GET", group, user_, {{"Prefer", "respond-async"}, {"Accept", "application/xml"}}), 400,
                 "invalid");
  for (const std::string& q : std::vector<std::string>{
           "?_since=yesterday", "?_since=2026-01-01", "?_since=", "?_since=2026-13-01T00:00:00Z",
           "?_since=2026-01-01T00:00:00Z&_since=2026-01-01T00:00:00Z", "?_type=Patient", "?_type=Communication,Binary",
           "?_type=", "?_outputFormat=text/csv", "?_outputFormat=ndjson&_outputFormat=ndjson", "?patient=Patient/x",
           "?_typeFilter=Communication%3Fstatus%3Dcompleted", "?_elements=id"})
    expect_outcome(kick_off(q, user_), 400, "invalid");
  // Another tenant's group, a patient's token, no token, a bad token.
  expect_outcome(kick_off("", foreign_user_), 403, "forbidden");
  expect_outcome(
      call("GET", "/fhir/R4/Group/other-tenant." + instance + "/$export", user_, {{"Prefer", "respond-async"}}), 403,
      "forbidden");
  expect_outcome(kick_off("", patient_), 403, "forbidden");
  expect_outcome(kick_off("", ""), 401, "login");
  expect_outcome(kick_off("", "cc_nope"), 401, "login");
  // Unknown or malformed job ids; wrong methods; unknown files.
  for (const std::string id : {"bx00000000000000000000000000000000", "nonsense", "bx"}) {
    expect_outcome(call("GET", "/fhir/R4/$export-status/" + id, user_), 404, "not-found");
    expect_outcome(call("DELETE", "/fhir/R4/$export-status/" + id, user_), 404, "not-found");
    expect_outcome(call("GET", "/fhir/R4/$export-file/" + id + "/communication-1.ndjson", user_), 404, "not-found");
  }
  expect_outcome(call("POST", group, user_, {{"Prefer", "respond-async"}}), 405, "not-supported");
  expect_outcome(call("PUT", "/fhir/R4/$export-status/bx00000000000000000000000000000000", user_), 405,
                 "not-supported");
  EXPECT_GE(audit_rows("*", "bulk_export", "forbidden", 3), 3u);
  EXPECT_GE(audit_rows("*", "bulk_export", "bad_request", 1), 1u);

  // None of these recorded a job: a good kick-off is accepted (a live job would make it 429).
  const std::string status = started();
  auto m = manifest(status);
  const std::string file = target_of(str(m.at("output").as_array().at(0).at("url")));
  const std::string prefix = file.substr(0, file.rfind('/') + 1);
  expect_outcome(call("DELETE", file, user_), 405, "not-supported");
  expect_outcome(call("GET", file + "/extra", user_), 404, "not-found");
  for (const std::string name :
       {"communication-0.ndjson", "communication-2.ndjson", "communication-01.ndjson", "patient-1.ndjson",
        "communication-1.json", "communication-threads-0.ndjson", "communication-threads-2.ndjson",
        "communication-threads-01.ndjson", "communication-threads.ndjson", "communication-threads-1.json"})
    expect_outcome(call("GET", prefix + name, user_), 404, "not-found");
}

TEST_F(fhir_bulk_test, concurrent_kick_offs_record_one_job) {
  ASSERT_EQ(send_inbound("x").status, 200u);
  // Four kick-offs at once, each on its own connection: the database lets exactly one through.
  std::vector<unsigned> statuses(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i)
    threads.emplace_back([&, i] {
      http_client c(server_->port());
      statuses[i] = c.request("GET", group, "",
                              {{"Authorization", "Bearer " + (i % 2 ? client_ : user_)}, {"Prefer", "respond-async"}})
                        .status;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 202u), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429u), 3);
}

TEST_F(fhir_bulk_test, an_expired_job_is_gone_and_frees_the_instance) {
  ASSERT_EQ(send_inbound("x").status, 200u);
  const std::string status = started();
  const std::string file = target_of(str(manifest(status).at("output").as_array().at(0).at("url")));
  // 24 h later (moved in the database): status, file and DELETE are 404, and a new kick-off
  // replaces the expired row.
  // The server's clock cannot be moved: a job's expiry is.
  db_exec("UPDATE export_jobs SET expires_at = expires_at - 86400000");
  expect_outcome(call("GET", status, user_), 404, "not-found");
  expect_outcome(call("GET", file, user_), 404, "not-found");
  expect_outcome(call("DELETE", status, user_), 404, "not-found");
  const std::string next = started();
  EXPECT_NE(next, status);
  EXPECT_EQ(total(manifest(next)), 1);
  expect_outcome(call("GET", status, user_), 404, "not-found");
}

TEST_F(fhir_bulk_test, capability_statement_lists_the_export) {
  auto r = call("GET", "/fhir/R4/metadata", "");
  ASSERT_EQ(r.status, 200u);
  auto cs = json::parse(r.body).as_object();
  bool found = false;
  for (auto& res : cs.at("rest").as_array().at(0).at("resource").as_array())
    if (str(res.at("type")) == "Group") found = str(res.at("operation").as_array().at(0).at("name")) == "export";
  EXPECT_TRUE(found) << r.body;
}

}  // namespace
}  // namespace carechat::testing
