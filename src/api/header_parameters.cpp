#include "api/header_parameters.hpp"

#include <cctype>

namespace carechat::api {

std::optional<std::vector<std::pair<std::string, std::string>>> parameters(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  while (true) {
    skip_ws();
    if (i == s.size()) return out;
    if (s[i] != ';') return std::nullopt;
    ++i;
    skip_ws();
    if (i == s.size()) return out;  // a trailing ';' is tolerated
    const std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';' && s[i] != ' ' && s[i] != '\t') ++i;
    std::string name(s.substr(name_start, i - name_start));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    skip_ws();
    if (name.empty() || i == s.size() || s[i] != '=') return std::nullopt;
    ++i;
    skip_ws();
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        const char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < s.size()) {
          value += s[i++];
          continue;
        }
        value += c;
      }
      if (!closed) return std::nullopt;
    } else {
      const std::size_t v = i;
      while (i < s.size() && s[i] != ';' && s[i] != ' ' && s[i] != '\t') ++i;
      value = std::string(s.substr(v, i - v));
      if (value.empty()) return std::nullopt;
    }
    out.emplace_back(std::move(name), std::move(value));
  }
}

}  // namespace carechat::api
