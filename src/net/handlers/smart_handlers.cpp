#include "net/handlers/smart_handlers.hpp"

#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/jose/id_token.hpp"
#include "api/jose/jws.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/offload.hpp"
#include "net/outbound_http.hpp"
#include "net/services.hpp"
#include "net/webhook_target.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;
namespace smart = api::smart;

constexpr std::size_t max_param = 2048;

std::string form_encode(std::string_view v) { return core::percent_encode(v, core::is_unreserved); }

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += form_encode(k);
    out += '=';
    out += form_encode(v);
  }
  return out;
}

// A query parameter, decoded; nullopt when absent, empty, repeated or too long.
std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& p : url.params()) {
    if (p.key != name) continue;
    if (found || p.value.empty() || p.value.size() > max_param) return std::nullopt;
    found = std::string(p.value);
  }
  return found;
}

reply redirect(unsigned status, std::string location) {
  reply r{status, ""};
  r.location = std::move(location);
  r.content_type = "text/plain";
  return r;
}

struct fetched {
  int status = 0;
  std::string body;
};

// One call to an EHR: the URL parsed, its host resolved on the blocking pool (the issuers are the
// operator's, so private addresses are allowed: an on-premises EHR), the exchange on this
// coroutine's executor. errc::unavailable when there is no HTTP answer.
asio::awaitable<core::result<fetched>> call_ehr(services& svc, smart_services& s, http::verb method,
                                                const std::string& url,
                                                const std::vector<std::pair<std::string, std::string>>& headers,
                                                const std::string& body) {
  auto target = parse_webhook_url(url);
  if (!target) co_return make_error(errc::unavailable, "the EHR's URL is not usable: " + target.error().message);
  const webhook_target& t = *target;
  auto resolve = [&t]() { return resolve_webhook_target(t, true); };
  auto addresses = co_await run_blocking(svc.blocking, resolve);
  if (!addresses) co_return make_error(errc::unavailable, "the EHR cannot be reached: " + addresses.error().message);
  outbound_request req;
  req.method = method;
  req.target = t;
  req.headers = headers;
  req.headers.emplace_back("Accept", "application/json");
  req.body = body;
  auto answer = co_await send_outbound(req, *addresses, *s.tls, s.timeout);
  if (answer.status == 0) co_return make_error(errc::unavailable, "the EHR did not answer: " + answer.error);
  if (answer.body_cut) co_return make_error(errc::unavailable, "the EHR's answer is too large");
  co_return fetched{answer.status, std::move(answer.body)};
}

asio::awaitable<core::result<smart::smart_configuration>> ehr_configuration(services& svc, smart_services& s,
                                                                            const smart::issuer& is) {
  const auto now = svc.clock.now_ms();
  {
    std::lock_guard lock(s.ehr_mutex);
    auto& e = s.ehrs[is.iss];
    if (e.configuration && now - e.configuration_at < s.config_ttl.count()) co_return *e.configuration;
  }
  const std::string url = is.iss + "/.well-known/smart-configuration";
  const std::vector<std::pair<std::string, std::string>> no_headers;
  const std::string no_body;
  auto got = co_await call_ehr(svc, s, http::verb::get, url, no_headers, no_body);
  if (!got) co_return std::move(got).error();
  if (got->status != 200)
    co_return make_error(errc::unavailable, "the EHR's smart-configuration answered " + std::to_string(got->status));
  auto parsed = smart::parse_smart_configuration(got->body);
  if (!parsed) co_return std::move(parsed).error();
  std::lock_guard lock(s.ehr_mutex);
  auto& e = s.ehrs[is.iss];
  e.configuration = *parsed;
  e.configuration_at = now;
  co_return *parsed;
}

// The EHR's key set: the cached one, or a fresh one when none is cached or an id_token names a kid
// it lacks (`unknown_kid`; the same one again only after refetch_gap).
asio::awaitable<core::result<std::shared_ptr<const api::jose::jwks>>> ehr_keys(services& svc, smart_services& s,
                                                                               const smart::issuer& is,
                                                                               const std::string& jwks_uri,
                                                                               const std::string& unknown_kid) {
  const auto now = svc.clock.now_ms();
  {
    std::lock_guard lock(s.ehr_mutex);
    auto& e = s.ehrs[is.iss];
    const bool refresh = !unknown_kid.empty() &&
                         (unknown_kid != e.refetched_for || now - e.keys_at >= s.refetch_gap.count());
    if (e.keys && !refresh) co_return e.keys;
    e.refetched_for = unknown_kid;
  }
  const std::vector<std::pair<std::string, std::string>> no_headers;
  const std::string no_body;
  auto got = co_await call_ehr(svc, s, http::verb::get, jwks_uri, no_headers, no_body);
  if (!got) co_return std::move(got).error();
  if (got->status != 200) co_return make_error(errc::unavailable, "the EHR's JWKS answered " + std::to_string(got->status));
  auto parsed = api::jose::jwks::parse(got->body);
  if (!parsed) co_return make_error(errc::unavailable, "the EHR's JWKS is not usable: " + parsed.error().message);
  auto keys = std::make_shared<const api::jose::jwks>(std::move(*parsed));
  std::lock_guard lock(s.ehr_mutex);
  auto& e = s.ehrs[is.iss];
  e.keys = keys;
  e.keys_at = now;
  co_return keys;
}

// Records a launch in the database, on the blocking pool. unavailable when the store cannot, or
// when max_pending_launches are in flight (fail closed, as a full table).
asio::awaitable<core::result<void>> keep_launch(services& svc, smart_services& s, const domain::pending_launch& pending,
                                                core::unix_ms now) {
  domain::smart_launch_store* launches = svc.store.smart_launches();
  if (launches == nullptr) co_return make_error(errc::unavailable, "SMART launches are not available on this store");
  const std::size_t cap = s.max_pending_launches;
  auto put = [launches, &pending, now, cap]() -> core::result<bool> {
    return launches->put_smart_launch(pending, now, cap);
  };
  auto kept = co_await run_blocking(svc.blocking, put);
  if (!kept) {
    core::log_error("smart", "a launch could not be recorded: " + kept.error().message);
    co_return make_error(errc::unavailable, "the launch could not be recorded right now; retry");
  }
  if (!*kept) co_return make_error(errc::unavailable, "too many launches in progress; retry");
  co_return core::result<void>{};
}

// Takes the launch for `state` out of the database, on the blocking pool: nullopt when unknown,
// already taken or expired.
asio::awaitable<core::result<std::optional<domain::pending_launch>>> take_launch(services& svc,
                                                                                 const std::string& state,
                                                                                 core::unix_ms now) {
  domain::smart_launch_store* launches = svc.store.smart_launches();
  if (launches == nullptr) co_return make_error(errc::unavailable, "SMART launches are not available on this store");
  auto take = [launches, &state, now]() { return launches->take_smart_launch(state, now); };
  auto taken = co_await run_blocking(svc.blocking, take);
  if (!taken) {
    core::log_error("smart", "a launch could not be taken: " + taken.error().message);
    co_return make_error(errc::unavailable, "the launch could not be checked right now; retry");
  }
  co_return std::move(*taken);
}

std::string scopes_for(const smart::issuer& is, bool standalone) {
  std::string scope = standalone ? "launch/patient openid fhirUser" : "launch openid fhirUser";
  scope += " patient/Patient.r patient/Communication.rs";
  for (const auto& extra : is.extra_scopes) scope += " " + extra;
  return scope;
}

// GET /smart/launch
asio::awaitable<reply> launch(const request& req, services& svc, smart_services& s, const boost::urls::url_view& url) {
  if (req.method() != http::verb::get) {
    reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
    r.allow_get_only = true;
    co_return r;
  }
  auto iss_param = query_param(url, "iss");
  if (!iss_param) co_return error_reply(make_error(errc::bad_request, "iss is required (the EHR's FHIR base URL)"));
  const auto* is = s.find_issuer(smart::normalize_issuer(*iss_param));
  // Before anything is fetched or redirected: iss arrives in a URL anyone can craft.
  if (is == nullptr) co_return error_reply(make_error(errc::bad_request, "this EHR (iss) is not registered with carechat"));
  const bool has_launch = url.params().contains("launch");
  auto launch_param = query_param(url, "launch");
  if (has_launch && !launch_param)
    co_return error_reply(make_error(errc::bad_request, "launch must be given once, 1-2048 characters"));
  const bool standalone = !launch_param.has_value();

  auto configuration = co_await ehr_configuration(svc, s, *is);
  if (!configuration) co_return error_reply(configuration.error());

  const auto now = svc.clock.now_ms();
  auto pending = domain::new_pending_launch(is->iss, standalone, now, s.launch_ttl, svc.rng);
  const std::string challenge = domain::pkce_s256_challenge(pending.code_verifier);
  std::vector<std::pair<std::string, std::string>> q{
      {"response_type", "code"},
      {"client_id", is->client_id},
      {"redirect_uri", s.public_url + "/smart/callback"},
      {"scope", scopes_for(*is, standalone)},
      {"state", pending.state},
      {"nonce", pending.nonce},
      {"aud", is->iss},
      {"code_challenge", challenge},
      {"code_challenge_method", "S256"},
  };
  if (launch_param) q.emplace_back("launch", *launch_param);
  const auto& endpoint = configuration->authorization_endpoint;
  std::string location = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + form(q);
  auto recorded = co_await keep_launch(svc, s, pending, now);
  if (!recorded) co_return error_reply(recorded.error());
  co_return redirect(302, std::move(location));
}

void audit_launch(services& svc, const request_context& ctx, const smart::issuer& is, const domain::principal* who,
                  std::string outcome) {
  domain::audit_entry e;
  e.at = svc.clock.now_ms();
  e.token_id = who && !who->token_id.empty() ? who->token_id : std::string("-");
  e.actor_role = who ? who->role : domain::role::client;
  e.actor_id = who ? who->actor_id() : is.client_id;
  e.action = "smart_launch";
  e.chat.tenant = is.tenant;
  e.chat.instance = is.instance;
  if (who) e.chat.patient = who->patient_id;
  e.outcome = std::move(outcome);
  e.request_id = std::string(ctx.id.view());
  (void)svc.writer.submit(std::move(e), {});  // best effort, as the token endpoint's rows
}

// The carechat principal an EHR launch stands for: the fhirUser mapped (Practitioner/{id} -> the
// staff user {id}, bound to the launch's patient; Patient/{id} -> that patient).
core::result<domain::principal> principal_for(const smart::issuer& is, const api::jose::id_token_claims& claims,
                                              const smart::token_response& token) {
  auto user = smart::parse_fhir_user(claims.fhir_user);
  if (!user) return make_error(errc::forbidden, "the EHR's fhirUser is not a Practitioner or Patient carechat can map");
  domain::principal who;
  who.tenant = is.tenant;
  who.instance = is.instance;
  switch (user->type) {
    case smart::fhir_user::kind::practitioner: {
      if (token.patient.empty()) return make_error(errc::forbidden, "the EHR gave no patient context for this launch");
      who.role = domain::role::user;
      who.user_id = user->id;
      who.patient_id = token.patient;
      const auto len = core::utf8_length(claims.name);
      who.display_name = len && *len >= 1 && *len <= 200 ? claims.name : "Practitioner " + user->id;
      return who;
    }
    case smart::fhir_user::kind::patient:
      if (!token.patient.empty() && token.patient != user->id)
        return make_error(errc::forbidden, "the EHR's patient context is not the signed-in patient");
      who.role = domain::role::patient;
      who.patient_id = user->id;
      return who;
    case smart::fhir_user::kind::related_person: break;
  }
  return make_error(errc::forbidden, "carechat has no session for a RelatedPerson yet");
}

core::result<std::string> client_assertion(services& svc, smart_services& s, const smart::issuer& is,
                                           const std::string& token_endpoint) {
  const auto now_s = svc.clock.now_ms() / 1000;
  boost::json::object claims;
  claims["iss"] = is.client_id;
  claims["sub"] = is.client_id;
  claims["aud"] = token_endpoint;
  claims["jti"] = core::random_hex(svc.rng, 16);
  claims["iat"] = now_s;
  claims["exp"] = now_s + 300;
  return api::jose::sign_compact(claims, s.signing_key, s.signing_alg, s.signing_kid);
}

// GET /smart/callback
asio::awaitable<reply> callback(const request& req, services& svc, smart_services& s, request_context& ctx,
                                const boost::urls::url_view& url) {
  if (req.method() != http::verb::get) {
    reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
    r.allow_get_only = true;
    co_return r;
  }
  auto state = query_param(url, "state");
  if (!state) co_return error_reply(make_error(errc::bad_request, "state is required"));
  // Single use, whatever happens next: a replayed or forged state finds nothing.
  // Taken in the database (DELETE ... RETURNING): of two callbacks with one state, on any nodes,
  // exactly one gets it.
  const core::unix_ms taken_at = svc.clock.now_ms();
  auto taken = co_await take_launch(svc, *state, taken_at);
  if (!taken) co_return error_reply(taken.error());
  if (!*taken) co_return error_reply(make_error(errc::bad_request, "unknown, used or expired state: start the launch again"));
  const domain::pending_launch* pending = &**taken;
  const auto* is = s.find_issuer(pending->iss);
  if (is == nullptr) co_return error_reply(make_error(errc::bad_request, "this EHR is no longer registered"));
  if (auto err = query_param(url, "error")) {
    audit_launch(svc, ctx, *is, nullptr, "ehr_refused");
    const bool plain = std::all_of(err->begin(), err->end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
    co_return error_reply(make_error(errc::bad_request, "the EHR refused the launch: " +
                                                            (plain ? err->substr(0, 64) : std::string("(error)"))));
  }
  auto code = query_param(url, "code");
  if (!code) co_return error_reply(make_error(errc::bad_request, "code is required"));

  auto configuration = co_await ehr_configuration(svc, s, *is);
  if (!configuration) co_return error_reply(configuration.error());

  std::vector<std::pair<std::string, std::string>> fields{
      {"grant_type", "authorization_code"},
      {"code", *code},
      {"redirect_uri", s.public_url + "/smart/callback"},
      {"code_verifier", pending->code_verifier},
  };
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
  if (is->auth == smart::client_auth::private_key_jwt) {
    auto assertion = client_assertion(svc, s, *is, configuration->token_endpoint);
    if (!assertion) co_return error_reply(make_error(errc::internal, "internal error"));
    fields.emplace_back("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    fields.emplace_back("client_assertion", *assertion);
  } else {
    // client_secret_basic (RFC 6749 2.3.1): both parts form-encoded, then base64.
    const std::string pair = form_encode(is->client_id) + ":" + form_encode(is->client_secret);
    headers.emplace_back("Authorization", "Basic " + core::base64_encode(core::as_bytes(pair)));
  }
  const std::string body = form(fields);
  auto exchanged = co_await call_ehr(svc, s, http::verb::post, configuration->token_endpoint, headers, body);
  if (!exchanged) co_return error_reply(exchanged.error());
  if (exchanged->status != 200) {
    audit_launch(svc, ctx, *is, nullptr, "code_refused");
    co_return error_reply(make_error(errc::unauthorized, "the EHR refused the authorization code (HTTP " +
                                                             std::to_string(exchanged->status) + ")"));
  }
  auto token = smart::parse_token_response(exchanged->body);
  if (!token) co_return error_reply(token.error());

  api::jose::id_token_expectations expect;
  expect.issuer = is->iss;
  expect.client_id = is->client_id;
  expect.nonce = pending->nonce;
  expect.now = svc.clock.now_ms();
  const std::string no_kid;
  auto keys = co_await ehr_keys(svc, s, *is, configuration->jwks_uri, no_kid);
  if (!keys) co_return error_reply(keys.error());
  if (api::jose::id_token_needs_new_keys(token->id_token, **keys)) {  // the EHR may have rotated its keys
    const std::string kid = api::jose::id_token_kid(token->id_token);
    keys = co_await ehr_keys(svc, s, *is, configuration->jwks_uri, kid);
    if (!keys) co_return error_reply(keys.error());
  }
  auto claims = api::jose::validate_id_token(token->id_token, **keys, expect);
  if (!claims) {
    audit_launch(svc, ctx, *is, nullptr, "id_token_refused");
    co_return error_reply(claims.error());
  }
  auto who = principal_for(*is, *claims, *token);
  if (!who) {
    audit_launch(svc, ctx, *is, nullptr, std::string(core::to_string(who.error().code)));
    co_return error_reply(who.error());
  }
  const auto absolute_end =
      svc.clock.now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(s.session.absolute).count();
  auto issued = domain::issue_smart_session(*who, absolute_end, s.session, svc.rng, svc.clock);
  if (!issued) co_return error_reply(issued.error());
  auto store_it = [&svc, &issued]() -> core::result<void> { return svc.store.insert_token(issued->record); };
  auto stored = co_await run_blocking(svc.blocking, store_it);
  if (!stored) co_return error_reply(make_error(errc::unavailable, "the session could not be stored right now; retry"));
  audit_launch(svc, ctx, *is, &issued->record.who, "ok");
  const auto& p = issued->record.who;
  const std::string page = p.role == domain::role::patient ? "/portal/" : "/app/";
  const auto expires_in = (*issued->record.expires_at - svc.clock.now_ms()) / 1000;
  // The session rides in the fragment: browsers never send it to a server, and the page takes it
  // out of the address bar at once and keeps it in memory only.
  co_return redirect(303, page + p.tenant + "/" + p.instance + "/patient/" + p.patient_id + "#smart=" +
                              issued->secret + "&expires_in=" + std::to_string(expires_in));
}

core::error session_ended() {
  return make_error(errc::unauthorized, "session ended: reopen carechat from the chart");
}

// POST /smart/session/renew and /smart/session/end
asio::awaitable<reply> session(const request& req, services& svc, smart_services& s, request_context& ctx, bool end) {
  if (req.method() != http::verb::post) {
    reply r = error_reply(make_error(errc::method_not_allowed, "use POST"));
    r.allow_post_only = true;
    co_return r;
  }
  auto secret = bearer_secret(req);
  if (!secret) co_return error_reply(unauthorized());
  struct outcome {
    std::optional<domain::issued_token> renewed;
    core::unix_ms absolute_end = 0;
  };
  auto job = [&svc, &s, &secret, end]() -> core::result<outcome> {
    auto lease = svc.readers.acquire();
    const auto now = svc.clock.now_ms();
    auto who = domain::authenticate(*lease, *secret, now);
    if (!who) return session_ended();  // lapsed, revoked or never was
    auto rec = lease->token_by_hash(domain::hash_token(*secret));
    if (!rec) return std::move(rec).error();
    if (!*rec) return session_ended();
    auto absolute_end = domain::smart_session_end(**rec);
    if (!absolute_end) return make_error(errc::forbidden, "this token is not a SMART session");
    outcome out;
    out.absolute_end = *absolute_end;
    if (end) {
      if (auto ok = svc.store.revoke_token((*rec)->id, now); !ok) return std::move(ok).error();
      return out;
    }
    domain::principal p = (*rec)->who;
    p.token_id.clear();
    auto issued = domain::issue_smart_session(p, *absolute_end, s.session, svc.rng, svc.clock);
    if (!issued) return std::move(issued).error();
    if (auto ok = svc.store.insert_token(issued->record); !ok) return std::move(ok).error();
    out.renewed = std::move(*issued);
    return out;
  };
  auto done = co_await run_blocking(svc.blocking, job);
  if (!done) co_return error_reply(done.error());
  if (end) co_return reply{204, ""};
  ctx.principal = done->renewed->record.id;
  const auto now = svc.clock.now_ms();
  boost::json::object o;
  o["token"] = done->renewed->secret;
  o["expiresIn"] = (*done->renewed->record.expires_at - now) / 1000;
  o["endsIn"] = (done->absolute_end - now) / 1000;
  reply r{200, boost::json::serialize(o)};
  r.pragma_no_cache = true;
  co_return r;
}

}  // namespace

const smart::issuer* smart_services::find_issuer(std::string_view iss) const {
  for (const auto& is : issuers)
    if (is.iss == iss) return &is;
  return nullptr;
}

bool is_smart_path(const std::vector<std::string>& segs) {
  if (segs.size() == 2 && segs[0] == ".well-known" && segs[1] == "jwks.json") return true;
  return !segs.empty() && segs[0] == "smart";
}

asio::awaitable<reply> smart_route(const request& req, services& svc, request_context& ctx,
                                   const boost::urls::url_view& url, const std::vector<std::string>& segs) {
  if (svc.smart == nullptr) co_return error_reply(make_error(errc::not_found, "no such route"));
  smart_services& s = *svc.smart;
  if (segs.size() == 2 && segs[0] == ".well-known") {
    if (req.method() != http::verb::get) {
      reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
      r.allow_get_only = true;
      co_return r;
    }
    reply r{200, s.published_jwks};
    r.content_type = "application/jwk-set+json";
    co_return r;
  }
  if (segs.size() == 2 && segs[1] == "launch") co_return co_await launch(req, svc, s, url);
  if (segs.size() == 2 && segs[1] == "callback") co_return co_await callback(req, svc, s, ctx, url);
  if (segs.size() == 3 && segs[1] == "session" && (segs[2] == "renew" || segs[2] == "end"))
    co_return co_await session(req, svc, s, ctx, segs[2] == "end");
  co_return error_reply(make_error(errc::not_found, "no such route"));
}

}  // namespace carechat::net
