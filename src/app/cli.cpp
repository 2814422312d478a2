#include "app/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/version.hpp"

namespace carechat::app {
namespace {

constexpr const char* usage = R"(carechat: secure patient <-> care-team messaging

usage: carechat <command> [options]

commands:
  serve     run the HTTP server
  token     create, list and revoke bearer tokens (create | list | revoke)
  client    create, list and revoke OAuth API clients (create | list | revoke)
  audit     print the audit trail of a patient's chat; verify the tamper-evident chains (verify);
            export it for compliance (export)
  webhook   configure the webhook endpoint, show the delivery log, redeliver (set | show | disable | log | redeliver)
  demo      seed the demo tenant gh/sb-demo and print tokens and URLs
  copy      copy a whole database from SQLite into an empty PostgreSQL database
  backup    copy an SQLite database (and its attachments) while it serves
  restore   make a new SQLite database from a backup (live clients resync)
  config    print the effective settings, secrets masked (show), or the README's table (markdown)

Run `carechat <command> --help` for the options of each, `carechat --version` for the version.
)";

}  // namespace

int run_cli(int argc, char** argv) {
  if (auto ok = apply_log_format(); !ok) {
    std::cerr << "carechat: " << ok.error().message << '\n';
    return 2;
  }
  std::vector<std::string> rest(argv + (argc > 1 ? 2 : 1), argv + argc);
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "serve") return serve_command(rest);
  if (cmd == "token") return token_command(rest);
  if (cmd == "client") return client_command(rest);
  if (cmd == "audit") return audit_command(rest);
  if (cmd == "demo") return demo_command(rest);
  if (cmd == "webhook") return webhook_command(rest);
  if (cmd == "copy") return copy_command(rest);
  if (cmd == "backup") return backup_command(rest);
  if (cmd == "restore") return restore_command(rest);
  if (cmd == "config") return config_command(rest);
  if (cmd == "--version" || cmd == "version") {
    std::cout << "carechat " << version_text() << '\n';
    return 0;
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << usage;
    return 0;
  }
  std::cerr << (cmd.empty() ? "" : "unknown command '" + cmd + "'\n\n") << usage;
  return 2;
}

}  // namespace carechat::app
