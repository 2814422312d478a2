// carechat: only assembles; everything lives in the layers (see docs/ARCHITECTURE.md).
#include "app/cli.hpp"

int main(int argc, char** argv) { return carechat::app::run_cli(argc, argv); }
