// The attachment use cases that need no store: ids, what a send may list, who may download what.
// The store's side (states, claims, collection) is tested in tests/unit/store/store_attachments_test.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/attachment_service.hpp"
#include "domain/chat_service.hpp"
#include "unit/support/principals.hpp"

namespace carechat::domain {
namespace {

using test::test_patient;
using test::test_staff;

const chat_key chat{"gh", "sb-demo", "p1"};

struct attachment_service : ::testing::Test {
  core::manual_clock clock{1'700'000'000'000};
  core::openssl_random rng;
  limits lim;

  core::result<send_command> send(std::vector<std::string> ids, std::string text = "") {
    return prepare_send(test_patient("p1"), chat, message_kind::inbound, {std::move(text), {}, {}, {}, std::move(ids)},
                        lim, rng, clock);
  }
  std::string new_id() { return new_attachment_id(rng, clock.now_ms()); }
};

TEST_F(attachment_service, ids_are_AT_and_32_hex_digits_and_sort_by_time) {
  const auto a = new_id();
  clock.advance(1);
  const auto b = new_id();
  EXPECT_TRUE(is_attachment_id(a));
  EXPECT_LT(a, b);
  for (const char* bad : {"", "AT", "IM0123456789abcdef0123456789abcdef", "AT0123456789ABCDEF0123456789abcdef",
                          "AT0123456789abcdef0123456789abcde", "AT0123456789abcdef0123456789abcdef0"})
    EXPECT_FALSE(is_attachment_id(bad)) << bad;
  EXPECT_EQ(thumbnail_key(a), a + "-thumb");
  EXPECT_TRUE(valid_blob_key(thumbnail_key(a)));
}

TEST_F(attachment_service, a_message_may_be_only_attachments_up_to_the_limit_each_once) {
  auto only = send({new_id()});
  ASSERT_TRUE(only.has_value()) << only.error().message;
  EXPECT_EQ(only->text, "");
  EXPECT_EQ(only->attachment_ids.size(), 1u);
  EXPECT_EQ(send({}).error().code, core::errc::bad_request);  // neither text nor files
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(new_id());
  EXPECT_EQ(send(eleven).error().code, core::errc::bad_request);
  eleven.pop_back();
  EXPECT_TRUE(send(eleven).has_value());
  const auto id = new_id();
  EXPECT_EQ(send({id, id}).error().code, core::errc::bad_request);
  EXPECT_EQ(send({"not-an-id"}).error().code, core::errc::bad_request);
  // Text with files follows the usual rules.
  EXPECT_EQ(send({new_id()}, "   ").error().code, core::errc::bad_request);
}

TEST_F(attachment_service, uploads_are_authorized_like_the_chat_and_names_are_sanitized) {
  EXPECT_TRUE(prepare_upload(test_patient("p1"), chat, rng, clock).has_value());
  EXPECT_EQ(prepare_upload(test_patient("p2"), chat, rng, clock).error().code, core::errc::forbidden);
  EXPECT_TRUE(prepare_upload(test_staff(), chat, rng, clock).has_value());
  attachment_info info{new_id(), "evil\xE2\x80\xAEgpj.exe\r\n", "image/png", 1, "", false};
  const auto cmd = finish_upload(test_patient("p1"), chat, info, attachment_state::clean, "ok", clock);
  EXPECT_EQ(cmd.info.name, "evilgpj.exe");
  EXPECT_EQ(cmd.audit.action, "upload_attachment");
}

TEST_F(attachment_service, downloads_need_a_clean_sent_visible_attachment_or_ones_own_unsent_upload) {
  attachment_record r;
  r.info.id = new_id();
  r.chat = chat;
  r.uploader_token = test_patient("p1").token_id;
  r.state = attachment_state::clean;
  // Unsent: its uploader only (a preview before sending).
  EXPECT_TRUE(check_download(test_patient("p1"), r, false).has_value());
  EXPECT_EQ(check_download(test_staff(), r, false).error().code, core::errc::not_found);
  r.message_external_id = "IM" + std::string(32, '0');
  EXPECT_TRUE(check_download(test_staff(), r, false).has_value());
  EXPECT_EQ(check_download(test_patient("p2"), r, false).error().code, core::errc::forbidden);
  r.archived = true;
  EXPECT_EQ(check_download(test_staff(), r, false).error().code, core::errc::not_found);
  EXPECT_TRUE(check_download(test_staff(), r, true).has_value());
  r.archived = false;
  for (auto s : {attachment_state::pending, attachment_state::refused, attachment_state::expired}) {
    r.state = s;
    EXPECT_EQ(check_download(test_staff(), r, true).error().code, core::errc::not_found);
  }
}

}  // namespace
}  // namespace carechat::domain
