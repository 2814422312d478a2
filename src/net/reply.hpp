// A handler's answer before it becomes an HTTP response: status, JSON body, and the few headers a
// handler decides. Thread-safety: plain value.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "net/asio.hpp"

namespace carechat::net {

struct reply {
  unsigned status = 200;
  std::string body{};            // JSON
  // A JSON body shared with a cache (a latest page), sent as is instead of `body`: no copy.
  std::shared_ptr<const std::string> shared_body{};
  bool idempotent_replay = false;  // adds "Idempotent-Replayed: true"
  bool allow_post_only = false;    // 405 on a POST-only route: "Allow: POST"
  bool allow_get_only = false;     // 405 on a GET-only route: "Allow: GET"
  bool allow_get_or_put = false;   // 405 on a GET/PUT route: "Allow: GET, PUT"
  bool allow_get_or_delete = false;  // 405 on a GET/DELETE route: "Allow: GET, DELETE"
  // The request's X-Request-Id, echoed (set by whoever writes the answer; points into the
  // request's context, which outlives the write).
  std::string_view request_id{};
  std::string www_authenticate{};  // a 401's challenge when not "Bearer" (the OAuth token endpoint: Basic)
  std::string retry_after{};       // Retry-After seconds (a 429); a 503 without it says "1"
  bool pragma_no_cache = false;    // "Pragma: no-cache" (RFC 6749 section 5.1, token responses)
  std::string content_location{};  // Content-Location (a FHIR Bulk Data kick-off's status URL)
  std::string location{};           // "Location" of a redirect (SMART launch and callback: 302/303)
  std::string_view content_type = "application/json";  // a static string (the FHIR routes: application/fhir+json)
};

reply error_reply(const core::error& e);

// The body a reply sends: its shared body when it has one, else its own.
std::string_view body_of(const reply& rep);

// Calls f(name, value) for each header of an API reply besides Content-Length and Connection:
// JSON, never cached (patient data), nosniff, and the few a handler asks for. The one list both
// writers below use.
template <class F>
void for_each_reply_header(const reply& rep, F&& f) {
  f(std::string_view("Server"), std::string_view("carechat"));
  f(std::string_view("Content-Type"), rep.content_type);
  f(std::string_view("Cache-Control"), std::string_view("no-store"));
  f(std::string_view("X-Content-Type-Options"), std::string_view("nosniff"));
  if (rep.status == 401)
    f(std::string_view("WWW-Authenticate"),
      rep.www_authenticate.empty() ? std::string_view("Bearer") : std::string_view(rep.www_authenticate));
  // 503 means "retry later" (overload, a database restarting or failing over): say how soon.
  if (!rep.retry_after.empty()) f(std::string_view("Retry-After"), std::string_view(rep.retry_after));
  else if (rep.status == 503) f(std::string_view("Retry-After"), std::string_view("1"));
  if (rep.pragma_no_cache) f(std::string_view("Pragma"), std::string_view("no-cache"));
  if (!rep.content_location.empty()) f(std::string_view("Content-Location"), std::string_view(rep.content_location));
  if (rep.idempotent_replay) f(std::string_view("Idempotent-Replayed"), std::string_view("true"));
  if (rep.allow_post_only) f(std::string_view("Allow"), std::string_view("POST"));
  if (rep.allow_get_only) f(std::string_view("Allow"), std::string_view("GET"));
  if (rep.allow_get_or_put) f(std::string_view("Allow"), std::string_view("GET, PUT"));
  if (rep.allow_get_or_delete) f(std::string_view("Allow"), std::string_view("GET, DELETE"));
  if (!rep.location.empty()) f(std::string_view("Location"), std::string_view(rep.location));
  if (!rep.request_id.empty()) f(std::string_view("X-Request-Id"), rep.request_id);
}

// Writes the status line and headers of `rep` (version 10 or 11) into `head`, replacing what it
// held: the bytes Beast's serializer would send before the body, without building an
// http::response (one allocation per header) or running the serializer per request. The
// connection writes `head` and body_of(rep) together.
void format_reply_head(std::string& head, unsigned version, bool keep_alive, const reply& rep);

// The HTTP response for a reply (for the rare paths that need a Beast message: errors written
// before a request is routed, refused WebSocket upgrades); `keep_alive` is the connection's choice.
response to_response(unsigned version, bool keep_alive, reply rep);

}  // namespace carechat::net
