// SMART App Launch 2.x (issue #15): carechat as a confidential SMART app of the EHRs an operator
// allows (docs/integration.md, "SMART App Launch").
//   GET  /smart/launch?iss=&launch=   EHR launch (without `launch`: the portal's standalone launch):
//                                     discovery, then a redirect to the EHR's authorize endpoint
//                                     (PKCE S256, state, nonce, aud=iss)
//   GET  /smart/callback?code=&state= code exchange on the server (private_key_jwt or a secret),
//                                     id_token validation, then a redirect to the chart pane or the
//                                     portal with a carechat session in the URL fragment
//   POST /smart/session/renew         a fresh session token (idle expiry pushed, absolute end kept)
//   POST /smart/session/end           the session token revoked
//   GET  /.well-known/jwks.json       carechat's public signing key(s), for private_key_jwt
// An unknown iss gets 400 before anything is fetched or redirected. EHR tokens never leave the
// server, nor are they kept: only the carechat session reaches the page.
// Thread-safety: handlers run on their connection's executor; smart_services' mutable members
// are guarded (see each).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <boost/url/url_view.hpp>

#include "api/jose/jwk.hpp"
#include "api/smart/smart_wire.hpp"
#include "core/jws_crypto.hpp"
#include "domain/smart_launch.hpp"
#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"

namespace carechat::net {

struct services;

// What carechat learned about one EHR, cached: its smart-configuration (for config_ttl) and its
// key set (refetched when an id_token names an unknown kid; for the same unknown kid at most once
// per refetch_gap, so a kid the EHR never publishes costs one fetch per gap, while a real
// rotation right after a fetch is still seen at once).
struct smart_ehr_state {
  std::optional<api::smart::smart_configuration> configuration;
  core::unix_ms configuration_at = 0;
  std::shared_ptr<const api::jose::jwks> keys;
  core::unix_ms keys_at = 0;
  std::string refetched_for;  // the unknown kid of the last refetch
};

struct smart_services {
  std::vector<api::smart::issuer> issuers;  // the allow-list (CARECHAT_SMART_ISSUERS_FILE)
  std::string public_url;                   // redirect_uri = public_url + "/smart/callback"
  core::jose_key signing_key;               // carechat's private_key_jwt key
  std::string signing_kid;                  // its RFC 7638 thumbprint
  core::jws_alg signing_alg = core::jws_alg::es384;
  std::string published_jwks;               // {"keys":[public JWK]}
  domain::smart_session_options session;
  boost::asio::ssl::context* tls = nullptr;
  std::chrono::milliseconds timeout{10'000};            // each call to an EHR
  std::chrono::milliseconds launch_ttl{10 * 60 * 1000};  // from launch to callback
  std::chrono::milliseconds config_ttl{5 * 60 * 1000};
  std::chrono::milliseconds refetch_gap{10'000};
  // Launches in flight live in the database (domain::smart_launch_store), so the callback may reach
  // any node; at most this many unexpired ones across every node sharing it, then 503.
  std::size_t max_pending_launches = 10'000;

  const api::smart::issuer* find_issuer(std::string_view iss) const;

  std::mutex ehr_mutex;
  std::map<std::string, smart_ehr_state> ehrs;  // by iss; guarded by ehr_mutex

  smart_services(core::jose_key key, core::jws_alg alg) : signing_key(std::move(key)), signing_alg(alg) {}
};

// `segs`: the decoded path segments; is_smart_path says whether they name one of the routes above.
bool is_smart_path(const std::vector<std::string>& segs);
asio::awaitable<reply> smart_route(const request& req, services& svc, request_context& ctx,
                                   const boost::urls::url_view& url, const std::vector<std::string>& segs);

}  // namespace carechat::net
