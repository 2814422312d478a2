#include "core/clock.hpp"

#include <chrono>

namespace carechat::core {

unix_ms system_clock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace carechat::core
