#include "app/config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "app/settings.hpp"
#include "core/text.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string_view name, unsigned line, std::string message) {
  return core::make_error(core::errc::bad_request, std::string(name) + ":" + std::to_string(line) + ": " + message);
}

}  // namespace

core::result<std::vector<config_file_entry>> parse_config_text(std::string_view text, std::string_view name) {
  std::vector<config_file_entry> entries;
  std::map<std::string, unsigned, std::less<>> first_line;
  unsigned line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // written on Windows
    line = core::trim_ows(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return bad(name, line_no, "missing '=': expected 'key = value', got '" + std::string(line.substr(0, 80)) + "'");
    const std::string_view key = core::trim_ows(line.substr(0, eq));
    const std::string_view value = core::trim_ows(line.substr(eq + 1));
    if (key.empty()) return bad(name, line_no, "missing key before '='");
    const setting* s = find_setting(key);
    if (s == nullptr || s->key() != key) {  // the key, not the variable's name
      std::string message = "unknown key '" + std::string(key.substr(0, 80)) + "'";
      if (auto near = suggest_key(key)) message += " (did you mean '" + *near + "'?)";
      return bad(name, line_no, message);
    }
    if (value.empty())
      return bad(name, line_no, std::string(key) + " has no value (leave the line out, or comment it, for the default)");
    if (auto it = first_line.find(key); it != first_line.end())
      return bad(name, line_no, "duplicate key '" + std::string(key) + "' (first set on line " + std::to_string(it->second) + ")");
    first_line.emplace(std::string(key), line_no);
    entries.push_back({std::string(key), std::string(value), line_no});
  }
  return entries;
}

core::result<config_file> read_config_file(const std::string& path) {
  const auto fail = [&path](const std::string& why) {
    return core::make_error(core::errc::bad_request, "cannot read the config file " + path + ": " + why);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_it{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if (static_cast<std::size_t>(st.st_size) > max_config_file_bytes) return fail("larger than 1 MiB");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  auto entries = parse_config_text(text, path);
  if (!entries) return std::move(entries).error();
  return config_file{path, st.st_mode & 07777, std::move(*entries)};
}

}  // namespace carechat::app
