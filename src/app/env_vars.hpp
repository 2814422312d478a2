// Reading CARECHAT_* variables: the helpers config and attachment_config share. A bad value is a
// bad_request naming the variable (the server refuses to start). Thread-safety: reads the
// environment; call from the starting thread.
#pragma once

#include <cstdlib>
#include <string>

#include "core/result.hpp"
#include "core/text.hpp"

namespace carechat::app {

// The variable's value, or nullptr when it is unset or empty.
inline const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// A decimal number in [min, max] into `out`; `out` unchanged when the variable is unset.
template <class T>
core::result<void> number_from_env(const char* name, T& out, T min, T max) {
  const char* v = env(name);
  if (!v) return {};
  const auto parsed = core::parse_decimal<T>(v);
  if (!parsed || *parsed < min || *parsed > max)
    return core::make_error(core::errc::bad_request, std::string(name) + " must be a number from " +
                                                         std::to_string(min) + " to " + std::to_string(max));
  out = *parsed;
  return {};
}

}  // namespace carechat::app
