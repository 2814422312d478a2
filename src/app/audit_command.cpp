// `carechat audit --patient ID`: prints a patient's audit rows, oldest first.
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "core/time_format.hpp"

namespace carechat::app {
namespace {

constexpr const char* audit_help = R"(usage: carechat audit --patient ID [--db PATH]

Prints every recorded access to the patient's chat, oldest first, one row per request:
time, token id, role, actor, action, tenant, instance, patient, outcome. Rows never contain message
text or token secrets.
)";

}  // namespace

int audit_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "patient"}, {"help"});
  if (!a || (!a->has("help") && !a->get("patient"))) {
    std::cerr << "carechat audit: " << (a ? "--patient is required" : a.error().message) << "\n\n" << audit_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << audit_help;
    return 0;
  }
  auto cfg = load_config(*a);
  if (!cfg) {
    std::cerr << "carechat audit: " << cfg.error().message << '\n';
    return 2;
  }
  core::system_clock clock;
  core::openssl_random rng;
  auto st = open_store(*cfg, clock, rng);
  if (!st) {
    std::cerr << "carechat audit: " << st.error().message << '\n';
    return 1;
  }
  auto rows = (*st)->audit_for_patient(*a->get("patient"));
  if (!rows) {
    std::cerr << "carechat audit: " << rows.error().message << '\n';
    return 1;
  }
  std::cout << "time\ttoken\trole\tactor\taction\ttenant\tinstance\tpatient\toutcome\n";
  for (const auto& r : *rows) {
    const auto& e = r.entry;
    std::cout << core::format_iso8601_ms(e.at) << '\t' << e.token_id << '\t' << domain::to_string(e.actor_role) << '\t'
              << e.actor_id << '\t' << e.action << '\t' << e.chat.tenant << '\t' << e.chat.instance << '\t'
              << e.chat.patient << '\t' << e.outcome << '\n';
  }
  return 0;
}

}  // namespace carechat::app
