#include "store/s3/s3_blob_store.hpp"

#include "store/s3/s3_object_writer.hpp"

namespace carechat::store::s3 {
namespace {

core::error bad_key(std::string_view key) {
  return core::make_error(core::errc::bad_request,
                          "attachment storage: invalid key of " + std::to_string(key.size()) + " bytes");
}

core::error no_object(std::string_view key) {
  return core::make_error(core::errc::not_found, "attachment storage: no object " + std::string(key));
}

}  // namespace

s3_blob_store::s3_blob_store(std::shared_ptr<const s3_client> client, const s3_options& options)
    : client_(std::move(client)), key_prefix_(options.key_prefix), part_size_(options.part_size) {}

core::result<std::unique_ptr<s3_blob_store>> s3_blob_store::open(const s3_options& options, const core::clock& clock) {
  auto client = s3_client::make(options, clock);
  if (!client) return std::move(client).error();
  return std::unique_ptr<s3_blob_store>(
      new s3_blob_store(std::make_shared<const s3_client>(std::move(*client)), options));
}

std::string s3_blob_store::object_of(std::string_view key) const { return key_prefix_ + std::string(key); }

core::result<std::unique_ptr<domain::blob_writer>> s3_blob_store::create(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  auto existing = client_->head(object_of(key));
  if (!existing) return std::move(existing).error();
  if (*existing) return core::make_error(core::errc::idempotency_conflict, "attachment storage: the object exists");
  return std::unique_ptr<domain::blob_writer>(new s3_object_writer(client_, object_of(key), part_size_));
}

core::result<std::size_t> s3_blob_store::read(std::string_view key, std::uint64_t offset, std::span<char> out) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  auto n = client_->get_range(object_of(key), offset, out);
  if (!n && n.error().code == core::errc::not_found) return no_object(key);
  return n;
}

core::result<std::uint64_t> s3_blob_store::size(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  auto size = client_->head(object_of(key));
  if (!size) return std::move(size).error();
  if (!*size) return no_object(key);
  return **size;
}

core::result<void> s3_blob_store::remove(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  return client_->remove(object_of(key));
}

}  // namespace carechat::store::s3
