// A request body that must be one JSON object: the media type, the syntax, a nesting limit and no
// duplicate keys, checked the same way for every route that takes JSON. Duplicate keys are refused,
// not resolved: parsers disagree on which one wins (first, last, error), so a body with two
// "message" keys could mean one thing to a proxy or audit tool and another to carechat.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace carechat::api {

// Deep enough for any body we accept (depth 2), shallow enough that a hostile one costs little.
inline constexpr std::size_t max_json_depth = 16;

// Whether `content_type` is application/json (any case; parameters allowed; a charset only if
// UTF-8, since another would contradict JSON's own encoding, RFC 8259).
bool is_json_media_type(std::string_view content_type);

// Whether some object in `body` (well-formed JSON, at most max_json_depth deep) names a key twice.
// Keys compare as their unescaped text ("a" and "\u0061" are the same key).
bool has_duplicate_keys(std::string_view body);

// Parses `body` into `doc` (allocated from `arena`) and returns its object: unsupported_media_type
// unless `content_type` is JSON; bad_request for malformed JSON, nesting deeper than
// max_json_depth, a duplicate key or a top level that is not an object.
core::result<const boost::json::object*> parse_json_object(std::string_view body, std::string_view content_type,
                                                           boost::json::monotonic_resource& arena,
                                                           boost::json::value& doc);

}  // namespace carechat::api
