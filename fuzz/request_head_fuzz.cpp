// The head of every request, read as http_session reads it: Beast's request_parser under the
// server's header limit (http_options), then what runs before the router: the Host check, the
// bearer token, and the two routes that take the whole connection (attachments, live events).
// Input: the raw bytes a client sends. Properties: never a crash; a parsed head fits the limit;
// an attachment route has the method its kind needs and ids that are path ids; an event route's
// tenant, instance and patient are path ids.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "core/ids.hpp"
#include "domain/attachment.hpp"
#include "fuzz_support.hpp"
#include "net/handlers/bearer.hpp"
#include "net/handlers/stream_routes.hpp"
#include "net/host_header.hpp"
#include "net/http_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carechat;
  namespace http = net::http;
  const net::http_options opts;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
  parser.eager(false);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  FUZZ_CHECK(used <= opts.max_header_bytes);

  // The server keeps the head in a request with a string body (net::request).
  net::request req{parser.get().base(), std::string()};
  (void)net::request_host(req);
  if (auto it = req.find(http::field::authorization); it != req.end()) {
    const std::string_view header = it->value();
    if (auto token = net::bearer_token(header)) {
      FUZZ_CHECK(!token->empty());
      FUZZ_CHECK(token->data() >= header.data() && token->data() + token->size() <= header.data() + header.size());
    }
  }
  if (auto att = net::match_attachment_route(req)) {
    FUZZ_CHECK(core::is_path_id(att->chat.tenant) && core::is_path_id(att->chat.instance) &&
               core::is_path_id(att->chat.patient));
    if (att->id) {
      FUZZ_CHECK(req.method() == http::verb::get && domain::is_attachment_id(*att->id));
    } else {
      FUZZ_CHECK(req.method() == http::verb::post && !att->thumbnail);
    }
  }
  if (auto scope = net::match_event_route(req.target())) {
    FUZZ_CHECK(core::is_path_id(scope->tenant) && core::is_path_id(scope->instance));
    if (scope->patient) FUZZ_CHECK(core::is_path_id(*scope->patient));
  }
  return 0;
}
