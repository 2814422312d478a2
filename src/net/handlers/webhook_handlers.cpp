#include "net/handlers/webhook_handlers.hpp"

#include "core/log.hpp"

#include <optional>

#include "api/webhook_json.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "domain/access_policy.hpp"
#include "domain/chat_service.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/offload.hpp"
#include "net/webhook_target.hpp"
#include "net/webhook_worker.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

enum class op { show, put, disable, deliveries, redeliver };

std::string_view action_name(op o) {
  switch (o) {
    case op::show: return "webhook_show";
    case op::put: return "webhook_set";
    case op::disable: return "webhook_disable";
    case op::deliveries: return "webhook_log";
    case op::redeliver: return "webhook_redeliver";
  }
  return "webhook_show";
}

reply method_not_allowed(http::verb allowed) {
  reply r = error_reply(make_error(errc::method_not_allowed, std::string("use ") + std::string(http::to_string(allowed))));
  r.allow_get_only = allowed == http::verb::get;
  r.allow_post_only = allowed == http::verb::post;
  return r;
}

core::result<int> parse_limit(boost::urls::params_view params) {
  if (params.count("limit") > 1) return make_error(errc::bad_request, "limit is given more than once");
  auto it = params.find("limit");
  if (it == params.end()) return 50;
  const auto n = core::parse_decimal<int>((*it).value);
  if (!n || *n < 1) return make_error(errc::bad_request, "limit must be a positive integer");
  return std::min(*n, 200);
}

core::result<std::string> run_op(services& svc, op o, const std::string& tenant, const std::string& instance,
                                 const request& req, const std::string& event_id, int limit) {
  domain::webhook_store* ws = svc.webhooks;
  if (ws == nullptr) return make_error(errc::unavailable, "webhooks are not available on this server");
  switch (o) {
    case op::show: {
      auto e = ws->webhook_endpoint_of(tenant, instance);
      if (!e) return std::move(e).error();
      if (!*e) return make_error(errc::not_found, "no webhook endpoint is configured for this instance");
      auto counts = ws->webhook_outbox_counts(tenant, instance);
      if (!counts) return std::move(counts).error();
      return api::serialize_webhook_endpoint(**e, *counts);
    }
    case op::put: {
      auto in = api::parse_webhook_config(req.body(), req[http::field::content_type]);
      if (!in) return std::move(in).error();
      if (auto ok = check_webhook_url(in->url, svc.webhook_allow_private); !ok) return std::move(ok).error();
      auto existing = ws->webhook_endpoint_of(tenant, instance);
      if (!existing) return std::move(existing).error();
      auto prepared = domain::prepare_webhook_endpoint(tenant, instance, *existing, std::move(*in), svc.rng, svc.clock);
      if (!prepared) return std::move(prepared).error();
      if (auto ok = ws->put_webhook_endpoint(prepared->endpoint); !ok) return std::move(ok).error();
      auto counts = ws->webhook_outbox_counts(tenant, instance);
      if (!counts) return std::move(counts).error();
      return api::serialize_webhook_endpoint(prepared->endpoint, *counts,
                                             prepared->generated_secret ? prepared->endpoint.signing_secret : "");
    }
    case op::disable: {
      auto done = ws->disable_webhook_endpoint(tenant, instance, "disabled by an admin", svc.clock.now_ms());
      if (!done) return std::move(done).error();
      if (!*done) return make_error(errc::not_found, "no webhook endpoint is configured for this instance");
      return std::string(R"({"enabled":false})");
    }
    case op::deliveries: {
      auto log = ws->webhook_attempts(tenant, instance, limit);
      if (!log) return std::move(log).error();
      return api::serialize_webhook_attempts(*log);
    }
    case op::redeliver: {
      auto found = ws->redeliver_webhook(tenant, instance, event_id, svc.clock.now_ms());
      if (!found) return std::move(found).error();
      if (!*found) return make_error(errc::not_found, "no such event or delivery for this instance");
      return std::string(R"({"eventId":")") + **found + R"(","state":"pending"})";
    }
  }
  return make_error(errc::internal, "unknown webhook operation");
}

}  // namespace

asio::awaitable<reply> webhook_route(const request& req, services& svc, const std::vector<std::string>& segs,
                                     boost::urls::params_view params, request_context& ctx) {
  op o{};
  std::string event_id;
  http::verb wanted{};
  if (segs.size() == 3) {
    if (req.method() == http::verb::get) o = op::show;
    else if (req.method() == http::verb::put) o = op::put;
    else {
      reply r = error_reply(make_error(errc::method_not_allowed, "use GET or PUT"));
      r.allow_get_or_put = true;
      co_return r;
    }
    wanted = req.method();
  } else if (segs.size() == 4 && segs[3] == "disable") {
    o = op::disable;
    wanted = http::verb::post;
  } else if (segs.size() == 4 && segs[3] == "deliveries") {
    o = op::deliveries;
    wanted = http::verb::get;
  } else if (segs.size() == 6 && segs[3] == "deliveries" && segs[5] == "redeliver") {
    o = op::redeliver;
    event_id = segs[4];
    wanted = http::verb::post;
  } else {
    co_return error_reply(make_error(errc::not_found, "no such route"));
  }
  if (req.method() != wanted) co_return method_not_allowed(wanted);
  if (!core::is_path_id(segs[0]) || !core::is_path_id(segs[1]))
    co_return error_reply(make_error(errc::bad_request, "tenant and instance ids are 1-64 characters of [A-Za-z0-9._-]"));
  if (o == op::redeliver && !core::is_path_id(event_id))
    co_return error_reply(make_error(errc::bad_request, "the event id is 1-64 characters of [A-Za-z0-9._-]"));

  const auto secret = bearer_secret(req);
  if (!secret) co_return error_reply(unauthorized());

  const std::string& tenant = segs[0];
  const std::string& instance = segs[1];
  bool changed = false;
  auto out = co_await run_blocking(svc.blocking, [&]() -> core::result<std::string> {
    std::optional<domain::principal> who;
    {
      auto lease = svc.readers.acquire();
      auto found = authenticate_with(svc, *lease, *secret);
      if (!found) return std::move(found).error();
      who = std::move(*found);
      ctx.principal = who->token_id;
    }
    core::result<std::string> res = [&]() -> core::result<std::string> {
      if (auto ok = domain::authorize_instance(*who, tenant, instance, domain::instance_action::configure_webhooks);
          !ok)
        return std::move(ok).error();
      int limit = 50;  // only the delivery log takes one
      if (o == op::deliveries) {
        auto parsed = parse_limit(params);
        if (!parsed) return std::move(parsed).error();
        limit = *parsed;
      }
      return run_op(svc, o, tenant, instance, req, event_id, limit);
    }();
    changed = res.has_value() && o != op::show && o != op::deliveries;
    auto entry =
        domain::make_instance_audit(*who, tenant, instance, action_name(o), svc.clock, domain::audit_outcome(res));
    entry.request_id = std::string(ctx.id.view());
    if (!svc.writer.submit(std::move(entry), {})) {
      // A change is already committed: answering 503 would hide it (and lose a generated signing
      // secret). Report it as done and leave the missing audit row to the operator's log.
      if (changed) {
        core::log_error("webhook", "audit row for " + std::string(action_name(o)) + " could not be queued");
        return res;
      }
      return audit_unavailable();
    }
    return res;
  });
  if (!out) co_return error_reply(out.error());
  if (changed && svc.webhook_delivery != nullptr) svc.webhook_delivery->nudge();
  co_return reply{200, std::move(*out)};
}

}  // namespace carechat::net
