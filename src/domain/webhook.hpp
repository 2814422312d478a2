// Webhooks: endpoint configuration, outbox deliveries, the attempt log, the retry schedule and the
// Standard Webhooks signature. Pure vocabulary and functions, plus the store interface the delivery
// worker and the management commands use (implemented by store/sqlite). No Asio, HTTP or SQL here.
// Thread-safety: plain values and pure functions; webhook_store as stated on the class.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "domain/attachment_info.hpp"
#include "core/random.hpp"
#include "core/result.hpp"

namespace carechat::domain {

// Event types. message.outbound is the reference webhook (staff -> patient) and on by default; the
// others are opt-in per endpoint.
inline constexpr std::string_view webhook_outbound = "message.outbound";
inline constexpr std::string_view webhook_inbound = "message.inbound";
inline constexpr std::string_view webhook_read = "messages.read";
inline constexpr std::string_view webhook_archived = "chat.archived";
bool is_webhook_event_type(std::string_view t) noexcept;

// Limits of the configuration (STYLE habit 2).
inline constexpr std::size_t webhook_max_url_length = 2048;
inline constexpr std::size_t webhook_max_credential_length = 512;  // api key, api secret

// One endpoint per tenant/instance. The secrets are plaintext here; the store keeps them encrypted.
struct webhook_endpoint {
  std::string tenant;
  std::string instance;
  std::string url;
  std::string api_key;         // sent as X-WEBHOOK-API-KEY
  std::string api_secret;      // sent as X-WEBHOOK-API-SECRET
  std::string signing_secret;  // "whsec_" + base64 of the HMAC key
  std::optional<std::string> previous_signing_secret;  // during a rotation: both sign
  bool enabled = true;
  std::vector<std::string> event_types{std::string(webhook_outbound)};
  std::string disabled_reason;  // why enabled is false ("" when enabled)
  core::unix_ms created_at = 0;
  core::unix_ms updated_at = 0;
};

// A due outbox row with what the body is built from (read at delivery time, never copied).
struct webhook_job {
  std::int64_t outbox_id = 0;
  std::string event_id;  // webhook-id: the same on every try
  std::string event_type;
  std::string tenant;
  std::string instance;
  std::string patient;
  std::string message_text;         // message events
  std::string message_external_id;  // message events
  std::vector<attachment_info> attachments;  // message events: the message's attachments, if any
  std::int64_t count = 0;           // messages.read, chat.archived
  std::string up_to_external_id;    // messages.read
  std::string direction;            // messages.read: "inbound" or "outbound"
  core::unix_ms at = 0;             // when the event happened
  int attempts = 0;                 // attempts made before this one
  std::int64_t lease_token = 0;     // fences this claim: the attempt is recorded only while it holds
};

// One attempt as the log keeps it. error never holds secrets or message text.
struct webhook_attempt {
  std::int64_t id = 0;  // the delivery attempt id ("dl_<id>" on the wire)
  std::int64_t outbox_id = 0;
  std::string event_id;
  std::string event_type;
  core::unix_ms at = 0;
  int status = 0;  // HTTP status, 0 when none arrived
  std::int64_t latency_ms = 0;
  std::string error;
  std::string outcome;  // "delivered", "retry", "failed", "disabled"
};

// What an attempt did to its outbox row (and maybe to the endpoint).
struct webhook_result {
  enum class next { delivered, retry, failed, endpoint_gone } what = next::retry;
  core::unix_ms retry_at = 0;  // next::retry
};

// The outbox row state, for show/log.
struct webhook_outbox_state {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

// Storage of endpoints, outbox progress and the attempt log. Every call is safe from any thread
// (the SQLite implementation runs each on the writer connection under its mutex, in its own
// transaction); callers on I/O threads go through net::run_blocking.
class webhook_store {
 public:
  virtual ~webhook_store() = default;

  // Creates or replaces the instance's endpoint. A first configuration skips older pending outbox
  // rows (events from before any endpoint existed are not sent); a reconfiguration keeps them.
  virtual core::result<void> put_webhook_endpoint(const webhook_endpoint& e) = 0;
  virtual core::result<std::optional<webhook_endpoint>> webhook_endpoint_of(const std::string& tenant,
                                                                             const std::string& instance) = 0;
  // False: no endpoint configured.
  virtual core::result<bool> disable_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                                      const std::string& reason, core::unix_ms at) = 0;
  // Claims for `owner`, for `lease`, per enabled endpoint its oldest pending row if it is due at
  // `now` and nobody holds it (no lease, or an expired one), at most `limit` jobs. Head-of-line: a
  // later row is never returned while an earlier one is pending, held or not, so an endpoint's
  // events go out in order whichever node sends them. A claim is made once: another owner gets the
  // row only after the lease expires (a node that died mid-delivery: its attempt is made again,
  // with the same event id). Lease expiry is judged by the database's clock where several
  // processes share it (PostgreSQL), by `now` otherwise.
  virtual core::result<std::vector<webhook_job>> claim_webhooks(const std::string& owner, core::unix_ms now,
                                                                std::chrono::milliseconds lease, int limit) = 0;
  // Gives up every claim `owner` holds (a node starting again under the same name: what it held
  // when it stopped is due again at once instead of when the leases run out).
  virtual core::result<void> release_webhook_claims(const std::string& owner) = 0;
  // Logs the attempt and applies its result to the row (and the endpoint, on 410), atomically, and
  // releases the claim, if `lease_token` (the job's) still holds the row. false: the lease was lost
  // (it expired and another owner took the row): nothing is recorded.
  virtual core::result<bool> record_webhook_attempt(const webhook_attempt& a, std::int64_t lease_token,
                                                    const webhook_result& r, const std::string& disable_reason) = 0;
  // Newest first.
  virtual core::result<std::vector<webhook_attempt>> webhook_attempts(const std::string& tenant,
                                                                      const std::string& instance, int limit) = 0;
  // Puts the event back in the queue, due now: `id` is its event id ("evt_...") or an attempt id
  // ("dl_<n>"). Returns the event id, or nullopt when no such event belongs to the instance.
  virtual core::result<std::optional<std::string>> redeliver_webhook(const std::string& tenant,
                                                                     const std::string& instance, const std::string& id,
                                                                     core::unix_ms now) = 0;
  virtual core::result<webhook_outbox_state> webhook_outbox_counts(const std::string& tenant,
                                                                   const std::string& instance) = 0;
  // Pending outbox rows of every instance (the /metrics queue depth), counted along the partial
  // index of pending rows, so its cost follows the backlog, not the outbox's history.
  virtual core::result<std::int64_t> pending_webhook_count() = 0;
};

// A configuration request (CLI `webhook set` or PUT .../webhook). The URL's safety (scheme, host,
// resolved addresses) is checked by the caller (net), which can resolve names.
struct webhook_config_input {
  std::string url;
  std::string api_key;
  std::string api_secret;
  std::optional<std::string> signing_secret;  // "whsec_..."; generated when absent and none exists
  bool rotate = false;                         // keep the current signing secret as the previous one
  std::optional<std::vector<std::string>> event_types;  // default: keep, or message.outbound only
};

struct prepared_endpoint {
  webhook_endpoint endpoint;
  bool generated_secret = false;  // the signing secret was generated now (shown once to the caller)
};

// Validates the input and merges it with the existing endpoint (if any): credentials required,
// 1-512 characters without control characters; event types known; a given signing secret must be a
// valid whsec_ secret. Without rotate, a given signing secret replaces both; with rotate, the
// current one becomes the previous one and the new (given or generated) one signs first. The
// result is enabled (a set re-enables a disabled endpoint).
core::result<prepared_endpoint> prepare_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                                         const std::optional<webhook_endpoint>& existing,
                                                         webhook_config_input in, core::random_source& rng,
                                                         const core::clock& clk);

// ---- retry schedule ----

struct webhook_retry_policy {
  std::chrono::milliseconds base{5'000};               // CARECHAT_WEBHOOK_RETRY_BASE_MS: first ceiling
  std::chrono::milliseconds max_delay{24 * 3'600'000}; // CARECHAT_WEBHOOK_RETRY_MAX_MS: cap of one delay
  int max_attempts = 15;                               // CARECHAT_WEBHOOK_MAX_ATTEMPTS: then failed
};

// The instant of the next attempt after `attempts_made` failed ones (1 after the first failure), or
// nullopt when no attempt is left. Exponential backoff with full jitter: the delay is uniform in
// [0, min(max_delay, base * 2^(attempts_made-1))], but never below base (no hot retry loop). A
// Retry-After delay (already parsed) replaces it, capped at max_delay.
std::optional<core::unix_ms> next_webhook_attempt(const webhook_retry_policy& p, int attempts_made,
                                                  std::optional<std::chrono::milliseconds> retry_after,
                                                  core::unix_ms now, core::random_source& rng);

// Retry-After: delay-seconds or an HTTP-date (IMF-fixdate), relative to `now`; nullopt if invalid.
// A date in the past is a zero delay.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, core::unix_ms now);

// ---- signatures (Standard Webhooks) ----

// A new signing secret: "whsec_" + base64 of 32 random bytes.
std::string new_signing_secret(core::random_source& rng);
// The key bytes of a "whsec_<base64>" secret, or nullopt when malformed (or shorter than 16 bytes).
std::optional<std::vector<std::uint8_t>> signing_key(std::string_view secret);
// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>", one per valid secret,
// space-separated (current first).
std::string webhook_signature(const std::vector<std::string>& secrets, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

// "abcd…wxyz" for long values, "****" for short ones: never the whole secret.
std::string mask_secret(std::string_view secret);

}  // namespace carechat::domain
