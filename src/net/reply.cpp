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

std::string_view body_of(const reply& rep) { return rep.shared_body ? std::string_view(*rep.shared_body) : rep.body; }

response to_response(unsigned version, bool keep_alive, reply rep) {
  response res{static_cast<http::status>(rep.status), version};
  for_each_reply_header(rep, [&](std::string_view name, std::string_view value) { res.set(name, value); });
  res.body() = rep.shared_body ? std::string(*rep.shared_body) : std::move(rep.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

void format_reply_head(std::string& head, unsigned version, bool keep_alive, const reply& rep) {
  head.clear();
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(rep.status);
  head += ' ';
  head += http::obsolete_reason(static_cast<http::status>(rep.status));
  head += "\r\n";
  for_each_reply_header(rep, [&](std::string_view name, std::string_view value) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  });
  head += "Content-Length: ";
  head += std::to_string(body_of(rep).size());
  head += "\r\n";
  // HTTP/1.1 keeps a connection unless told; HTTP/1.0 closes one unless told (as Beast's keep_alive()).
  if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
}

}  // namespace carechat::net
