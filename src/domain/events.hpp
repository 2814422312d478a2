// Chat events: every change a live client must see, each with a position in one durable, ordered
// log. Clients resume from the last position they saw; the log replays what they missed.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "domain/chat.hpp"

namespace carechat::domain {

enum class event_type {
  message_created,  // a message was sent (either direction)
  messages_read,    // messages of one direction were read, up to one message
  chat_archived,    // messages before an instant were archived
  chat_restored,    // archived messages were restored
};

std::string_view to_string(event_type t) noexcept;

struct chat_event {
  // The event's place in its log. The ordering contract (docs/ARCHITECTURE.md, "Event log"): a
  // log is one tenant/instance on PostgreSQL, the whole file on SQLite (each instance's events a
  // subsequence of it); within a log, positions are assigned in commit order, each committed
  // event has one, none is skipped or reused, so a reader of `position > p` in position order
  // never misses an event that commits later.
  std::int64_t position = 0;
  event_type type = event_type::message_created;
  chat_key chat;
  core::unix_ms at = 0;
  std::optional<message> msg;  // message_created: the message as GET returns it
  // messages_read: who read which direction's messages, up to (and including) which message.
  std::optional<party> reader;
  message_kind read_kind = message_kind::inbound;
  std::string up_to_external_id;
  // messages_read: how many became read; chat_archived / chat_restored: how many changed.
  std::int64_t count = 0;
  std::optional<core::unix_ms> archive_before;  // chat_archived
};

// Where a live client resumes: after this position of the log, numbered in this epoch (when the
// client knows it). Neither: live events only, from now.
struct resume_point {
  std::optional<std::int64_t> after;
  std::optional<std::int64_t> epoch;
};

// Which events a subscriber sees: one chat, or (staff) every chat of a tenant's instance.
struct event_scope {
  std::string tenant;
  std::string instance;
  std::optional<std::string> patient;

  bool contains(const chat_key& c) const {
    return c.tenant == tenant && c.instance == instance && (!patient || *patient == c.patient);
  }
};

}  // namespace carechat::domain
