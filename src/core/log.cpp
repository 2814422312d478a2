#include "core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <string>

#include "core/clock.hpp"
#include "core/time_format.hpp"
#include "core/utf8.hpp"

namespace carechat::core {
namespace {
std::atomic<log_level> min_level{log_level::info};
std::atomic<log_format> format{log_format::text};

std::string_view name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

void append_number(std::string& out, double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  if (ec == std::errc()) out.append(buf, end);
  else out += '0';
}

void append_text_value(std::string& out, std::string_view v) {
  const bool quote = v.empty() || v.find_first_of(" \"=\\") != std::string_view::npos;
  if (!quote) {
    // Control characters never reach a line raw: a client-chosen value cannot forge a line.
    for (char c : v) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return;
  }
  out += '"';
  append_json_string_content(out, v);
  out += '"';
}

void append_value(std::string& out, const log_field& f, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&f.value)) {
    if (!json) return append_text_value(out, *s);
    out += '"';
    append_json_string_content(out, *s);
    out += '"';
  } else if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
    out += std::to_string(*i);
  } else {
    append_number(out, std::get<double>(f.value));
  }
}

void write_line(std::string& line) {
  line += '\n';
  // One write(2) per line keeps concurrent lines from interleaving.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

void set_log_level(log_level min) { min_level.store(min); }
void set_log_format(log_format f) { format.store(f); }
log_format current_log_format() { return format.load(std::memory_order_relaxed); }
bool log_enabled(log_level level) { return level >= min_level.load(std::memory_order_relaxed); }

void append_json_string_content(std::string& out, std::string_view text) {
  std::u32string decoded;
  if (!utf8_length(text)) {  // rare (a peer's bytes in an error): re-encode with U+FFFD
    decoded = utf8_decode_lossy(text);
    std::string fixed;
    for (char32_t cp : decoded) utf8_append(fixed, cp);
    return append_json_string_content(out, fixed);
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
}

void log(log_level level, std::string_view component, std::string_view text) { log(level, component, text, {}); }

void log(log_level level, std::string_view component, std::string_view text, std::initializer_list<log_field> fields) {
  if (!log_enabled(level)) return;
  const std::string time = format_iso8601_ms(system_clock{}.now_ms());
  std::string line;
  line.reserve(160 + text.size());
  if (current_log_format() == log_format::json) {
    line += R"({"time":")";
    line += time;
    line += R"(","level":")";
    line += name(level);
    line += R"(","component":")";
    append_json_string_content(line, component);
    line += R"(","msg":")";
    append_json_string_content(line, text);
    line += '"';
    for (const auto& f : fields) {
      line += ",\"";
      append_json_string_content(line, f.key);
      line += "\":";
      append_value(line, f, true);
    }
    line += '}';
  } else {
    line += time;
    line += ' ';
    line += name(level);
    line += ' ';
    line += component;
    line += ": ";
    line += text;
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      append_value(line, f, false);
    }
  }
  write_line(line);
}

}  // namespace carechat::core
