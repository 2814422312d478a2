#include "app/args.hpp"

namespace carechat::app {

core::result<args> args::parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                               const std::set<std::string>& flags) {
  args out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      out.positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name) && !inline_value) {
      out.flags_.insert(name);
    } else if (options.count(name)) {
      if (!inline_value && i + 1 >= argv.size())
        return core::make_error(core::errc::bad_request, "--" + name + " needs a value");
      if (out.values_.count(name)) return core::make_error(core::errc::bad_request, "--" + name + " given twice");
      out.values_[name] = inline_value ? *inline_value : argv[++i];
    } else {
      return core::make_error(core::errc::bad_request, "unknown option --" + name);
    }
  }
  return out;
}

std::optional<std::string> args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace carechat::app
