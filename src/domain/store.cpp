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

namespace carechat::domain {
namespace {

core::error no_audit_chain() {
  return core::make_error(core::errc::internal, "this store keeps no audit chain");
}

}  // namespace

// A store without chains (test fakes) says so instead of claiming an empty, valid trail.
core::result<std::vector<audit_row>> store::audit_chain_page(const audit_chain_position&, int) {
  return no_audit_chain();
}
core::result<std::vector<audit_chain_head>> store::audit_chain_heads() { return no_audit_chain(); }
core::result<std::vector<audit_unchained_rows>> store::audit_unchained() { return no_audit_chain(); }
core::result<std::vector<audit_row>> store::audit_export_page(const audit_export_query&) { return no_audit_chain(); }

}  // namespace carechat::domain
