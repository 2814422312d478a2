// s3_blob_store against a real S3-compatible server: s3rver from the npm registry (tests/s3-server),
// started here on 127.0.0.1 on a free port by scripts/s3-test-server.sh (which runs npm ci first
// when the modules are missing) and stopped at the end. Without node or the modules the tests fail
// saying so: they never skip. Faults without a server: a closed port, and one that never answers.
#include "store/s3/s3_blob_store.hpp"

#include "support/s3_server_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

namespace carechat::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using store::s3::s3_blob_store;
using store::s3::s3_options;

constexpr std::size_t mib = 1024 * 1024;
constexpr const char* test_secret = "S3RVER";  // s3rver's built-in account: S3RVER / S3RVER

s3_options options_for(int port) {
  s3_options o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.bucket = "carechat-test";
  o.access_key_id = "S3RVER";
  o.secret_access_key = test_secret;
  o.key_prefix = "attachments/";
  o.part_size = 5 * mib;  // S3's minimum: a 12 MiB object is three parts
  o.connect_timeout = 2s;
  o.request_timeout = 20s;
  return o;
}

std::span<const char> bytes(const std::string& s) { return {s.data(), s.size()}; }

// Bytes that differ from part to part and from offset to offset (so a part sent twice, dropped or
// out of order shows), deterministic.
std::string pattern(std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

class s3_blob_store_test : public testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new s3_server_process; }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->error().empty()) << server_->error();
    auto s = s3_blob_store::open(options_for(server_->port()), clock_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }

  core::result<void> write(std::string_view key, const std::string& data, std::size_t piece = 100'000) {
    auto w = store_->create(key);
    if (!w) return std::move(w).error();
    for (std::size_t at = 0; at < data.size(); at += piece)
      if (auto ok = (*w)->append(bytes(data).subspan(at, std::min(piece, data.size() - at))); !ok) return ok;
    EXPECT_EQ((*w)->size(), data.size());
    return (*w)->commit();
  }
  std::string read_all(std::string_view key, std::size_t chunk = 1 * mib) {
    std::string out, buf(chunk, '\0');
    for (;;) {
      auto n = store_->read(key, out.size(), buf);
      EXPECT_TRUE(n) << n.error().message;
      if (!n || *n == 0) return out;
      out.append(buf.data(), *n);
    }
  }

  static s3_server_process* server_;
  core::system_clock clock_;  // s3rver refuses requests dated 15 minutes off
  std::unique_ptr<s3_blob_store> store_;
};
s3_server_process* s3_blob_store_test::server_ = nullptr;

TEST_F(s3_blob_store_test, a_small_object_reads_back_whole_and_in_ranges) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += "line " + std::to_string(i) + "\n";
  auto ok = write("small_0123abcd", data, 777);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(read_all("small_0123abcd"), data);
  auto size = store_->size("small_0123abcd");
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, data.size());
  std::string part(10, '\0');
  EXPECT_EQ(*store_->read("small_0123abcd", 7, part), 10u);
  EXPECT_EQ(part, data.substr(7, 10));
  EXPECT_EQ(*store_->read("small_0123abcd", data.size() - 3, part), 3u);  // the end
  EXPECT_EQ(part.substr(0, 3), data.substr(data.size() - 3));
  EXPECT_EQ(*store_->read("small_0123abcd", data.size(), part), 0u);      // at it
  EXPECT_EQ(*store_->read("small_0123abcd", data.size() + 5, part), 0u);  // past it
  std::span<char> none;
  EXPECT_EQ(*store_->read("small_0123abcd", 3, none), 0u);
}

TEST_F(s3_blob_store_test, an_empty_object_is_one_put) {
  ASSERT_TRUE(write("empty_object", ""));
  EXPECT_EQ(*store_->size("empty_object"), 0u);
  // Not read back here: S3 answers a range on 0 bytes with 416 (read() gives 0), but s3rver sends a
  // 206 that promises a byte it never sends, and the read would wait for request_timeout.
}

TEST_F(s3_blob_store_test, a_12_mib_object_goes_in_several_parts_and_reads_back_identical) {
  const std::string data = pattern(12 * mib + 12345);   // 5 + 5 + a short last part
  auto ok = write("large_multipart", data, 1'000'003);  // pieces that straddle part boundaries
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*store_->size("large_multipart"), data.size());
  const std::string back = read_all("large_multipart", 3 * mib + 17);
  ASSERT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data) << "the bytes differ";
  // Odd offsets, across the parts' seams.
  for (std::uint64_t offset : {std::uint64_t{1}, 5 * mib - 7, 10 * mib - 1, std::uint64_t{12 * mib + 12000}}) {
    std::string buf(4099, '\0');
    auto n = store_->read("large_multipart", offset, buf);
    ASSERT_TRUE(n) << n.error().message;
    const std::size_t expected = std::min<std::size_t>(buf.size(), data.size() - offset);
    ASSERT_EQ(*n, expected) << offset;
    EXPECT_TRUE(buf.substr(0, expected) == data.substr(offset, expected)) << offset;
  }
}

TEST_F(s3_blob_store_test, an_object_a_whole_number_of_parts_long_completes) {
  const std::string data = pattern(10 * mib);  // the last part is sent by append(), none at commit
  auto ok = write("two_full_parts", data, 5 * mib);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(read_all("two_full_parts", 4 * mib) == data);
}

TEST_F(s3_blob_store_test, missing_keys_are_not_found) {
  std::string buf(8, '\0');
  EXPECT_EQ(store_->read("never_written", 0, buf).error().code, core::errc::not_found);
  EXPECT_EQ(store_->size("never_written").error().code, core::errc::not_found);
}

TEST_F(s3_blob_store_test, nothing_is_visible_before_commit_and_an_abort_leaves_nothing) {
  std::string buf(4, '\0');
  auto w = store_->create("pending_small");
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE((*w)->append(bytes("half a photo")));
  EXPECT_EQ(store_->read("pending_small", 0, buf).error().code, core::errc::not_found);
  (*w)->abort();
  EXPECT_EQ(store_->size("pending_small").error().code, core::errc::not_found);
  EXPECT_FALSE((*w)->commit());  // nothing left to commit

  // Past one part: a multipart upload was started and holds a part, still invisible.
  auto big = store_->create("pending_multipart");
  ASSERT_TRUE(big) << big.error().message;
  const std::string data = pattern(6 * mib);
  ASSERT_TRUE((*big)->append(bytes(data)));
  EXPECT_EQ(store_->read("pending_multipart", 0, buf).error().code, core::errc::not_found);
  (*big)->abort();
  EXPECT_EQ(store_->read("pending_multipart", 0, buf).error().code, core::errc::not_found);

  {
    auto dropped = store_->create("dropped_writer");  // destroyed uncommitted: a cut connection
    ASSERT_TRUE(dropped);
    ASSERT_TRUE((*dropped)->append(bytes(data)));
  }
  EXPECT_EQ(store_->size("dropped_writer").error().code, core::errc::not_found);
  // Aborted keys stay free: a later writer may use them.
  auto again = write("pending_small", "retried");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(read_all("pending_small"), "retried");
}

TEST_F(s3_blob_store_test, an_object_is_written_once) {
  auto a = store_->create("once");
  auto b = store_->create("once");  // both start: the object does not exist yet
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->append(bytes("first")));
  ASSERT_TRUE((*b)->append(bytes("second")));
  ASSERT_TRUE((*a)->commit());
  auto late = (*b)->commit();
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::errc::idempotency_conflict);
  EXPECT_EQ(read_all("once"), "first");
  EXPECT_EQ(store_->create("once").error().code, core::errc::idempotency_conflict);
}

TEST_F(s3_blob_store_test, removing_is_final_and_may_be_repeated) {
  ASSERT_TRUE(write("gone", "x"));
  ASSERT_TRUE(store_->remove("gone"));
  std::string buf(1, '\0');
  EXPECT_EQ(store_->read("gone", 0, buf).error().code, core::errc::not_found);
  EXPECT_TRUE(store_->remove("gone"));
  EXPECT_TRUE(store_->remove("never-there"));
}

TEST_F(s3_blob_store_test, keys_live_under_the_prefix) {
  EXPECT_EQ(store_->object_of("abc"), "attachments/abc");
  ASSERT_TRUE(write("prefixed", "under the prefix"));
  auto o = options_for(server_->port());
  o.key_prefix = "";  // the same bucket seen without the prefix: the key alone names nothing
  auto bare = s3_blob_store::open(o, clock_);
  ASSERT_TRUE(bare);
  EXPECT_EQ((*bare)->size("prefixed").error().code, core::errc::not_found);
}

TEST_F(s3_blob_store_test, a_refusal_is_internal_with_s3s_code_and_no_secret) {
  auto o = options_for(server_->port());
  o.access_key_id = "NOT-A-KEY";
  o.secret_access_key = "a-secret-that-must-not-leak";
  auto s = s3_blob_store::open(o, clock_);
  ASSERT_TRUE(s);
  auto size = (*s)->size("anything");  // a HEAD: 403 without a body
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().code, core::errc::internal);
  std::string buf(4, '\0');
  auto r = (*s)->read("anything", 0, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::errc::internal);
  EXPECT_NE(r.error().message.find("InvalidAccessKeyId"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("a-secret-that-must-not-leak"), std::string::npos);

  o = options_for(server_->port());
  o.bucket = "no-such-bucket";  // a wrong bucket is a configuration error, not an empty store
  auto wrong = s3_blob_store::open(o, clock_);
  ASSERT_TRUE(wrong);
  EXPECT_EQ((*wrong)->remove("anything").error().code, core::errc::internal);
  EXPECT_EQ((*wrong)->read("anything", 0, buf).error().code, core::errc::internal);
}

TEST_F(s3_blob_store_test, keys_that_could_name_a_path_are_refused) {
  std::string buf(1, '\0');
  for (std::string_view key : std::initializer_list<std::string_view>{"", "../x", "a/b", "a.b", "a b", "%2e%2e",
                                                                      std::string_view("a\0b", 3)}) {
    EXPECT_EQ(store_->create(key).error().code, core::errc::bad_request) << key;
    EXPECT_EQ(store_->read(key, 0, buf).error().code, core::errc::bad_request) << key;
    EXPECT_EQ(store_->size(key).error().code, core::errc::bad_request) << key;
    EXPECT_EQ(store_->remove(key).error().code, core::errc::bad_request) << key;
  }
}

// No server needed below.

TEST(s3_blob_store_options, bad_settings_are_refused_at_open_without_naming_the_secret) {
  core::system_clock clock;
  const auto refused = [&](auto change) {
    s3_options o = options_for(9000);
    o.secret_access_key = "a-secret-that-must-not-leak";
    change(o);
    auto s = s3_blob_store::open(o, clock);
    if (s) return false;
    EXPECT_EQ(s.error().code, core::errc::bad_request);
    EXPECT_EQ(s.error().message.find("a-secret-that-must-not-leak"), std::string::npos) << s.error().message;
    return true;
  };
  EXPECT_FALSE(refused([](s3_options&) {}));
  EXPECT_TRUE(refused([](s3_options& o) { o.endpoint = "https://s3.amazonaws.com"; }));  // TLS: not yet
  EXPECT_TRUE(refused([](s3_options& o) { o.endpoint = "http://127.0.0.1:9000/bucket"; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.endpoint = "http://127.0.0.1:99999"; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.bucket = ""; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.bucket = "Upper_Case"; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.secret_access_key = ""; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.key_prefix = "/abs"; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.key_prefix = "a b/"; }));
  EXPECT_TRUE(refused([](s3_options& o) { o.part_size = 1 * mib; }));  // under S3's 5 MiB
  EXPECT_TRUE(refused([](s3_options& o) { o.request_timeout = 0ms; }));
}

// A TCP port nothing listens on (bound, then released).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TEST(s3_blob_store_faults, s3_down_is_unavailable_at_once_and_names_no_secret) {
  core::system_clock clock;
  s3_options o = options_for(closed_port());
  o.secret_access_key = "a-secret-that-must-not-leak";
  auto s = s3_blob_store::open(o, clock);
  ASSERT_TRUE(s) << s.error().message;
  const auto start = std::chrono::steady_clock::now();
  std::string buf(4, '\0');
  auto w = (*s)->create("while_down");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, core::errc::unavailable);
  EXPECT_EQ(w.error().message.find("a-secret-that-must-not-leak"), std::string::npos) << w.error().message;
  EXPECT_EQ((*s)->read("while_down", 0, buf).error().code, core::errc::unavailable);
  EXPECT_EQ((*s)->size("while_down").error().code, core::errc::unavailable);
  EXPECT_EQ((*s)->remove("while_down").error().code, core::errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(s3_blob_store_faults, a_server_that_never_answers_times_out_as_unavailable) {
  // Listening, never accepting: the kernel completes the connection, and nobody ever replies.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  core::system_clock clock;
  s3_options o = options_for(ntohs(a.sin_port));
  o.request_timeout = 300ms;
  auto s = s3_blob_store::open(o, clock);
  ASSERT_TRUE(s);
  const auto start = std::chrono::steady_clock::now();
  auto size = (*s)->size("silence");
  EXPECT_EQ(size.error().code, core::errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ::close(fd);
}

}  // namespace
}  // namespace carechat::test
