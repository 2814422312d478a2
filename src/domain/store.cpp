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

namespace {

class sole_process_duty final : public cluster_duty {
 public:
  bool held() override { return true; }
};

}  // namespace

std::unique_ptr<cluster_duty> store::open_cluster_duty(const std::string&) {
  return std::make_unique<sole_process_duty>();
}

}  // namespace carechat::domain
