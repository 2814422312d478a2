// The attachment collector over a real SQLite file, a real directory of blobs and the real group
// committer: unsent uploads past their time lose their bytes and their rows; sent ones, young
// ones and another process's duty are left alone.
#include "app/attachment_collector.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"
#include "domain/attachment_service.hpp"
#include "domain/chat_service.hpp"
#include "store/files/disk_blob_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "unit/store/support/temp_dir.hpp"
#include "unit/support/principals.hpp"

namespace carechat::app {
namespace {

using namespace std::chrono_literals;

class not_this_node final : public domain::cluster_duty {
 public:
  bool held() override { return false; }
};

class attachment_collector_test : public ::testing::Test {
 protected:
  void SetUp() override {
    store::sqlite::sqlite_options opts;
    opts.path = (dir_.path() / "carechat.db").string();
    auto s = store::sqlite::sqlite_store::open(opts, clock_, rng_);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    store_ = std::move(*s);
    auto b = store::files::disk_blob_store::open(dir_.path() / "files", rng_);
    ASSERT_TRUE(b.has_value()) << b.error().message;
    blobs_ = std::move(*b);
    writer_ = std::make_unique<store::group_committer>(*store_, store::group_committer::options{});
    duty_ = store_->open_cluster_duty("housekeeping");
  }
  void TearDown() override { writer_->stop(); }

  // An upload as the server makes it: its row, its bytes (and a thumbnail), its end.
  std::string upload(bool with_thumbnail = false) {
    const auto who = test::test_patient("p1");
    auto begin = domain::prepare_upload(who, chat_, rng_, clock_);
    const std::string id = begin->id;
    apply(std::move(*begin));
    for (const std::string& key : with_thumbnail ? std::vector<std::string>{id, domain::thumbnail_key(id)}
                                                 : std::vector<std::string>{id}) {
      auto w = blobs_->create(key);
      EXPECT_TRUE((*w)->append(std::span<const char>("bytes", 5)).has_value());
      EXPECT_TRUE((*w)->commit().has_value());
    }
    apply(domain::finish_upload(who, chat_, {id, "f.png", "image/png", 5, std::string(64, 'a'), with_thumbnail},
                                domain::attachment_state::clean, "ok", clock_));
    return id;
  }
  void apply(domain::write_command cmd) {
    auto out = store_->apply(std::span<const domain::write_command>(&cmd, 1));
    ASSERT_TRUE(out[0].has_value()) << out[0].error().message;
  }
  bool stored(const std::string& key) { return blobs_->size(key).has_value(); }
  std::optional<domain::attachment_record> row(const std::string& id) {
    return store_->open_reader()->attachment(chat_, id).value();
  }

  test::temp_dir dir_;
  core::manual_clock clock_{1'700'000'000'000};
  core::openssl_random rng_;
  domain::chat_key chat_{"gh", "sb-demo", "p1"};
  std::unique_ptr<store::sqlite::sqlite_store> store_;
  std::unique_ptr<domain::blob_store> blobs_;
  std::unique_ptr<store::group_committer> writer_;
  std::unique_ptr<domain::cluster_duty> duty_;
};

TEST_F(attachment_collector_test, old_unsent_uploads_lose_bytes_and_rows_sent_and_young_ones_stay) {
  const auto old_unsent = upload(true);
  const auto sent = upload();
  auto cmd = domain::prepare_send(test::test_patient("p1"), chat_, domain::message_kind::inbound,
                                  {"", {}, {}, {}, {sent}}, {}, rng_, clock_);
  ASSERT_TRUE(cmd.has_value()) << cmd.error().message;
  apply(std::move(*cmd));
  clock_.advance(25 * 3600 * 1000);
  const auto young = upload();

  attachment_collector collector(*writer_, *blobs_, *duty_, clock_, 24h, 1h);
  EXPECT_EQ(collector.collect(), 1);
  EXPECT_FALSE(stored(old_unsent));
  EXPECT_FALSE(stored(domain::thumbnail_key(old_unsent)));
  EXPECT_FALSE(row(old_unsent).has_value());
  EXPECT_TRUE(stored(sent));
  EXPECT_TRUE(row(sent).has_value());
  EXPECT_TRUE(stored(young));
  EXPECT_EQ(collector.collect(), 0);  // nothing left to do
  collector.stop();
}

TEST_F(attachment_collector_test, a_node_without_the_duty_collects_nothing) {
  const auto id = upload();
  clock_.advance(25 * 3600 * 1000);
  not_this_node elsewhere;
  attachment_collector collector(*writer_, *blobs_, elsewhere, clock_, 24h, 1h);
  EXPECT_EQ(collector.collect(), 0);
  EXPECT_TRUE(stored(id));
  EXPECT_TRUE(row(id).has_value());
  collector.stop();
}

}  // namespace
}  // namespace carechat::app
