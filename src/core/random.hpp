// Injectable randomness (STYLE habit 4). Production draws from OpenSSL's CSPRNG; tests may inject a
// deterministic source. Thread-safety: openssl_random may be used from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace carechat::core {

class random_source {
 public:
  virtual ~random_source() = default;
  // Fills `out` with unpredictable bytes; throws std::runtime_error if the CSPRNG fails (it does not
  // return weak bytes silently).
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

class openssl_random final : public random_source {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace carechat::core
