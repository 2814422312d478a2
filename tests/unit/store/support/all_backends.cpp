// The list the contract tests are instantiated over.
#include "unit/store/support/backend.hpp"

namespace carechat::test {

std::vector<backend_factory> all_backends() {
#ifdef CARECHAT_WITH_POSTGRES
  return {sqlite_backend_factory(), postgres_backend_factory()};
#else
  return {sqlite_backend_factory()};
#endif
}

}  // namespace carechat::test
