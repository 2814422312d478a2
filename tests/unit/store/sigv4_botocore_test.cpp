// Our SigV4 (store/s3/sigv4, as s3_client signs on the wire) against botocore's, the signer of the
// AWS CLI and boto3: tests/s3-server/sigv4_botocore.py signs the same request with Debian's
// python3-botocore (scripts/install-deps.sh) and the two Authorization headers must agree. AWS's
// published examples (sigv4_test) cover a handful of requests; this covers the ones the S3 store
// actually sends. Missing python3-botocore fails the tests with a message: it never skips.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>

#include "core/crypto.hpp"
#include "store/s3/s3_client.hpp"
#include "store/s3/sigv4.hpp"

namespace carechat::store::s3 {
namespace {

namespace fs = std::filesystem;

constexpr core::unix_ms when = 1369353600000;  // 2013-05-24T00:00:00Z, AWS's examples' date
constexpr const char* amz_date = "20130524T000000Z";
constexpr const char* host = "127.0.0.1:9000";

sigv4_key test_key() { return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eu-west-3", "s3"}; }

fs::path script() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "s3-server" / "sigv4_botocore.py";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// Runs `cmd` with `input` on its stdin; its stdout, or "" with `error` set.
std::string run(const std::string& input, std::string& error) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    error = "pipe failed";
    return {};
  }
  const std::string path = script().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    // Debian's interpreter: python3-botocore installs into it, whatever python3 is first on PATH.
    ::execl("/usr/bin/python3", "python3", path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  const ssize_t wrote = ::write(in[1], input.data(), input.size());
  ::close(in[1]);
  std::string result;
  std::array<char, 4096> buf;
  for (ssize_t n; (n = ::read(out[0], buf.data(), buf.size())) > 0;)
    result.append(buf.data(), static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (wrote != static_cast<ssize_t>(input.size()) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error =
        "tests/s3-server/sigv4_botocore.py failed (its stderr is above): it needs /usr/bin/python3 with "
        "python3-botocore (scripts/install-deps.sh)";
    return {};
  }
  while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) result.pop_back();
  return result;
}

// botocore's Authorization for the request `signed_req` went out as, given what botocore adds itself
// (host from the URL, x-amz-date from its clock, x-amz-content-sha256 from the body) left out.
std::string botocore_authorization(std::string_view method, const s3_signed_request& signed_req, std::string_view body,
                                   bool unsigned_payload, std::string& error) {
  std::string headers = "[";
  for (const auto& [name, value] : signed_req.headers) {
    if (name == "host" || name == "x-amz-date" || name == "x-amz-content-sha256" || name == "authorization") continue;
    if (headers.size() > 1) headers += ',';
    headers += "[" + json_string(name) + "," + json_string(value) + "]";
  }
  headers += "]";
  const sigv4_key key = test_key();
  const std::string input =
      "{\"method\":" + json_string(method) +
      ",\"url\":" + json_string("http://" + std::string(host) + signed_req.target) + ",\"headers\":" + headers +
      ",\"payload_hex\":" + json_string(core::to_hex(core::as_bytes(body))) +
      ",\"unsigned_payload\":" + (unsigned_payload ? "true" : "false") + ",\"amz_date\":" + json_string(amz_date) +
      ",\"access_key_id\":" + json_string(key.access_key_id) +
      ",\"secret_access_key\":" + json_string(key.secret_access_key) + ",\"region\":" + json_string(key.region) + "}";
  return run(input, error);
}

std::string_view authorization_of(const s3_signed_request& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "authorization") return value;
  return {};
}

// botocore joins the three parts with ", ", AWS's documentation and we with ","; S3 accepts both,
// so that one difference is taken out before comparing byte for byte.
std::string without_spaces_after_commas(std::string s) {
  for (std::size_t at; (at = s.find(", ")) != std::string::npos;) s.erase(at + 1, 1);
  return s;
}

void expect_same_signature(const s3_call& call) {
  const s3_signed_request ours = s3_sign(call, "carechat-test", host, test_key(), when);
  std::string error;
  const std::string theirs =
      botocore_authorization(call.method, ours, {call.body.data(), call.body.size()}, false, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(std::string(authorization_of(ours)), without_spaces_after_commas(theirs)) << "target " << ours.target;
}

TEST(sigv4_botocore, a_ranged_get) {
  expect_same_signature({"GET", "attachments/att_0123abcd", {}, {{"range", "bytes=5242873-5246971"}}, {}});
}

TEST(sigv4_botocore, head_and_delete_with_an_empty_payload) {
  expect_same_signature({"HEAD", "attachments/att_0123abcd", {}, {}, {}});
  expect_same_signature({"DELETE", "attachments/att_0123abcd", {}, {}, {}});
}

TEST(sigv4_botocore, a_conditional_put_with_a_body) {
  const std::string body = "a photo's bytes \x01\x02\xff";
  expect_same_signature({"PUT", "attachments/att_0123abcd", {}, {{"if-none-match", "*"}}, {body.data(), body.size()}});
}

TEST(sigv4_botocore, multipart_calls_with_query_strings) {
  expect_same_signature({"POST", "attachments/k", {{"uploads", ""}}, {}, {}});
  const std::string part(70'000, 'p');
  expect_same_signature(
      {"PUT",
       "attachments/k",
       {{"uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA+/="}, {"partNumber", "2"}},
       {},
       {part.data(), part.size()}});
  const std::string xml =
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>"
      "</Part></CompleteMultipartUpload>";
  expect_same_signature({"POST",
                         "attachments/k",
                         {{"uploadId", "abc"}},
                         {{"content-type", "application/xml"}, {"if-none-match", "*"}},
                         {xml.data(), xml.size()}});
}

TEST(sigv4_botocore, a_key_that_needs_encoding) {
  // Not a blob key (those are [A-Za-z0-9_-]), but a prefix or a tool's object may be.
  expect_same_signature({"GET", "odd prefix/a$b+c~d=é", {{"versionId", "x y/z"}}, {}, {}});
}

// The store signs every payload; UNSIGNED-PAYLOAD (the signer's default, used by presigned URLs) is
// checked through sigv4 directly.
TEST(sigv4_botocore, unsigned_payload) {
  sigv4_request r;
  r.method = "PUT";
  r.path = "/carechat-test/attachments/k";
  r.headers = {{"host", host}, {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}, {"x-amz-date", amz_date}};
  const sigv4_signature ours = sigv4_sign(r, test_key(), amz_date);
  s3_signed_request as_sent;
  as_sent.target = r.path;
  std::string error;
  const std::string theirs = botocore_authorization("PUT", as_sent, "streamed body", true, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(ours.authorization, without_spaces_after_commas(theirs));
}

}  // namespace
}  // namespace carechat::store::s3
