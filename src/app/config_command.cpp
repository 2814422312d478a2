// `carechat config show`: the effective settings after the config file, the environment and the
// flags, secrets masked; `carechat config markdown`: the README's configuration table.
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/settings.hpp"

namespace carechat::app {
namespace {

constexpr const char* config_help = R"(usage: carechat config show [--config FILE] [--db DB] [--listen HOST:PORT] [--web-root DIR]
       carechat config markdown

show      prints every setting's effective value as a config file would set it, after the config
          file (--config, CARECHAT_CONFIG, or /etc/carechat/carechat.conf when it exists), the
          CARECHAT_* variables and the flags, each with where it came from; secrets as ****.
          Exits 2, naming the file and line or the variable, when a value is refused.
markdown  prints the table of settings that README.md carries between its settings markers.
)";

}  // namespace

int config_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, setting_options(), {"help"});
  if (!a) {
    std::cerr << "carechat config: " << a.error().message << "\n\n" << config_help;
    return 2;
  }
  const auto& words = a->positionals();
  if (a->has("help")) {
    std::cout << config_help;
    return 0;
  }
  if (words.size() == 1 && words[0] == "markdown") {
    std::cout << settings_markdown();
    return 0;
  }
  if (words.size() != 1 || words[0] != "show") {
    std::cerr << "carechat config: expected show or markdown\n\n" << config_help;
    return 2;
  }
  auto loaded = load_config_with_origins(*a);
  if (!loaded) {
    std::cerr << "carechat config: " << loaded.error().message << '\n';
    return 2;
  }
  std::cout << show_settings(*loaded);
  return 0;
}

}  // namespace carechat::app
