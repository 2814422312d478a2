// The parts of the use cases that need no store: sends, archive/restore preparation, page sizes.
// Paging and search over a real store are tested in tests/unit/store/.
#include <gtest/gtest.h>

#include "core/ids.hpp"
#include "domain/chat_service.hpp"

namespace carechat::domain {
namespace {

const chat_key chat{"gh", "sb-demo", "p-1"};

principal patient_p() {
  principal p;
  p.token_id = "tk_pat";
  p.role = role::patient;
  p.tenant = "gh";
  p.instance = "sb-demo";
  p.patient_id = "p-1";
  return p;
}
principal user_p() {
  principal p;
  p.token_id = "tk_usr";
  p.role = role::user;
  p.tenant = "gh";
  p.instance = "sb-demo";
  p.user_id = "u-1";
  p.display_name = "Root Root";
  return p;
}
principal client_p() {
  principal p;
  p.token_id = "tk_cli";
  p.role = role::client;
  p.tenant = "gh";
  p.instance = "sb-demo";
  return p;
}

class send_test : public ::testing::Test {
 protected:
  core::result<send_command> send(const principal& who, message_kind kind, std::string text,
                                  std::optional<party> sender = std::nullopt) {
    send_input in;
    in.text = std::move(text);
    in.named_sender = std::move(sender);
    return prepare_send(who, chat, kind, std::move(in), lim, rng, clk);
  }
  limits lim;
  core::openssl_random rng;
  core::manual_clock clk{1'600'000'000'000};
};

TEST_F(send_test, inbound_from_patient_has_patient_sender_and_no_receiver) {
  auto cmd = send(patient_p(), message_kind::inbound, "hello");
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->sender, (party{client_type::patient, "p-1", std::nullopt}));
  EXPECT_FALSE(cmd->receiver);
  EXPECT_TRUE(core::is_external_id(cmd->external_id));
  EXPECT_FALSE(cmd->record_webhook_event);
  EXPECT_EQ(cmd->audit.action, "send_inbound");
  EXPECT_EQ(cmd->audit.actor_id, "p-1");
  EXPECT_EQ(cmd->audit.at, clk.now_ms());
}

TEST_F(send_test, outbound_from_user_is_signed_by_the_token_and_queues_the_webhook) {
  auto cmd = send(user_p(), message_kind::outbound, "hi");
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->sender, (party{client_type::user, "u-1", std::string("Root Root")}));
  ASSERT_TRUE(cmd->receiver);
  EXPECT_EQ(cmd->receiver->id, "p-1");
  EXPECT_TRUE(cmd->record_webhook_event);
}

TEST_F(send_test, user_may_not_name_another_sender) {
  auto cmd = send(user_p(), message_kind::outbound, "hi", party{client_type::user, "u-2", std::string("Eve")});
  ASSERT_FALSE(cmd);
  EXPECT_EQ(cmd.error().code, core::errc::bad_request);
}

TEST_F(send_test, client_outbound_needs_a_valid_named_sender) {
  EXPECT_FALSE(send(client_p(), message_kind::outbound, "hi"));
  EXPECT_FALSE(send(client_p(), message_kind::outbound, "hi", party{client_type::user, "", std::string("A B")}));
  EXPECT_FALSE(send(client_p(), message_kind::outbound, "hi", party{client_type::user, "u 1", std::string("A B")}));
  EXPECT_FALSE(send(client_p(), message_kind::outbound, "hi", party{client_type::user, "u-1", std::nullopt}));
  EXPECT_FALSE(send(client_p(), message_kind::outbound, "hi", party{client_type::user, "u-1", std::string(" ")}));
  auto ok = send(client_p(), message_kind::outbound, "hi", party{client_type::user, "u-1", std::string("Ada L")});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->sender.title_name, "Ada L");
}

TEST_F(send_test, inbound_rejects_a_named_sender) {
  EXPECT_FALSE(send(client_p(), message_kind::inbound, "hi", party{client_type::user, "u-1", std::string("A B")}));
}

TEST_F(send_test, text_rules) {
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, ""));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, " \n\t "));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, "bad \xC3\x28 utf8"));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, std::string("nul\0x", 5)));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, "bell\x07"));
  EXPECT_TRUE(send(patient_p(), message_kind::inbound, "line one\nline two\ttabbed\r\n"));
  EXPECT_TRUE(send(patient_p(), message_kind::inbound, std::string(10'000, 'a')));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, std::string(10'001, 'a')));
  // The limit counts characters, not bytes: 10,000 two-byte characters are fine.
  std::string two_byte;
  for (int i = 0; i < 10'000; ++i) two_byte += "\xC3\xA9";
  EXPECT_TRUE(send(patient_p(), message_kind::inbound, two_byte));
  EXPECT_FALSE(send(patient_p(), message_kind::inbound, two_byte + "\xC3\xA9"));
}

TEST_F(send_test, refused_roles_are_forbidden_before_validation) {
  auto cmd = send(user_p(), message_kind::inbound, "");
  ASSERT_FALSE(cmd);
  EXPECT_EQ(cmd.error().code, core::errc::forbidden);
}

TEST_F(send_test, idempotency_claim_is_scoped_to_the_token) {
  send_input in;
  in.text = "x";
  in.idempotency_key = "key-1";
  in.request_hash = core::sha256("fingerprint");
  auto cmd = prepare_send(patient_p(), chat, message_kind::inbound, std::move(in), lim, rng, clk);
  ASSERT_TRUE(cmd);
  ASSERT_TRUE(cmd->idempotency);
  EXPECT_EQ(cmd->idempotency->token_id, "tk_pat");
  EXPECT_EQ(cmd->idempotency->key, "key-1");
  EXPECT_EQ(cmd->idempotency->request_hash, core::sha256("fingerprint"));
}

TEST(archive, only_users_and_the_instant_is_kept) {
  core::manual_clock clk{5};
  auto cmd = prepare_archive(user_p(), chat, 1234, clk);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->before, 1234);
  EXPECT_EQ(cmd->audit.action, "archive");
  EXPECT_FALSE(prepare_archive(client_p(), chat, 1234, clk));
  EXPECT_FALSE(prepare_archive(patient_p(), chat, 1234, clk));
  EXPECT_TRUE(prepare_restore(user_p(), chat, clk));
  EXPECT_FALSE(prepare_restore(client_p(), chat, clk));
}

TEST(page_size, default_clamp_and_rejects) {
  limits lim;
  lim.default_page_size = 7;
  EXPECT_EQ(*effective_page_size(std::nullopt, lim, "pageSize"), 7);
  EXPECT_EQ(*effective_page_size(1, lim, "pageSize"), 1);
  EXPECT_EQ(*effective_page_size(200, lim, "pageSize"), 200);
  EXPECT_EQ(*effective_page_size(500, lim, "pageSize"), 200);
  EXPECT_FALSE(effective_page_size(0, lim, "pageSize"));
  EXPECT_FALSE(effective_page_size(-3, lim, "pageSize"));
}

}  // namespace
}  // namespace carechat::domain
