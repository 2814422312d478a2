#include "net/handlers/oauth_handlers.hpp"

#include <variant>

#include "api/jose/client_assertion.hpp"
#include "api/oauth_wire.hpp"
#include "domain/oauth_client.hpp"
#include "net/offload.hpp"
#include "net/services.hpp"

namespace carechat::net {
namespace {

using api::oauth_error;
using api::oauth_failure;

// One message for an unknown client, a wrong secret and a revoked client: probing learns nothing.
constexpr const char* bad_credentials = "unknown client or wrong credentials";

reply oauth_reply(const oauth_failure& f) {
  reply r{api::http_status(f.error), api::oauth_error_body(f)};
  r.pragma_no_cache = true;
  // RFC 6749 section 5.2: invalid_client is a 401 that names the scheme the client may use.
  if (f.error == oauth_error::invalid_client) r.www_authenticate = "Basic realm=\"carechat\"";
  return r;
}

reply too_many(std::chrono::seconds retry_after) {
  reply r = oauth_reply({oauth_error::too_many_requests, "too many failed attempts; retry after " +
                                                             std::to_string(retry_after.count()) + " s"});
  r.retry_after = std::to_string(retry_after.count());
  return r;
}

// The audit row of a token request: who asked (the client id it named, possibly unknown), for
// which tenant/instance (when the client is known) and how it ended. No secret, no assertion.
void audit(services& svc, const request_context& ctx, const std::string& client_id,
           const domain::oauth_client_record* client, const std::string& token_id, std::string outcome) {
  domain::audit_entry e;
  e.at = svc.clock.now_ms();
  e.token_id = token_id.empty() ? (client_id.empty() ? std::string("-") : client_id) : token_id;
  e.actor_role = domain::role::client;
  e.actor_id = client_id.empty() ? std::string("-") : client_id;
  e.action = "oauth_token";
  if (client) {
    e.chat.tenant = client->tenant;
    e.chat.instance = client->instance;
  }
  e.outcome = std::move(outcome);
  e.request_id = std::string(ctx.id.view());
  (void)svc.writer.submit(std::move(e), {});  // best effort: a refused row must not turn a 401 into a 503
}

// What the pool-side step decided.
struct decision {
  std::optional<domain::oauth_client_record> client;  // when known
  std::optional<oauth_failure> failure;
  std::string token;     // the access token's secret, on success
  std::string token_id;  // its public id, on success
};

// On the blocking pool: look the client up, authenticate it, issue and store the token.
decision authenticate_and_issue(services& svc, const oauth_services& o, const api::token_request& tr,
                                const std::string& client_id) {
  decision d;
  auto lease = svc.readers.acquire();
  auto found = lease->oauth_client(client_id);
  if (!found) {
    d.failure = oauth_failure{oauth_error::server_error, "the client registry cannot be read right now"};
    return d;
  }
  d.client = std::move(*found);
  const auto* client = d.client ? &*d.client : nullptr;
  if (!client || client->revoked_at) {
    d.failure = oauth_failure{oauth_error::invalid_client, bad_credentials};
    return d;
  }
  const auto now = svc.clock.now_ms();
  if (tr.method == api::client_auth_method::private_key_jwt) {
    if (client->jwks.empty()) {
      d.failure = oauth_failure{oauth_error::invalid_client, "this client authenticates with a secret, not a key"};
      return d;
    }
    auto verified =
        api::jose::verify_client_assertion(tr.client_assertion, client->jwks, client->id, o.assertion_audiences, now);
    if (!verified) {
      d.failure = oauth_failure{oauth_error::invalid_client, "client assertion refused: " + verified.error().message};
      return d;
    }
    // Remembered until the assertion could no longer pass its exp check (its exp plus the leeway).
    const core::unix_ms keep_until = (verified->exp + 60) * 1000;
    switch (o.assertions->remember(client->id, verified->jti, keep_until, now)) {
      case domain::assertion_replay_cache::verdict::fresh: break;
      case domain::assertion_replay_cache::verdict::replayed:
        d.failure = oauth_failure{oauth_error::invalid_client, "client assertion refused: its jti was used before"};
        return d;
      case domain::assertion_replay_cache::verdict::full:
        d.failure = oauth_failure{oauth_error::temporarily_unavailable, "too many client assertions in flight; retry"};
        return d;
    }
  } else if (!domain::client_secret_matches(*client, tr.client_secret)) {
    // (A key-registered client has no secret: every secret is wrong for it.)
    d.failure = oauth_failure{oauth_error::invalid_client, bad_credentials};
    return d;
  }
  auto issued = domain::issue_client_token(*client, o.token_ttl, svc.rng, svc.clock);
  if (!issued) {
    d.failure = oauth_failure{oauth_error::server_error, "the token could not be issued"};
    return d;
  }
  auto stored = svc.store.insert_client_token(issued->record);
  if (!stored) {
    d.failure = oauth_failure{oauth_error::temporarily_unavailable, "the token could not be stored right now; retry"};
    return d;
  }
  if (!*stored) {  // revoked between the lookup and the insert
    d.failure = oauth_failure{oauth_error::invalid_client, bad_credentials};
    return d;
  }
  d.token = std::move(issued->secret);
  d.token_id = issued->record.id;
  return d;
}

}  // namespace

asio::awaitable<reply> oauth_token(const request& req, services& svc, request_context& ctx,
                                   std::string_view peer) {
  if (req.method() != http::verb::post) {
    reply r = error_reply(core::make_error(core::errc::method_not_allowed, "use POST"));
    r.allow_post_only = true;
    co_return r;
  }
  if (svc.oauth == nullptr || svc.oauth->failures == nullptr || svc.oauth->assertions == nullptr)
    co_return error_reply(core::make_error(core::errc::not_found, "no such route"));
  oauth_services& o = *svc.oauth;
  const std::string address_key = "addr:" + std::string(peer);
  if (auto d = o.failures->check(address_key, svc.clock.now_ms()); !d.allowed) {
    audit(svc, ctx, "", nullptr, "", "too_many_requests");
    co_return too_many(d.retry_after);
  }

  auto parsed = api::parse_token_request(req[http::field::content_type], req.body(), req[http::field::authorization]);
  if (auto* f = std::get_if<oauth_failure>(&parsed)) {
    o.failures->take(address_key, svc.clock.now_ms());
    audit(svc, ctx, "", nullptr, "", std::string(api::to_string(f->error)));
    co_return oauth_reply(*f);
  }
  api::token_request tr = std::move(std::get<api::token_request>(parsed));
  std::string client_id = tr.client_id;
  if (tr.method == api::client_auth_method::private_key_jwt) {
    auto named = api::jose::assertion_client_id(tr.client_assertion);
    if (!named || (!client_id.empty() && *named != client_id)) {
      o.failures->take(address_key, svc.clock.now_ms());
      audit(svc, ctx, client_id, nullptr, "", "invalid_client");
      const oauth_failure f{oauth_error::invalid_client,
                            named ? std::string("client_id differs from the client assertion's iss")
                                  : "client assertion refused: " + named.error().message};
      co_return oauth_reply(f);
    }
    client_id = *named;
  }
  const std::string client_key = "client:" + client_id;
  if (auto d = o.failures->check(client_key, svc.clock.now_ms()); !d.allowed) {
    audit(svc, ctx, client_id, nullptr, "", "too_many_requests");
    co_return too_many(d.retry_after);
  }

  // Named locals, not temporaries, inside co_await: see "Pitfall" in docs/ARCHITECTURE.md.
  auto job = [&svc, &o, &tr, &client_id]() -> core::result<decision> {
    return authenticate_and_issue(svc, o, tr, client_id);
  };
  auto outcome = co_await run_blocking(svc.blocking, job);
  if (!outcome) co_return oauth_reply({oauth_error::server_error, "internal error"});
  decision& d = *outcome;
  const auto* client = d.client ? &*d.client : nullptr;
  if (d.failure) {
    if (d.failure->error == oauth_error::invalid_client) {
      const auto now = svc.clock.now_ms();
      o.failures->take(address_key, now);
      o.failures->take(client_key, now);
    }
    audit(svc, ctx, client_id, client, "", std::string(api::to_string(d.failure->error)));
    co_return oauth_reply(*d.failure);
  }
  audit(svc, ctx, client_id, client, d.token_id, "ok");
  reply r{200, api::oauth_token_body(d.token, o.token_ttl.count())};
  r.pragma_no_cache = true;
  co_return r;
}

}  // namespace carechat::net
