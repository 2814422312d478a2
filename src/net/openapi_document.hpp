// The API's OpenAPI 3 document, docs/api/openapi.yaml, compiled into the binary at build time
// (cmake/embed_text.cmake) and served at GET /openapi.yaml (web_routes), so what a server
// describes is always what that build serves, with or without the repository beside it.
// Thread-safety: immutable.
#pragma once

#include <string_view>

namespace carechat::net {

std::string_view openapi_yaml();  // generated: build/generated/openapi_document.cpp

}  // namespace carechat::net
