// Small wrappers over OpenSSL 3 for what carechat needs: hashing, HMAC, AEAD, encodings and
// constant-time comparison. Thread-safety: pure functions; OpenSSL 3 is thread-safe for these.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"

namespace carechat::core {

using bytes = std::vector<std::uint8_t>;
using sha256_digest = std::array<std::uint8_t, 32>;
inline constexpr std::size_t aead_key_size = 32;

sha256_digest sha256(std::string_view data);

// SHA-256 over data given in pieces (a table's rows, a file read in chunks).
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;
  void update(std::string_view data);
  sha256_digest finish();  // once; the stream is spent afterwards

 private:
  void* ctx_;  // EVP_MD_CTX
};
sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

// Equal length and content, in time independent of where they differ.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

std::string to_hex(std::span<const std::uint8_t> data);
std::string base64url_encode(std::span<const std::uint8_t> data);  // no padding
std::optional<bytes> base64url_decode(std::string_view text);      // rejects padding and foreign chars
std::string base64_encode(std::span<const std::uint8_t> data);     // standard alphabet, padded
std::optional<bytes> base64_decode(std::string_view text);         // standard alphabet; padding optional

// AES-256-GCM. seal() returns nonce(12) || ciphertext || tag(16); open() returns nullopt on any
// tampering, wrong key or wrong associated data.
bytes aead_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> plaintext, std::string_view aad,
                random_source& rng);
std::optional<bytes> aead_open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> sealed,
                               std::string_view aad);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace carechat::core
