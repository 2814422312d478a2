// Minimal structured logging to stderr. Callers pass only operational facts: never message text,
// token secrets or request bodies. Thread-safety: each call writes one whole line atomically.
#pragma once

#include <string_view>

namespace carechat::core {

enum class log_level { debug, info, warn, error };

void set_log_level(log_level min);
void log(log_level level, std::string_view component, std::string_view text);

inline void log_info(std::string_view component, std::string_view text) { log(log_level::info, component, text); }
inline void log_warn(std::string_view component, std::string_view text) { log(log_level::warn, component, text); }
inline void log_error(std::string_view component, std::string_view text) { log(log_level::error, component, text); }

}  // namespace carechat::core
