// `carechat audit verify [--tenant T [--instance I]]`: walks every audit chain
// (domain/audit_verify) and prints one line per chain, then a summary. Exit 0 when every chain in
// scope is intact, 3 when one is broken, 1 when the database cannot be read, 2 on a usage error.
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "domain/audit_verify.hpp"

namespace carechat::app {
namespace {

constexpr const char* verify_help = R"(usage: carechat audit verify [--tenant T [--instance I]] [--db PATH]

Checks the tamper-evident audit trail. Each tenant/instance has its own chain: every row holds
the SHA-256 of its own content and of the row before it. The walk recomputes every hash, in
pages (any length of trail), and prints one line per chain:
  OK tenant=T instance=I rows=N head_seq=N head=<sha256 hex> [unchained=M]
  BROKEN tenant=T instance=I row_id=X rows_ok=N: what differs
`head` is the chain's current head: keep it somewhere else (a ticket, a signed mail, the SIEM)
and a later rewrite of the chain up to that row is detected by comparing. `unchained` counts
rows written before the chain began (the upgrade that added it), which it does not cover.
Exit status: 0 all intact, 3 a chain is broken, 1 the database could not be read, 2 usage.
)";

}  // namespace

int audit_verify_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "tenant", "instance"}, {"help"});
  if (!a) {
    std::cerr << "carechat audit verify: " << a.error().message << "\n\n" << verify_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << verify_help;
    return 0;
  }
  if (a->get("instance") && !a->get("tenant")) {
    std::cerr << "carechat audit verify: --instance needs --tenant\n\n" << verify_help;
    return 2;
  }
  auto cfg = load_config(*a);
  if (!cfg) {
    std::cerr << "carechat audit verify: " << cfg.error().message << '\n';
    return 2;
  }
  core::system_clock clock;
  core::openssl_random rng;
  auto st = open_store(*cfg, clock, rng);
  if (!st) {
    std::cerr << "carechat audit verify: " << st.error().message << '\n';
    return 1;
  }
  domain::audit_verify_scope scope{a->get("tenant"), a->get("instance")};
  std::int64_t chains = 0, broken = 0, rows = 0;
  auto done = domain::verify_audit_chains(**st, scope, [&](const domain::audit_chain_report& r) {
    ++chains;
    rows += r.rows;
    const std::string where = "tenant=" + r.chain.tenant + " instance=" + r.chain.instance;
    if (r.broken) {
      ++broken;
      std::cout << "BROKEN " << where << " row_id=" << r.broken_row_id << " rows_ok=" << r.rows << ": " << *r.broken
                << '\n';
      return;
    }
    std::cout << "OK " << where << " rows=" << r.rows << " head_seq=" << (r.head ? r.head->seq : 0)
              << " head=" << (r.head ? core::to_hex(r.head->row_hash) : std::string("none"));
    if (r.unchained > 0) std::cout << " unchained=" << r.unchained;
    std::cout << '\n';
  });
  std::cout.flush();
  if (!done) {
    std::cerr << "carechat audit verify: " << done.error().message << '\n';
    return 1;
  }
  if (broken > 0) {
    std::cout << "BROKEN: " << broken << " of " << chains << " chain(s)\n";
    return 3;
  }
  std::cout << "OK: " << chains << " chain(s), " << rows << " linked row(s) verified\n";
  return 0;
}

}  // namespace carechat::app
