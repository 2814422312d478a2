// Where attachment bytes live (issue #14: a directory on disk, the PostgreSQL database, or S3-
// compatible object storage, chosen in config). The domain names objects by keys it makes itself
// (an attachment's id: never a client's file name), writes each once, reads it in ranges, and
// deletes it when its attachment is collected. Thread-safety: a blob_store may be used from any
// thread; one writer belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace carechat::domain {

// One object being written. Nothing is visible under its key until commit() returns: a crash or an
// abort() before then leaves no object, and no half file anyone could read.
class blob_writer {
 public:
  virtual ~blob_writer() = default;  // an uncommitted writer aborts
  virtual core::result<void> append(std::span<const char> bytes) = 0;
  // Durable before it returns (acknowledging an upload means its bytes survive a power cut).
  virtual core::result<void> commit() = 0;
  virtual void abort() = 0;
  virtual std::uint64_t size() const = 0;
};

class blob_store {
 public:
  virtual ~blob_store() = default;

  // Keys: 1-128 characters of [A-Za-z0-9_-] (bad_request otherwise). Creating a key that exists
  // is a conflict (idempotency_conflict): an object is written once.
  virtual core::result<std::unique_ptr<blob_writer>> create(std::string_view key) = 0;

  // Up to out.size() bytes from `offset`; fewer only at the end of the object (0 past it).
  // not_found for a key that was never committed or was removed.
  virtual core::result<std::size_t> read(std::string_view key, std::uint64_t offset, std::span<char> out) = 0;
  virtual core::result<std::uint64_t> size(std::string_view key) = 0;

  // Removing a missing key succeeds (collection may run twice).
  virtual core::result<void> remove(std::string_view key) = 0;
};

// Whether `key` is a valid blob key (the rule above).
bool valid_blob_key(std::string_view key);

// Reads the `size` bytes of `key` from its start in pieces of buffer.size() (each filled whole but
// the last, whatever short reads the store gives), handing each piece to `sink` in order. An
// object shorter than `size` is internal; a sink's error stops the read and is returned.
core::result<void> read_blob(blob_store& from, std::string_view key, std::uint64_t size, std::span<char> buffer,
                             const std::function<core::result<void>(std::string_view)>& sink);

// All of `key`'s bytes (an image read for its thumbnail): one allocation of its size.
core::result<std::string> read_whole_blob(blob_store& from, std::string_view key);

}  // namespace carechat::domain
