// PostgreSQL clusters of a test's own (scripts/pg-test-cluster.sh), for the tests that restart,
// kill or fail over a database and so must not touch the cluster the other tests share. They live
// under /tmp (world-readable: when tests run as root the clusters belong to the postgres user) and
// are stopped and removed when the object goes. Thread-safety: one per test, its thread only.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace carechat::testing {

class pg_clusters {
 public:
  pg_clusters() {
    char tmpl[] = "/tmp/carechat-pg-test-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
    chmod(root_.c_str(), 0755);
  }
  ~pg_clusters() {
    for (auto it = names_.rbegin(); it != names_.rend(); ++it) (void)script("stop " + dir(*it));
    std::filesystem::remove_all(root_);
  }
  pg_clusters(const pg_clusters&) = delete;
  pg_clusters& operator=(const pg_clusters&) = delete;

  // A new primary; a synchronous standby of `primary`; then what an operator or a failover tool
  // does to them. Each answers whether the script succeeded.
  bool start(const std::string& name) { return add(name, "start " + dir(name)); }
  bool standby(const std::string& primary, const std::string& name) {
    return add(name, "standby " + dir(primary) + " " + dir(name));
  }
  bool restart(const std::string& name) { return script("restart " + dir(name)); }
  bool kill(const std::string& name) { return script("kill " + dir(name)); }
  bool promote(const std::string& name) { return script("promote " + dir(name)); }

  std::string uri(const std::string& name) const { return first_line(dir(name) + "/uri"); }
  std::string port(const std::string& name) const { return first_line(dir(name) + "/port"); }

 private:
  std::string dir(const std::string& name) const { return root_ + "/" + name; }
  bool add(const std::string& name, const std::string& command) {
    names_.push_back(name);
    return script(command);
  }
  static bool script(const std::string& args) {
    return std::system(("bash '" CARECHAT_SOURCE_DIR "/scripts/pg-test-cluster.sh' " + args + " >/dev/null 2>&1").c_str()) == 0;
  }
  static std::string first_line(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  }

  std::string root_;
  std::vector<std::string> names_;
};

}  // namespace carechat::testing
