// Appends JSON text to one growing string. Responses are written straight from the domain values:
// no intermediate boost::json::value tree, so a page copies each message's text once, into the
// output. Thread-safety: a writer belongs to one thread; it owns its buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace carechat::api {

class json_writer {
 public:
  explicit json_writer(std::size_t reserve = 256) { out_.reserve(reserve); }

  // Trusted, already-valid JSON text (punctuation and fixed keys); never untrusted data.
  void raw(std::string_view json) { out_.append(json); }
  // A string literal, escaped as JSON requires (Boost.JSON's serializer does the escaping).
  void string(std::string_view s);
  void null() { out_.append("null"); }
  void boolean(bool b) { out_.append(b ? "true" : "false"); }
  void integer(std::int64_t n);

  const std::string& str() const noexcept { return out_; }
  std::string take() && { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace carechat::api
