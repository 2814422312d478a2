// A handler's answer before it becomes an HTTP response: status, JSON body, and the few headers a
// handler decides. Thread-safety: plain value.
#pragma once

#include <string>

#include "core/error.hpp"
#include "net/asio.hpp"

namespace carechat::net {

struct reply {
  unsigned status = 200;
  std::string body;              // JSON
  bool idempotent_replay = false;  // adds "Idempotent-Replayed: true"
  bool allow_post_only = false;    // 405 on a POST-only route: "Allow: POST"
  bool allow_get_only = false;     // 405 on a GET-only route: "Allow: GET"
  bool allow_get_or_put = false;   // 405 on a GET/PUT route: "Allow: GET, PUT"
};

reply error_reply(const core::error& e);

// The HTTP response for a reply: JSON, never cached (patient data), nosniff, and the headers the
// reply asks for. The one place API responses are shaped; `keep_alive` is the connection's choice.
response to_response(unsigned version, bool keep_alive, reply rep);

}  // namespace carechat::net
