#include "net/reply.hpp"

#include "api/error_mapping.hpp"
#include "core/log.hpp"

namespace carechat::net {

reply error_reply(const core::error& e) {
  // Storage and internal failures carry details for operators (SQLite messages, statement names):
  // they go to the log, and the client gets a generic sentence. Messages never contain message
  // text or secrets, so logging them is safe.
  if (e.code == core::errc::internal || e.code == core::errc::unavailable) {
    core::log(e.code == core::errc::internal ? core::log_level::error : core::log_level::warn, "request", e.message);
    const core::error generic{e.code, e.code == core::errc::internal
                                          ? "internal error; the details are in the server log"
                                          : "the service is temporarily unavailable; retry later"};
    return reply{api::http_status(generic.code), api::error_body(generic)};
  }
  return reply{api::http_status(e.code), api::error_body(e)};
}

}  // namespace carechat::net
