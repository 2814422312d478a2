// pg_blob_store on a real PostgreSQL server: objects stored in parts appear whole or not at all,
// are written once, read in ranges across parts, and an abort (or a crash: parts without their
// object row) leaves nothing readable.
#ifdef CARECHAT_WITH_POSTGRES
#include "store/postgres/pg_blob_store.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/postgres/pg_store.hpp"
#include "support/postgres_schema.hpp"

namespace carechat::test {
namespace {

using store::postgres::pg_blob_store;

constexpr std::size_t part = pg_blob_store::part_bytes;

// Bytes that differ from offset to offset, so a part read twice or out of order shows.
std::string pattern(std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return out;
}

class pg_blob_store_test : public testing::Test {
 protected:
  void SetUp() override {
    store::postgres::pg_options o;
    o.conninfo = schema_.uri();
    o.pool_size = 2;
    auto s = store::postgres::pg_store::open(o, clock_, rng_);  // the schema, with the blob tables
    ASSERT_TRUE(s.has_value()) << s.error().message;
    store_ = std::move(*s);
    blobs_ = store_->open_blob_store();
    ASSERT_NE(blobs_, nullptr);
  }
  void put(const std::string& key, const std::string& bytes, std::size_t piece = 100'000) {
    auto w = blobs_->create(key);
    ASSERT_TRUE(w.has_value()) << w.error().message;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
      ASSERT_TRUE((*w)->append({bytes.data() + at, std::min(piece, bytes.size() - at)}).has_value());
    ASSERT_TRUE((*w)->commit().has_value());
  }
  std::string read(const std::string& key, std::uint64_t offset, std::size_t n) {
    std::string out(n, '\0');
    auto got = blobs_->read(key, offset, {out.data(), out.size()});
    EXPECT_TRUE(got.has_value()) << got.error().message;
    out.resize(got ? *got : 0);
    return out;
  }

  test::postgres_schema schema_;
  core::manual_clock clock_{1'700'000'000'000};
  core::openssl_random rng_;
  std::unique_ptr<store::postgres::pg_store> store_;
  std::unique_ptr<domain::blob_store> blobs_;
};

TEST_F(pg_blob_store_test, an_object_of_several_parts_reads_back_whole_and_in_ranges) {
  const std::string bytes = pattern(2 * part + 12'345);
  put("AT0001", bytes);
  EXPECT_EQ(blobs_->size("AT0001").value(), bytes.size());
  EXPECT_EQ(schema_.scalar("SELECT count(*) FROM attachment_parts WHERE key = 'AT0001'"), "3");
  EXPECT_EQ(read("AT0001", 0, bytes.size()), bytes);
  EXPECT_EQ(read("AT0001", part - 10, 20), bytes.substr(part - 10, 20));  // across a part's end
  EXPECT_EQ(read("AT0001", 0, part * 3), bytes);                          // asked for more: the rest
  EXPECT_EQ(read("AT0001", bytes.size() - 5, 100), bytes.substr(bytes.size() - 5));
  EXPECT_EQ(read("AT0001", bytes.size(), 10), "");
  put("AT0002", "small");
  EXPECT_EQ(read("AT0002", 1, 3), "mal");
}

TEST_F(pg_blob_store_test, nothing_is_visible_before_commit_and_an_abort_leaves_nothing) {
  auto w = blobs_->create("AT0003");
  ASSERT_TRUE(w.has_value());
  const std::string bytes = pattern(part + 1);
  ASSERT_TRUE((*w)->append({bytes.data(), bytes.size()}).has_value());  // one part is stored already
  EXPECT_EQ(blobs_->size("AT0003").error().code, core::errc::not_found);
  (*w)->abort();
  EXPECT_EQ(schema_.scalar("SELECT count(*) FROM attachment_parts WHERE key = 'AT0003'"), "0");
  EXPECT_EQ(blobs_->size("AT0003").error().code, core::errc::not_found);
}

TEST_F(pg_blob_store_test, an_object_is_written_once_and_removing_it_is_final) {
  put("AT0004", "first");
  EXPECT_EQ(blobs_->create("AT0004").error().code, core::errc::idempotency_conflict);
  EXPECT_EQ(read("AT0004", 0, 10), "first");
  ASSERT_TRUE(blobs_->remove("AT0004").has_value());
  ASSERT_TRUE(blobs_->remove("AT0004").has_value());  // a second collection finds nothing to do
  EXPECT_EQ(blobs_->size("AT0004").error().code, core::errc::not_found);
  EXPECT_EQ(schema_.scalar("SELECT count(*) FROM attachment_parts WHERE key = 'AT0004'"), "0");
  // Parts a crash left without their object row go with remove() too.
  schema_.scalar("INSERT INTO attachment_parts (key, part, bytes) VALUES ('AT0005', 0, 'x') RETURNING 1");
  EXPECT_EQ(blobs_->size("AT0005").error().code, core::errc::not_found);
  ASSERT_TRUE(blobs_->remove("AT0005").has_value());
  EXPECT_EQ(schema_.scalar("SELECT count(*) FROM attachment_parts WHERE key = 'AT0005'"), "0");
  EXPECT_EQ(blobs_->create("../etc").error().code, core::errc::bad_request);
}

}  // namespace
}  // namespace carechat::test
#endif  // CARECHAT_WITH_POSTGRES
