// The chat routes: thin adapters from HTTP to the domain use cases. Each authenticates, authorizes,
// parses, runs the use case off the I/O thread (a read the caches can answer is answered on it),
// writes the audit row and serializes the answer.
// Thread-safety: run on the calling connection's executor (its I/O thread); `chat_request` lives for the call.
#pragma once

#include <string_view>

#include <boost/url/params_view.hpp>

#include "domain/chat.hpp"
#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

struct chat_request {
  const request& req;
  services& svc;
  domain::chat_key chat;
  boost::urls::params_view params;
  std::string_view path;  // without the query: part of the Idempotency-Key fingerprint
  request_context& ctx;   // the request's id (audited) and who asked (logged)
};

asio::awaitable<reply> list_messages(const chat_request& r);
asio::awaitable<reply> search_messages(const chat_request& r);
asio::awaitable<reply> send_message(const chat_request& r, domain::message_kind kind);
asio::awaitable<reply> archive_chat(const chat_request& r);
asio::awaitable<reply> restore_chat(const chat_request& r);
asio::awaitable<reply> mark_read(const chat_request& r);

// Routes over every chat of a tenant's instance (staff).
struct instance_request {
  const request& req;
  services& svc;
  std::string tenant;
  std::string instance;
  boost::urls::params_view params;
  request_context& ctx;
};

asio::awaitable<reply> list_unread_chats(const instance_request& r);

}  // namespace carechat::net
