// The routes http_session hands the whole connection to once a request's header is read, before
// the router sees the request: attachment uploads and downloads (their bodies stream) and the live
// event upgrades. Pure functions of the header, in a file of their own so that the request-head
// fuzz target (fuzz/request_head_fuzz.cpp) can test them without the handlers behind them.
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/chat.hpp"
#include "domain/events.hpp"
#include "net/asio.hpp"

namespace carechat::net {

struct attachment_target {
  domain::chat_key chat;
  std::optional<std::string> id;  // none: the upload route
  bool thumbnail = false;
};

// The route of a request whose header was read, if it is one of these with its method (POST to
// upload, GET to download) and well-formed ids. Anything else (another method, a malformed id) is
// the router's to answer (405, 400, 404).
std::optional<attachment_target> match_attachment_route(const http::request_header<>& head);

// The scope an events target names, if it is one.
std::optional<domain::event_scope> match_event_route(std::string_view target);

}  // namespace carechat::net
