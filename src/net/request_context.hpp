// What one HTTP request carries besides its message, from its header to its answer: its id
// (X-Request-Id), its route template, and what the handlers learn on the way (who asked, and for
// the handlers that write their own answers, the status and size). http_session makes one per
// request; handlers fill it; request_observer turns it into metrics and the request's log line.
// Thread-safety: one request's, used on its connection's thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"
#include "net/route_template.hpp"

namespace carechat::net {

// An X-Request-Id: 1-64 characters of [A-Za-z0-9._-]. Held inline (no allocation per request).
class request_id {
 public:
  static constexpr std::size_t max_length = 64;

  // Whether a client's X-Request-Id may be kept as it is.
  static bool is_sane(std::string_view text);
  // The client's id when sane, else a fresh random one (32 hex digits).
  static request_id from_header(std::optional<std::string_view> given, core::random_source& rng);

  std::string_view view() const { return {chars_.data(), length_}; }

 private:
  std::array<char, max_length> chars_{};
  std::size_t length_ = 0;
};

struct request_context {
  request_id id;
  route_template route = route_template::unmatched;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string principal;        // the token id ("tk_..."), once the request authenticated; never the secret
  unsigned status = 0;          // set by handlers that write their own answer (uploads, downloads, live)
  std::uint64_t body_bytes = 0; // the size of the answer's body, likewise
  std::string client;           // the client's address (net/client_address), for per-address limits and audit rows
  // Set with a 429 from an abuse limit (net/rate_limits): the answer's Retry-After.
  std::optional<std::chrono::seconds> retry_after;
  bool auth_failure_noted = false;  // a 401's failed authentication is counted and audited (once)
  // When the answer was written, if that is not when the handler returns (a live connection's 101).
  std::optional<std::chrono::steady_clock::time_point> answered_at;
};

}  // namespace carechat::net
