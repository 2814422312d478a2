// The config file (`carechat serve --config FILE`; docs/operations.md, "The config file"): lines of
// `key = value`, where a key is a setting's variable without CARECHAT_, in lower case (listen, db,
// ...; app/settings), blank lines, and comment lines starting with '#'. The value is the rest of
// the line after '=', without the spaces around it, taken literally (no quotes, no escapes, no
// comment after it). Every error names the file and the line.
// Why not a library: Debian's libinih calls back without the line number unless built with
// INI_HANDLER_LINENO (its package is not) and takes a repeated key silently; toml++ would type
// values ("listen" a quoted string, numbers integers), a second validation beside the variables'
// text one. This format is the variables' own, one per line, so one parser per setting serves both.
// Thread-safety: pure functions, and a file read.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace carechat::app {

struct config_file_entry {
  std::string key;
  std::string value;
  unsigned line = 0;
};

struct config_file {
  std::string path;
  mode_t mode = 0;  // permission bits, for the "holds a secret and others may read it" check
  std::vector<config_file_entry> entries;
};

// Largest config file read: a typo'd path to a huge file fails fast.
inline constexpr std::size_t max_config_file_bytes = 1 << 20;

// The entries of a config file's text; `name` is what errors call it ("NAME:LINE: ..."). Refuses a
// line without '=', an empty key or value, an unknown key (suggesting a close one) and a key given twice.
core::result<std::vector<config_file_entry>> parse_config_text(std::string_view text, std::string_view name);

// Reads and parses the file at `path`; a file that cannot be read (missing, a directory, no
// permission, too large) is an error naming it.
core::result<config_file> read_config_file(const std::string& path);

}  // namespace carechat::app
