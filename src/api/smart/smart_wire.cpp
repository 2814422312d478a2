#include "api/smart/smart_wire.hpp"

#include <boost/json/parse.hpp>

#include "core/ids.hpp"

namespace carechat::api::smart {
namespace {

namespace json = boost::json;

core::error ehr_error(std::string message) { return core::make_error(core::errc::unavailable, std::move(message)); }
core::error config_error(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

std::optional<json::object> parse_object(std::string_view text) {
  if (text.size() > max_document_bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string string_member(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  const auto* s = v ? v->if_string() : nullptr;
  return s ? std::string(s->data(), s->size()) : std::string();
}

bool is_http_url(std::string_view u) {
  return (u.starts_with("http://") || u.starts_with("https://")) && u.size() <= 2048 &&
         u.find_first_of(" \"'<>\r\n\t") == std::string_view::npos;
}

}  // namespace

core::result<smart_configuration> parse_smart_configuration(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return ehr_error("the EHR's smart-configuration is not a JSON object");
  smart_configuration c;
  c.authorization_endpoint = string_member(*o, "authorization_endpoint");
  c.token_endpoint = string_member(*o, "token_endpoint");
  c.jwks_uri = string_member(*o, "jwks_uri");
  if (!is_http_url(c.authorization_endpoint) || !is_http_url(c.token_endpoint) || !is_http_url(c.jwks_uri))
    return ehr_error("the EHR's smart-configuration needs http(s) authorization_endpoint, token_endpoint and jwks_uri");
  bool s256 = false;
  if (const auto* m = o->if_contains("code_challenge_methods_supported"); m && m->is_array())
    for (const auto& v : m->as_array())
      if (v.is_string() && v.as_string() == "S256") s256 = true;
  if (!s256) return ehr_error("the EHR does not support PKCE S256 (code_challenge_methods_supported)");
  return c;
}

core::result<token_response> parse_token_response(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return ehr_error("the EHR's token response is not a JSON object");
  token_response t;
  t.id_token = string_member(*o, "id_token");
  t.patient = string_member(*o, "patient");
  t.scope = string_member(*o, "scope");
  if (t.id_token.empty()) return ehr_error("the EHR's token response has no id_token (was openid granted?)");
  if (!t.patient.empty() && !core::is_path_id(t.patient))
    return ehr_error("the EHR's patient id is not usable here (1-64 of [A-Za-z0-9._-])");
  return t;
}

std::string normalize_issuer(std::string_view iss) {
  while (!iss.empty() && iss.back() == '/') iss.remove_suffix(1);
  return std::string(iss);
}

core::result<std::vector<issuer>> parse_issuers(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return config_error("SMART issuers: not a JSON object (at most 64 KiB)");
  const auto* list = o->if_contains("issuers");
  if (!list || !list->is_array()) return config_error("SMART issuers: needs \"issuers\": [...]");
  std::vector<issuer> out;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    const std::string where = "SMART issuers[" + std::to_string(i) + "]: ";
    const auto& v = list->as_array()[i];
    if (!v.is_object()) return config_error(where + "not an object");
    const auto& e = v.as_object();
    issuer is;
    is.iss = normalize_issuer(string_member(e, "iss"));
    is.tenant = string_member(e, "tenant");
    is.instance = string_member(e, "instance");
    is.client_id = string_member(e, "client_id");
    is.client_secret_file = string_member(e, "client_secret_file");
    if (!is_http_url(is.iss)) return config_error(where + "\"iss\" must be an http(s) URL");
    if (!core::is_path_id(is.tenant) || !core::is_path_id(is.instance))
      return config_error(where + "\"tenant\" and \"instance\" are 1-64 characters of [A-Za-z0-9._-]");
    if (is.client_id.empty() || is.client_id.size() > 256) return config_error(where + "\"client_id\" is required");
    const auto auth = string_member(e, "auth");
    if (auth.empty() || auth == "private_key_jwt") {
      is.auth = client_auth::private_key_jwt;
    } else if (auth == "client_secret") {
      is.auth = client_auth::client_secret;
      if (is.client_secret_file.empty()) return config_error(where + "\"auth\":\"client_secret\" needs \"client_secret_file\"");
    } else {
      return config_error(where + "\"auth\" is \"private_key_jwt\" or \"client_secret\"");
    }
    if (const auto* s = e.if_contains("scopes")) {
      if (!s->is_array()) return config_error(where + "\"scopes\" is an array of strings");
      for (const auto& sc : s->as_array()) {
        if (!sc.is_string() || sc.as_string().empty() || sc.as_string().size() > 200 ||
            std::string_view(sc.as_string()).find_first_of(" \"&#") != std::string_view::npos)
          return config_error(where + "\"scopes\" holds single scopes (no spaces)");
        is.extra_scopes.emplace_back(sc.as_string());
      }
    }
    for (const auto& other : out)
      if (other.iss == is.iss) return config_error(where + "\"" + is.iss + "\" is listed twice");
    out.push_back(std::move(is));
  }
  return out;
}

std::optional<fhir_user> parse_fhir_user(std::string_view reference) {
  if (reference.size() > 1024) return std::nullopt;
  // The last two segments: {Type}/{id}, whether the reference is absolute or relative.
  const auto last = reference.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto id = reference.substr(last + 1);
  const auto before = reference.substr(0, last);
  const auto type_start = before.rfind('/');
  const auto type = type_start == std::string_view::npos ? before : before.substr(type_start + 1);
  if (!core::is_path_id(id)) return std::nullopt;
  fhir_user u;
  u.id = std::string(id);
  if (type == "Practitioner") u.type = fhir_user::kind::practitioner;
  else if (type == "Patient") u.type = fhir_user::kind::patient;
  else if (type == "RelatedPerson") u.type = fhir_user::kind::related_person;
  else return std::nullopt;
  return u;
}

}  // namespace carechat::api::smart
