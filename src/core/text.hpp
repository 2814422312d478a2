// Small text helpers for header and config values. Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

namespace carechat::core {

// Splits on `sep`, trims spaces and tabs around each item, drops empty items. The views point into
// `text`.
std::vector<std::string_view> split_list(std::string_view text, char sep = ',');

}  // namespace carechat::core
