// Attachments (issue #14) end to end on the real server, with a real clamd and the default blob
// store of each backend (files beside the SQLite database; the PostgreSQL database itself):
// upload (raw and multipart), send, download with identical bytes, and every refusal the issue
// names, each leaving nothing usable behind.
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "core/crypto.hpp"
#include "integration/fixture.hpp"
#include "support/clamd_process.hpp"
#include "support/s3_server_process.hpp"

namespace carechat::testing {
namespace {

namespace fs = std::filesystem;

// A small valid PNG (4x3, red; CRCs and zlib stream computed), byte for byte: the sniffer and the thumbnailer read it.
std::string tiny_png() {
  static const unsigned char bytes[] = {
      0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
      0x04, 0x00, 0x00, 0x00, 0x03, 0x08, 0x02, 0x00, 0x00, 0x00, 0x3B, 0x96, 0x39, 0x91, 0x00, 0x00, 0x00, 0x10, 0x49,
      0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x38, 0x21, 0x27, 0x07, 0x47, 0x0C, 0x38, 0x39, 0x00, 0xF5, 0xC7, 0x0C, 0x31,
      0xEF, 0xEA, 0x02, 0x16, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

// A PDF-looking text file of `size` bytes (libmagic reads the %PDF- header).
std::string fake_pdf(std::size_t size) {
  std::string out = "%PDF-1.4\n";
  while (out.size() < size) out += "% lab results, line of filler text for the test\n";
  out.resize(size);
  return out;
}

std::string sha256_hex(const std::string& s) { return core::to_hex(core::sha256(s)); }

class attachments_test : public chat_server_test {
 protected:
  static void SetUpTestSuite() { clamd_ = new test::clamd_process("64M"); }
  static void TearDownTestSuite() {
    delete clamd_;
    clamd_ = nullptr;
  }
  void SetUp() override {
    chat_server_test::SetUp();
    restart(server_env());
  }
  std::map<std::string, std::string> server_env() const {
    return {{"CARECHAT_CLAMD_SOCKET", clamd_->socket().string()}, {"CARECHAT_ATTACHMENT_MAX_BYTES", "8388608"}};
  }

  http_result upload_raw(const std::string& token, const std::string& bytes, const std::string& name,
                         const std::string& type = "application/octet-stream", const std::string& path = chat_path()) {
    return http_->request("POST", path + "/attachments", bytes,
                          {{"Authorization", "Bearer " + token},
                           {"Content-Type", type},
                           {"Content-Disposition", "attachment; filename*=UTF-8''" + url_encode(name)}});
  }
  http_result upload_multipart(const std::string& token, const std::string& bytes, const std::string& name) {
    const std::string boundary = "----carechat-test-boundary";
    std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhello\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    return http_->request("POST", chat_path() + "/attachments", body,
                          {{"Authorization", "Bearer " + token},
                           {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }
  http_result download(const std::string& token, const std::string& id, const std::string& suffix = "",
                       const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> headers = extra;
    headers["Authorization"] = "Bearer " + token;
    return http_->request("GET", chat_path() + "/attachments/" + id + suffix, "", headers);
  }
  http_result send_with(const std::string& token, const std::string& route, boost::json::array ids,
                        const std::string& text = "") {
    boost::json::object body{{"attachmentIds", std::move(ids)}};
    if (!text.empty()) body["message"] = text;
    return http_->post_json(chat_path() + "/" + route, token, boost::json::serialize(body));
  }
  std::string uploaded_id(const http_result& r) {
    EXPECT_EQ(r.status, 201u) << r.body;
    if (r.status != 201) return {};
    return str(json_of(r).at("id"));
  }
  // Objects the backend's default store holds: files beside the SQLite database, or rows in the
  // PostgreSQL one (so the checks below can fail on either pass).
  std::size_t stored_files() const {
    if (database_.postgres())
      return static_cast<std::size_t>(std::stoul(database_.schema().scalar("SELECT count(*) FROM attachment_objects")));
    const fs::path objects = db_ + "-attachments/objects";
    std::size_t n = 0;
    if (fs::exists(objects))
      for (const auto& e : fs::recursive_directory_iterator(objects)) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
  std::vector<std::string> audit_actions(const std::string& action, std::size_t at_least) {
    std::vector<std::string> outcomes;
    for (int attempt = 0; attempt < 50; ++attempt) {
      outcomes.clear();
      auto out = run_cli({"audit", "--db", db_, "--patient", patient});
      EXPECT_EQ(out.exit_code, 0) << out.err;
      std::istringstream lines(out.out);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find("\t" + action + "\t") == std::string::npos) continue;
        std::vector<std::string> cols;  // ... outcome, request_id: the outcome is the 9th column
        std::istringstream fields(line);
        std::string col;
        while (std::getline(fields, col, '\t')) cols.push_back(col);
        if (cols.size() >= 9) outcomes.push_back(cols[8]);
      }
      if (outcomes.size() >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return outcomes;
  }

  static test::clamd_process* clamd_;
};
test::clamd_process* attachments_test::clamd_ = nullptr;

TEST_F(attachments_test, upload_send_and_download_round_trip_with_identical_bytes) {
  const std::string pdf = fake_pdf(3 * 1024 * 1024 + 17);  // several of the server's 256 KiB steps
  auto up = upload_raw(patient_, pdf, "Outside results \xE2\x80\x94 2026.pdf", "application/pdf");
  ASSERT_EQ(up.status, 201u) << up.body;
  const auto meta = json_of(up).as_object();
  const std::string id = str(meta.at("id"));
  EXPECT_TRUE(std::regex_match(id, std::regex("^AT[0-9a-f]{32}$"))) << id;
  EXPECT_EQ(str(meta.at("name")), "Outside results \xE2\x80\x94 2026.pdf");
  EXPECT_EQ(str(meta.at("contentType")), "application/pdf");
  EXPECT_EQ(meta.at("size").as_int64(), static_cast<std::int64_t>(pdf.size()));
  EXPECT_EQ(str(meta.at("sha256")), sha256_hex(pdf));
  EXPECT_FALSE(meta.at("thumbnail").as_bool());

  auto sent = send_with(patient_, "inbound", {boost::json::value(id)}, "my results");
  ASSERT_EQ(sent.status, 200u) << sent.body;
  const auto msg = json_of(sent).as_object();
  ASSERT_EQ(msg.at("attachments").as_array().size(), 1u);
  EXPECT_EQ(msg.at("attachments").as_array()[0].as_object(), meta);
  // The page lists it for staff too.
  const auto all = all_messages(user_);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().at("attachments").as_array()[0].as_object(), meta);

  auto got = download(user_, id);
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.body.size(), pdf.size());
  EXPECT_EQ(sha256_hex(got.body), sha256_hex(pdf));
  EXPECT_EQ(got.headers["content-type"], "application/pdf");
  EXPECT_EQ(got.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(got.headers["content-security-policy"], "sandbox");
  EXPECT_EQ(got.headers["cache-control"], "private");
  EXPECT_EQ(got.headers["content-disposition"].rfind("attachment;", 0), 0u) << got.headers["content-disposition"];
  EXPECT_NE(got.headers["content-disposition"].find("filename*=UTF-8''Outside%20results%20%E2%80%94%202026.pdf"),
            std::string::npos)
      << got.headers["content-disposition"];
  const std::string etag = got.headers["etag"];
  EXPECT_EQ(etag, "\"" + sha256_hex(pdf) + "\"");

  auto part = download(user_, id, "", {{"Range", "bytes=1000000-1000099"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, pdf.substr(1000000, 100));
  EXPECT_EQ(part.headers["content-range"], "bytes 1000000-1000099/" + std::to_string(pdf.size()));
  auto tail = download(user_, id, "", {{"Range", "bytes=-10"}});
  EXPECT_EQ(tail.body, pdf.substr(pdf.size() - 10));
  auto past = download(user_, id, "", {{"Range", "bytes=99999999-"}});
  expect_error(past, 416, "range_not_satisfiable");
  EXPECT_EQ(past.headers["content-range"], "bytes */" + std::to_string(pdf.size()));
  auto same = download(user_, id, "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304u);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.headers["etag"], etag);
  // A list, a weak form of our tag: still "not modified"; another tag: the file.
  EXPECT_EQ(download(user_, id, "", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304u);
  EXPECT_EQ(download(user_, id, "", {{"If-None-Match", "\"other\""}}).status, 200u);
  // If-Range with a stale tag: the whole file, not the range.
  auto stale = download(user_, id, "", {{"Range", "bytes=0-9"}, {"If-Range", "\"stale\""}});
  EXPECT_EQ(stale.status, 200u);
  EXPECT_EQ(stale.body.size(), pdf.size());
  EXPECT_EQ(download(user_, id, "/thumbnail").status, 404u);  // a PDF has no preview
}

TEST_F(attachments_test, a_multipart_upload_and_an_image_with_its_thumbnail) {
  const std::string png = tiny_png();
  auto up = upload_multipart(user_, png, "photo.png");
  const std::string id = uploaded_id(up);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(str(json_of(up).at("contentType")), "image/png");
  EXPECT_TRUE(json_of(up).at("thumbnail").as_bool());
  // Before it is sent only its uploader may look at it.
  EXPECT_EQ(download(user_, id).status, 200u);
  expect_error(download(patient_, id), 404, "not_found");
  ASSERT_EQ(send_with(user_, "outbound", {boost::json::value(id)}).status, 200u);
  auto full = download(patient_, id);
  EXPECT_EQ(full.body, png);
  EXPECT_EQ(full.headers["content-disposition"].rfind("inline;", 0), 0u);
  auto thumb = download(patient_, id, "/thumbnail");
  ASSERT_EQ(thumb.status, 200u);
  EXPECT_EQ(thumb.headers["content-type"], "image/jpeg");
  EXPECT_NE(thumb.headers["content-disposition"].find("filename=\"photo-thumbnail.jpg\""), std::string::npos)
      << thumb.headers["content-disposition"];
  EXPECT_EQ(thumb.body.substr(0, 3), std::string("\xFF\xD8\xFF", 3));
}

TEST_F(attachments_test, a_declared_length_over_the_limit_is_refused_before_the_body) {
  raw_connection c(server_->port());
  ASSERT_TRUE(c.send("POST " + chat_path() + "/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     patient_ + "\r\nContent-Type: application/pdf\r\nContent-Length: 104857600\r\n\r\n"));
  auto r = c.read_response(std::chrono::seconds(5));  // not a byte of the 100 MiB was sent
  ASSERT_TRUE(r.has_value());
  expect_error(*r, 413, "payload_too_large");
  EXPECT_NE(r->body.find("8388608 bytes"), std::string::npos) << "it names the upload limit: " << r->body;
  // A body that only grows past the limit while it streams is cut off at the limit too.
  auto big = upload_raw(patient_, fake_pdf(8 * 1024 * 1024 + 1), "big.pdf");
  expect_error(big, 413, "payload_too_large");
  EXPECT_EQ(stored_files(), 0u);
}

// A chunked body declares no length: it streams, and is cut off at the limit.
TEST_F(attachments_test, a_chunked_upload_streams_and_is_cut_off_at_the_limit) {
  const auto chunked = [&](const std::string& file) {
    std::string req = "POST " + chat_path() + "/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                      patient_ + "\r\nContent-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t at = 0; at < file.size(); at += 1 << 20) {
      const std::size_t n = std::min<std::size_t>(1 << 20, file.size() - at);
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", n);
      req += size + file.substr(at, n) + "\r\n";
    }
    req += "0\r\n\r\n";
    raw_connection c(server_->port());
    c.send(req);  // the server may close early, when the limit is reached
    auto r = c.read_response(std::chrono::seconds(20));
    return r ? *r : http_result{};
  };
  const std::string small = fake_pdf(3 * 1024 * 1024);
  auto ok = chunked(small);
  ASSERT_EQ(ok.status, 201u) << ok.body;
  EXPECT_EQ(str(json_of(ok).at("sha256")), sha256_hex(small));
  expect_error(chunked(fake_pdf(9 * 1024 * 1024)), 413, "payload_too_large");
}

TEST_F(attachments_test, svg_html_and_scripts_are_refused_whatever_they_are_called) {
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
  auto a = upload_raw(patient_, svg, "rash.png", "image/png");
  expect_error(a, 415, "unsupported_media_type");
  EXPECT_NE(a.body.find("image/jpeg"), std::string::npos) << "the message lists what is accepted: " << a.body;
  const std::string html = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
  expect_error(upload_raw(patient_, html, "label.png", "image/png"), 415, "unsupported_media_type");
  expect_error(upload_multipart(patient_, "#!/bin/sh\nrm -rf /\n", "notes.txt"), 415, "unsupported_media_type");
  expect_error(upload_raw(patient_, "", "empty.pdf"), 400, "bad_request");
  EXPECT_EQ(stored_files(), 0u);
  EXPECT_EQ(audit_actions("upload_attachment", 4).size(), 4u);
}

TEST_F(attachments_test, an_infected_file_is_refused_and_nothing_is_stored) {
  std::string file = fake_pdf(200 * 1024);
  file.insert(100 * 1024, test::test_malware_signature);
  auto r = upload_raw(patient_, file, "results.pdf", "application/pdf");
  expect_error(r, 422, "unprocessable");
  EXPECT_EQ(stored_files(), 0u);
  const auto outcomes = audit_actions("upload_attachment", 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0], "unprocessable");
}

TEST_F(attachments_test, another_patients_token_gets_404_and_a_download_is_audited) {
  const std::string id = uploaded_id(upload_raw(patient_, fake_pdf(5000), "mine.pdf"));
  ASSERT_EQ(send_with(patient_, "inbound", {boost::json::value(id)}).status, 200u);
  ASSERT_EQ(download(user_, id).status, 200u);
  // Another patient: forbidden on this chat; on their own chat the id does not exist.
  expect_error(download(other_patient_, id), 403, "forbidden");
  expect_error(http_->request("GET", chat_path(other_patient) + "/attachments/" + id, "",
                              {{"Authorization", "Bearer " + other_patient_}}),
               404, "not_found");
  expect_error(download(foreign_user_, id), 403, "forbidden");
  expect_error(download("", id), 401, "unauthorized");
  const auto outcomes = audit_actions("download_attachment", 3);
  EXPECT_GE(std::count(outcomes.begin(), outcomes.end(), "ok"), 1);
  EXPECT_GE(std::count(outcomes.begin(), outcomes.end(), "forbidden"), 2);
}

TEST_F(attachments_test, a_send_refuses_ids_it_may_not_use_and_stores_nothing) {
  const std::string mine = uploaded_id(upload_raw(patient_, fake_pdf(5000), "a.pdf"));
  const std::string staffs = uploaded_id(upload_raw(user_, fake_pdf(5000), "b.pdf"));
  expect_error(send_with(patient_, "inbound", {boost::json::value("AT" + std::string(32, '0'))}), 422, "unprocessable");
  expect_error(send_with(patient_, "inbound", {boost::json::value(staffs)}), 422, "unprocessable");
  expect_error(send_with(patient_, "inbound", {boost::json::value("nonsense")}), 400, "bad_request");
  boost::json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.emplace_back(mine);
  expect_error(send_with(patient_, "inbound", eleven), 400, "bad_request");
  EXPECT_EQ(count_messages(), 0u);
  ASSERT_EQ(send_with(patient_, "inbound", {boost::json::value(mine)}).status, 200u);
  expect_error(send_with(patient_, "inbound", {boost::json::value(mine)}), 409, "conflict");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(attachments_test, archive_hides_attachments_until_restore_or_asked_for) {
  const std::string id = uploaded_id(upload_raw(patient_, fake_pdf(5000), "old.pdf"));
  ASSERT_EQ(send_with(patient_, "inbound", {boost::json::value(id)}).status, 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string now = "2999-01-01T00:00:00Z";
  ASSERT_EQ(http_->post_json(chat_path() + "/archive?archiveDate=" + now, user_, "").status, 200u);
  expect_error(download(user_, id), 404, "not_found");
  expect_error(download(patient_, id), 404, "not_found");
  EXPECT_EQ(download(user_, id, "?includeArchived=true").status, 200u);
  expect_error(download(user_, id, "?includeArchived=maybe"), 400, "bad_request");
  expect_error(download(user_, id, "?includeArchived=true&includeArchived=false"), 400, "bad_request");
  ASSERT_EQ(http_->post_json(chat_path() + "/restore", user_, "").status, 200u);
  EXPECT_EQ(download(patient_, id).status, 200u);
}

TEST_F(attachments_test, a_crash_mid_upload_leaves_no_file_and_no_message) {
  raw_connection c(server_->port());
  const std::string body = fake_pdf(4 * 1024 * 1024);
  ASSERT_TRUE(c.send("POST " + chat_path() + "/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     patient_ + "\r\nContent-Type: application/pdf\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n" + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // half of it is being stored
  server_->kill_hard();
  start(server_env());
  EXPECT_EQ(stored_files(), 0u);
  EXPECT_EQ(count_messages(), 0u);
  // And the server takes the next upload as usual.
  EXPECT_EQ(upload_raw(patient_, fake_pdf(5000), "after.pdf").status, 201u);
}

// The round trip on the stores that are not this backend's default: S3-compatible object storage
// (s3rver), and on PostgreSQL a directory (a SQLite run's default, tested above).
void round_trip(http_client& http, const std::string& patient_token, const std::string& user_token) {
  const std::string pdf = fake_pdf(600 * 1024);
  auto up = http.request("POST", chat_path() + "/attachments", pdf,
                         {{"Authorization", "Bearer " + patient_token},
                          {"Content-Type", "application/pdf"},
                          {"Content-Disposition", "attachment; filename=\"r.pdf\""}});
  ASSERT_EQ(up.status, 201u) << up.body;
  const std::string id = str(json_of(up).at("id"));
  boost::json::object body{{"attachmentIds", boost::json::array{boost::json::value(id)}}};
  ASSERT_EQ(http.post_json(chat_path() + "/inbound", patient_token, boost::json::serialize(body)).status, 200u);
  auto got = http.request("GET", chat_path() + "/attachments/" + id, "", {{"Authorization", "Bearer " + user_token}});
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(sha256_hex(got.body), sha256_hex(pdf));
  auto part = http.request("GET", chat_path() + "/attachments/" + id, "",
                           {{"Authorization", "Bearer " + user_token}, {"Range", "bytes=300000-300009"}});
  EXPECT_EQ(part.body, pdf.substr(300000, 10));
}

TEST_F(attachments_test, the_round_trip_holds_on_s3_compatible_storage) {
  test::s3_server_process s3;
  ASSERT_NE(s3.port(), 0) << s3.error();
  auto env = server_env();
  env["CARECHAT_ATTACHMENT_STORE"] = "s3";
  env["CARECHAT_S3_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(s3.port());
  env["CARECHAT_S3_BUCKET"] = "carechat-test";
  env["CARECHAT_S3_ACCESS_KEY_ID"] = "S3RVER";
  env["CARECHAT_S3_SECRET_ACCESS_KEY"] = "S3RVER";
  restart(env);
  round_trip(*http_, patient_, user_);
  EXPECT_EQ(stored_files(), 0u);  // nothing went to the default store
  EXPECT_EQ(server_->log().find("S3RVER"), std::string::npos) << "the secret never reaches the log";
}

TEST_F(attachments_test, the_round_trip_holds_on_a_directory_shared_by_postgresql_nodes) {
  if (!database_.postgres()) GTEST_SKIP() << "a directory is the SQLite default, tested above";
  auto env = server_env();
  env["CARECHAT_ATTACHMENT_STORE"] = "disk";
  env["CARECHAT_ATTACHMENTS_DIR"] = (dir_.path() / "shared-files").string();
  restart(env);
  round_trip(*http_, patient_, user_);
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "shared-files" / "objects"))
    files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
}

TEST_F(attachments_test, wrong_methods_and_malformed_ids_get_clear_errors) {
  auto get_upload = http_->get(chat_path() + "/attachments", user_);
  expect_error(get_upload, 405, "method_not_allowed");
  EXPECT_EQ(get_upload.headers["allow"], "POST");
  expect_error(http_->request("POST", chat_path() + "/attachments/AT" + std::string(32, '0'), "x",
                              {{"Authorization", "Bearer " + user_}}),
               405, "method_not_allowed");
  expect_error(http_->get(chat_path() + "/attachments/not-an-id", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/attachments/AT" + std::string(32, '0') + "/other", user_), 404,
               "not_found");
  expect_error(download(user_, "AT" + std::string(32, '0')), 404, "not_found");
}

}  // namespace
}  // namespace carechat::testing
