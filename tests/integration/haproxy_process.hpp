// Test harness: Debian's haproxy in front of carechat nodes, configured from the same template
// `make run-cluster` uses (scripts/haproxy.cfg.in), on a free loopback port, with its own state
// directory. Started by the constructor (which waits until a node answers /readyz through it),
// stopped by the destructor. Thread-safety: one per test; port() from any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "integration/server_process.hpp"

namespace carechat::testing {

class haproxy_process {
 public:
  explicit haproxy_process(const std::vector<unsigned short>& node_ports);
  ~haproxy_process();
  haproxy_process(const haproxy_process&) = delete;
  haproxy_process& operator=(const haproxy_process&) = delete;

  unsigned short port() const { return port_; }
  // The configuration it runs (the template filled in), for a failure message.
  const std::string& config() const { return config_; }

 private:
  temp_dir dir_;
  unsigned short port_ = 0;
  std::string config_;
  pid_t pid_ = -1;
};

}  // namespace carechat::testing
