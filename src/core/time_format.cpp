#include "core/time_format.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>

namespace carechat::core {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian, no time zone database.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m, d;
};

constexpr civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `width` digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t width, unsigned& out) {
  if (pos + width > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  pos += width;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string format_iso8601_ms(unix_ms t) {
  std::int64_t days = t / 86'400'000;
  std::int64_t rem = t % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    --days;
  }
  const civil c = civil_from_days(days);
  const auto ms = static_cast<int>(rem % 1000);
  const auto secs = static_cast<int>(rem / 1000);
  if (c.y < 0 || c.y > 9999) {  // rare: snprintf handles the sign and the extra digits
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(c.y), c.m, c.d,
                  secs / 3600, secs / 60 % 60, secs % 60, ms);
    return buf;
  }
  // Every message and event carries timestamps: written digit by digit, not through snprintf.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t at, long long v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10)
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, c.y, 4);
  put(5, c.m, 2);
  put(8, c.d, 2);
  put(11, secs / 3600, 2);
  put(14, secs / 60 % 60, 2);
  put(17, secs % 60, 2);
  put(20, ms, 3);
  return out;
}

std::optional<unix_ms> parse_iso8601(std::string_view s) {
  std::size_t pos = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  std::int64_t ms = 0;
  std::int64_t offset_minutes = 0;
  if (pos != s.size()) {
    if (!expect(s, pos, 'T') || !read_digits(s, pos, 2, hour) || !expect(s, pos, ':') ||
        !read_digits(s, pos, 2, minute) || !expect(s, pos, ':') || !read_digits(s, pos, 2, second))
      return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::size_t digits = 0;
      unsigned frac_ms = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) frac_ms = frac_ms * 10 + static_cast<unsigned>(s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (std::size_t i = digits; i < 3; ++i) frac_ms *= 10;
      ms = frac_ms;
    }
    if (pos >= s.size()) return std::nullopt;  // a zone is required: local times are ambiguous
    if (s[pos] == 'Z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '+' ? 1 : -1;
      ++pos;
      unsigned oh = 0, om = 0;
      if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) || oh > 23 || om > 59)
        return std::nullopt;
      offset_minutes = sign * static_cast<std::int64_t>(oh * 60 + om);
    } else {
      return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000 + ms;
}

}  // namespace carechat::core
