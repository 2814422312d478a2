// `carechat client create|list|revoke`: OAuth API clients (POST /oauth/token), on the database
// directly, server running or not.
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json/parse.hpp>

#include "api/jose/jwk.hpp"
#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/listing_flags.hpp"
#include "app/store_factory.hpp"
#include "core/time_format.hpp"
#include "domain/oauth_client.hpp"

namespace carechat::app {
namespace {

constexpr const char* client_help = R"(usage:
  carechat client create --tenant T --instance I [--name "Label"] [--jwks-file FILE] [--db PATH]
  carechat client list [--tenant T] [--instance I] [--limit N] [--after CLIENT_ID] [--db PATH]
  carechat client revoke CLIENT_ID [--db PATH]

An API client gets bearer tokens for the `client` role of one tenant/instance from
POST /oauth/token (grant_type=client_credentials; docs/integration.md).
`create` prints the client_id (cl_...) and, without --jwks-file, a client_secret on the next line:
the secret is shown once, only its SHA-256 hash is stored. With --jwks-file the client
authenticates with private_key_jwt: JWTs signed by a key of that JWK Set (RS256, RS384, ES256 or
ES384; public keys only). `list` shows clients oldest first, at most --limit (default 1000) after
--after. `revoke` ends the client and every token issued to it. --db defaults to CARECHAT_DB or
./var/carechat.db.
)";

int fail(const std::string& what) {
  std::cerr << "carechat client: " << what << '\n';
  return 1;
}

// The JWKS file, checked as the token endpoint will read it; nullopt (and a message) if unusable.
std::optional<std::string> read_jwks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "carechat client create: cannot read " << path << '\n';
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto keys = api::jose::jwks::parse(text.str());
  if (!keys) {
    std::cerr << "carechat client create: " << path << ": " << keys.error().message << '\n';
    return std::nullopt;
  }
  // The set is valid JSON by now. A private member in it means the client's private key was handed
  // to us: refuse it, so the operator learns the key must be replaced rather than stored.
  const auto doc = boost::json::parse(text.str());
  for (const auto& k : doc.at("keys").as_array())
    if (k.is_object() && k.as_object().contains("d")) {
      std::cerr << "carechat client create: " << path
                << " holds a private key (\"d\"): register the public keys only, and replace that key\n";
      return std::nullopt;
    }
  return text.str();
}

}  // namespace

int client_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "tenant", "instance", "name", "jwks-file", "limit", "after"}, {"help"});
  if (!a) {
    std::cerr << "carechat client: " << a.error().message << "\n\n" << client_help;
    return 2;
  }
  if (a->has("help") || a->positionals().empty()) {
    std::cout << client_help;
    return a->has("help") ? 0 : 2;
  }
  const std::string sub = a->positionals().front();
  auto cfg = load_config(*a);
  if (!cfg) return fail(cfg.error().message);
  core::system_clock clock;
  core::openssl_random rng;

  if (sub == "create") {
    std::optional<std::string> jwks;
    if (auto path = a->get("jwks-file")) {
      jwks = read_jwks(*path);
      if (!jwks) return 2;
    }
    auto created = domain::create_client(a->get("tenant").value_or(""), a->get("instance").value_or(""),
                                         a->get("name").value_or(""), std::move(jwks), rng, clock);
    if (!created) {
      std::cerr << "carechat client create: " << created.error().message << '\n';
      return 2;
    }
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    if (auto ok = (*st)->insert_oauth_client(created->record); !ok) return fail(ok.error().message);
    std::cout << created->record.id << '\n';
    if (!created->secret.empty()) std::cout << created->secret << '\n';
    return 0;
  }
  if (sub == "list") {
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    auto limit = listing_limit(*a);
    if (!limit) {
      std::cerr << "carechat client list: " << limit.error().message << '\n';
      return 2;
    }
    domain::token_listing q{a->get("tenant"), a->get("instance"), a->get("after"), *limit};
    auto clients = (*st)->list_oauth_clients(q);
    if (!clients) return fail(clients.error().message);
    std::cout << "id\ttenant\tinstance\tauth\tname\tcreated\trevoked\n";
    for (const auto& c : *clients)
      std::cout << c.id << '\t' << c.tenant << '\t' << c.instance << '\t'
                << (c.jwks.empty() ? "client_secret" : "private_key_jwt") << '\t' << c.name << '\t'
                << core::format_iso8601_ms(c.created_at) << '\t'
                << (c.revoked_at ? core::format_iso8601_ms(*c.revoked_at) : "-") << '\n';
    next_page_hint("client list", clients->size(), *limit, clients->empty() ? "" : clients->back().id);
    return 0;
  }
  if (sub == "revoke") {
    if (a->positionals().size() != 2) {
      std::cerr << "carechat client revoke: give exactly one client id (cl_...)\n";
      return 2;
    }
    auto st = open_store(*cfg, clock, rng);
    if (!st) return fail(st.error().message);
    auto done = (*st)->revoke_oauth_client(a->positionals()[1], clock.now_ms());
    if (!done) return fail(done.error().message);
    if (!*done) return fail("no client with id " + a->positionals()[1]);
    std::cout << "revoked " << a->positionals()[1] << " and its tokens\n";
    return 0;
  }
  std::cerr << "carechat client: unknown subcommand '" << sub << "'\n\n" << client_help;
  return 2;
}

}  // namespace carechat::app
