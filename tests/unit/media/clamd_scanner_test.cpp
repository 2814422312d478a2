// clamd_scanner against a real clamd (Debian's clamav-daemon, scripts/install-deps.sh) started here
// in a temporary directory with one custom signature (no network: freshclam cannot fetch the
// official database, and clamd will not start without one); fakes only to inject faults (a clamd
// that hangs up, one that never answers).
#include "media/malware_scanner.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/crypto.hpp"
#include "support/clamd_process.hpp"
#include "unit/store/support/temp_dir.hpp"

namespace carechat::media {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::clamd_process;
constexpr std::string_view test_signature = test::test_malware_signature;

class clamd_scanner_test : public testing::Test {
 protected:
  static void SetUpTestSuite() { clamd_ = new clamd_process; }
  static void TearDownTestSuite() {
    delete clamd_;
    clamd_ = nullptr;
  }
  static core::result<scan_verdict> scan(const std::string& file, std::size_t piece = 10'000) {
    clamd_scanner scanner(clamd_->socket());
    auto s = scanner.start();
    if (!s) return std::move(s).error();
    for (std::size_t at = 0; at < file.size(); at += piece) {
      const std::size_t n = std::min(piece, file.size() - at);
      if (auto ok = (*s)->feed({file.data() + at, n}); !ok) return std::move(ok).error();
    }
    return (*s)->finish();
  }
  static clamd_process* clamd_;
};
clamd_process* clamd_scanner_test::clamd_ = nullptr;

TEST_F(clamd_scanner_test, clamd_answers_ping) {
  auto ok = clamd_scanner(clamd_->socket()).ping();
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(clamd_scanner_test, a_clean_file_in_many_chunks_is_clean) {
  std::string file;
  while (file.size() < 300'000) file += "An ordinary line of a patient's outside results. ";
  auto v = scan(file, 100'000);  // fed in pieces larger than one INSTREAM chunk (64 KiB)
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->clean);
}

TEST_F(clamd_scanner_test, a_signature_across_chunks_is_found_and_named) {
  std::string file(65'530, 'a');  // the signature straddles the first 64 KiB chunk's end
  file += test_signature;
  file += std::string(10'000, 'b');
  auto v = scan(file);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->clean);
  EXPECT_NE(v->signature.find("Carechat.Test.Signature"), std::string::npos) << v->signature;
}

TEST_F(clamd_scanner_test, a_file_over_clamds_limit_is_an_error_never_clean) {
  const std::string file(2 * 1024 * 1024, 'x');  // StreamMaxLength 1M
  auto v = scan(file, 256 * 1024);
  ASSERT_FALSE(v) << "clean: " << v->clean;
  EXPECT_EQ(v.error().code, core::errc::unavailable);
}

TEST(clamd_scanner_faults, no_clamd_is_unavailable) {
  clamd_scanner scanner("/nonexistent/clamd.sock");
  EXPECT_EQ(scanner.ping().error().code, core::errc::unavailable);
  EXPECT_EQ(scanner.start().error().code, core::errc::unavailable);
}

// A fake clamd on a Unix socket that runs `serve` on the first connection.
class fake_clamd {
 public:
  template <class F>
  explicit fake_clamd(F serve) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = socket().string();
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0)
      throw std::runtime_error("fake clamd: cannot listen");
    thread_ = std::thread([this, serve] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c >= 0) {
        serve(c);
        ::close(c);
      }
    });
  }
  ~fake_clamd() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  fs::path socket() const { return dir_.path() / "fake.sock"; }

 private:
  test::temp_dir dir_;
  int fd_ = -1;
  std::thread thread_;
};

TEST(clamd_scanner_faults, a_clamd_that_hangs_up_gives_no_verdict) {
  fake_clamd fake([](int c) {
    char buf[64];
    (void)::recv(c, buf, sizeof buf, 0);  // takes the command, then hangs up
  });
  clamd_scanner scanner(fake.socket(), 2s);
  auto s = scanner.start();
  ASSERT_TRUE(s);
  (void)(*s)->feed({"data", 4});
  auto v = (*s)->finish();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, core::errc::unavailable);
}

TEST(clamd_scanner_faults, a_clamd_that_never_answers_times_out) {
  std::atomic<bool> done{false};
  fake_clamd fake([&](int c) {
    char buf[4096];
    while (!done && ::recv(c, buf, sizeof buf, 0) > 0) {
    }
  });
  clamd_scanner scanner(fake.socket(), 300ms);
  auto s = scanner.start();
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->feed({"data", 4}));
  auto v = (*s)->finish();
  done = true;
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, core::errc::unavailable);
  EXPECT_NE(v.error().message.find("timed out"), std::string::npos) << v.error().message;
}

}  // namespace
}  // namespace carechat::media
