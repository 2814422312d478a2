// Shared fixture for the live event endpoints and read state: the chat fixture plus helpers to open
// event streams and read typed events. Thread-safety: one per test.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {

inline std::string events_path(const std::string& p = patient, const std::string& t = tenant,
                               const std::string& i = instance) {
  return chat_path(p, t, i) + "/events";
}
inline std::string instance_events_path(const std::string& t = tenant, const std::string& i = instance) {
  return "/" + t + "/" + i + "/chat/events";
}
inline std::string after(std::int64_t position) { return "?after=" + std::to_string(position); }

// Parses a frame as a JSON object; fails the test (and returns an empty object) if it is not one.
inline boost::json::object frame_object(const std::string& frame) {
  boost::json::error_code ec;
  auto v = boost::json::parse(frame, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "frame is not a JSON object: " << frame;
    return {};
  }
  return v.as_object();
}

// A refused handshake as an HTTP answer, for expect_error().
inline http_result as_http(const ws_handshake& h) { return http_result{h.status, h.body, h.headers}; }

inline std::string type_of(const boost::json::object& e) {
  auto* t = e.if_contains("type");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}
inline std::int64_t position_of(const boost::json::object& e) {
  auto* p = e.if_contains("position");
  return p && p->is_int64() ? p->as_int64() : -1;
}

class live_test : public chat_server_test {
 protected:
  using ms = std::chrono::milliseconds;

  // Opens a stream that must be accepted (101).
  std::unique_ptr<ws_client> subscribe(const std::string& target, const std::string& token,
                                       const ws_connect_options& options = {}) {
    auto ws = std::make_unique<ws_client>(server_->port());
    auto hs = ws->connect(target, token, options);
    EXPECT_EQ(hs.status, 101u) << target << ": " << hs.body;
    return ws;
  }

  // Opens a live-only stream and consumes its `ready`; returns the ready position in `ready_at`.
  std::unique_ptr<ws_client> subscribe_live(const std::string& target, const std::string& token,
                                            std::int64_t* ready_at = nullptr) {
    auto ws = subscribe(target, token);
    auto ready = next(*ws);
    EXPECT_EQ(type_of(ready), "ready") << boost::json::serialize(ready);
    if (ready_at) *ready_at = position_of(ready);
    return ws;
  }

  // The next frame as a JSON object; fails the test and returns {} if none arrives in time.
  boost::json::object next(ws_client& ws, ms timeout = ms(3000)) {
    auto f = ws.read(timeout);
    if (!f) {
      ADD_FAILURE() << "no frame within " << timeout.count() << " ms (closed=" << ws.closed()
                    << ", code=" << ws.close_code() << ")";
      return {};
    }
    return frame_object(*f);
  }

  // Reads frames until one of `type`; the ones before it go to `skipped` (if given).
  boost::json::object next_of_type(ws_client& ws, const std::string& type,
                                   std::vector<boost::json::object>* skipped = nullptr, ms timeout = ms(3000)) {
    for (int guard = 0; guard < 10'000; ++guard) {
      auto e = next(ws, timeout);
      if (e.empty() || type_of(e) == type) return e;
      if (skipped) skipped->push_back(std::move(e));
    }
    ADD_FAILURE() << "no " << type << " frame";
    return {};
  }

  // True when no frame arrives within `quiet` (the stream stays open and usable).
  ::testing::AssertionResult nothing_arrives(ws_client& ws, ms quiet = ms(300)) {
    if (auto f = ws.read(quiet)) return ::testing::AssertionFailure() << "unexpected frame: " << *f;
    if (ws.closed()) return ::testing::AssertionFailure() << "stream closed (code " << ws.close_code() << ")";
    return ::testing::AssertionSuccess();
  }

  // Sends an inbound message to `p`'s chat with `token`; returns the message JSON.
  boost::json::object send_in(const std::string& text, const std::string& token, const std::string& p = patient) {
    auto r = http_->post_json(chat_path(p) + "/inbound", token,
                              boost::json::serialize(boost::json::object{{"message", text}}));
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200 ? json_of(r).as_object() : boost::json::object{};
  }
  boost::json::object send_out(const std::string& text, const std::string& p = patient) {
    auto r = http_->post_json(chat_path(p) + "/outbound", user_,
                              boost::json::serialize(boost::json::object{{"message", text}}));
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200 ? json_of(r).as_object() : boost::json::object{};
  }

  // The message with `external_id` as `token` sees it in GET .../chat (includeArchived).
  boost::json::object message_as_seen_by(const std::string& token, const std::string& external_id,
                                         const std::string& p = patient) {
    for (auto& m : all_messages(token, true, chat_path(p)))
      if (str(m.at("externalId")) == external_id) return m;
    ADD_FAILURE() << "message " << external_id << " not found";
    return {};
  }

  // The first page of GET .../chat with `query` (e.g. "?pageSize=5"), as JSON; fails on non-200.
  boost::json::object page(const std::string& token, const std::string& query = {}, const std::string& p = patient) {
    auto r = http_->get(chat_path(p) + query, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200 ? json_of(r).as_object() : boost::json::object{};
  }

  // POST .../chat/read with `body` (empty: no body, no content type).
  http_result mark_read(const std::string& token, const std::string& body = {}, const std::string& p = patient) {
    if (body.empty()) return http_->request("POST", chat_path(p) + "/read", {}, {{"Authorization", "Bearer " + token}});
    return http_->post_json(chat_path(p) + "/read", token, body);
  }
};

}  // namespace carechat::testing
