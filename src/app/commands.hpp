// The CLI subcommands; each returns a process exit code (0 ok, 1 failure, 2 usage error).
// Thread-safety: called once from main.
#pragma once

#include <string>
#include <vector>

namespace carechat::app {

int serve_command(const std::vector<std::string>& argv);
int token_command(const std::vector<std::string>& argv);
int client_command(const std::vector<std::string>& argv);
int audit_command(const std::vector<std::string>& argv);
int audit_verify_command(const std::vector<std::string>& argv);  // `audit verify`: 3 when a chain is broken
int audit_export_command(const std::vector<std::string>& argv);  // `audit export`
int demo_command(const std::vector<std::string>& argv);
int webhook_command(const std::vector<std::string>& argv);
int copy_command(const std::vector<std::string>& argv);
int backup_command(const std::vector<std::string>& argv);
int restore_command(const std::vector<std::string>& argv);
int config_command(const std::vector<std::string>& argv);

}  // namespace carechat::app
