// `carechat webhook set|show|disable|log|redeliver`: manages a tenant/instance's webhook endpoint
// directly on the database, server running or not (a running server picks changes up on its next
// poll). Secrets are never printed back in full; a generated signing secret is printed once.
#include <iostream>

#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"
#include "domain/access_policy.hpp"
#include "domain/store.hpp"
#include "net/webhook_target.hpp"

namespace carechat::app {
namespace {

constexpr const char* webhook_help = R"(usage:
  carechat webhook set --tenant T --instance I --url URL --api-key K --api-secret S
                       [--signing-secret whsec_...] [--rotate] [--events TYPE,...] [--db PATH]
  carechat webhook show --tenant T --instance I [--db PATH]
  carechat webhook disable --tenant T --instance I [--db PATH]
  carechat webhook log --tenant T --instance I [--limit N] [--db PATH]
  carechat webhook redeliver --tenant T --instance I EVENT_OR_DELIVERY_ID [--db PATH]

set      configures (or re-enables) the instance's endpoint. The URL must be http(s) and may not
         resolve to a loopback/private/link-local address unless CARECHAT_WEBHOOK_ALLOW_PRIVATE=1.
         Without --signing-secret a new whsec_ secret is generated (once) and printed once.
         --rotate keeps the current signing secret as the previous one: both sign until the next set.
         --events: message.outbound (default), message.inbound, messages.read, chat.archived.
show     the endpoint, secrets masked, and outbox counts.
disable  stops deliveries; events keep queueing and go out after the next set.
log      the newest delivery attempts (default 20): time, delivery id, event id, status, latency,
         outcome, error.
redeliver  queues an event again (evt_... or a dl_... delivery id from log).
)";

int fail(const std::string& what, int code = 1) {
  std::cerr << "carechat webhook: " << what << '\n';
  return code;
}

void print_endpoint(const domain::webhook_endpoint& e, const domain::webhook_outbox_state& counts) {
  const std::string types = core::join_list(e.event_types);
  std::cout << "tenant\t" << e.tenant << "\ninstance\t" << e.instance << "\nurl\t" << e.url << "\nenabled\t"
            << (e.enabled ? "yes" : "no") << '\n';
  if (!e.enabled) std::cout << "disabled_reason\t" << e.disabled_reason << '\n';
  std::cout << "api_key\t" << domain::mask_secret(e.api_key) << "\napi_secret\t" << domain::mask_secret(e.api_secret)
            << "\nsigning_secret\t" << domain::mask_secret(e.signing_secret) << '\n';
  if (e.previous_signing_secret)
    std::cout << "previous_signing_secret\t" << domain::mask_secret(*e.previous_signing_secret) << '\n';
  std::cout << "events\t" << types << "\ncreated\t" << core::format_iso8601_ms(e.created_at) << "\nupdated\t"
            << core::format_iso8601_ms(e.updated_at) << "\npending\t" << counts.pending << "\ndelivered\t"
            << counts.delivered << "\nfailed\t" << counts.failed << '\n';
}

}  // namespace

int webhook_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv,
                       {"db", "tenant", "instance", "url", "api-key", "api-secret", "signing-secret", "events", "limit"},
                       {"help", "rotate"});
  if (!a) {
    std::cerr << "carechat webhook: " << a.error().message << "\n\n" << webhook_help;
    return 2;
  }
  if (a->has("help") || a->positionals().empty()) {
    std::cout << webhook_help;
    return a->has("help") ? 0 : 2;
  }
  const std::string sub = a->positionals().front();
  const std::string tenant = a->get("tenant").value_or("");
  const std::string instance = a->get("instance").value_or("");
  if (!core::is_path_id(tenant) || !core::is_path_id(instance))
    return fail("--tenant and --instance are required (1-64 characters of [A-Za-z0-9._-])", 2);
  auto cfg = load_config(*a);
  if (!cfg) return fail(cfg.error().message, 2);
  core::system_clock clock;
  core::openssl_random rng;
  auto st = open_store(*cfg, clock, rng);
  if (!st) return fail(st.error().message);
  domain::webhook_store* ws = (*st)->webhooks();
  if (ws == nullptr) return fail("this database backend has no webhooks");

  // Changes are audited like the admin routes: patient "*", the CLI as the actor.
  auto audit = [&](std::string action, const std::string& outcome) {
    domain::audit_entry e{clock.now_ms(), "cli", domain::role::admin, "cli", std::move(action),
                          domain::chat_key{tenant, instance, "*"}, outcome};
    std::vector<domain::write_command> batch{domain::write_command{std::move(e)}};
    auto out = (*st)->apply(batch);
    if (out.empty() || !out.front()) std::cerr << "carechat webhook: warning: the audit row was not written\n";
  };

  if (sub == "set") {
    domain::webhook_config_input in;
    in.url = a->get("url").value_or("");
    in.api_key = a->get("api-key").value_or("");
    in.api_secret = a->get("api-secret").value_or("");
    in.signing_secret = a->get("signing-secret");
    in.rotate = a->has("rotate");
    if (auto ev = a->get("events")) {
      in.event_types = core::split_list_copy(*ev);  // "a, b" as well as "a,b"
    }
    if (auto ok = net::check_webhook_url(in.url, cfg->webhook_allow_private); !ok) {
      audit("webhook_set", std::string(core::to_string(ok.error().code)));
      return fail(ok.error().message, 2);
    }
    auto existing = ws->webhook_endpoint_of(tenant, instance);
    if (!existing) return fail(existing.error().message);
    auto prepared = domain::prepare_webhook_endpoint(tenant, instance, *existing, std::move(in), rng, clock);
    if (!prepared) {
      audit("webhook_set", std::string(core::to_string(prepared.error().code)));
      return fail(prepared.error().message, 2);
    }
    if (auto ok = ws->put_webhook_endpoint(prepared->endpoint); !ok) return fail(ok.error().message);
    audit("webhook_set", "ok");
    auto counts = ws->webhook_outbox_counts(tenant, instance);
    if (!counts) return fail(counts.error().message);
    print_endpoint(prepared->endpoint, *counts);
    if (prepared->generated_secret)
      std::cout << "new_signing_secret\t" << prepared->endpoint.signing_secret
                << "\t(shown once: give it to the receiver to verify signatures)\n";
    return 0;
  }
  if (sub == "show") {
    auto e = ws->webhook_endpoint_of(tenant, instance);
    if (!e) return fail(e.error().message);
    if (!*e) return fail("no webhook endpoint is configured for " + tenant + "/" + instance);
    auto counts = ws->webhook_outbox_counts(tenant, instance);
    if (!counts) return fail(counts.error().message);
    print_endpoint(**e, *counts);
    return 0;
  }
  if (sub == "disable") {
    auto done = ws->disable_webhook_endpoint(tenant, instance, "disabled by an operator (CLI)", clock.now_ms());
    if (!done) return fail(done.error().message);
    audit("webhook_disable", *done ? "ok" : "not_found");
    if (!*done) return fail("no webhook endpoint is configured for " + tenant + "/" + instance);
    std::cout << "disabled " << tenant << '/' << instance << '\n';
    return 0;
  }
  if (sub == "log") {
    int limit = 20;
    if (auto l = a->get("limit")) {
      const auto n = core::parse_decimal<int>(*l);  // "20x", " 20" and "-1" are not limits
      if (!n || *n < 1 || *n > 10'000) return fail("--limit must be 1-10000", 2);
      limit = *n;
    }
    auto log = ws->webhook_attempts(tenant, instance, limit);
    if (!log) return fail(log.error().message);
    std::cout << "time\tdelivery\tevent\ttype\tstatus\tlatency_ms\toutcome\terror\n";
    for (const auto& at : *log)
      std::cout << core::format_iso8601_ms(at.at) << "\tdl_" << at.id << '\t' << at.event_id << '\t' << at.event_type
                << '\t' << at.status << '\t' << at.latency_ms << '\t' << at.outcome << '\t'
                << (at.error.empty() ? "-" : at.error) << '\n';
    return 0;
  }
  if (sub == "redeliver") {
    if (a->positionals().size() != 2) return fail("give exactly one event id (evt_...) or delivery id (dl_...)", 2);
    const std::string& id = a->positionals()[1];
    auto found = ws->redeliver_webhook(tenant, instance, id, clock.now_ms());
    if (!found) return fail(found.error().message);
    audit("webhook_redeliver", *found ? "ok" : "not_found");
    if (!*found) return fail("no event or delivery " + id + " for " + tenant + "/" + instance);
    std::cout << "queued " << **found << '\n';
    return 0;
  }
  std::cerr << "carechat webhook: unknown subcommand '" << sub << "'\n\n" << webhook_help;
  return 2;
}

}  // namespace carechat::app
