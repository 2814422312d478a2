#include "core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

#include "core/clock.hpp"
#include "core/time_format.hpp"

namespace carechat::core {
namespace {
std::atomic<log_level> min_level{log_level::info};

std::string_view name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}
}  // namespace

void set_log_level(log_level min) { min_level.store(min); }

void log(log_level level, std::string_view component, std::string_view text) {
  if (level < min_level.load()) return;
  std::string line = format_iso8601_ms(system_clock{}.now_ms());
  line += ' ';
  line += name(level);
  line += ' ';
  line += component;
  line += ": ";
  line += text;
  line += '\n';
  // One write(2) per line keeps concurrent lines from interleaving.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace carechat::core
