// The flags of the CLI's listings (`token list`, `audit`): pages of at most --limit rows after
// --after, of one --tenant/--instance. No listing is unbounded (issue #16): a full page ends with
// a hint on stderr naming the --after of the next one. Thread-safety: plain functions.
#pragma once

#include <iostream>
#include <string>

#include "app/args.hpp"
#include "core/result.hpp"
#include "core/text.hpp"

namespace carechat::app {

inline constexpr int default_listing_limit = 1000;
inline constexpr int max_listing_limit = 100'000;

// --limit: 1..100000, default 1000; bad_request naming the flag otherwise.
inline core::result<int> listing_limit(const args& a) {
  const auto v = a.get("limit");
  if (!v) return default_listing_limit;
  const auto n = core::parse_decimal<int>(*v);
  if (!n || *n < 1 || *n > max_listing_limit)
    return core::make_error(core::errc::bad_request,
                            "--limit must be a number from 1 to " + std::to_string(max_listing_limit));
  return *n;
}

// After a page of `rows` rows of at most `limit`: on a full page, where the next one starts.
inline void next_page_hint(const char* command, std::size_t rows, int limit, const std::string& last) {
  if (rows == static_cast<std::size_t>(limit) && !last.empty())
    std::cerr << "carechat " << command << ": more rows may follow: add --after " << last << '\n';
}

}  // namespace carechat::app
