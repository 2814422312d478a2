// /metrics on its own listener (--metrics-listen / CARECHAT_METRICS_LISTEN): scraped with curl (a
// real HTTP client), checked with Prometheus' own parser (`promtool check metrics`), and the
// counters move by exactly what the requests did. Malformed scrapes get a clean 4xx. Off by
// default.
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

// Runs a shell command, returns its exit status and stdout.
std::pair<int, std::string> shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, out};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Sample lines ("name{labels} value") by their name-and-labels text.
std::map<std::string, double> samples(const std::string& exposition) {
  std::map<std::string, double> out;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double value(const std::map<std::string, double>& s, const std::string& series) {
  auto it = s.find(series);
  return it == s.end() ? 0.0 : it->second;
}

class metrics_test : public chat_server_test {
 protected:
  void SetUp() override {
    chat_server_test::SetUp();
    restart({{"CARECHAT_METRICS_LISTEN", "127.0.0.1:0"}});
    // The server prints the metrics address right after the listening line.
    const std::regex line_re(R"(carechat metrics on http://127\.0\.0\.1:(\d+)/metrics)");
    for (int i = 0; i < 100 && metrics_port_ == 0; ++i) {
      std::smatch m;
      const std::string log = server_->log();
      if (std::regex_search(log, m, line_re)) metrics_port_ = static_cast<unsigned short>(std::stoi(m[1]));
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(metrics_port_, 0) << server_->log();
  }

  // GET /metrics with curl; fails the test unless 200 with the 0.0.4 content type.
  std::string scrape() {
    const std::string headers = (dir_.path() / "headers.txt").string();
    auto [rc, body] = shell("curl -sS --max-time 10 -D " + headers + " http://127.0.0.1:" +
                            std::to_string(metrics_port_) + "/metrics");
    EXPECT_EQ(rc, 0);
    std::ifstream h(headers);
    const std::string head((std::istreambuf_iterator<char>(h)), std::istreambuf_iterator<char>());
    EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
    EXPECT_NE(head.find("text/plain; version=0.0.4"), std::string::npos) << head;
    return body;
  }

  // promtool's verdict on an exposition (exit 0: parsed and no lint problems).
  std::pair<int, std::string> promtool(const std::string& exposition) {
    const auto file = dir_.path() / "scrape.txt";
    std::ofstream(file) << exposition;
    return shell("promtool check metrics < " + file.string() + " 2>&1");
  }

  unsigned short metrics_port_ = 0;
};

const std::string inbound_route = R"(route="/{tenant}/{instance}/patient/{patientId}/chat/inbound")";
const std::string list_route = R"(route="/{tenant}/{instance}/patient/{patientId}/chat")";

TEST_F(metrics_test, counters_move_by_what_the_requests_did_and_promtool_accepts_the_scrape) {
  const auto before = samples(scrape());
  ASSERT_EQ(http_->get("/no/such/route", user_).status, 404u);
  ASSERT_EQ(send_inbound("SECRET-metrics-text").status, 200u);
  ASSERT_EQ(http_->get(chat_path(), user_).status, 200u);
  ASSERT_EQ(http_->get(chat_path(), user_).status, 200u);
  const std::string text = scrape();
  const auto after = samples(text);

  const auto moved = [&](const std::string& series) { return value(after, series) - value(before, series); };
  EXPECT_EQ(moved(R"(carechat_http_requests_total{route="unmatched",code="404"})"), 1.0) << text;
  EXPECT_EQ(moved("carechat_http_requests_total{" + inbound_route + R"(,code="200"})"), 1.0) << text;
  EXPECT_EQ(moved("carechat_http_requests_total{" + list_route + R"(,code="200"})"), 2.0) << text;
  EXPECT_EQ(moved("carechat_http_request_duration_seconds_count{" + list_route + "}"), 2.0) << text;
  EXPECT_EQ(moved("carechat_http_request_duration_seconds_bucket{" + list_route + R"(,le="+Inf"})"), 2.0) << text;
  // The send committed at least one batch, and the commit latency was measured with it.
  EXPECT_GE(moved("carechat_store_commit_batch_size_count"), 1.0) << text;
  EXPECT_GE(moved("carechat_store_commit_duration_seconds_count"), 1.0) << text;
  // Three authenticated requests: the send and the first read find their tokens uncached (a miss
  // on the I/O thread, another on the pool before the store read), the second read hits.
  EXPECT_EQ(moved(R"(carechat_token_cache_lookups_total{result="hit"})"), 1.0) << text;
  EXPECT_EQ(moved(R"(carechat_token_cache_lookups_total{result="miss"})"), 4.0) << text;
  EXPECT_EQ(value(after, "carechat_websocket_connections"), 0.0);
  EXPECT_GE(value(after, "carechat_http_connections"), 1.0);  // the test's own keep-alive connection
  EXPECT_TRUE(after.count("carechat_webhook_outbox_pending")) << text;
  EXPECT_TRUE(after.count("carechat_store_write_queue_depth")) << text;
  EXPECT_TRUE(after.count("carechat_store_readers_in_use")) << text;
  if (database_.postgres()) {
    EXPECT_TRUE(after.count(R"(carechat_db_pool_connections{state="in_use"})")) << text;
    EXPECT_GE(value(after, "carechat_db_pool_max_connections"), 1.0) << text;
  }
  // Route templates only: no patient id, no message text anywhere in a scrape.
  EXPECT_EQ(text.find(patient), std::string::npos);
  EXPECT_EQ(text.find("SECRET"), std::string::npos);

  const auto [rc, verdict] = promtool(text);
  EXPECT_EQ(rc, 0) << verdict;
}

TEST_F(metrics_test, promtool_catches_a_broken_exposition) {
  // The check above can fail: promtool refuses a counter without _total and a malformed line.
  const auto [rc, verdict] = promtool("# TYPE carechat_broken counter\ncarechat_broken{x=\"1\" 1\n");
  EXPECT_NE(rc, 0) << verdict;
}

TEST_F(metrics_test, malformed_scrapes_get_a_clean_4xx) {
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405u);
    EXPECT_EQ(r->headers["allow"], "GET, HEAD");
  }
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("GET /gh/sb-demo/patient/x/chat HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404u);
  }
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Huge: " + std::string(16 * 1024, 'a') + "\r\n\r\n"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431u);
  }
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413u);
  }
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
  }
  {
    raw_connection c(metrics_port_);
    ASSERT_TRUE(c.send("GET /metrics HTTP/3.0\r\nHost: x\r\n\r\n"));
    auto r = c.read_response(std::chrono::seconds(5));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 505u);
  }
  // None of it hurt the listener.
  const auto text = scrape();
  EXPECT_NE(text.find("carechat_http_requests_total"), std::string::npos);
}

TEST_F(chat_server_test, metrics_are_off_by_default) {
  EXPECT_EQ(server_->log().find("carechat metrics on"), std::string::npos) << server_->log();
}

}  // namespace
}  // namespace carechat::testing
