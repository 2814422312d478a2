// `carechat backup` and `carechat restore` (issue #16) on SQLite: a backup taken while patients
// send keeps every message acknowledged before it started, with its attachments; the restored
// database serves them, and a live client of the old database is told to resync. PostgreSQL
// databases are refused with a pointer to pg_dump.
#include <atomic>
#include <mutex>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {
namespace {

class backup_test : public chat_server_test {};

TEST_F(backup_test, a_backup_under_send_load_keeps_everything_acknowledged_before_it_and_restores) {
  if (database_.postgres()) GTEST_SKIP() << "SQLite's backup; PostgreSQL uses its own tools (tested below)";
  // An attachment, whose bytes must travel with the backup.
  std::string pdf = "%PDF-1.4\n";
  while (pdf.size() < 300'000) pdf += "% a result worth keeping\n";
  auto up = http_->request("POST", chat_path() + "/attachments", pdf,
                           {{"Authorization", "Bearer " + patient_},
                            {"Content-Type", "application/pdf"},
                            {"Content-Disposition", "attachment; filename=\"r.pdf\""}});
  ASSERT_EQ(up.status, 201u) << up.body;
  const std::string attachment = str(json_of(up).at("id"));
  boost::json::object body{{"message", "with a file"}, {"attachmentIds", boost::json::array{attachment}}};
  ASSERT_EQ(http_->post_json(chat_path() + "/inbound", patient_, boost::json::serialize(body)).status, 200u);
  auto first = json_of(http_->get(chat_path() + "?pageSize=1", user_)).as_object();
  const auto old_epoch = first.at("meta").at("epoch").as_int64();
  const auto old_position = first.at("meta").at("position").as_int64();

  // Senders keep going while the backup runs; each records what was acknowledged, and when.
  std::atomic<bool> stop{false};
  std::atomic<bool> backup_started{false};
  std::mutex mutex;
  std::vector<std::string> acked_before;  // acknowledged before the backup started
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t)
    senders.emplace_back([&, t] {
      http_client client(server_->port());
      for (int i = 0; !stop; ++i) {
        const bool before = !backup_started;
        boost::json::object msg{{"message", "load " + std::to_string(t) + "-" + std::to_string(i)}};
        auto r = client.post_json(chat_path() + "/inbound", patient_, boost::json::serialize(msg));
        if (r.status == 200 && before) {
          std::lock_guard lock(mutex);
          acked_before.push_back(str(json_of(r).at("externalId")));
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  backup_started = true;
  const std::string backup = (dir_.path() / "backup.db").string();
  const auto made = run_cli({"backup", "--db", db_, "--to", backup});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (auto& s : senders) s.join();
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("integrity checked"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("1 attachment files"), std::string::npos) << made.out;
  ASSERT_GT(acked_before.size(), 10u) << "the load did not run";
  // A backup never overwrites.
  EXPECT_EQ(run_cli({"backup", "--db", db_, "--to", backup}).exit_code, 2);

  const std::string restored = (dir_.path() / "restored.db").string();
  const auto back = run_cli({"restore", "--from", backup, "--db", restored});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(run_cli({"restore", "--from", backup, "--db", restored}).exit_code, 2);  // not into a database

  server_process server(restored);
  http_client http(server.port());
  std::set<std::string> present;
  std::string target = chat_path() + "?pageSize=200";
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = json_of(http.get(target, user_)).as_object();
    for (auto& m : page.at("content").as_array()) present.insert(str(m.at("externalId")));
    if (page.at("meta").at("nextPageToken").is_null()) break;
    target = chat_path() + "?pageToken=" + url_encode(str(page.at("meta").at("nextPageToken")));
  }
  for (const auto& id : acked_before) EXPECT_TRUE(present.count(id)) << id << " was acknowledged before the backup";
  auto file = http.request("GET", chat_path() + "/attachments/" + attachment, "", {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(file.status, 200u) << file.body;
  EXPECT_EQ(file.body, pdf);

  // A live client of the old database resumes with its epoch: told to resync, never silently behind.
  ws_client live(server.port());
  ASSERT_EQ(live.connect(chat_path() + "/events?after=" + std::to_string(old_position) +
                             "&epoch=" + std::to_string(old_epoch),
                         user_)
                .status,
            101u);
  auto frame = live.read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(boost::json::parse(*frame).at("type").as_string(), "resync_required") << *frame;
}

TEST_F(backup_test, bad_arguments_and_postgresql_are_refused) {
  EXPECT_EQ(run_cli({"backup", "--db", db_}).exit_code, 2);
  EXPECT_EQ(run_cli({"restore", "--from", "x.db"}).exit_code, 2);
  const auto missing = run_cli({"restore", "--from", (dir_.path() / "none.db").string(), "--db",
                                (dir_.path() / "new.db").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "new.db"));
  const auto pg = run_cli({"backup", "--db", "postgresql://u@127.0.0.1:1/x", "--to", (dir_.path() / "b.db").string()});
  EXPECT_EQ(pg.exit_code, 2);
  EXPECT_NE(pg.err.find("pg_dump"), std::string::npos) << pg.err;
}

}  // namespace
}  // namespace carechat::testing
