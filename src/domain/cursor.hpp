// Where a page continues from. The api layer seals a cursor into an opaque page token bound to one
// chat; the domain only ever sees the decoded, authenticated value. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "domain/chat.hpp"

namespace carechat::domain {

enum class cursor_kind : std::uint8_t {
  messages = 1,  // a page of GET .../chat (also a search hit's "messages around it" token)
  search = 2,    // a page of GET .../chat/search
  fhir_communications = 3,  // a page of GET /fhir/R4/Communication (oldest first, domain/delta_walk)
};

struct cursor {
  cursor_kind kind = cursor_kind::messages;
  direction dir = direction::older;  // older = nextPageToken, newer = prevPageToken
  position anchor;                   // exclusive: the page starts just past this message
  int page_size = 20;
  bool include_archived = false;
  // search only
  std::string query;
  int content_page_size = 20;
  bool operator==(const cursor&) const = default;
};

}  // namespace carechat::domain
