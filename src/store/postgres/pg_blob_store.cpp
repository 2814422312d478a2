#include "store/postgres/pg_blob_store.hpp"

#include <algorithm>
#include <cstring>

#include "store/postgres/queries.hpp"

namespace carechat::store::postgres {
namespace {

using core::errc;
using core::make_error;

core::error bad_key() {
  return make_error(errc::bad_request, "blob keys are 1-128 characters of [A-Za-z0-9_-]");
}

core::result<result> run(pg_pool& pool, const named_sql& q, const params& p) {
  auto c = pool.acquire();
  if (!c) return std::move(c).error();
  return (*c)->run(q, p);
}

class pg_blob_writer final : public domain::blob_writer {
 public:
  pg_blob_writer(pg_pool& pool, std::string key) : pool_(pool), key_(std::move(key)) {}
  ~pg_blob_writer() override {
    if (!done_) abort();
  }

  core::result<void> append(std::span<const char> bytes) override {
    if (done_) return make_error(errc::internal, "blob writer: already committed or aborted");
    while (!bytes.empty()) {
      const std::size_t take = std::min(bytes.size(), pg_blob_store::part_bytes - buffer_.size());
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
      bytes = bytes.subspan(take);
      if (buffer_.size() == pg_blob_store::part_bytes)
        if (auto ok = flush(); !ok) return ok;
    }
    return {};
  }

  core::result<void> commit() override {
    if (done_) return make_error(errc::internal, "blob writer: already committed or aborted");
    if (!buffer_.empty())
      if (auto ok = flush(); !ok) return ok;
    // With synchronous_commit on (the server's default, which carechat expects), this returns
    // once the row is flushed: the object is durable, and visible, from here.
    auto r = run(pool_, queries::insert_blob_object,
                 params().text(key_).int64(static_cast<std::int64_t>(size_)).int64(pg_blob_store::part_bytes));
    if (!r) return std::move(r).error();
    if (r->affected() != 1) return make_error(errc::idempotency_conflict, "blob " + key_ + " exists already");
    done_ = true;
    return {};
  }

  void abort() override {
    if (done_) return;
    done_ = true;
    (void)run(pool_, queries::delete_blob_parts, params().text(key_));
  }

  std::uint64_t size() const override { return size_; }

 private:
  core::result<void> flush() {
    const auto* data = reinterpret_cast<const std::uint8_t*>(buffer_.data());
    auto r = run(pool_, queries::insert_blob_part,
                 params().text(key_).int64(part_).bytes(std::span<const std::uint8_t>(data, buffer_.size())));
    if (!r) return std::move(r).error();
    size_ += buffer_.size();
    ++part_;
    buffer_.clear();
    return {};
  }

  pg_pool& pool_;
  std::string key_;
  std::vector<char> buffer_;
  std::int64_t part_ = 0;
  std::uint64_t size_ = 0;
  bool done_ = false;
};

}  // namespace

core::result<std::unique_ptr<domain::blob_writer>> pg_blob_store::create(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key();
  auto r = run(pool_, queries::blob_object, params().text(key));
  if (!r) return std::move(r).error();
  if (r->rows() > 0) return make_error(errc::idempotency_conflict, "blob " + std::string(key) + " exists already");
  return std::unique_ptr<domain::blob_writer>(std::make_unique<pg_blob_writer>(pool_, std::string(key)));
}

core::result<std::size_t> pg_blob_store::read(std::string_view key, std::uint64_t offset, std::span<char> out) {
  if (!domain::valid_blob_key(key)) return bad_key();
  if (out.empty()) return std::size_t{0};
  const auto first = static_cast<std::int64_t>(offset / part_bytes);
  const auto last = static_cast<std::int64_t>((offset + out.size() - 1) / part_bytes);
  auto r = run(pool_, queries::blob_parts, params().text(key).int64(first).int64(last));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return make_error(errc::not_found, "no blob " + std::string(key));
  const auto object = static_cast<std::uint64_t>(r->int64(0, 0));
  if (offset >= object) return std::size_t{0};
  const std::uint64_t end = std::min<std::uint64_t>(object, offset + out.size());
  std::size_t copied = 0;
  for (int i = 0; i < r->rows(); ++i) {
    if (r->null(i, 1)) continue;
    const std::uint64_t part_start = static_cast<std::uint64_t>(r->int64(i, 1)) * part_bytes;
    const core::bytes bytes = r->bytea(i, 2);
    const std::uint64_t from = std::max(offset + copied, part_start);
    if (from < part_start || from - part_start > bytes.size())
      return make_error(errc::internal, "postgres: blob " + std::string(key) + " is missing a part");
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size() - (from - part_start), end - from));
    std::memcpy(out.data() + copied, bytes.data() + (from - part_start), n);
    copied += n;
  }
  if (offset + copied != end) return make_error(errc::internal, "postgres: blob " + std::string(key) + " is short");
  return copied;
}

core::result<std::uint64_t> pg_blob_store::size(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key();
  auto r = run(pool_, queries::blob_object, params().text(key));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return make_error(errc::not_found, "no blob " + std::string(key));
  return static_cast<std::uint64_t>(r->int64(0, 0));
}

core::result<void> pg_blob_store::remove(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key();
  // The object first: from then on nobody reads the parts.
  if (auto r = run(pool_, queries::delete_blob_object, params().text(key)); !r) return std::move(r).error();
  if (auto r = run(pool_, queries::delete_blob_parts, params().text(key)); !r) return std::move(r).error();
  return {};
}

}  // namespace carechat::store::postgres
