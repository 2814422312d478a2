// A small command-line parser: `--name value` options, `--flag` switches and positionals.
// Thread-safety: plain value.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace carechat::app {

class args {
 public:
  // `options` take a value, `flags` do not; anything else starting with "--" is an error.
  static core::result<args> parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                                  const std::set<std::string>& flags);

  std::optional<std::string> get(const std::string& name) const;
  bool has(const std::string& flag) const { return flags_.count(flag) > 0; }
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positionals_;
};

}  // namespace carechat::app
