// The attachments' settings from the environment: defaults, bounds, and the types no setting may
// allow. Each test sets the variables it reads and clears them after.
#include "app/attachment_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace carechat::app {
namespace {

struct scoped_env {
  explicit scoped_env(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~scoped_env() { ::unsetenv(name_); }
  const char* name_;
};

TEST(attachment_config, defaults_are_the_documented_ones) {
  auto c = load_attachment_config();
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_FALSE(c->backend.has_value());
  EXPECT_EQ(c->limits.max_bytes, 25u * 1024 * 1024);
  EXPECT_EQ(c->limits.max_per_message, 10u);
  EXPECT_EQ(c->limits.max_image_pixels, 100'000'000u);
  EXPECT_TRUE(c->allowed_types.empty());
  EXPECT_TRUE(c->clamd_socket.empty());
}

TEST(attachment_config, values_are_read_and_bad_ones_refused_by_name) {
  {
    scoped_env store("CARECHAT_ATTACHMENT_STORE", "s3");
    scoped_env size("CARECHAT_ATTACHMENT_MAX_BYTES", "1048576");
    scoped_env types("CARECHAT_ATTACHMENT_TYPES", "application/pdf,image/png");
    auto c = load_attachment_config();
    ASSERT_TRUE(c.has_value()) << c.error().message;
    EXPECT_EQ(c->backend, blob_backend::s3);
    EXPECT_EQ(c->limits.max_bytes, 1048576u);
    EXPECT_EQ(c->allowed_types, (std::vector<std::string>{"application/pdf", "image/png"}));
  }
  for (auto [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"CARECHAT_ATTACHMENT_STORE", "ftp"},
           {"CARECHAT_ATTACHMENT_MAX_BYTES", "0"},
           {"CARECHAT_ATTACHMENTS_PER_MESSAGE", "65"},
           {"CARECHAT_ATTACHMENT_TYPES", "image/png,pdf"},
           {"CARECHAT_ATTACHMENT_TYPES", "image/png,image/svg+xml"},
           {"CARECHAT_ATTACHMENT_TYPES", "text/html"}}) {
    scoped_env bad(name, value);
    auto c = load_attachment_config();
    ASSERT_FALSE(c.has_value()) << name << "=" << value;
    EXPECT_NE(c.error().message.find(name), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace carechat::app
