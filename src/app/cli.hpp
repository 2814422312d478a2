// `carechat <subcommand> [options]`: dispatch and top-level help. Thread-safety: called once from main.
#pragma once

namespace carechat::app {

int run_cli(int argc, char** argv);

}  // namespace carechat::app
