// Minimal structured logging to stderr. Callers pass only operational facts: never message text,
// token secrets, request bodies or query strings. Thread-safety: each call writes one whole line
// atomically; set_log_level/set_log_format before the threads start (they are atomics anyway).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace carechat::core {

enum class log_level { debug, info, warn, error };

// text (the default): "2026-01-02T03:04:05.678Z info component: text key=value ..."
// json (CARECHAT_LOG_FORMAT=json): one JSON object per line, for log collectors:
//   {"time":"...","level":"info","component":"...","msg":"...","key":value,...}
enum class log_format { text, json };

void set_log_level(log_level min);
void set_log_format(log_format f);
log_format current_log_format();
bool log_enabled(log_level level);

// A named value of a structured line: a string, an integer or a number.
struct log_field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double> value;
};

void log(log_level level, std::string_view component, std::string_view text);
// A line with fields: in text, " key=value" after the text (values with spaces or quotes are
// quoted); in JSON, members of the object.
void log(log_level level, std::string_view component, std::string_view text, std::initializer_list<log_field> fields);

inline void log_info(std::string_view component, std::string_view text) { log(log_level::info, component, text); }
inline void log_warn(std::string_view component, std::string_view text) { log(log_level::warn, component, text); }
inline void log_error(std::string_view component, std::string_view text) { log(log_level::error, component, text); }

// `text` as the inside of a JSON string (quotes, backslashes and control characters escaped;
// invalid UTF-8 replaced by U+FFFD), appended to `out`.
void append_json_string_content(std::string& out, std::string_view text);

}  // namespace carechat::core
