// net::request_host checks the Host header(s) of every request before it is routed. Input: the
// Host field values, one per line (so zero, one or several Host fields). Properties: never a
// crash; an accepted value is the one and only Host field, non-empty, holds no whitespace, control
// character, '@', '/', '?' or '#', and its port (when present) is
// decimal digits whose value is at most 65535.
#include <string>

#include "fuzz_support.hpp"
#include "net/host_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carechat;
  const std::string_view text = fuzz::as_text(data, size);
  net::request req{net::http::verb::get, "/", 11};
  std::size_t fields = 0;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string value(text.substr(start, end - start));
    // Beast refuses CR, LF and NUL in field values itself; keep what a parsed request can hold.
    bool storable = value.find_first_of(std::string("\r\0", 2)) == std::string::npos;
    if (storable) {
      req.insert(net::http::field::host, value);
      ++fields;
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  const auto host = net::request_host(req);
  if (!host) return 0;
  FUZZ_CHECK(fields == 1);
  FUZZ_CHECK(!host->empty());
  for (char c : *host) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u > 0x20 && u != 0x7f && c != '@' && c != '/' && c != '?' && c != '#');
  }
  const std::size_t bracket = host->rfind(']');
  const std::size_t colon = host->rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = host->substr(colon + 1);
    FUZZ_CHECK(!port.empty());
    unsigned long v = 0;  // leading zeros are allowed (RFC 3986: port = *DIGIT); the value is not
    for (char c : port) {
      FUZZ_CHECK(c >= '0' && c <= '9');
      v = v * 10 + static_cast<unsigned long>(c - '0');
      FUZZ_CHECK(v <= 65535);
    }
  }
  return 0;
}
