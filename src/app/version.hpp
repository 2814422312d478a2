// The version `carechat --version` prints: CMake's project VERSION (the one place it is set; the
// Debian package takes it from the binary) and the git commit it was built from, when known.
// Thread-safety: constants.
#pragma once

#include <string>

namespace carechat::app {

// "0.1.0"
const char* version();
// "0.1.0 (commit 1a2b3c4d5e6f)" or "0.1.0" when built outside a git checkout; "-dirty" marks
// uncommitted changes.
std::string version_text();

}  // namespace carechat::app
