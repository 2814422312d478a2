// A real clamd (Debian's clamav-daemon, scripts/install-deps.sh) for the tests that scan: started in
// the foreground in a temporary directory, on a Unix socket, with a database of one custom
// signature (no network here: freshclam cannot fetch the official database, and clamd will not
// start without one). Stopped (SIGTERM) and its directory removed on destruction.
// Thread-safety: one owner.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>

#include "unit/store/support/temp_dir.hpp"

namespace carechat::test {

// A file containing this is "infected" (signature Carechat.Test.Signature).
inline constexpr std::string_view test_malware_signature = "CARECHAT-TEST-MALWARE-SIGNATURE";

class clamd_process {
 public:
  // `stream_max`: clamd's StreamMaxLength (a stream past it is an error, never clean), e.g. "1M".
  explicit clamd_process(const std::string& stream_max = "1M") {
    namespace fs = std::filesystem;
    fs::create_directory(dir_.path() / "db");
    std::string hex;
    for (unsigned char c : test_malware_signature) {
      static constexpr char digits[] = "0123456789abcdef";
      hex += digits[c >> 4];
      hex += digits[c & 0xF];
    }
    std::ofstream(dir_.path() / "db" / "carechat-test.ndb") << "Carechat.Test.Signature:0:*:" << hex << "\n";
    std::ofstream(dir_.path() / "clamd.conf") << "LocalSocket " << socket().string() << "\nLocalSocketMode 600\n"
                                              << "DatabaseDirectory " << (dir_.path() / "db").string()
                                              << "\nForeground yes\n"
                                              << "LogFile " << (dir_.path() / "clamd.log").string()
                                              << "\nStreamMaxLength " << stream_max << "\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string conf = (dir_.path() / "clamd.conf").string();
      ::execl("/usr/sbin/clamd", "clamd", "-c", conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !answers_ping(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ~clamd_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  clamd_process(const clamd_process&) = delete;
  clamd_process& operator=(const clamd_process&) = delete;

  std::filesystem::path socket() const { return dir_.path() / "clamd.sock"; }

  // "zPING\0" -> "PONG": whether clamd is up (its database loaded).
  bool answers_ping() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket().string();
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      static constexpr char ping[] = "zPING";  // with its NUL terminator
      char answer[16] = {};
      ok = ::write(fd, ping, sizeof ping) == static_cast<ssize_t>(sizeof ping) && ::read(fd, answer, 15) >= 4 &&
           std::string_view(answer, 4) == "PONG";
    }
    ::close(fd);
    return ok;
  }

 private:
  temp_dir dir_;  // removed after clamd has stopped (members go after the destructor's body)
  pid_t pid_ = -1;
};

}  // namespace carechat::test
