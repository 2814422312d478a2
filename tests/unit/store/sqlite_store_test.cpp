// What only the SQLite store has: schema versions, query plans, triggers, WAL sharing between
// processes (a server and the CLI on one file) and lock contention.
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "domain/audit_verify.hpp"
#include "domain/authentication.hpp"
#include "domain/chat_service.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/queries.hpp"
#include "unit/store/support/temp_dir.hpp"

namespace carechat::test {
namespace {

using store::sqlite::connection;
using store::sqlite::named_sql;
using store::sqlite::sqlite_options;
using store::sqlite::sqlite_store;
namespace queries = store::sqlite::queries;

class sqlite_store_test : public testing::Test {
 protected:
  void SetUp() override {
    opts_.path = (dir_.path() / "carechat.db").string();
    opts_.busy_timeout_ms = 100;
  }

  std::unique_ptr<sqlite_store> open_store() {
    auto s = sqlite_store::open(opts_, clock_, rng_);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  connection raw() {
    auto c = store::sqlite::open_write_connection(opts_);
    EXPECT_TRUE(c.has_value());
    return std::move(c).value();
  }

  std::int64_t scalar(connection& db, std::string_view sql) {
    auto s = db.prepare(named_sql{"test.scalar", sql});
    EXPECT_TRUE(s.has_value()) << s.error().message;
    EXPECT_TRUE(s->step().value());
    return s->column_int64(0);
  }

  static domain::principal patient_p1() {
    domain::principal p;
    p.token_id = "tk_p";
    p.role = domain::role::patient;
    p.tenant = "gh";
    p.instance = "sb-demo";
    p.patient_id = "p1";
    return p;
  }

  domain::send_command inbound(const std::string& text) {
    return domain::prepare_send(patient_p1(), chat_, domain::message_kind::inbound, {text, {}, {}, {}, {}}, {}, rng_,
                                clock_)
        .value();
  }

  temp_dir dir_;
  sqlite_options opts_;
  core::manual_clock clock_{1'700'000'000'000};
  core::openssl_random rng_;
  domain::chat_key chat_{"gh", "sb-demo", "p1"};
};

TEST_F(sqlite_store_test, migrations_reach_the_latest_version_once) {
  open_store().reset();
  auto db = raw();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), store::sqlite::latest_schema_version());
  const auto objects = scalar(db, "SELECT count(*) FROM sqlite_schema");
  open_store().reset();
  open_store().reset();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), store::sqlite::latest_schema_version());
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema"), objects);
  EXPECT_EQ(store::sqlite::migrations().size(), static_cast<std::size_t>(store::sqlite::latest_schema_version()));
}

TEST_F(sqlite_store_test, concurrent_first_opens_agree) {
  // Two processes starting on a new file at once: both must end up with one schema. Openers wait
  // for each other's migrations (three transactions, each with an fsync, since v3), so this test
  // uses the production busy timeout rather than the fixture's short one: the property is
  // agreement, not speed, and 100 ms was too short on a loaded machine.
  opts_.busy_timeout_ms = 5000;
  std::vector<std::thread> openers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    openers.emplace_back([&] {
      auto s = sqlite_store::open(opts_, clock_, rng_);
      if (s) ++ok;
    });
  for (auto& t : openers) t.join();
  EXPECT_EQ(ok.load(), 4);
  auto db = raw();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), store::sqlite::latest_schema_version());
}

// A file an older release left at v1, with data, upgrades in place: the messages gain an empty read
// state, the log starts empty, and everything new works on the old rows.
TEST_F(sqlite_store_test, a_v1_database_upgrades_to_v2_in_place) {
  {
    auto db = raw();
    ASSERT_EQ(store::sqlite::migrate(db, 1).value(), 1);
    ASSERT_TRUE(db.exec("v1 data", R"sql(
      INSERT INTO chats (id, tenant, instance, patient) VALUES (1, 'gh', 'sb-demo', 'p1');
      INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, body, created_at, archived)
        VALUES (1, 'IM00000000000000000000000000000001', 0, 'PATIENT', 'p1', 'old and archived', 10, 1),
               (1, 'IM00000000000000000000000000000002', 0, 'PATIENT', 'p1', 'old question', 20, 0);
      INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type,
                            receiver_id, body, created_at)
        VALUES (1, 'IM00000000000000000000000000000003', 1, 'USER', 'u1', 'Dana Scully', 'PATIENT', 'p1',
                'old answer', 30);
    )sql")
                    .has_value());
    EXPECT_EQ(scalar(db, "PRAGMA user_version"), 1);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events'"), 0);
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto db = raw();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), store::sqlite::latest_schema_version());  // v2, then on to the latest

  auto reader = store->open_reader();
  const auto old = reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10}).value();
  ASSERT_EQ(old.size(), 3u);
  for (const auto& m : old) {
    EXPECT_FALSE(m.read_at.has_value());
    EXPECT_FALSE(m.read_by.has_value());
  }
  EXPECT_EQ(reader->unread_count(chat_, domain::message_kind::inbound).value(), 1);  // the archived one is not
  EXPECT_EQ(reader->oldest_unread(chat_, domain::message_kind::inbound).value()->text, "old question");
  const auto bounds = reader->event_bounds({"gh", "sb-demo", std::nullopt}).value();
  EXPECT_EQ(bounds.floor, 0);
  EXPECT_EQ(bounds.latest, 0);
  EXPECT_TRUE(reader->events_after({"gh", "sb-demo", std::nullopt}, 0, 10).value().empty());

  // New writes on the old rows.
  domain::principal staff;
  staff.token_id = "tk_s";
  staff.role = domain::role::user;
  staff.tenant = "gh";
  staff.instance = "sb-demo";
  staff.user_id = "u1";
  staff.display_name = "Dana Scully";
  std::vector<domain::write_command> batch{
      inbound("new"),
      domain::prepare_mark_read(staff, chat_, {"IM00000000000000000000000000000002", {}}, {}, clock_).value()};
  auto out = store->apply(batch);
  ASSERT_TRUE(out.at(0).has_value() && out.at(1).has_value());
  EXPECT_EQ(domain::event_of(*out[0])->position, 1);
  const auto& receipt = std::get<domain::read_receipt>(*out[1]);
  EXPECT_EQ(receipt.marked, 1);
  EXPECT_EQ(receipt.event->position, 2);
  EXPECT_EQ(reader->unread_count(chat_, domain::message_kind::inbound).value(), 1);  // "new"
  EXPECT_EQ(reader->search(domain::search_query{chat_, "old", true, {}, domain::direction::older, 10}).value().size(),
            3u);
  // v7 moved the index to the search database, which starts empty and fills from the old rows.
  EXPECT_EQ(store->index_search(100).value(), 4);
  EXPECT_EQ(reader->search(domain::search_query{chat_, "old", true, {}, domain::direction::older, 10}).value().size(),
            3u);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'message_fts'"), 0) << "gone from the main file";
  EXPECT_FALSE(db.exec("edit", "UPDATE messages SET body = 'edited'").has_value());
  auto check = db.prepare(named_sql{"test.integrity", "PRAGMA integrity_check"});
  ASSERT_TRUE(check->step().value());
  EXPECT_EQ(check->column_text(0), "ok");
}

TEST_F(sqlite_store_test, a_newer_schema_is_refused) {
  open_store().reset();
  {
    auto db = raw();
    ASSERT_TRUE(db.exec("bump", "PRAGMA user_version = 999").has_value());
  }
  auto s = sqlite_store::open(opts_, clock_, rng_);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

TEST_F(sqlite_store_test, the_file_is_in_wal_mode) {
  open_store().reset();
  auto db = raw();
  auto s = db.prepare(named_sql{"test.mode", "PRAGMA journal_mode"});
  ASSERT_TRUE(s->step().value());
  EXPECT_EQ(s->column_text(0), "wal");
}

// The page, any_beyond and search statements must seek the chat's index, never scan messages.
TEST_F(sqlite_store_test, reads_use_the_chat_indexes) {
  auto store = open_store();
  auto db = raw();
  ASSERT_TRUE(db.exec("attach", "ATTACH DATABASE '" + opts_.search_path() + "' AS search").has_value());
  auto plan_of = [&](const named_sql& q) {
    auto s = db.prepare(named_sql{q.name, "EXPLAIN QUERY PLAN " + std::string(q.sql)});
    EXPECT_TRUE(s.has_value()) << q.name << ": " << s.error().message;
    std::string plan;
    while (s && s->step().value()) plan += std::string(s->column_text(3)) + "\n";
    return plan;
  };
  for (bool all : {false, true})
    for (auto dir : {domain::direction::older, domain::direction::newer})
      for (const named_sql* q : {&queries::page(all, dir), &queries::any_beyond(all, dir),
                                 &queries::search_fts(all, dir), &queries::search_scan(all, dir)}) {
        const std::string plan = plan_of(*q);
        // "USING INDEX x" or, when the index alone answers, "USING COVERING INDEX x".
        const std::string index = all ? "INDEX messages_by_chat (chat_id=?" : "INDEX messages_live_by_chat (chat_id=?";
        EXPECT_NE(plan.find("SEARCH messages USING "), std::string::npos) << q->name << "\n" << plan;
        EXPECT_NE(plan.find(index), std::string::npos) << q->name << "\n" << plan;
        EXPECT_EQ(plan.find("SCAN messages"), std::string::npos) << q->name << "\n" << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << q->name << " sorts\n" << plan;
      }
  // Read state: the unread partial index, which needs "read_at IS NULL AND archived = 0" verbatim.
  for (const named_sql* q :
       {&queries::oldest_unread, &queries::mark_read_all, &queries::mark_read_up_to, &queries::unread_chats}) {
    const std::string plan = plan_of(*q);
    EXPECT_NE(plan.find("INDEX messages_unread_by_chat (chat_id=? AND kind=?"), std::string::npos) << q->name << "\n"
                                                                                                   << plan;
    EXPECT_EQ(plan.find("SCAN messages"), std::string::npos) << q->name << "\n" << plan;
  }
  for (const named_sql* q : {&queries::oldest_unread, &queries::mark_read_all, &queries::mark_read_up_to})
    EXPECT_EQ(plan_of(*q).find("TEMP B-TREE"), std::string::npos) << q->name;
  // The unread count is the counter on the chat row (v5): one unique-index lookup, no messages.
  EXPECT_NE(plan_of(queries::unread_count).find("SEARCH chats USING INDEX sqlite_autoindex_chats_1 (tenant=? AND "
                                                "instance=? AND patient=?)"),
            std::string::npos);
  EXPECT_EQ(plan_of(queries::unread_count).find("messages"), std::string::npos);
  EXPECT_NE(plan_of(queries::mark_read_up_to).find("created_at<?"), std::string::npos);
  // unread_chats sorts its (few) result rows, never the messages: no GROUP BY sort.
  EXPECT_EQ(plan_of(queries::unread_chats).find("TEMP B-TREE FOR GROUP BY"), std::string::npos);
  EXPECT_NE(plan_of(queries::unread_chats).find("messages_live_by_chat (chat_id=?)"), std::string::npos);
  EXPECT_NE(plan_of(queries::read_target).find("(external_id=?)"), std::string::npos);
  EXPECT_NE(plan_of(queries::newest_read).find("INDEX messages_by_chat (chat_id=?)"), std::string::npos);
  EXPECT_EQ(plan_of(queries::newest_read).find("TEMP B-TREE"), std::string::npos);

  // The event log: a chat seeks (chat_id, position); an instance walks the position range in order.
  const std::string chat_events = plan_of(queries::events_after_chat);
  EXPECT_NE(chat_events.find("SEARCH e USING INDEX events_by_chat (chat_id=? AND position>?)"), std::string::npos)
      << chat_events;
  const std::string instance_events = plan_of(queries::events_after_instance);
  EXPECT_NE(instance_events.find("SEARCH e USING INTEGER PRIMARY KEY (rowid>?)"), std::string::npos) << instance_events;
  for (const std::string* plan : {&chat_events, &instance_events}) {
    EXPECT_EQ(plan->find("SCAN e"), std::string::npos) << *plan;
    EXPECT_EQ(plan->find("SCAN m"), std::string::npos) << *plan;
    EXPECT_EQ(plan->find("TEMP B-TREE"), std::string::npos) << *plan;
    EXPECT_NE(plan->find("SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << *plan;
  }
  EXPECT_NE(plan_of(queries::prunable_max).find("events_by_at (at<?)"), std::string::npos);
  EXPECT_NE(plan_of(queries::prune_events).find("events_by_at (at<?)"), std::string::npos);

  const std::string archive = plan_of(queries::archive_before);
  EXPECT_NE(archive.find("messages_live_by_chat"), std::string::npos) << archive;
  EXPECT_NE(plan_of(queries::token_by_hash).find("SEARCH tokens USING INDEX"), std::string::npos);
  // The audit log by patient (v17: in the search database): the indexed rows through
  // audit_by_patient, the rest by a rowid range over the newest rows; never a scan of the log.
  const std::string audit = plan_of(queries::audit_for_patient);
  EXPECT_NE(audit.find("SEARCH p USING PRIMARY KEY (patient=? AND id>?)"), std::string::npos) << audit;
  EXPECT_NE(audit.find("SEARCH audit_log USING INTEGER PRIMARY KEY (rowid>?)"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("SCAN audit_log"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("SCAN a"), std::string::npos) << audit;
  EXPECT_EQ(plan_of(queries::list_tokens).find("TEMP B-TREE"), std::string::npos);
}

// The export's thread walk (FHIR Bulk Data, thread headers): the instance's chats by id along
// chats_by_instance, each chat's messages through messages_by_chat; never a scan, never a sort.
TEST_F(sqlite_store_test, the_export_thread_walk_uses_indexes) {
  auto store = open_store();
  auto db = raw();
  for (const named_sql* q : {&queries::export_thread_span, &queries::export_threads}) {
    auto s = db.prepare(named_sql{q->name, "EXPLAIN QUERY PLAN " + std::string(q->sql)});
    ASSERT_TRUE(s.has_value()) << q->name << ": " << s.error().message;
    std::string plan;
    while (s->step().value()) plan += std::string(s->column_text(3)) + "\n";
    EXPECT_NE(plan.find("INDEX chats_by_instance (tenant=? AND instance=? AND id>? AND id<?)"), std::string::npos)
        << q->name << "\n" << plan;
    EXPECT_NE(plan.find("SEARCH e USING COVERING INDEX messages_by_chat (chat_id=?"), std::string::npos)
        << q->name << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN c"), std::string::npos) << q->name << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN messages"), std::string::npos) << q->name << "\n" << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << q->name << "\n" << plan;
    if (q == &queries::export_threads) {
      EXPECT_NE(plan.find("SEARCH f USING COVERING INDEX messages_by_chat (chat_id=?)"), std::string::npos) << plan;
      EXPECT_NE(plan.find("SEARCH l USING COVERING INDEX messages_by_chat (chat_id=?)"), std::string::npos) << plan;
    }
  }
}

TEST_F(sqlite_store_test, messages_are_append_only_except_archived) {
  auto store = open_store();
  domain::write_command cmd = inbound("original");
  ASSERT_TRUE(store->apply(std::span(&cmd, 1)).at(0).has_value());
  auto db = raw();
  EXPECT_FALSE(db.exec("edit", "UPDATE messages SET body = 'edited'").has_value());
  EXPECT_FALSE(db.exec("delete", "DELETE FROM messages").has_value());
  EXPECT_TRUE(db.exec("archive", "UPDATE messages SET archived = 1").has_value());
  // The search database's index is consistent once it holds the message.
  EXPECT_EQ(store->index_search(10).value(), 1);
  auto search = connection::open(opts_.search_path(), SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(search.has_value());
  EXPECT_TRUE(search->exec("fts check", "INSERT INTO message_fts (message_fts) VALUES ('integrity-check')").has_value());
}

// The search database is derived data: deleted, made for another file, or ahead of the main file
// (restored from an older backup), it starts over, and searches stay complete meanwhile.
TEST_F(sqlite_store_test, the_search_database_is_rebuilt_when_it_does_not_match) {
  const auto search_finds = [&](sqlite_store& store) {
    auto reader = store.open_reader();
    return reader->search(domain::search_query{chat_, "kiwi", false, {}, domain::direction::older, 10}).value().size();
  };
  {
    auto store = open_store();
    for (const char* t : {"kiwi a", "kiwi b", "kiwi c"}) {
      domain::write_command cmd = inbound(t);
      ASSERT_TRUE(store->apply(std::span(&cmd, 1)).at(0).has_value());
    }
    EXPECT_EQ(store->index_search(10).value(), 3);
    EXPECT_EQ(store->index_search(10).value(), 0);
  }
  const auto tamper = [&](const std::string& sql) {
    auto search = connection::open(opts_.search_path(), SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(search.has_value());
    ASSERT_TRUE(search->exec("tamper", sql).has_value());
  };
  for (const std::string& damage : {std::string("UPDATE search_state SET upto = 1000"),  // ahead of the main file
                                    std::string("UPDATE search_state SET binding = binding + 1")}) {  // another file's
    SCOPED_TRACE(damage);
    tamper(damage);
    auto store = open_store();
    EXPECT_EQ(search_finds(*store), 3u) << "the scan covers what the new index does not";
    EXPECT_EQ(store->index_search(10).value(), 3) << "started over";
    EXPECT_EQ(search_finds(*store), 3u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(opts_.search_path() + suffix);
  auto store = open_store();
  EXPECT_EQ(search_finds(*store), 3u);
  EXPECT_EQ(store->index_search(2).value(), 2);
  EXPECT_EQ(store->index_search(2).value(), 1);
  EXPECT_EQ(search_finds(*store), 3u);
}

// The audit log by patient lives beside the search index (v17) and is checked the same way: an
// index ahead of the main file or made for another file starts over, and a deleted search database
// loses nothing; audit_for_patient answers every row meanwhile.
TEST_F(sqlite_store_test, the_audit_index_is_rebuilt_when_it_does_not_match) {
  const auto rows_of_p1 = [](sqlite_store& store) { return store.audit_for_patient("p1").value().size(); };
  // The query alone, without audit_for_patient's catching up: what the index covers plus the scan.
  const auto queried_rows_of_p1 = [&] {
    auto db = raw();
    EXPECT_TRUE(db.exec("attach", "ATTACH DATABASE '" + opts_.search_path() + "' AS search").has_value());
    auto q = db.prepare(queries::audit_for_patient);
    EXPECT_TRUE(q.has_value());
    q->bind_text(1, "p1");
    q->bind_int64(2, 0);
    q->bind_int64(5, 100);
    std::size_t n = 0;
    while (q->step().value()) ++n;
    return n;
  };
  {
    auto store = open_store();
    for (int i = 0; i < 3; ++i) {
      domain::write_command cmd = domain::make_audit(patient_p1(), chat_, domain::action::read, clock_);
      ASSERT_TRUE(store->apply(std::span(&cmd, 1)).at(0).has_value());
    }
    EXPECT_EQ(store->index_audit(10).value(), 3);
    EXPECT_EQ(store->index_audit(10).value(), 0);
    EXPECT_EQ(rows_of_p1(*store), 3u);
  }
  const auto tamper = [&](const std::string& sql) {
    auto search = connection::open(opts_.search_path(), SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(search.has_value());
    ASSERT_TRUE(search->exec("tamper", sql).has_value());
  };
  for (const std::string& damage : {std::string("UPDATE audit_index_state SET upto = 1000"),
                                    std::string("UPDATE audit_index_state SET binding = binding + 1")}) {
    SCOPED_TRACE(damage);
    tamper(damage);
    auto store = open_store();
    EXPECT_EQ(queried_rows_of_p1(), 3u) << "the scan covers what the new index does not";
    EXPECT_EQ(store->index_audit(10).value(), 3) << "started over";
    EXPECT_EQ(queried_rows_of_p1(), 3u);
    EXPECT_EQ(rows_of_p1(*store), 3u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(opts_.search_path() + suffix);
  auto store = open_store();
  EXPECT_EQ(queried_rows_of_p1(), 3u);
  EXPECT_EQ(store->index_audit(2).value(), 2);
  EXPECT_EQ(queried_rows_of_p1(), 3u) << "two through the index, one by the scan";
  EXPECT_EQ(rows_of_p1(*store), 3u) << "after catching up";
  EXPECT_EQ(store->index_audit(2).value(), 0) << "audit_for_patient brought the index up to date";
}

TEST_F(sqlite_store_test, the_read_state_is_set_once_with_its_reader) {
  auto store = open_store();
  domain::write_command cmd = inbound("original");
  ASSERT_TRUE(store->apply(std::span(&cmd, 1)).at(0).has_value());
  auto db = raw();
  // No reader, or no read_at with a reader: refused.
  EXPECT_FALSE(db.exec("half", "UPDATE messages SET read_at = 5").has_value());
  EXPECT_FALSE(db.exec("half", "UPDATE messages SET read_by_type = 'USER', read_by_id = 'u1'").has_value());
  EXPECT_FALSE(
      db.exec("bad type", "UPDATE messages SET read_at = 5, read_by_type = 'BOT', read_by_id = 'b'").has_value());
  ASSERT_TRUE(db.exec("read",
                      "UPDATE messages SET read_at = 5, read_by_type = 'USER', read_by_id = 'u1', "
                      "read_by_name = 'Dana Scully'")
                  .has_value());
  // Once read: no other instant, reader or name, and never unread again.
  EXPECT_FALSE(db.exec("again", "UPDATE messages SET read_at = 6").has_value());
  EXPECT_FALSE(db.exec("again", "UPDATE messages SET read_by_id = 'u2'").has_value());
  EXPECT_FALSE(db.exec("again", "UPDATE messages SET read_by_name = NULL").has_value());
  EXPECT_FALSE(db.exec("unread",
                       "UPDATE messages SET read_at = NULL, read_by_type = NULL, read_by_id = NULL, "
                       "read_by_name = NULL")
                   .has_value());
  EXPECT_TRUE(db.exec("same", "UPDATE messages SET read_at = 5").has_value());  // unchanged is no change
  EXPECT_TRUE(db.exec("archive", "UPDATE messages SET archived = 1").has_value());
  EXPECT_EQ(scalar(db, "SELECT read_at FROM messages"), 5);
  EXPECT_FALSE(db.exec("edit", "UPDATE messages SET body = 'edited'").has_value());
}

TEST_F(sqlite_store_test, the_cli_and_a_server_share_the_file) {
  auto server = open_store();
  auto cli = open_store();  // another process in real life: its own connections
  auto token = domain::issue_token(
                   [] {
                     domain::principal p;
                     p.role = domain::role::client;
                     p.tenant = "gh";
                     p.instance = "sb-demo";
                     return p;
                   }(),
                   rng_, clock_)
                   .value();
  ASSERT_TRUE(cli->insert_token(token.record).has_value());
  auto reader = server->open_reader();
  EXPECT_TRUE(reader->token_by_hash(token.record.hash).value().has_value());

  domain::write_command cmd = inbound("hi");
  ASSERT_TRUE(server->apply(std::span(&cmd, 1)).at(0).has_value());
  EXPECT_EQ(cli->audit_for_patient("p1").value().size(), 1u);
  EXPECT_EQ(server->secret("k", 32).value(), cli->secret("k", 32).value());
  EXPECT_TRUE(cli->revoke_token(token.record.id, clock_.now_ms()).value());
  EXPECT_TRUE(reader->token_by_hash(token.record.hash).value()->revoked_at.has_value());
}

TEST_F(sqlite_store_test, a_locked_database_fails_the_whole_batch_as_unavailable) {
  auto store = open_store();
  auto other = raw();
  ASSERT_TRUE(other.exec("lock", "BEGIN IMMEDIATE").has_value());
  std::vector<domain::write_command> batch{inbound("a"), inbound("b")};
  auto out = store->apply(batch);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& o : out) {
    ASSERT_FALSE(o.has_value());
    EXPECT_EQ(o.error().code, core::errc::unavailable);
  }
  // Readers are not blocked by the writer's lock, and see only committed data.
  auto reader = store->open_reader();
  auto rows = reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10});
  ASSERT_TRUE(rows.has_value());
  EXPECT_TRUE(rows->empty());
  ASSERT_TRUE(other.exec("unlock", "ROLLBACK").has_value());

  out = store->apply(batch);
  EXPECT_TRUE(out.at(0).has_value() && out.at(1).has_value());
}

TEST_F(sqlite_store_test, a_failed_commit_fails_every_command_and_the_writer_recovers) {
  auto store = open_store();
  {
    // A deferred foreign key is checked only at COMMIT: every audit row now breaks the commit.
    auto db = raw();
    ASSERT_TRUE(db.exec("fault", R"sql(
      CREATE TABLE fault (ref INTEGER REFERENCES chats (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER fault_on_audit AFTER INSERT ON audit_log BEGIN INSERT INTO fault VALUES (-1); END;
    )sql")
                    .has_value());
  }
  std::vector<domain::write_command> batch{inbound("a"), inbound("b")};
  auto out = store->apply(batch);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& o : out) {
    ASSERT_FALSE(o.has_value());
    EXPECT_EQ(o.error().code, core::errc::internal);
    EXPECT_NE(o.error().message.find("tx.commit"), std::string::npos) << o.error().message;
  }
  auto reader = store->open_reader();
  EXPECT_TRUE(reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10}).value().empty());

  {
    auto db = raw();
    ASSERT_TRUE(db.exec("unfault", "DROP TRIGGER fault_on_audit").has_value());
  }
  out = store->apply(batch);  // the failed transaction was rolled back, not left open
  EXPECT_TRUE(out.at(0).has_value() && out.at(1).has_value());
  EXPECT_EQ(reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10}).value().size(), 2u);
}

TEST_F(sqlite_store_test, an_uncommitted_write_is_invisible_to_readers) {
  auto store = open_store();
  auto reader = store->open_reader();
  auto other = raw();
  ASSERT_TRUE(other.exec("begin", "BEGIN IMMEDIATE").has_value());
  ASSERT_TRUE(
      other.exec("insert", "INSERT INTO chats (tenant, instance, patient) VALUES ('gh', 'sb-demo', 'p1')").has_value());
  ASSERT_TRUE(other
                  .exec("insert",
                        "INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, body, "
                        "created_at) VALUES (1, 'IMx', 0, 'PATIENT', 'p1', 'draft', 1)")
                  .has_value());
  EXPECT_TRUE(reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10}).value().empty());
  ASSERT_TRUE(other.exec("commit", "COMMIT").has_value());
  EXPECT_EQ(reader->messages(domain::page_query{chat_, true, {}, domain::direction::older, 10}).value().size(), 1u);
}

TEST_F(sqlite_store_test, readers_are_query_only) {
  open_store().reset();
  auto db = store::sqlite::open_read_connection(opts_);
  ASSERT_TRUE(db.has_value());
  EXPECT_FALSE(db->exec("write", "INSERT INTO server_secrets (name, value) VALUES ('x', x'00')").has_value());
}

// A v2 file upgrades to v3 (and on to the latest) in place: tokens and outbox rows survive the table
// rebuilds, the new role admin is accepted, and old pending outbox rows keep their ids and state
// (v4's direction column is NULL on them: they are message events).
TEST_F(sqlite_store_test, a_v2_database_upgrades_to_v3_in_place) {
  {
    auto db = raw();
    ASSERT_EQ(store::sqlite::migrate(db, 2).value(), 2);
    ASSERT_TRUE(db.exec("v2 data", R"sql(
      INSERT INTO chats (id, tenant, instance, patient) VALUES (1, 'gh', 'sb-demo', 'p1');
      INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, sender_name, receiver_type,
                            receiver_id, body, created_at)
        VALUES (1, 'IM00000000000000000000000000000003', 1, 'USER', 'u1', 'Dana Scully', 'PATIENT', 'p1', 'hi', 30);
      INSERT INTO webhook_outbox (id, event_id, event_type, chat_id, message_seq, created_at)
        VALUES (7, 'evt_00000000000000000000000000000003', 'message.outbound', 1, 1, 30);
      INSERT INTO tokens (id, hash, tenant, instance, role, user_id, display_name, created_at)
        VALUES ('tk_old', zeroblob(32), 'gh', 'sb-demo', 'user', 'u1', 'Dana Scully', 5);
    )sql"));
    EXPECT_FALSE(db.exec("admin refused before v3",
                         "INSERT INTO tokens (id, hash, tenant, instance, role, created_at) "
                         "VALUES ('tk_a', x'01', 'gh', 'sb-demo', 'admin', 6)"));
  }
  auto st = open_store();
  ASSERT_TRUE(st);
  auto db = raw();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), store::sqlite::latest_schema_version());
  auto tokens = st->list_tokens();
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].id, "tk_old");
  EXPECT_TRUE(db.exec("admin accepted", "INSERT INTO tokens (id, hash, tenant, instance, role, created_at) "
                                        "VALUES ('tk_a', x'01', 'gh', 'sb-demo', 'admin', 6)"));
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM webhook_outbox WHERE id = 7 AND state = 'pending' AND next_attempt_at = 30 "
                       "AND direction IS NULL"),
            1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM webhook_endpoints"), 0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check()"), 0);
}

}  // namespace
}  // namespace carechat::test

// v11 (the audit chain): rows written before it stay unlinked and are counted apart; each chain
// begins at the genesis with the first row written after it; a legacy-looking row written after
// the chain began is reported.
namespace carechat::test {
namespace {

TEST_F(sqlite_store_test, a_v10_audit_trail_upgrades_to_chains_that_begin_after_it) {
  {
    auto db = raw();
    ASSERT_EQ(store::sqlite::migrate(db, 10).value(), 10);
    ASSERT_TRUE(db.exec("v10 audit rows", R"sql(
      INSERT INTO audit_log (at, token_id, role, actor_id, action, tenant, instance, patient, outcome)
        VALUES (1, 'tk_a', 'user', 'u1', 'read', 'gh', 'sb-demo', 'p1', 'ok'),
               (2, 'tk_a', 'user', 'u1', 'read', 'gh', 'sb-demo', 'p1', 'ok');
    )sql"));
  }
  auto st = open_store();
  ASSERT_TRUE(st);
  domain::audit_entry e{3, "tk_a", domain::role::user, "u1", "read", chat_, "ok"};
  const std::vector<domain::write_command> batch{e, e};
  for (const auto& o : st->apply(batch)) EXPECT_TRUE(o.has_value());
  std::vector<domain::audit_chain_report> reports;
  ASSERT_TRUE(domain::verify_audit_chains(*st, {}, [&](const auto& r) { reports.push_back(r); }));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].broken);
  EXPECT_EQ(reports[0].rows, 2);
  EXPECT_EQ(reports[0].unchained, 2);
  auto first = st->audit_chain_page({"gh", "sb-demo", 0}, 1);
  ASSERT_TRUE(first && first->size() == 1u);
  EXPECT_EQ((*first)[0].id, 3) << "after the two older rows";
  EXPECT_EQ((*first)[0].link->prev_hash, domain::audit_genesis);

  // A row without a link, written after the chain began (an old build still running):
  // reported, with its id.
  auto db = raw();
  ASSERT_TRUE(db.exec("late unlinked row",
                      "INSERT INTO audit_log (at, token_id, role, actor_id, action, tenant, instance, patient, "
                      "outcome) VALUES (4, 'tk_a', 'user', 'u1', 'read', 'gh', 'sb-demo', 'p1', 'ok')"));
  reports.clear();
  ASSERT_TRUE(domain::verify_audit_chains(*st, {}, [&](const auto& r) { reports.push_back(r); }));
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_TRUE(reports[0].broken);
  EXPECT_EQ(reports[0].broken_row_id, 5);
  EXPECT_NE(reports[0].broken->find("no link"), std::string::npos) << *reports[0].broken;
}

}  // namespace
}  // namespace carechat::test
