// result<T>: a value or a core::error. Expected failures travel as values (STYLE habit 3);
// exceptions are kept for startup and programmer errors. Thread-safety: plain value type.
#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace carechat::core {

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(core::error err) : v_(std::in_place_index<1>, std::move(err)) {}  // NOLINT: implicit by design

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const core::error& error() const& {
    if (has_value()) throw std::logic_error("result holds a value, not an error");
    return std::get<1>(v_);
  }
  core::error&& error() && {
    if (has_value()) throw std::logic_error("result holds a value, not an error");
    return std::get<1>(std::move(v_));
  }

 private:
  void check() const {
    if (!has_value()) throw std::logic_error("result holds an error: " + std::get<1>(v_).message);
  }
  std::variant<T, core::error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(core::error err) : err_(std::move(err)) {}  // NOLINT: implicit by design

  bool has_value() const noexcept { return !err_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  const core::error& error() const& { return err_.value(); }
  core::error&& error() && { return std::move(err_).value(); }

 private:
  std::optional<core::error> err_;
};

}  // namespace carechat::core
