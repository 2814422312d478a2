// `carechat token create|list|revoke`: works directly on the database, server running or not.
#include <iostream>

#include "app/commands.hpp"
#include "app/args.hpp"
#include "app/config.hpp"
#include "app/listing_flags.hpp"
#include "app/store_factory.hpp"
#include "core/time_format.hpp"
#include "domain/authentication.hpp"

namespace carechat::app {
namespace {

constexpr const char* token_help = R"(usage:
  carechat token create --tenant T --instance I --role ROLE [--patient ID] [--user ID --name "First Last"] [--db PATH]
  carechat token list [--tenant T] [--instance I] [--limit N] [--after TOKEN_ID] [--db PATH]
  carechat token revoke TOKEN_ID [--db PATH]

Roles: patient (needs --patient: that patient's chat only), user (staff; needs --user and --name),
client (an integration's API client for the tenant/instance), admin (the instance's operator:
everything a user may do plus webhook configuration; needs --user and --name).
`create` prints the new bearer token alone on stdout; only its SHA-256 hash is stored, so it cannot
be shown again. `list` shows token ids (tk_...), never secrets, oldest first, at most --limit
(default 1000, at most 100000) after the token --after. --db defaults to CARECHAT_DB or
./var/carechat.db.
)";

int fail(const std::string& what) {
  std::cerr << "carechat token: " << what << '\n';
  return 1;
}

}  // namespace

int token_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "tenant", "instance", "role", "patient", "user", "name", "limit", "after"},
                       {"help"});
  if (!a) {
    std::cerr << "carechat token: " << a.error().message << "\n\n" << token_help;
    return 2;
  }
  if (a->has("help") || a->positionals().empty()) {
    std::cout << token_help;
    return a->has("help") ? 0 : 2;
  }
  const std::string sub = a->positionals().front();
  auto cfg = load_config(*a);
  if (!cfg) return fail(cfg.error().message);
  core::system_clock clock;
  core::openssl_random rng;

  if (sub == "create") {
    const auto role = domain::role_from_string(a->get("role").value_or(""));
    if (!role) {
      std::cerr << "carechat token create: --role must be patient, user, client or admin\n";
      return 2;
    }
    domain::principal who;
    who.role = *role;
    who.tenant = a->get("tenant").value_or("");
    who.instance = a->get("instance").value_or("");
    who.patient_id = a->get("patient").value_or("");
    who.user_id = a->get("user").value_or("");
    who.display_name = a->get("name").value_or("");
    auto issued = domain::issue_token(who, rng, clock);
    if (!issued) {
      std::cerr << "carechat token create: " << issued.error().message << '\n';
      return 2;
    }
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    if (auto ok = (*st)->insert_token(issued->record); !ok) return fail(ok.error().message);
    std::cout << issued->secret << '\n';
    return 0;
  }
  if (sub == "list") {
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    auto limit = listing_limit(*a);
    if (!limit) {
      std::cerr << "carechat token list: " << limit.error().message << '\n';
      return 2;
    }
    domain::token_listing q{a->get("tenant"), a->get("instance"), a->get("after"), *limit};
    auto tokens = (*st)->list_tokens(q);
    if (!tokens) return fail(tokens.error().message);
    std::cout << "id\ttenant\tinstance\trole\tpatient\tuser\tname\tcreated\trevoked\n";
    for (const auto& t : *tokens)
      std::cout << t.id << '\t' << t.who.tenant << '\t' << t.who.instance << '\t' << domain::to_string(t.who.role)
                << '\t' << t.who.patient_id << '\t' << t.who.user_id << '\t' << t.who.display_name << '\t'
                << core::format_iso8601_ms(t.created_at) << '\t'
                << (t.revoked_at ? core::format_iso8601_ms(*t.revoked_at) : "-") << '\n';
    next_page_hint("token list", tokens->size(), *limit, tokens->empty() ? "" : tokens->back().id);
    return 0;
  }
  if (sub == "revoke") {
    if (a->positionals().size() != 2) {
      std::cerr << "carechat token revoke: give exactly one token id (tk_...)\n";
      return 2;
    }
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    auto done = (*st)->revoke_token(a->positionals()[1], clock.now_ms());
    if (!done) return fail(done.error().message);
    if (!*done) return fail("no token with id " + a->positionals()[1]);
    std::cout << "revoked " << a->positionals()[1] << '\n';
    return 0;
  }
  std::cerr << "carechat token: unknown subcommand '" << sub << "'\n\n" << token_help;
  return 2;
}

}  // namespace carechat::app
