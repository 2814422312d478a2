// api::parse_send_body reads the JSON body (and the Content-Type) of every send. Input: byte 0 picks
// the mode. Bit 0 clear: the rest is the body, sent as application/json. Bit 0 set: the rest is
// "<Content-Type>\n<body>", so the media-type parser is fuzzed too.
// Properties: only bad_request or unsupported_media_type come back (the latter only for a foreign
// Content-Type); an accepted body, re-serialized as the minimal JSON of what was read, parses back
// to the same message and sender.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/request_parsing.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace carechat;

std::string reserialize(const api::send_body& b) {
  boost::json::object o;
  o["message"] = boost::json::string_view(b.text);
  if (b.sender) {
    boost::json::object s;
    s["id"] = boost::json::string_view(b.sender->id);
    if (b.sender->title_name) s["titleName"] = boost::json::string_view(*b.sender->title_name);
    o["sender"] = std::move(s);
  }
  return boost::json::serialize(o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool with_content_type = data[0] & 1;
  std::string_view body = fuzz::as_text(data + 1, size - 1);
  std::string_view content_type = "application/json";
  if (with_content_type) {
    const std::size_t nl = body.find('\n');
    if (nl == std::string_view::npos) return 0;
    content_type = body.substr(0, nl);
    body.remove_prefix(nl + 1);
  }

  const auto r = api::parse_send_body(body, content_type);
  if (!r) {
    const core::errc code = r.error().code;
    FUZZ_CHECK(code == core::errc::bad_request || code == core::errc::unsupported_media_type);
    FUZZ_CHECK(with_content_type || code == core::errc::bad_request);
    FUZZ_CHECK(!r.error().message.empty());
    return 0;
  }
  if (r->sender) FUZZ_CHECK(r->sender->type == domain::client_type::user);

  const auto again = api::parse_send_body(reserialize(*r), "application/json");
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->text == r->text);
  FUZZ_CHECK(again->sender == r->sender);
  return 0;
}
