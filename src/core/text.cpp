#include "core/text.hpp"

namespace carechat::core {

std::vector<std::string_view> split_list(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto at = text.find(sep);
    std::string_view item = text.substr(0, at);
    text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<std::string> split_list_copy(std::string_view text, char sep) {
  std::vector<std::string> out;
  for (std::string_view item : split_list(text, sep)) out.emplace_back(item);
  return out;
}

std::string join_list(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(sep);
    out += item;
  }
  return out;
}

}  // namespace carechat::core
