#include "store/s3/s3_options.hpp"

#include "core/text.hpp"
#include "store/s3/s3_http.hpp"

namespace carechat::store::s3 {
namespace {

core::error bad(std::string_view field, std::string_view why) {
  return core::make_error(core::errc::bad_request, "S3 store: " + std::string(field) + " " + std::string(why));
}

// S3's rule for new buckets (3-63 of a-z 0-9 . -), which also keeps the bucket out of the path's
// encoding questions.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return true;
}

bool valid_prefix(std::string_view p) {
  if (p.size() > 512 || p.starts_with('/') || p.find("//") != std::string_view::npos) return false;
  for (char c : p)
    if (!core::is_unreserved(static_cast<unsigned char>(c)) && c != '/') return false;
  return true;
}

}  // namespace

core::result<void> validate(const s3_options& o) {
  if (auto ep = parse_http_endpoint(o.endpoint); !ep) return std::move(ep).error();
  if (o.region.empty()) return bad("region", "is empty");
  if (!valid_bucket(o.bucket)) return bad("bucket", "must be 3-63 characters of a-z 0-9 . -");
  // Only whether they are there: their values stay out of every message.
  if (o.access_key_id.empty()) return bad("access key id", "is empty");
  if (o.secret_access_key.empty()) return bad("secret access key", "is empty");
  if (!valid_prefix(o.key_prefix))
    return bad("key prefix", "must be at most 512 of A-Z a-z 0-9 - _ . ~ and '/', not starting with '/', without '//'");
  if (o.connect_timeout.count() <= 0 || o.request_timeout.count() <= 0) return bad("timeouts", "must be positive");
  constexpr std::size_t min_part = 5ull * 1024 * 1024, max_part = 5ull * 1024 * 1024 * 1024;
  if (o.part_size < min_part || o.part_size > max_part)
    return bad("part size", "must be from 5 MiB to 5 GiB (S3's limits)");
  return {};
}

}  // namespace carechat::store::s3
