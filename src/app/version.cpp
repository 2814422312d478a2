#include "app/version.hpp"

#include "carechat_version.hpp"  // generated at build time by cmake/version.cmake

namespace carechat::app {

const char* version() { return CARECHAT_VERSION; }

std::string version_text() {
  const std::string commit = CARECHAT_GIT_COMMIT;
  return commit.empty() ? std::string(CARECHAT_VERSION) : std::string(CARECHAT_VERSION) + " (commit " + commit + ")";
}

}  // namespace carechat::app
