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

response to_response(unsigned version, bool keep_alive, reply rep) {
  response res{static_cast<http::status>(rep.status), version};
  res.set(http::field::server, "carechat");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (rep.status == 401) res.set(http::field::www_authenticate, "Bearer");
  if (rep.idempotent_replay) res.set("Idempotent-Replayed", "true");
  if (rep.allow_post_only) res.set(http::field::allow, "POST");
  if (rep.allow_get_only) res.set(http::field::allow, "GET");
  if (rep.allow_get_or_put) res.set(http::field::allow, "GET, PUT");
  res.body() = std::move(rep.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace carechat::net
