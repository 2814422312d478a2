// What a message lists of each of its attachments (domain/attachment.hpp has the rest of their
// story). Apart so that chat.hpp's message can hold them. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

namespace carechat::domain {

struct attachment_info {
  std::string id;            // "AT" + 32 hex digits
  std::string name;          // sanitized (domain/attachment_name)
  std::string content_type;  // sniffed from the content, never the client's claim
  std::uint64_t size = 0;
  std::string sha256;        // lowercase hex
  bool thumbnail = false;    // a preview image exists (thumbnail_key)
  bool operator==(const attachment_info&) const = default;
};

}  // namespace carechat::domain
