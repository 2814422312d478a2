// The tamper-evident audit trail (issue #16): `carechat audit verify` finds every chain intact
// after real traffic, names the row an attacker with database access edited or deleted (after
// dropping the append-only trigger), and stays intact with two servers appending at once;
// `carechat audit export` writes every row of a time range as CSV or NDJSON that parses back.
// Runs on SQLite and (postgres.*) PostgreSQL; the rows are changed directly in the database.
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/crypto.hpp"
#include "core/time_format.hpp"
#include "domain/audit_chain.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

class audit_chain_test : public chat_server_test {
 protected:
  // Some traffic in two chains: gh/sb-demo (sends, reads, a refusal) and other-tenant/sb-demo.
  void make_activity(int rounds = 5) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_EQ(send_inbound("hello " + std::to_string(i)).status, 200u);
      ASSERT_EQ(send_outbound("answer " + std::to_string(i)).status, 200u);
      ASSERT_EQ(get(chat_path(), patient_).status, 200u);
      ASSERT_EQ(get(chat_path(), other_patient_).status, 403u);
      ASSERT_EQ(get(chat_path("p-9", "other-tenant", instance), foreign_user_).status, 200u);
    }
  }
  // Stops the server: its writer drains, so every audit row is committed.
  void stop_server() {
    http_.reset();
    server_.reset();
  }

  std::string db_scalar(const std::string& sql) {
    if (database_.postgres()) return database_.schema().scalar(sql);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }
  std::int64_t db_count(const std::string& where = "1 = 1") {
    return std::stoll(db_scalar("SELECT count(*) FROM audit_log WHERE " + where));
  }
  std::string hex_of(const std::string& column) {
    return database_.postgres() ? "encode(" + column + ", 'hex')" : "lower(hex(" + column + "))";
  }
  // The id of row `seq` of the gh/sb-demo chain.
  std::string row_id(int seq) {
    return db_scalar("SELECT id FROM audit_log WHERE tenant = 'gh' AND instance = 'sb-demo' AND chain_seq = " +
                     std::to_string(seq));
  }
  void drop_append_only_triggers() {
    if (database_.postgres())
      db_exec("DROP TRIGGER audit_log_append_only ON audit_log");
    else
      db_exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
  }
  cli_result verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"audit", "verify", "--db", db_};
    a.insert(a.end(), extra.begin(), extra.end());
    return run_cli(a);
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// RFC 4180: records end in CRLF; a quoted field may hold commas, doubled quotes, CR and LF.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      EXPECT_FALSE(was_quoted) << "a character after a quoted field's closing quote, at " << i;
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "the last record ends in CRLF";
  return rows;
}

TEST_F(audit_chain_test, verify_reports_every_chain_intact_with_its_head) {
  make_activity();
  stop_server();
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto gh_rows = db_count("tenant = 'gh' AND instance = 'sb-demo'");
  const auto other_rows = db_count("tenant = 'other-tenant'");
  EXPECT_GE(gh_rows, 20);
  EXPECT_EQ(other_rows, 5);
  const std::string gh_head = db_scalar("SELECT " + hex_of("head") +
                                        " FROM audit_chain_heads WHERE tenant = 'gh' AND instance = 'sb-demo'");
  ASSERT_EQ(gh_head.size(), 64u);
  EXPECT_EQ(gh_head, db_scalar("SELECT " + hex_of("row_hash") +
                               " FROM audit_log WHERE tenant = 'gh' AND chain_seq = " + std::to_string(gh_rows)));
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "OK tenant=gh instance=sb-demo rows=" + std::to_string(gh_rows) +
                          " head_seq=" + std::to_string(gh_rows) + " head=" + gh_head);
  EXPECT_EQ(lines[1].rfind("OK tenant=other-tenant instance=sb-demo rows=5 head_seq=5 head=", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "OK: 2 chain(s), " + std::to_string(gh_rows + other_rows) + " linked row(s) verified");

  // One chain only.
  const auto one = verify({"--tenant", "other-tenant", "--instance", "sb-demo"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(lines_of(one.out).size(), 2u) << one.out;
  EXPECT_EQ(lines_of(one.out)[0], lines[1]);
  // A tenant whose chains are empty: nothing to verify, and no error.
  const auto none = verify({"--tenant", "nobody"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "OK: 0 chain(s), 0 linked row(s) verified\n");
  // --instance alone is a usage error.
  const auto bad = verify({"--instance", "sb-demo"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--instance needs --tenant"), std::string::npos) << bad.err;
}

TEST_F(audit_chain_test, verify_names_an_edited_row) {
  make_activity();
  stop_server();
  const std::string id = row_id(4);
  ASSERT_FALSE(id.empty());
  drop_append_only_triggers();
  // A refusal made to look like an allowed read, and the other way round.
  db_exec("UPDATE audit_log SET outcome = CASE WHEN outcome = 'ok' THEN 'forbidden' ELSE 'ok' END WHERE id = " + id);
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].rfind("BROKEN tenant=gh instance=sb-demo row_id=" + id + " rows_ok=3: row_hash differs", 0), 0u)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("OK tenant=other-tenant", 0), 0u) << "the other chain is intact: " << lines[1];
  EXPECT_EQ(lines[2], "BROKEN: 1 of 2 chain(s)");

  // The attacker also recomputes the row's own hash (the encoding is public): the row now checks
  // out by itself, but the next row's link still names it.
  const auto exported = run_cli({"audit", "export", "--db", db_, "--since", "2000-01-01", "--until", "2999-01-01",
                                 "--format", "ndjson", "--tenant", "gh"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::optional<boost::json::object> row;
  for (const auto& line : lines_of(exported.out)) {
    auto o = boost::json::parse(line).as_object();
    if (std::to_string(o.at("id").as_int64()) == id) row = o;
  }
  ASSERT_TRUE(row);
  domain::audit_entry e;
  e.at = *core::parse_iso8601(std::string(row->at("at").as_string()));
  e.token_id = str(row->at("token_id"));
  e.actor_role = *domain::role_from_string(str(row->at("role")));
  e.actor_id = str(row->at("actor_id"));
  e.action = str(row->at("action"));
  e.chat = domain::chat_key{str(row->at("tenant")), str(row->at("instance")), str(row->at("patient"))};
  e.outcome = str(row->at("outcome"));
  if (!row->at("request_id").is_null()) e.request_id = str(row->at("request_id"));  // hashed when present
  const std::string prev = str(row->at("prev_hash"));
  ASSERT_EQ(prev.size(), 64u);
  core::sha256_digest prev_hash{};
  for (std::size_t i = 0; i < prev_hash.size(); ++i)
    prev_hash[i] = static_cast<std::uint8_t>(std::stoi(prev.substr(2 * i, 2), nullptr, 16));
  const std::string rehashed = core::to_hex(domain::audit_row_hash(prev_hash, row->at("chain_seq").as_int64(), e));
  db_exec("UPDATE audit_log SET row_hash = " +
          (database_.postgres() ? "'\\x" + rehashed + "'::bytea" : "X'" + rehashed + "'") + " WHERE id = " + id);
  const auto again = verify({"--tenant", "gh"});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_EQ(lines_of(again.out).at(0).rfind("BROKEN tenant=gh instance=sb-demo row_id=" + row_id(5) + " rows_ok=4: prev_hash ", 0), 0u)
      << again.out;
  EXPECT_NE(again.out.find("the row before (row id " + id + ": " + rehashed + ")"), std::string::npos) << again.out;
}

TEST_F(audit_chain_test, verify_names_the_gap_a_deleted_row_leaves) {
  make_activity();
  stop_server();
  const std::string deleted = row_id(6), next = row_id(7);
  ASSERT_FALSE(deleted.empty());
  drop_append_only_triggers();
  db_exec("DELETE FROM audit_log WHERE id = " + deleted);
  const auto r = verify({"--tenant", "gh", "--instance", "sb-demo"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), "BROKEN tenant=gh instance=sb-demo row_id=" + next +
                                       " rows_ok=5: seq 7 where 6 was expected: 1 row(s) missing before row id " +
                                       next + " (after row id " + row_id(5) + ")");

  // Cutting the chain's last rows leaves no gap, but the stored head still names them.
  const auto last = db_count("tenant = 'other-tenant'");
  db_exec("DELETE FROM audit_log WHERE tenant = 'other-tenant' AND chain_seq = " + std::to_string(last));
  const auto tail = verify({"--tenant", "other-tenant"});
  EXPECT_EQ(tail.exit_code, 3) << tail.out;
  EXPECT_NE(tail.out.find("1 row(s) missing at the end"), std::string::npos) << tail.out;
}

TEST_F(audit_chain_test, export_writes_every_row_of_the_range_as_csv_and_ndjson) {
  make_activity();
  stop_server();
  const auto total = db_count();
  const std::string all_since = "2000-01-01T00:00:00Z", all_until = "2999-01-01T00:00:00Z";

  const auto csv_file = dir_.path() / "audit.csv";
  auto r = run_cli({"audit", "export", "--db", db_, "--since", all_since, "--until", all_until, "--out",
                    csv_file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(std::filesystem::exists(csv_file.string() + ".partial"));
  std::ifstream in(csv_file, std::ios::binary);
  const std::string csv((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto rows = parse_csv(csv);
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), total + 1) << "a header and every row";
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "at", "token_id", "role", "actor_id", "action", "tenant",
                                               "instance", "patient", "outcome", "request_id", "chain_seq",
                                               "prev_hash", "row_hash"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 14u);
    EXPECT_TRUE(std::regex_match(rows[i][1], created_at_re)) << rows[i][1];
    EXPECT_EQ(rows[i][12].size(), 64u);
    EXPECT_EQ(rows[i][13], db_scalar("SELECT " + hex_of("row_hash") + " FROM audit_log WHERE id = " + rows[i][0]));
  }

  // A middle range, NDJSON on stdout: since <= at < until, the same count as the database's.
  const std::int64_t since_ms = std::stoll(db_scalar("SELECT at FROM audit_log WHERE id = " + row_id(5)));
  const std::int64_t until_ms = std::stoll(db_scalar("SELECT at FROM audit_log WHERE id = " + row_id(15)));
  ASSERT_LT(since_ms, until_ms);
  const std::string since = core::format_iso8601_ms(since_ms), until = core::format_iso8601_ms(until_ms);
  r = run_cli({"audit", "export", "--db", db_, "--since", since, "--until", until, "--format", "ndjson"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  EXPECT_EQ(static_cast<std::int64_t>(lines.size()),
            db_count("at >= " + std::to_string(since_ms) + " AND at < " + std::to_string(until_ms)));
  EXPECT_GE(lines.size(), 2u);
  std::int64_t last_id = 0;
  for (const auto& line : lines) {
    const auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.size(), 14u);
    const auto at = core::parse_iso8601(std::string(o.at("at").as_string()));
    ASSERT_TRUE(at);
    EXPECT_GE(*at, since_ms);
    EXPECT_LT(*at, until_ms);
    EXPECT_GT(o.at("id").as_int64(), last_id) << "in id order";
    last_id = o.at("id").as_int64();
  }

  // One tenant only.
  r = run_cli({"audit", "export", "--db", db_, "--since", all_since, "--until", all_until, "--format", "ndjson",
               "--tenant", "other-tenant"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(static_cast<std::int64_t>(lines_of(r.out).size()), db_count("tenant = 'other-tenant'"));
}

TEST_F(audit_chain_test, export_refuses_bad_arguments_and_writes_nothing) {
  stop_server();
  const auto out = dir_.path() / "never.csv";
  const std::vector<std::vector<std::string>> bad = {
      {"--since", "yesterday", "--until", "2999-01-01T00:00:00Z"},
      {"--since", "2026-01-01T00:00:00Z", "--until", "2026-13-01T00:00:00Z"},
      {"--since", "2026-02-01T00:00:00Z", "--until", "2026-01-01T00:00:00Z"},
      {"--since", "2026-01-01T00:00:00Z", "--until", "2026-02-01T00:00:00Z", "--format", "xml"},
      {"--until", "2026-02-01T00:00:00Z"},
      {"--since", "2026-01-01T00:00:00Z", "--until", "2026-02-01T00:00:00Z", "--bogus", "1"},
  };
  for (const auto& extra : bad) {
    std::vector<std::string> a = {"audit", "export", "--db", db_, "--out", out.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    const auto r = run_cli(a);
    EXPECT_EQ(r.exit_code, 2) << extra[1];
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("carechat audit export: "), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
  }
  // An existing file is not overwritten.
  { std::ofstream(out) << "keep"; }
  const auto r = run_cli({"audit", "export", "--db", db_, "--since", "2026-01-01", "--until", "2026-02-01", "--out",
                          out.string()});
  EXPECT_EQ(r.exit_code, 2);
  std::ifstream kept(out);
  std::string content;
  std::getline(kept, content);
  EXPECT_EQ(content, "keep");
}

TEST_F(audit_chain_test, two_servers_appending_at_once_leave_one_linear_chain) {
  if (!database_.postgres()) GTEST_SKIP() << "several servers share a database on PostgreSQL";
  server_process second(db_);
  http_client second_http(second.port());
  constexpr int per_thread = 60;
  std::atomic<int> failures{0};
  auto traffic = [&](http_client& http, const std::string& who) {
    for (int i = 0; i < per_thread; ++i) {
      boost::json::object body{{"message", who + " " + std::to_string(i)}};
      if (http.post_json(chat_path() + "/inbound", patient_, boost::json::serialize(body)).status != 200) ++failures;
      if (http.get(chat_path(), user_).status != 200) ++failures;
    }
  };
  std::thread a([&] { traffic(*http_, "first"); });
  std::thread b([&] { traffic(second_http, "second"); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(second.stop(), 0);
  stop_server();

  const auto rows = db_count("tenant = 'gh' AND instance = 'sb-demo'");
  EXPECT_EQ(rows, 4 * per_thread);
  EXPECT_EQ(db_scalar("SELECT max(chain_seq) FROM audit_log WHERE tenant = 'gh' AND instance = 'sb-demo'"),
            std::to_string(rows));
  const auto r = verify({"--tenant", "gh", "--instance", "sb-demo"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(lines_of(r.out).at(0).rfind("OK tenant=gh instance=sb-demo rows=" + std::to_string(rows) + " ", 0), 0u)
      << r.out;
}

}  // namespace
}  // namespace carechat::testing
