// A handler's answer before it becomes an HTTP response: status, JSON body, and the few headers a
// handler decides. Thread-safety: plain value.
#pragma once

#include <string>

#include "core/error.hpp"

namespace carechat::net {

struct reply {
  unsigned status = 200;
  std::string body;              // JSON
  bool idempotent_replay = false;  // adds "Idempotent-Replayed: true"
  bool allow_post_only = false;    // 405 on a POST-only route: "Allow: POST"
  bool allow_get_only = false;     // 405 on a GET-only route: "Allow: GET"
};

reply error_reply(const core::error& e);

}  // namespace carechat::net
