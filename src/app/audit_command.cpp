// `carechat audit --patient ID`: prints a patient's audit rows, oldest first. `carechat audit
// verify` and `carechat audit export` (the tamper-evident chain) live in their own files.
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/listing_flags.hpp"
#include "app/store_factory.hpp"
#include "core/time_format.hpp"

namespace carechat::app {
namespace {

constexpr const char* audit_help = R"(usage: carechat audit --patient ID [--tenant T] [--instance I] [--limit N] [--after ROW]
                      [--db PATH]
       carechat audit verify [--tenant T [--instance I]] [--db PATH]
       carechat audit export --since TIME --until TIME [--format csv|ndjson] [--tenant T]
                             [--instance I] [--out FILE] [--db PATH]

Prints the recorded accesses to the patient's chat, oldest first, one row per request:
time, token id, role, actor, action, tenant, instance, patient, outcome, request id (the
request's X-Request-Id, as in the server's request log; "-" for the CLI's own rows). Rows never contain
message text or token secrets. At most --limit rows (default 1000, at most 100000) with an id above
--after; a full page ends with the --after of the next one on stderr.
)";

}  // namespace

int audit_command(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "verify") return audit_verify_command({argv.begin() + 1, argv.end()});
  if (!argv.empty() && argv[0] == "export") return audit_export_command({argv.begin() + 1, argv.end()});
  auto a = args::parse(argv, {"db", "patient", "tenant", "instance", "limit", "after"}, {"help"});
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
  auto limit = listing_limit(*a);
  const auto after = a->get("after") ? core::parse_decimal<std::int64_t>(*a->get("after")) : std::optional<std::int64_t>(0);
  if (!limit || !after || *after < 0) {
    std::cerr << "carechat audit: " << (limit ? "--after must be a row id (a number)" : limit.error().message) << '\n';
    return 2;
  }
  domain::audit_listing q{a->get("tenant"), a->get("instance"), *after, *limit};
  auto rows = (*st)->audit_for_patient(*a->get("patient"), q);
  if (!rows) {
    std::cerr << "carechat audit: " << rows.error().message << '\n';
    return 1;
  }
  std::cout << "time\ttoken\trole\tactor\taction\ttenant\tinstance\tpatient\toutcome\trequest_id\n";
  for (const auto& r : *rows) {
    const auto& e = r.entry;
    std::cout << core::format_iso8601_ms(e.at) << '\t' << e.token_id << '\t' << domain::to_string(e.actor_role) << '\t'
              << e.actor_id << '\t' << e.action << '\t' << e.chat.tenant << '\t' << e.chat.instance << '\t'
              << e.chat.patient << '\t' << e.outcome << '\t' << e.request_id.value_or("-") << '\n';
  }
  next_page_hint("audit", rows->size(), *limit, rows->empty() ? "" : std::to_string(rows->back().id));
  return 0;
}

}  // namespace carechat::app
