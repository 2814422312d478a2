// What the fuzz targets share: FUZZ_CHECK for properties, the one chat they all use, and a page-token
// codec under a fixed key (so seed corpora can hold real tokens). libFuzzer calls a target with one
// input at a time on one thread; nothing here is meant for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "api/page_token.hpp"
#include "core/crypto.hpp"
#include "core/random.hpp"
#include "domain/chat.hpp"

// A broken property is a crash: libFuzzer saves the input as <artifact_prefix>crash-<sha1>.
#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace carechat::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Deterministic nonces: a fuzz run should be reproducible, and nothing here is secret.
class counter_random final : public core::random_source {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) b = static_cast<std::uint8_t>(++n_ * 131);
  }

 private:
  std::uint64_t n_ = 0;
};

// Bytes 0x00..0x1f. The page-token seeds in fuzz/corpus/ were sealed under this key.
inline core::bytes fixed_page_token_key() {
  core::bytes key(core::aead_key_size);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

// The reference API's example chat.
inline const domain::chat_key& fuzz_chat() {
  static const domain::chat_key chat{"gh", "sb-demo", "7272b601-bb09-4abf-87c0-ade48ddfaea0"};
  return chat;
}

inline const api::page_token_codec& fuzz_codec() {
  static counter_random rng;
  static const api::page_token_codec codec(fixed_page_token_key(), rng);
  return codec;
}

}  // namespace carechat::fuzz
