#include "domain/webhook.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"

namespace carechat::domain {

bool is_webhook_event_type(std::string_view t) noexcept {
  return t == webhook_outbound || t == webhook_inbound || t == webhook_read || t == webhook_archived;
}

namespace {

std::uint64_t random_u64(core::random_source& rng) {
  std::array<std::uint8_t, 8> b{};
  rng.fill(b);
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return v;
}

}  // namespace

std::optional<core::unix_ms> next_webhook_attempt(const webhook_retry_policy& p, int attempts_made,
                                                  std::optional<std::chrono::milliseconds> retry_after,
                                                  core::unix_ms now, core::random_source& rng) {
  if (attempts_made >= p.max_attempts) return std::nullopt;
  const std::int64_t cap = std::max<std::int64_t>(p.max_delay.count(), 0);
  const std::int64_t base = std::clamp<std::int64_t>(p.base.count(), 0, cap);
  if (retry_after) return now + std::clamp<std::int64_t>(retry_after->count(), 0, cap);
  // base * 2^(n-1) without overflow: stop doubling at the cap.
  std::int64_t ceiling = base;
  for (int i = 1; i < attempts_made && ceiling < cap; ++i) ceiling = std::min(cap, ceiling * 2);
  const std::int64_t jitter = ceiling > 0 ? static_cast<std::int64_t>(random_u64(rng) % (static_cast<std::uint64_t>(ceiling) + 1)) : 0;
  return now + std::max(base, jitter);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v, core::unix_ms now) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::chrono::milliseconds(std::int64_t{999'999'999} * 1000);  // huge: the cap applies
    return std::chrono::milliseconds(std::int64_t{*core::parse_decimal<int>(v)} * 1000);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
  if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':' ||
      v[22] != ':' || v.substr(25) != " GMT")
    return std::nullopt;
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month_it = std::find(months.begin(), months.end(), v.substr(8, 3));
  if (month_it == months.end()) return std::nullopt;
  // Same fields as ISO-8601: let core's parser do the calendar (and reject 31 Feb, 25:00, ...).
  const unsigned month = static_cast<unsigned>(month_it - months.begin()) + 1;
  const std::string iso = std::string(v.substr(12, 4)) + "-" + (month < 10 ? "0" : "") + std::to_string(month) + "-" +
                          std::string(v.substr(5, 2)) + "T" + std::string(v.substr(17, 8)) + "Z";
  const auto at = core::parse_iso8601(iso);
  if (!at) return std::nullopt;
  const std::int64_t secs = *at / 1000;
  const std::int64_t delta = secs * 1000 - now;
  return std::chrono::milliseconds(std::max<std::int64_t>(delta, 0));
}

std::string new_signing_secret(core::random_source& rng) {
  std::array<std::uint8_t, 32> key{};
  rng.fill(key);
  return "whsec_" + core::base64_encode(key);
}

std::optional<std::vector<std::uint8_t>> signing_key(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.substr(0, prefix.size()) != prefix || secret.size() > 200) return std::nullopt;
  auto key = core::base64_decode(secret.substr(prefix.size()));
  if (!key || key->size() < 16 || key->size() > 64) return std::nullopt;
  return std::vector<std::uint8_t>(key->begin(), key->end());
}

std::string webhook_signature(const std::vector<std::string>& secrets, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  std::string signed_content;
  signed_content.reserve(id.size() + body.size() + 24);
  signed_content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  std::string out;
  for (const auto& s : secrets) {
    auto key = signing_key(s);
    if (!key) continue;
    const auto mac = core::hmac_sha256(*key, signed_content);
    if (!out.empty()) out += ' ';
    out += "v1," + core::base64_encode(mac);
  }
  return out;
}

core::result<prepared_endpoint> prepare_webhook_endpoint(const std::string& tenant, const std::string& instance,
                                                         const std::optional<webhook_endpoint>& existing,
                                                         webhook_config_input in, core::random_source& rng,
                                                         const core::clock& clk) {
  using core::errc;
  auto credential = [](const std::string& v, const char* name) -> core::result<void> {
    if (v.empty() || v.size() > webhook_max_credential_length)
      return core::make_error(errc::bad_request, std::string(name) + " is required (1-512 characters)");
    for (unsigned char c : v)
      if (c < 0x20 || c == 0x7f)
        return core::make_error(errc::bad_request, std::string(name) + " may not contain control characters");
    return {};
  };
  if (in.url.empty() || in.url.size() > webhook_max_url_length)
    return core::make_error(errc::bad_request, "url is required (at most 2048 characters)");
  if (auto ok = credential(in.api_key, "apiKey"); !ok) return std::move(ok).error();
  if (auto ok = credential(in.api_secret, "apiSecret"); !ok) return std::move(ok).error();
  if (in.signing_secret && !signing_key(*in.signing_secret))
    return core::make_error(errc::bad_request, "signingSecret must be whsec_ followed by base64 of 16-64 bytes");
  prepared_endpoint out;
  webhook_endpoint& e = out.endpoint;
  if (existing) e = *existing;
  e.tenant = tenant;
  e.instance = instance;
  e.url = std::move(in.url);
  e.api_key = std::move(in.api_key);
  e.api_secret = std::move(in.api_secret);
  if (in.event_types) {
    std::vector<std::string> types;
    for (auto& t : *in.event_types) {
      if (!is_webhook_event_type(t))
        return core::make_error(errc::bad_request, "unknown event type '" + t +
                                                       "' (message.outbound, message.inbound, messages.read, "
                                                       "chat.archived)");
      if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(std::move(t));
    }
    if (types.empty()) return core::make_error(errc::bad_request, "events may not be empty");
    e.event_types = std::move(types);
  } else if (!existing) {
    e.event_types = {std::string(webhook_outbound)};
  }
  const bool have_current = existing && !existing->signing_secret.empty();
  if (in.rotate) {
    if (!have_current) return core::make_error(errc::bad_request, "nothing to rotate: no signing secret yet");
    e.previous_signing_secret = existing->signing_secret;
    out.generated_secret = !in.signing_secret;
    e.signing_secret = in.signing_secret ? *in.signing_secret : new_signing_secret(rng);
  } else if (in.signing_secret) {
    e.signing_secret = *in.signing_secret;
    e.previous_signing_secret.reset();
  } else if (!have_current) {
    e.signing_secret = new_signing_secret(rng);
    out.generated_secret = true;
  }
  e.enabled = true;
  e.disabled_reason.clear();
  const core::unix_ms now = clk.now_ms();
  if (!existing) e.created_at = now;
  e.updated_at = now;
  return out;
}

std::string mask_secret(std::string_view secret) {
  // Show 4 characters at each end only of long ASCII secrets: short ones would give away too much,
  // and cutting non-ASCII text by bytes could split a character.
  const bool ascii = std::all_of(secret.begin(), secret.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii || secret.size() < 24) return "****";
  return std::string(secret.substr(0, 4)) + "\u2026" + std::string(secret.substr(secret.size() - 4));
}

}  // namespace carechat::domain
