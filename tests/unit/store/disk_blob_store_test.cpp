// disk_blob_store: objects appear whole or not at all, are written once, read in ranges, and are
// readable by the server's user only.
#include "store/files/disk_blob_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/random.hpp"
#include "support/temp_dir.hpp"

namespace carechat::test {
namespace {

using store::files::disk_blob_store;

class disk_blob_store_test : public testing::Test {
 protected:
  std::unique_ptr<disk_blob_store> open() {
    auto s = disk_blob_store::open(dir_.path() / "blobs", rng_);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  static std::span<const char> bytes(const std::string& s) { return {s.data(), s.size()}; }
  static std::string read_all(disk_blob_store& s, std::string_view key) {
    std::string out(1 << 16, '\0');
    auto n = s.read(key, 0, out);
    EXPECT_TRUE(n) << n.error().message;
    out.resize(n ? *n : 0);
    return out;
  }
  static std::size_t files_in(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::recursive_directory_iterator(dir))
      n += e.is_regular_file() ? 1 : 0;
    return n;
  }

  temp_dir dir_;
  core::openssl_random rng_;
};

TEST_F(disk_blob_store_test, a_committed_object_reads_back_whole_and_in_ranges) {
  auto s = open();
  auto w = s->create("att_0123abcd");
  ASSERT_TRUE(w) << w.error().message;
  std::string data;
  for (int i = 0; i < 5000; ++i) data += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE((*w)->append(bytes(data.substr(0, 100))));
  ASSERT_TRUE((*w)->append(bytes(data.substr(100))));
  EXPECT_EQ((*w)->size(), data.size());
  ASSERT_TRUE((*w)->commit());
  EXPECT_EQ(read_all(*s, "att_0123abcd"), data);
  EXPECT_EQ(*s->size("att_0123abcd"), data.size());
  std::string part(10, '\0');
  EXPECT_EQ(*s->read("att_0123abcd", 7, part), 10u);
  EXPECT_EQ(part, data.substr(7, 10));
  EXPECT_EQ(*s->read("att_0123abcd", data.size() - 3, part), 3u);  // the end
  EXPECT_EQ(*s->read("att_0123abcd", data.size() + 5, part), 0u);  // past it
}

TEST_F(disk_blob_store_test, nothing_is_visible_before_commit_and_an_abort_leaves_nothing) {
  auto s = open();
  auto w = s->create("pending");
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->append(bytes("half a photo")));
  std::string buf(4, '\0');
  EXPECT_EQ(s->read("pending", 0, buf).error().code, core::errc::not_found);
  EXPECT_EQ(s->size("pending").error().code, core::errc::not_found);
  (*w)->abort();
  EXPECT_EQ(files_in(dir_.path() / "blobs"), 0u);
  {
    auto dropped = s->create("dropped");  // a writer destroyed uncommitted (a cut connection)
    ASSERT_TRUE((*dropped)->append(bytes("x")));
  }
  EXPECT_EQ(files_in(dir_.path() / "blobs"), 0u);
}

TEST_F(disk_blob_store_test, an_object_is_written_once) {
  auto s = open();
  auto a = s->create("once");
  auto b = s->create("once");  // both start: the object does not exist yet
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->append(bytes("first")));
  ASSERT_TRUE((*b)->append(bytes("second")));
  ASSERT_TRUE((*a)->commit());
  auto late = (*b)->commit();
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::errc::idempotency_conflict);
  EXPECT_EQ(read_all(*s, "once"), "first");
  EXPECT_EQ(s->create("once").error().code, core::errc::idempotency_conflict);
  EXPECT_EQ(files_in(dir_.path() / "blobs" / "incoming"), 0u);
}

TEST_F(disk_blob_store_test, removing_is_final_and_may_be_repeated) {
  auto s = open();
  auto w = s->create("gone");
  ASSERT_TRUE((*w)->append(bytes("x")) && (*w)->commit());
  ASSERT_TRUE(s->remove("gone"));
  std::string buf(1, '\0');
  EXPECT_EQ(s->read("gone", 0, buf).error().code, core::errc::not_found);
  EXPECT_TRUE(s->remove("gone"));
  EXPECT_TRUE(s->remove("never-there"));
}

TEST_F(disk_blob_store_test, keys_that_could_name_a_path_are_refused) {
  auto s = open();
  std::string buf(1, '\0');
  for (std::string_view key :
       std::initializer_list<std::string_view>{"", "../x", "a/b", "a.b", "a b", "%2e%2e", std::string_view("a\0b", 3)}) {
    EXPECT_EQ(s->create(key).error().code, core::errc::bad_request) << key;
    EXPECT_EQ(s->read(key, 0, buf).error().code, core::errc::bad_request) << key;
    EXPECT_EQ(s->remove(key).error().code, core::errc::bad_request) << key;
  }
  EXPECT_EQ(s->create(std::string(129, 'k')).error().code, core::errc::bad_request);
  EXPECT_TRUE(s->create(std::string(128, 'k')));
}

TEST_F(disk_blob_store_test, what_a_crash_left_in_incoming_is_removed_at_open_and_objects_stay) {
  {
    auto s = open();
    auto w = s->create("kept");
    ASSERT_TRUE((*w)->append(bytes("kept")) && (*w)->commit());
  }
  // A process killed mid-upload: its incoming file stays behind, never linked.
  std::ofstream(dir_.path() / "blobs" / "incoming" / "half.0011223344556677") << "half";
  auto s = open();
  EXPECT_EQ(files_in(dir_.path() / "blobs" / "incoming"), 0u);
  EXPECT_EQ(read_all(*s, "kept"), "kept");
}

TEST_F(disk_blob_store_test, objects_and_folders_are_private_to_the_server_user) {
  auto s = open();
  auto w = s->create("private");
  ASSERT_TRUE((*w)->append(bytes("phi")) && (*w)->commit());
  struct stat st {};
  ASSERT_EQ(::stat(s->path_of("private").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(s->path_of("private").parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace carechat::test
