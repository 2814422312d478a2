// Small text helpers for header and config values. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carechat::core {

// Splits on `sep`, trims spaces and tabs around each item, drops empty items. The views point into
// `text`.
std::vector<std::string_view> split_list(std::string_view text, char sep = ',');
// split_list's items as owned strings.
std::vector<std::string> split_list_copy(std::string_view text, char sep = ',');
// The items joined with `sep` (the inverse of split_list for items without `sep` or edge spaces).
std::string join_list(const std::vector<std::string>& items, char sep = ',');

}  // namespace carechat::core
