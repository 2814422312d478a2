// POST /oauth/token's body and Authorization header (api/oauth_wire, api/form_body). The input is
// split at its first newline: header before, body after. Properties: no crash; an accepted request
// names exactly one method, and a secret method a non-empty client id.
#include "api/oauth_wire.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace api = carechat::api;
  const std::string_view text = carechat::fuzz::as_text(data, size);
  const auto nl = text.find('\n');
  const std::string_view header = nl == std::string_view::npos ? std::string_view() : text.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? text : text.substr(nl + 1);
  auto r = api::parse_token_request("application/x-www-form-urlencoded", body, header);
  if (const auto* t = std::get_if<api::token_request>(&r)) {
    if (t->method != api::client_auth_method::private_key_jwt) FUZZ_CHECK(!t->client_id.empty());
    else FUZZ_CHECK(!t->client_assertion.empty());
  }
  return 0;
}
