#include "api/json_body.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "core/text.hpp"

namespace carechat::api {
namespace {

using core::errc;
using core::make_error;

// A boost::json::basic_parser handler that builds nothing: it keeps the keys of each open object
// and reports the first key an object repeats. Boost.JSON 1.81's own parser silently keeps the
// last of duplicate keys, with no option to refuse them, hence this first pass.
struct duplicate_key_finder {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::vector<std::string>> open_objects;  // the keys of each object being read
  std::string key;                                     // the key being read (it may come in parts)
  bool found = false;

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) {
    open_objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::json::error_code& ec) {
    auto& keys = open_objects.back();
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      found = true;
      ec = boost::json::error::syntax;  // stop here: the answer is known
      return false;
    }
    open_objects.pop_back();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::json::error_code&) { return true; }
  bool on_string(boost::json::string_view, std::size_t, boost::json::error_code&) { return true; }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key.append(s.data(), s.size());
    open_objects.back().push_back(std::move(key));
    key.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_double(double, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_bool(bool, boost::json::error_code&) { return true; }
  bool on_null(boost::json::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }
};

boost::json::parse_options body_options() {
  boost::json::parse_options opts;
  opts.max_depth = max_json_depth;
  return opts;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (!core::iequals_ascii(core::trim_ows(content_type.substr(0, semi)), "application/json")) return false;
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : content_type.substr(semi + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find(';');
    const std::string_view param = core::trim_ows(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!core::iequals_ascii(core::trim_ows(param.substr(0, eq)), "charset")) continue;
    std::string_view value = core::trim_ows(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (!core::iequals_ascii(value, "utf-8")) return false;
  }
  return true;
}

bool has_duplicate_keys(std::string_view body) {
  boost::json::basic_parser<duplicate_key_finder> p(body_options());
  boost::json::error_code ec;
  p.write_some(false, body.data(), body.size(), ec);
  return p.handler().found;
}

core::result<const boost::json::object*> parse_json_object(std::string_view body, std::string_view content_type,
                                                           boost::json::monotonic_resource& arena,
                                                           boost::json::value& doc) {
  if (!is_json_media_type(content_type))
    return make_error(errc::unsupported_media_type, "Content-Type must be application/json");
  boost::json::error_code ec;
  doc = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec, &arena, body_options());
  if (ec == boost::json::error::too_deep) return make_error(errc::bad_request, "body is nested too deeply");
  if (ec) return make_error(errc::bad_request, "body is not valid JSON");
  const boost::json::object* obj = doc.if_object();
  if (!obj) return make_error(errc::bad_request, "body must be a JSON object");
  // Only well-formed bodies get here, so the second pass reads valid JSON.
  if (has_duplicate_keys(body)) return make_error(errc::bad_request, "body names a key more than once");
  return obj;
}

}  // namespace carechat::api
