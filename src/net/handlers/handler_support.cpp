#include "net/handlers/handler_support.hpp"

#include "domain/authentication.hpp"
#include "domain/chat_service.hpp"
#include "net/handlers/bearer.hpp"
#include "net/offload.hpp"
#include "net/rate_limit_gate.hpp"

namespace carechat::net {

std::optional<std::string> bearer_secret(const request& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return std::nullopt;
  auto token = bearer_token(it->value());
  if (!token) return std::nullopt;
  return std::string(*token);
}

bool queue_audit(services& svc, const domain::principal& who, const domain::chat_key& chat, domain::action what,
                 std::string outcome, std::string_view request_id) {
  auto entry = domain::make_audit(who, chat, what, svc.clock, std::move(outcome));
  entry.request_id = std::string(request_id);
  return svc.writer.submit(std::move(entry), {});
}

core::error unauthorized() { return core::make_error(core::errc::unauthorized, "missing, unknown or revoked token"); }

core::error audit_unavailable() {
  return core::make_error(core::errc::unavailable, "the audit trail cannot accept entries right now; retry later");
}

std::optional<domain::principal> cached_principal(services& svc, const std::string& secret) {
  return domain::cached_principal(svc.tokens, secret, svc.clock.now_ms());
}

core::result<domain::principal> authenticate_with(services& svc, domain::store_reader& reader,
                                                  const std::string& secret) {
  return domain::authenticate(reader, secret, svc.tokens, svc.clock.now_ms());  // the cache first
}

asio::awaitable<core::result<domain::principal>> authenticate(services& svc, const std::string& secret) {
  if (auto known = cached_principal(svc, secret)) co_return std::move(*known);
  co_return co_await run_blocking(svc.blocking, [&]() -> core::result<domain::principal> {
    auto lease = svc.readers.acquire();
    return domain::authenticate(*lease, secret, svc.tokens, svc.clock.now_ms());
  });
}

asio::awaitable<core::result<domain::principal>> authenticate_request(services& svc, request_context& ctx,
                                                                      const std::optional<std::string>& secret) {
  if (!secret) {
    const core::error no_token = unauthorized();
    note_refusal(svc, ctx, &no_token);
    co_return no_token;
  }
  auto who = co_await authenticate(svc, *secret);
  note_refusal(svc, ctx, who ? nullptr : &who.error());
  if (who) ctx.principal = who->token_id;
  co_return who;
}

}  // namespace carechat::net
