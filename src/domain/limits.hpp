// Input limits the use cases enforce. Filled from app/config; defaults are the documented ones.
// Thread-safety: plain values.
#pragma once

#include <cstddef>

#include "domain/attachment.hpp"

namespace carechat::domain {

struct limits {
  int default_page_size = 20;        // when a request names none (CARECHAT_PAGE_LIMIT)
  int max_page_size = 200;           // larger requests are served at this size
  std::size_t max_message_chars = 10'000;  // code points per message
  std::size_t max_query_chars = 200;       // code points per search query
  std::size_t max_title_name_chars = 200;  // a client-named sender's titleName
  attachment_limits attachments;
};

}  // namespace carechat::domain
