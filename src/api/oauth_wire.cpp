#include "api/oauth_wire.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/form_body.hpp"
#include "core/crypto.hpp"

namespace carechat::api {
namespace {

constexpr std::size_t max_form_bytes = 32 * 1024;  // a client assertion is at most 16 KiB
constexpr std::size_t max_client_id = 128;
constexpr std::size_t max_secret = 256;

oauth_failure fail(oauth_error e, std::string description) { return oauth_failure{e, std::move(description)}; }

const std::string* param(const form_params& form, std::string_view name) {
  const auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

// "Basic base64(urlencode(id):urlencode(secret))" (RFC 6749 section 2.3.1).
std::variant<std::pair<std::string, std::string>, oauth_failure> basic_credentials(std::string_view header) {
  constexpr std::string_view scheme = "basic ";
  if (header.size() <= scheme.size() || !boost::algorithm::iequals(header.substr(0, scheme.size()), scheme))
    return fail(oauth_error::invalid_client, "the Authorization header must be Basic client credentials");
  std::string_view encoded = header.substr(scheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  const auto raw = core::base64_decode(encoded);
  if (!raw) return fail(oauth_error::invalid_client, "the Basic credentials are not base64");
  const std::string_view text(reinterpret_cast<const char*>(raw->data()), raw->size());
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(oauth_error::invalid_client, "the Basic credentials have no ':'");
  auto id = form_decode(text.substr(0, colon));
  auto secret = form_decode(text.substr(colon + 1));
  if (!id || !secret) return fail(oauth_error::invalid_client, "the Basic credentials have a malformed %-escape");
  return std::pair{std::move(*id), std::move(*secret)};
}

}  // namespace

std::string_view to_string(oauth_error e) noexcept {
  switch (e) {
    case oauth_error::invalid_request: return "invalid_request";
    case oauth_error::invalid_client: return "invalid_client";
    case oauth_error::invalid_grant: return "invalid_grant";
    case oauth_error::unsupported_grant_type: return "unsupported_grant_type";
    case oauth_error::invalid_scope: return "invalid_scope";
    case oauth_error::too_many_requests: return "too_many_requests";
    case oauth_error::server_error: return "server_error";
    case oauth_error::temporarily_unavailable: return "temporarily_unavailable";
  }
  return "server_error";
}

unsigned http_status(oauth_error e) noexcept {
  switch (e) {
    case oauth_error::invalid_client: return 401;
    case oauth_error::too_many_requests: return 429;
    case oauth_error::server_error: return 500;
    case oauth_error::temporarily_unavailable: return 503;
    default: return 400;
  }
}

std::string_view to_string(client_auth_method m) noexcept {
  switch (m) {
    case client_auth_method::secret_basic: return "client_secret_basic";
    case client_auth_method::secret_post: return "client_secret_post";
    case client_auth_method::private_key_jwt: return "private_key_jwt";
  }
  return "?";
}

std::string oauth_error_body(const oauth_failure& f) {
  boost::json::object o;
  o["error"] = to_string(f.error);
  o["error_description"] = f.description;
  return boost::json::serialize(o);
}

std::string oauth_token_body(std::string_view access_token, std::int64_t expires_in) {
  boost::json::object o;
  o["access_token"] = access_token;
  o["token_type"] = "Bearer";
  o["expires_in"] = expires_in;
  o["scope"] = client_scope;
  return boost::json::serialize(o);
}

std::variant<token_request, oauth_failure> parse_token_request(std::string_view content_type, std::string_view body,
                                                               std::string_view authorization) {
  if (!is_form_media_type(content_type))
    return fail(oauth_error::invalid_request, "the body must be application/x-www-form-urlencoded");
  auto form = parse_form(body, max_form_bytes);
  if (!form) return fail(oauth_error::invalid_request, form.error().message);
  const auto* grant = param(*form, "grant_type");
  if (!grant) return fail(oauth_error::invalid_request, "grant_type is missing");
  if (*grant != "client_credentials")
    return fail(oauth_error::unsupported_grant_type, "only grant_type=client_credentials is supported");
  if (const auto* scope = param(*form, "scope")) {
    // Space-separated; every item must be the one scope there is.
    std::string_view rest = *scope;
    while (!rest.empty()) {
      const auto sp = rest.find(' ');
      const auto item = rest.substr(0, sp);
      if (!item.empty() && item != client_scope)
        return fail(oauth_error::invalid_scope, "the only scope is \"client\"");
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
  }
  const auto* body_id = param(*form, "client_id");
  const auto* body_secret = param(*form, "client_secret");
  const auto* assertion_type = param(*form, "client_assertion_type");
  const auto* assertion = param(*form, "client_assertion");
  const int methods = (!authorization.empty()) + (body_secret != nullptr) + (assertion_type || assertion);
  if (methods > 1) return fail(oauth_error::invalid_request, "use exactly one client authentication method");

  token_request out;
  if (!authorization.empty()) {
    auto creds = basic_credentials(authorization);
    if (auto* f = std::get_if<oauth_failure>(&creds)) return std::move(*f);
    auto& [id, secret] = std::get<0>(creds);
    if (body_id && *body_id != id) return fail(oauth_error::invalid_request, "client_id differs from the Basic credentials");
    out.method = client_auth_method::secret_basic;
    out.client_id = std::move(id);
    out.client_secret = std::move(secret);
  } else if (assertion_type || assertion) {
    if (!assertion_type || *assertion_type != jwt_bearer_assertion_type)
      return fail(oauth_error::invalid_request,
                  "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    if (!assertion || assertion->empty()) return fail(oauth_error::invalid_request, "client_assertion is missing");
    out.method = client_auth_method::private_key_jwt;
    out.client_id = body_id ? *body_id : std::string();
    out.client_assertion = *assertion;
  } else if (body_secret) {
    if (!body_id) return fail(oauth_error::invalid_request, "client_id is missing");
    out.method = client_auth_method::secret_post;
    out.client_id = *body_id;
    out.client_secret = *body_secret;
  } else {
    return fail(oauth_error::invalid_client,
                "no client authentication: use Basic credentials, client_secret or a client_assertion");
  }
  if (out.client_id.size() > max_client_id || out.client_secret.size() > max_secret)
    return fail(oauth_error::invalid_client, "unknown client or wrong credentials");
  if (out.method != client_auth_method::private_key_jwt && out.client_id.empty())
    return fail(oauth_error::invalid_client, "client_id is empty");
  return out;
}

}  // namespace carechat::api
