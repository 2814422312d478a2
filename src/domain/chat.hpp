// The chat vocabulary: which chat, who speaks, what a message is and where it sits in the order.
// No I/O, no wire format. Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "domain/attachment_info.hpp"

namespace carechat::domain {

// One chat per patient within a tenant's instance, as in the reference URL structure.
struct chat_key {
  std::string tenant;
  std::string instance;
  std::string patient;
  bool operator==(const chat_key&) const = default;
};

enum class client_type { patient, user };

struct party {
  client_type type = client_type::patient;
  std::string id;
  std::optional<std::string> title_name;  // "First Last" for users; absent for patients
  bool operator==(const party&) const = default;
};

// A message's place in the one total order of its chat: creation time, then the store's sequence
// number, so equal timestamps still order stably.
struct position {
  core::unix_ms created_at = 0;
  std::int64_t seq = 0;
  auto operator<=>(const position&) const = default;
};

enum class direction { older, newer };

enum class message_kind { inbound, outbound };  // inbound: patient -> care team

// The wire name of a direction ("inbound" / "outbound"), as events and webhooks spell it.
constexpr std::string_view wire_direction(message_kind k) noexcept {
  return k == message_kind::inbound ? "inbound" : "outbound";
}

struct message {
  std::int64_t seq = 0;
  std::string external_id;
  message_kind kind = message_kind::inbound;
  party sender;
  std::optional<party> receiver;  // the patient for outbound; none (the care team) for inbound
  std::string text;
  core::unix_ms created_at = 0;
  bool archived = false;
  // Read state: inbound messages are read by staff (read_by a user), outbound ones by the patient
  // (a read receipt). Empty until read.
  std::optional<core::unix_ms> read_at;
  std::optional<party> read_by;
  // Its attachments, in the order they were sent. attachment_count is the stored count, which
  // the store reads with the message; a store fills `attachments` only for messages that have
  // some, so most reads cost no extra lookup.
  std::int32_t attachment_count = 0;
  std::vector<attachment_info> attachments;

  position pos() const { return {created_at, seq}; }
};

}  // namespace carechat::domain
