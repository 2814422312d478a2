#include "api/multipart_parser.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "api/header_parameters.hpp"
#include "core/text.hpp"

namespace carechat::api {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

bool bchar(char c) {  // RFC 2046 bchars
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '\'' || c == '(' ||
         c == ')' || c == '+' || c == '_' || c == ',' || c == '-' || c == '.' || c == '/' || c == ':' || c == '=' ||
         c == '?' || c == ' ';
}

}  // namespace

core::result<std::string> multipart_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  const std::string_view type = core::trim_ows(content_type.substr(0, semi));
  if (!core::iequals_ascii(type, "multipart/form-data"))
    return core::make_error(core::errc::unsupported_media_type, "expected multipart/form-data");
  auto params = parameters(content_type.substr(std::min(semi, content_type.size())));
  if (!params) return bad("malformed Content-Type parameters");
  for (const auto& [name, value] : *params) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > 70 || value.back() == ' ')
      return bad("a multipart boundary has 1 to 70 characters and does not end with a space");
    for (char c : value)
      if (!bchar(c)) return bad("a multipart boundary may not contain that character");
    return value;
  }
  return bad("multipart/form-data without a boundary");
}

multipart_parser::multipart_parser(std::string boundary, multipart_handler& handler, multipart_limits limits)
    : delimiter_("\r\n--" + boundary), handler_(handler), limits_(limits), pending_("\r\n") {
  // pending_ starts with the CRLF that the body's first delimiter may lack, so every delimiter is
  // found the same way.
}

core::result<void> multipart_parser::fail(core::error e) {
  state_ = state::failed;
  pending_.clear();
  return e;
}

core::result<void> multipart_parser::feed(std::string_view bytes) {
  if (state_ == state::failed) return bad("the multipart body was already refused");
  if (state_ == state::epilogue) return {};  // after the closing delimiter: ignored
  pending_.append(bytes);
  for (bool progressed = true; progressed;) {
    progressed = false;
    if (auto ok = step(progressed); !ok) return fail(std::move(ok).error());
  }
  return {};
}

core::result<void> multipart_parser::finish() {
  if (state_ == state::epilogue) return {};
  if (state_ == state::failed) return bad("the multipart body was already refused");
  return fail(bad("the multipart body ended before its closing boundary"));
}

core::result<void> multipart_parser::step(bool& progressed) {
  switch (state_) {
    case state::preamble: {
      const std::size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {  // keep what could be the start of a delimiter
        if (pending_.size() >= delimiter_.size()) pending_.erase(0, pending_.size() - (delimiter_.size() - 1));
        return {};
      }
      pending_.erase(0, at + delimiter_.size());
      state_ = state::after_delimiter;
      progressed = true;
      return {};
    }
    case state::after_delimiter: {
      if (pending_.size() < 2) return {};
      if (pending_.compare(0, 2, "--") == 0) {  // the closing delimiter: the rest is epilogue
        if (parts_ == 0) return bad("a multipart body without any part");
        pending_.clear();
        state_ = state::epilogue;
        return {};
      }
      // At most 64 bytes of transport padding, however the bytes arrive.
      const std::size_t crlf = pending_.find("\r\n");
      if (crlf == std::string::npos) {
        if (pending_.size() > 65) return bad("malformed multipart delimiter line");
        return {};
      }
      if (crlf > 64) return bad("malformed multipart delimiter line");
      for (std::size_t i = 0; i < crlf; ++i)  // transport padding (RFC 2046) only
        if (pending_[i] != ' ' && pending_[i] != '\t') return bad("malformed multipart delimiter line");
      if (parts_ == limits_.max_parts)
        return bad("more than " + std::to_string(limits_.max_parts) + " parts in a multipart body");
      ++parts_;
      pending_.erase(0, crlf + 2);
      state_ = state::headers;
      progressed = true;
      return {};
    }
    case state::headers: {
      std::size_t end, skip;
      if (pending_.compare(0, 2, "\r\n") == 0) {  // a part without headers
        end = 0;
        skip = 2;
      } else {
        end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          // The block already runs past the limit even if its blank line is arriving right now.
          if (pending_.size() > limits_.max_header_bytes + 3) return bad("a multipart part's headers are too long");
          return {};
        }
        skip = end + 4;
      }
      if (end > limits_.max_header_bytes) return bad("a multipart part's headers are too long");
      if (auto ok = parse_headers(std::string_view(pending_).substr(0, end)); !ok) return ok;
      pending_.erase(0, skip);
      state_ = state::body;
      progressed = true;
      return {};
    }
    case state::body: {
      const std::size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {
        // Everything but a possible start of the delimiter goes on now.
        const std::size_t keep = delimiter_.size() - 1;
        if (pending_.size() > keep) {
          const std::size_t n = pending_.size() - keep;
          if (auto ok = handler_.on_part_data(std::string_view(pending_).substr(0, n)); !ok) return ok;
          pending_.erase(0, n);
        }
        return {};
      }
      if (at > 0)
        if (auto ok = handler_.on_part_data(std::string_view(pending_).substr(0, at)); !ok) return ok;
      if (auto ok = handler_.on_part_end(); !ok) return ok;
      pending_.erase(0, at + delimiter_.size());
      state_ = state::after_delimiter;
      progressed = true;
      return {};
    }
    case state::epilogue:
      pending_.clear();
      return {};
    case state::failed:
      return bad("the multipart body was already refused");
  }
  return {};
}

core::result<void> multipart_parser::parse_headers(std::string_view block) {
  multipart_part part;
  bool disposition = false;
  while (!block.empty()) {
    const std::size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    if (line.empty() || line[0] == ' ' || line[0] == '\t') return bad("malformed multipart part header");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bad("malformed multipart part header");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = core::trim_ows(line.substr(colon + 1));
    for (char c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
        return bad("a control character in a multipart part header");
    if (core::iequals_ascii(name, "Content-Disposition")) {
      if (disposition) return bad("a multipart part with two Content-Disposition headers");
      disposition = true;
      const std::size_t semi = value.find(';');
      if (!core::iequals_ascii(core::trim_ows(value.substr(0, semi)), "form-data"))
        return bad("a multipart part that is not form-data");
      auto params = parameters(value.substr(std::min(semi, value.size())));
      if (!params) return bad("malformed Content-Disposition in a multipart part");
      for (auto& [pname, pvalue] : *params) {
        if (pname == "name") part.name = std::move(pvalue);
        else if (pname == "filename") part.filename = std::move(pvalue);
      }
    } else if (core::iequals_ascii(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (!disposition || part.name.empty()) return bad("a multipart part without a Content-Disposition name");
  return handler_.on_part_begin(part);
}

}  // namespace carechat::api
