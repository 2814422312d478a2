// Fixture shared by the store contract tests: a fresh database per test on the backend under test,
// a manual clock, and helpers that build realistic commands through the domain's own use cases.
// Thread-safety: test code; the helpers are used from the test thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/chat_service.hpp"
#include "domain/store.hpp"
#include "unit/store/support/backend.hpp"
#include "unit/store/support/temp_dir.hpp"
#include "unit/support/principals.hpp"

namespace carechat::test {

class store_contract : public testing::TestWithParam<backend_factory> {
 protected:
  static constexpr core::unix_ms start_ms = 1'700'000'000'000;

  void SetUp() override {
    backend_ = GetParam().make(dir_.path());
    reopen();
  }

  // A restart: drop the reader and the store, open the same database again.
  void reopen() {
    reader_.reset();
    store_.reset();
    auto s = backend_->open(clock_, rng_);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    store_ = std::move(*s);
    reader_ = store_->open_reader();
  }

  static domain::chat_key chat(std::string patient = "p1") { return {"gh", "sb-demo", std::move(patient)}; }

  static domain::principal patient(const std::string& id = "p1") { return test_patient(id); }
  static domain::principal staff() { return test_staff(); }

  // A patient's message to the care team, as POST .../chat/inbound prepares it.
  domain::send_command inbound(const std::string& text, const std::string& who = "p1") {
    auto cmd = domain::prepare_send(patient(who), chat(who), domain::message_kind::inbound, {text, {}, {}, {}, {}}, limits_,
                                    rng_, clock_);
    EXPECT_TRUE(cmd.has_value());
    return std::move(cmd).value();
  }

  // Staff's message to the patient (records the webhook event).
  domain::send_command outbound(const std::string& text, const std::string& who = "p1") {
    auto cmd = domain::prepare_send(staff(), chat(who), domain::message_kind::outbound, {text, {}, {}, {}, {}}, limits_,
                                    rng_, clock_);
    EXPECT_TRUE(cmd.has_value());
    return std::move(cmd).value();
  }

  // A chat in another tenant or instance, and commands for it (its patient sends, its staff answer).
  static domain::chat_key chat_at(std::string tenant, std::string instance, std::string patient) {
    return {std::move(tenant), std::move(instance), std::move(patient)};
  }
  domain::send_command inbound_to(const domain::chat_key& c, const std::string& text) {
    domain::principal p = patient(c.patient);
    p.tenant = c.tenant;
    p.instance = c.instance;
    auto cmd = domain::prepare_send(p, c, domain::message_kind::inbound, {text, {}, {}, {}, {}}, limits_, rng_, clock_);
    EXPECT_TRUE(cmd.has_value());
    return std::move(cmd).value();
  }

  // POST .../chat/read as `who` (staff: the patient's messages; the patient: the care team's).
  domain::mark_read_command mark_read(const domain::principal& who, const std::string& chat_patient = "p1",
                                      std::optional<std::string> up_to = {}) {
    auto cmd = domain::prepare_mark_read(who, chat(chat_patient), {std::move(up_to), {}}, limits_, clock_);
    EXPECT_TRUE(cmd.has_value()) << cmd.error().message;
    return std::move(cmd).value();
  }

  // Applies a mark-read and returns its receipt (failing the test on an error).
  domain::read_receipt read_ok(domain::mark_read_command cmd) {
    auto out = apply(std::move(cmd));
    EXPECT_TRUE(out.has_value()) << out.error().message;
    if (!out) return {};
    return std::get<domain::read_receipt>(*out);
  }

  std::vector<domain::chat_event> events(const domain::event_scope& scope, std::int64_t after = 0, int limit = 1000) {
    auto r = reader_->events_after(scope, after, limit);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? std::move(r).value() : std::vector<domain::chat_event>{};
  }
  static domain::event_scope chat_scope(const std::string& patient = "p1") { return {"gh", "sb-demo", patient}; }
  static domain::event_scope instance_scope() { return {"gh", "sb-demo", std::nullopt}; }

  domain::event_log_bounds bounds(const domain::event_scope& scope = instance_scope()) {
    auto b = reader_->event_bounds(scope);
    EXPECT_TRUE(b.has_value()) << b.error().message;
    return b ? *b : domain::event_log_bounds{-1, -1};
  }

  std::int64_t unread(domain::message_kind kind, const std::string& who = "p1") {
    auto n = reader_->unread_count(chat(who), kind);
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n ? *n : -1;
  }

  // Applies one command and returns its outcome.
  domain::write_outcome apply(domain::write_command cmd) {
    auto out = store_->apply(std::span<const domain::write_command>(&cmd, 1));
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? domain::write_outcome(core::make_error(core::errc::internal, "no outcome")) : out[0];
  }

  // Sends and returns the stored message; the clock then moves on by `step_ms`.
  domain::message send(domain::send_command cmd, core::unix_ms step_ms = 1000) {
    auto out = apply(std::move(cmd));
    clock_.advance(step_ms);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return std::get<domain::send_receipt>(out.value()).msg;
  }

  // Sends texts oldest first, one clock step apart.
  std::vector<domain::message> send_all(const std::vector<std::string>& texts, const std::string& who = "p1") {
    std::vector<domain::message> out;
    for (const auto& t : texts) out.push_back(send(inbound(t, who)));
    return out;
  }

  std::vector<domain::message> page(std::optional<domain::position> after, domain::direction dir, int limit,
                                    bool include_archived = false, const std::string& who = "p1") {
    auto r = reader_->messages(domain::page_query{chat(who), include_archived, after, dir, limit});
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? std::move(r).value() : std::vector<domain::message>{};
  }

  std::vector<domain::message> search(const std::string& text, std::optional<domain::position> after = {},
                                      domain::direction dir = domain::direction::older, int limit = 50,
                                      bool include_archived = false, const std::string& who = "p1") {
    auto r = reader_->search(domain::search_query{chat(who), text, include_archived, after, dir, limit});
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? std::move(r).value() : std::vector<domain::message>{};
  }

  static std::vector<std::string> texts(const std::vector<domain::message>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.text);
    return out;
  }

  temp_dir dir_;
  core::manual_clock clock_{start_ms};
  core::openssl_random rng_;
  domain::limits limits_;
  std::unique_ptr<backend> backend_;
  std::unique_ptr<domain::store> store_;
  std::unique_ptr<domain::store_reader> reader_;  // after store_: destroyed first
};

}  // namespace carechat::test
