// A streaming parser of multipart/form-data bodies (RFC 7578 over RFC 2046): what browsers'
// FormData and `curl -F` send when uploading an attachment. Bytes are fed as they arrive and each
// part's content is handed on in pieces, so a 25 MiB file is never held whole (issue #14). Written
// here: Debian packages no C++ multipart parser, and Beast has none; the grammar is small.
// Strict where browsers are consistent (CRLF line ends, the boundary from Content-Type) and
// bounded everywhere (part headers, number of parts). Thread-safety: one parser per body, on one
// thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace carechat::api {

// The boundary of a `multipart/form-data; boundary=...` Content-Type (token or quoted-string,
// 1-70 characters of RFC 2046's bchars), or bad_request / unsupported_media_type saying why not.
core::result<std::string> multipart_boundary(std::string_view content_type);

// The headers of one part that an upload needs.
struct multipart_part {
  std::string name;                     // Content-Disposition's name="..."
  std::optional<std::string> filename;  // filename="..." (raw bytes as the client sent them)
  std::string content_type;             // "" when the part has none (text/plain by RFC 7578)
};

// What the parser hands on. Returning an error stops the parse with that error.
class multipart_handler {
 public:
  virtual ~multipart_handler() = default;
  virtual core::result<void> on_part_begin(const multipart_part& part) = 0;
  virtual core::result<void> on_part_data(std::string_view bytes) = 0;
  virtual core::result<void> on_part_end() = 0;
};

struct multipart_limits {
  std::size_t max_header_bytes = 8 * 1024;  // one part's header block
  std::size_t max_parts = 16;
};

class multipart_parser {
 public:
  multipart_parser(std::string boundary, multipart_handler& handler, multipart_limits limits = {});

  // The next bytes of the body. An error (bad_request for a malformed body) is final.
  core::result<void> feed(std::string_view bytes);
  // The body ended: an error unless the closing delimiter was seen.
  core::result<void> finish();

 private:
  enum class state { preamble, after_delimiter, headers, body, epilogue, failed };
  core::result<void> step(bool& progressed);
  core::result<void> fail(core::error e);
  core::result<void> parse_headers(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary (the preamble's first one may lack the CRLF)
  multipart_handler& handler_;
  multipart_limits limits_;
  state state_ = state::preamble;
  std::string pending_;  // bytes not yet consumed: never more than one feed plus a delimiter
  std::size_t parts_ = 0;
};

}  // namespace carechat::api
