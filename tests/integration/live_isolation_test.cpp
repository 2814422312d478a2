// Who may open which event stream (docs/api/events.md, "Endpoints", "Authentication", "Origin"):
// a patient sees only its own chat; other tenants, other patients and patients on the instance
// stream are refused before the upgrade with the usual JSON error; the Origin check; bad input.
#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

// Opens `target` and expects a refusal with `status` and the JSON error `code`, and no upgrade.
void expect_refused(unsigned short port, const std::string& target, const std::string& token, unsigned status,
                    const std::string& code, const ws_connect_options& options = {}) {
  SCOPED_TRACE(target);
  ws_client ws(port);
  auto hs = ws.connect(target, token, options);
  expect_error(as_http(hs), status, code);
  EXPECT_TRUE(ws.closed());
  EXPECT_FALSE(ws.read(std::chrono::milliseconds(100))) << "a refused handshake carries no events";
}

TEST_F(live_test, a_patient_stream_never_sees_another_chat) {
  auto mine = subscribe_live(events_path(), patient_);
  auto staff_on_my_chat = subscribe_live(events_path(), user_);
  auto instance_wide = subscribe_live(instance_events_path(), user_);

  const auto theirs = send_in("another patient's secret", other_patient_, other_patient);
  auto seen_by_instance = next(*instance_wide);
  EXPECT_EQ(seen_by_instance.at("patientId"), json::value(other_patient)) << "the instance stream sees every chat";
  EXPECT_EQ(seen_by_instance.at("message").at("externalId"), theirs.at("externalId"));
  EXPECT_TRUE(nothing_arrives(*mine)) << "another chat's message on a patient's stream";
  EXPECT_TRUE(nothing_arrives(*staff_on_my_chat, ms(50))) << "a chat stream carries only that chat";

  // Also its read and archive events.
  ASSERT_EQ(mark_read(user_, {}, other_patient).status, 200u);
  EXPECT_EQ(type_of(next(*instance_wide)), "messages.read");
  auto r = http_->request("POST", chat_path(other_patient) + "/archive?archiveDate=2999-01-01T00:00:00Z", {},
                          {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(type_of(next(*instance_wide)), "chat.archived");
  EXPECT_TRUE(nothing_arrives(*mine, ms(100)));

  // The stream stayed open: the patient's own next message arrives.
  send_in("my own", patient_);
  auto e = next(*mine);
  EXPECT_EQ(type_of(e), "message.created");
  EXPECT_EQ(e.at("patientId"), json::value(patient));
  EXPECT_EQ(message_text(e.at("message").as_object()), "my own");

  // And a replay from the start holds only the patient's own chat too.
  auto replay = subscribe(events_path() + after(0), patient_);
  std::vector<json::object> replayed;
  next_of_type(*replay, "ready", &replayed);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(message_text(replayed[0].at("message").as_object()), "my own");
}

TEST_F(live_test, another_tenant_patient_or_the_instance_stream_is_refused_before_the_upgrade) {
  const auto port = server_->port();
  expect_refused(port, events_path(), foreign_user_, 403, "forbidden");
  expect_refused(port, instance_events_path(), foreign_user_, 403, "forbidden");
  // Our token against the other tenant's paths is refused as well.
  expect_refused(port, events_path(patient, "other-tenant"), user_, 403, "forbidden");
  expect_refused(port, instance_events_path("other-tenant"), user_, 403, "forbidden");
  expect_refused(port, instance_events_path(tenant, "other-instance"), client_, 403, "forbidden");
  // A patient: not the instance stream, not another patient's chat.
  expect_refused(port, instance_events_path(), patient_, 403, "forbidden");
  expect_refused(port, events_path(other_patient), patient_, 403, "forbidden");
  expect_refused(port, events_path(), other_patient_, 403, "forbidden");
  // No token, or one the server does not know.
  expect_refused(port, events_path(), "", 401, "unauthorized");
  expect_refused(port, events_path(), "cc_not-a-real-token", 401, "unauthorized");
  expect_refused(port, instance_events_path(), "garbage", 401, "unauthorized");
  ws_connect_options bad_header;
  bad_header.use_authorization_header = true;
  expect_refused(port, events_path(), "cc_unknown", 401, "unauthorized", bad_header);
  {
    ws_client ws(port);
    auto hs = ws.connect(events_path(), "");
    EXPECT_EQ(hs.headers["www-authenticate"], "Bearer");
  }
}

TEST_F(live_test, token_in_the_authorization_header_works_too) {
  ws_connect_options o;
  o.use_authorization_header = true;
  auto ws = std::make_unique<ws_client>(server_->port());
  auto hs = ws->connect(events_path(), patient_, o);
  ASSERT_EQ(hs.status, 101u) << hs.body;
  EXPECT_EQ(hs.subprotocol, "") << "no subprotocol offered, none chosen";
  EXPECT_EQ(type_of(next(*ws)), "ready");
  send_in("via header", patient_);
  EXPECT_EQ(message_text(next(*ws).at("message").as_object()), "via header");

  // With the subprotocol, the server answers carechat.v1 (a browser insists on it).
  auto sp = std::make_unique<ws_client>(server_->port());
  auto hs2 = sp->connect(instance_events_path(), client_);
  ASSERT_EQ(hs2.status, 101u) << hs2.body;
  EXPECT_EQ(hs2.subprotocol, "carechat.v1");
}

TEST_F(live_test, origin_must_be_the_servers_own_or_configured) {
  const auto port = server_->port();
  const std::string own = "http://127.0.0.1:" + std::to_string(port);
  ws_connect_options evil;
  evil.headers = {{"Origin", "https://evil.example"}};
  expect_refused(port, events_path(), user_, 403, "forbidden", evil);
  ws_connect_options other_port;
  other_port.headers = {{"Origin", "http://127.0.0.1:1"}};
  expect_refused(port, events_path(), user_, 403, "forbidden", other_port);
  ws_connect_options listed;
  listed.headers = {{"Origin", "https://ehr.example.org"}};
  expect_refused(port, events_path(), user_, 403, "forbidden", listed);  // not configured yet

  ws_connect_options same;
  same.headers = {{"Origin", own}};
  {
    ws_client ws(port);
    auto hs = ws.connect(events_path(), user_, same);
    EXPECT_EQ(hs.status, 101u) << "the server's own origin: " << hs.body;
  }
  {
    ws_client ws(port);
    EXPECT_EQ(ws.connect(events_path(), user_).status, 101u) << "no Origin: not a browser, allowed";
  }

  restart({{"CARECHAT_ALLOWED_ORIGINS", "https://ehr.example.org, http://localhost:5173"}});
  const auto port2 = server_->port();
  for (const char* origin : {"https://ehr.example.org", "http://localhost:5173"}) {
    ws_connect_options o;
    o.headers = {{"Origin", origin}};
    ws_client ws(port2);
    auto hs = ws.connect(events_path(), user_, o);
    EXPECT_EQ(hs.status, 101u) << origin << ": " << hs.body;
    if (hs.status == 101u) {
      EXPECT_EQ(type_of(next(ws)), "ready");
    }
  }
  expect_refused(port2, events_path(), user_, 403, "forbidden", evil);
  ws_connect_options near_miss;
  near_miss.headers = {{"Origin", "https://ehr.example.org.evil.example"}};
  expect_refused(port2, events_path(), user_, 403, "forbidden", near_miss);
}

TEST_F(live_test, bad_after_and_plain_get_are_400) {
  const auto port = server_->port();
  for (const char* bad : {"abc", "-1", "1.5", "", "9999999999999999999999"}) {
    SCOPED_TRACE(bad);
    expect_refused(port, events_path() + "?after=" + bad, user_, 400, "bad_request");
  }
  expect_refused(port, instance_events_path() + "?after=x", user_, 400, "bad_request");

  // Without an upgrade the endpoints answer 400 with the JSON error.
  expect_error(http_->get(events_path(), user_), 400, "bad_request");
  expect_error(http_->get(instance_events_path(), user_), 400, "bad_request");
}

}  // namespace
}  // namespace carechat::testing
