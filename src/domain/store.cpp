#include "domain/store.hpp"

namespace carechat::domain {

const chat_event* event_of(const write_receipt& r) {
  return std::visit(
      [](const auto& x) -> const chat_event* {
        if constexpr (requires { x.event; }) {
          return x.event ? &*x.event : nullptr;
        } else {
          return nullptr;
        }
      },
      r);
}

}  // namespace carechat::domain
