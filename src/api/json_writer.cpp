#include "api/json_writer.hpp"

#include <boost/json/serializer.hpp>

#include <algorithm>
#include <charconv>

namespace carechat::api {
namespace {

bool needs_escape(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

}  // namespace

void json_writer::string(std::string_view s) {
  // Most text needs no escaping; copy it in one go and keep the serializer for the rest.
  if (!needs_escape(s)) {
    out_.reserve(out_.size() + s.size() + 2);
    out_ += '"';
    out_.append(s);
    out_ += '"';
    return;
  }
  boost::json::serializer sr;
  sr.reset(boost::json::string_view(s.data(), s.size()));
  char buf[512];
  while (!sr.done()) out_.append(sr.read(buf, sizeof buf));
}

void json_writer::integer(std::int64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, r.ptr);
}

}  // namespace carechat::api
