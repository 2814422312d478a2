// The table of every server setting: the one place that names a setting's environment variable,
// flag and config-file key, says what it means, whether it is a secret, and how its text becomes a
// field of app::config. Reading the environment, the config file and the flags, `serve --help`,
// `carechat config show` and the README's configuration table (checked by a unit test) are all
// produced from it; the default itself stays in config's in-class initializer (shown from there).
// Adding a setting (e.g. CARECHAT_TLS_CERT with --tls-cert):
//   1. a field with its default and a comment in config (config.hpp), e.g. `std::string tls_cert;`
//   2. one line in make_table() (settings.cpp), where it belongs in the documented order:
//        {"CARECHAT_TLS_CERT", "tls-cert", "PEM certificate chain ...", "", plain, text(CARECHAT_FIELD(tls_cert))},
//      with a codec from the helpers there (number, duration, text, switch01, origins) or a new one;
//      a flag given here is accepted by serve and config show at once; `secret` for credentials;
//   3. `build/carechat config markdown` pasted between README.md's settings markers (the
//      settings test fails until it is). Cross-setting checks go at the end of load_config.
// Thread-safety: the table is immutable after its first use (a function-local static).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "core/result.hpp"

namespace carechat::app {

// How one setting's text becomes part of config, and back.
struct setting_codec {
  // Parses and validates `text` (never empty) into its field(s). An error's message says what is
  // wrong with the value, without naming it ("must be a number from 1 to 256"): the caller adds
  // where the value came from (the variable, the file and line, or the flag).
  std::function<core::result<void>(std::string_view text, config& c)> parse;
  // The field's value as the text parse() takes (config show, the documented default); "" when unset.
  std::function<std::string(const config& c)> show;
};

struct setting {
  std::string_view env;           // CARECHAT_LISTEN: the environment variable
  std::string_view flag;          // "listen" for --listen; "" when there is no flag
  std::string_view help;          // one line; Markdown backticks allowed (stripped for --help)
  std::string_view default_note;  // when the struct's default needs words ("one per core"); else ""
  bool secret = false;            // masked as **** by config show; the file may not be world-readable
  setting_codec codec;

  // The config-file key: the variable's name without CARECHAT_, lower case (listen, db, ...).
  std::string key() const;
  // The default as documented: default_note, else the struct's default shown, else "none".
  std::string default_text() const;
};

// Every setting, in the documented order.
std::span<const setting> all_settings();

// By config-file key (listen) or variable (CARECHAT_LISTEN); nullptr when there is none.
const setting* find_setting(std::string_view key_or_env);
// The key nearest to a mistyped one (edit distance at most 2, or a prefix/suffix match), for
// "unknown key 'lisen' (did you mean 'listen'?)"; none when nothing is close.
std::optional<std::string> suggest_key(std::string_view unknown);

// The options of the commands that take every setting (serve, config show): --config and each
// setting's flag.
std::set<std::string> setting_options();

// What `carechat config show` prints: each setting's effective value as a config-file line with
// where it came from ("listen = 127.0.0.1:8080   # file /etc/carechat/carechat.conf:3"), unset
// ones as comments, secrets as ****.
std::string show_settings(const loaded_config& loaded);

// What `serve --help` lists under "settings": each variable, its flag and default, its meaning.
std::string settings_help();
// The README's configuration table (Markdown), between its settings markers.
std::string settings_markdown();

}  // namespace carechat::app
