// The server's own HTTPS and WSS (issue #16), end to end against the real binary: curl and openssl
// on the command line, an HTTPS keep-alive connection and a WebSocket client over TLS, and a
// throwaway CA (test_pki). Certificates checked at start, HSTS, the TLS policy as seen from a
// client, and SIGHUP reloading the pair without dropping connections. The transport does not
// depend on the store: these run in the SQLite pass only.
#include <signal.h>

#include <filesystem>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/live_fixture.hpp"
#include "integration/test_pki.hpp"
#include "integration/tls_client.hpp"

namespace carechat::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string hsts = "max-age=63072000";

class tls_test : public ::testing::Test {
 protected:
  temp_dir dir_;
  test_database database_{dir_.path()};
  test_pki pki_;
  std::string db_, patient_, user_;
  // The files the server is given: copies of the test CA's, which a test may replace (a renewal).
  std::string cert_file_, key_file_;
  std::unique_ptr<server_process> server_;

  void SetUp() override {
    if (database_.postgres()) GTEST_SKIP() << "the transport does not depend on the store: runs in the SQLite pass";
    db_ = database_.spec();
    patient_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient", patient});
    user_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user", "u-1", "--name", "Ann"});
    cert_file_ = (dir_.path() / "served.pem").string();
    key_file_ = (dir_.path() / "served.key").string();
    serve_files(pki_.server().cert_chain_file, pki_.server().key_file);
  }

  void serve_files(const std::string& cert, const std::string& key) {
    fs::copy_file(cert, cert_file_, fs::copy_options::overwrite_existing);
    fs::copy_file(key, key_file_, fs::copy_options::overwrite_existing);
  }

  void start_tls() {
    server_ = std::make_unique<server_process>(
        db_, std::map<std::string, std::string>{{"CARECHAT_TLS_CERT", cert_file_}, {"CARECHAT_TLS_KEY", key_file_}});
  }

  std::string base() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  // curl with the test CA; -i puts the answer's head before its body.
  shell_result curl(const std::string& args) {
    return run_shell("curl -sS -i --max-time 10 --cacert '" + pki_.ca_file() + "' " + args);
  }

  // The subject of the certificate a new connection is shown, as openssl s_client prints it.
  std::string subject_seen_by_s_client() {
    auto r = run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) + " -CAfile '" +
                       pki_.ca_file() + "' </dev/null 2>/dev/null | openssl x509 -noout -subject");
    return r.output;
  }

  static std::string header(const std::string& curl_output, const std::string& lower_name) {
    std::string lower = curl_output;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\n" + lower_name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + lower_name.size() + 3;
    return curl_output.substr(start, curl_output.find('\r', start) - start);
  }
};

TEST_F(tls_test, curl_gets_healthz_and_the_api_over_https_and_every_answer_carries_hsts) {
  start_tls();
  auto health = curl(base() + "/healthz");
  ASSERT_EQ(health.exit_code, 0) << health.output;
  EXPECT_EQ(health.output.rfind("HTTP/1.1 200", 0), 0u) << health.output;
  EXPECT_EQ(header(health.output, "strict-transport-security"), hsts) << health.output;

  const std::string send =
      curl("-X POST -H 'Authorization: Bearer " + patient_ +
           "' -H 'Content-Type: application/json' -d '{\"message\":\"over tls\"}' " + base() + chat_path() + "/inbound")
          .output;
  EXPECT_EQ(send.rfind("HTTP/1.1 200", 0), 0u) << send;
  EXPECT_EQ(header(send, "strict-transport-security"), hsts) << send;
  const std::string page = curl("-H 'Authorization: Bearer " + user_ + "' " + base() + chat_path()).output;
  EXPECT_EQ(page.rfind("HTTP/1.1 200", 0), 0u) << page;
  EXPECT_NE(page.find("over tls"), std::string::npos) << page;
  EXPECT_EQ(header(page, "strict-transport-security"), hsts);

  // Refusals and answers written before routing too, over one keep-alive connection.
  https_connection conn(server_->port(), pki_.ca_file());
  auto unauth = conn.request("GET", chat_path());
  EXPECT_EQ(unauth.status, 401u);
  EXPECT_EQ(unauth.headers["strict-transport-security"], hsts);
  auto missing = conn.request("GET", "/no/such/route");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.headers["strict-transport-security"], hsts);
  auto bad_host = conn.request("GET", "/healthz", {}, {{"Host", "a b"}});
  EXPECT_EQ(bad_host.status, 400u);
  EXPECT_EQ(bad_host.headers["strict-transport-security"], hsts);
}

TEST_F(tls_test, plain_http_to_the_tls_port_gets_no_answer) {
  start_tls();
  auto r = run_shell("curl -sS --max-time 10 http://127.0.0.1:" + std::to_string(server_->port()) + "/healthz");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("HTTP/1.1"), std::string::npos) << r.output;

  raw_connection raw(server_->port());
  raw.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_FALSE(raw.read_response(2s));
  EXPECT_TRUE(raw.closed_by_peer(5s));
  // The server is still fine.
  EXPECT_EQ(curl(base() + "/healthz").exit_code, 0);
}

TEST_F(tls_test, without_tls_there_is_no_hsts) {
  server_ = std::make_unique<server_process>(db_);
  http_client plain(server_->port());
  auto health = plain.request("GET", "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.headers.count("strict-transport-security"), 0u);
  auto unauth = plain.get(chat_path(), "");
  EXPECT_EQ(unauth.status, 401u);
  EXPECT_EQ(unauth.headers.count("strict-transport-security"), 0u);
  ws_client ws(server_->port());
  auto hs = ws.connect(events_path(), user_);
  ASSERT_EQ(hs.status, 101u) << hs.body;
  EXPECT_EQ(hs.headers.count("strict-transport-security"), 0u);
}

TEST_F(tls_test, a_websocket_over_tls_receives_a_live_event) {
  start_tls();
  wss_client ws(server_->port(), pki_.ca_file());
  auto hs = ws.connect(events_path(), user_);
  ASSERT_EQ(hs.status, 101u) << hs.body;
  EXPECT_EQ(hs.subprotocol, "carechat.v1");
  EXPECT_EQ(hs.headers["strict-transport-security"], hsts);
  auto ready = ws.read();
  ASSERT_TRUE(ready);
  EXPECT_EQ(type_of(frame_object(*ready)), "ready");

  https_connection conn(server_->port(), pki_.ca_file());
  auto sent = conn.request("POST", chat_path() + "/inbound", R"({"message":"live over tls"})",
                           {{"Authorization", "Bearer " + patient_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(sent.status, 200u) << sent.body;
  auto ev = ws.read();
  ASSERT_TRUE(ev);
  const auto e = frame_object(*ev);
  EXPECT_EQ(type_of(e), "message.created");
  EXPECT_EQ(str(e.at("message").at("message")), "live over tls");
}

TEST_F(tls_test, an_attachment_uploads_and_downloads_over_tls) {
  start_tls();
  // Larger than a TLS record (16 KiB) and than one read step of the upload (512 KiB).
  std::string text = "a note over tls\n";
  while (text.size() < 600'000) text += "line " + std::to_string(text.size()) + "\n";
  https_connection conn(server_->port(), pki_.ca_file());
  auto up = conn.request("POST", chat_path() + "/attachments", text,
                         {{"Authorization", "Bearer " + patient_},
                          {"Content-Type", "text/plain"},
                          {"Content-Disposition", "attachment; filename=note.txt"}});
  ASSERT_EQ(up.status, 201u) << up.body;
  EXPECT_EQ(up.headers["strict-transport-security"], hsts);
  const std::string id = str(json_of(up).at("id"));
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + patient_}};
  auto down = conn.request("GET", chat_path() + "/attachments/" + id, {}, auth);
  ASSERT_EQ(down.status, 200u) << down.body;
  EXPECT_EQ(down.body, text);
  EXPECT_EQ(down.headers["strict-transport-security"], hsts);
  auto part = conn.request("GET", chat_path() + "/attachments/" + id, {},
                           {{"Authorization", "Bearer " + patient_}, {"Range", "bytes=0-15"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, "a note over tls\n");
  EXPECT_EQ(part.headers["strict-transport-security"], hsts);
  auto unsatisfiable = conn.request("GET", chat_path() + "/attachments/" + id, {},
                                    {{"Authorization", "Bearer " + patient_}, {"Range", "bytes=9999999-"}});
  EXPECT_EQ(unsatisfiable.status, 416u);
  EXPECT_EQ(unsatisfiable.headers["strict-transport-security"], hsts);
}

TEST_F(tls_test, serve_refuses_a_bad_certificate_or_key_at_start_naming_the_file) {
  const auto serve = [&](const std::vector<std::string>& extra, const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args = {"serve", "--db", db_, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, env);
  };
  const std::string key = pki_.server().key_file;
  const std::string key_text = [&] {
    std::ifstream in(key);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  const std::string key_line = key_text.substr(key_text.find('\n') + 1, 40);  // some of the key's base64

  struct refusal {
    std::vector<std::string> flags;
    std::string file, says;
  };
  const std::string missing = (dir_.path() / "missing.pem").string();
  const std::vector<refusal> cases = {
      {{"--tls-cert", pki_.expired_cert(), "--tls-key", key}, pki_.expired_cert(), "has expired"},
      {{"--tls-cert", pki_.future_cert(), "--tls-key", key}, pki_.future_cert(), "not valid yet"},
      {{"--tls-cert", pki_.server().cert_chain_file, "--tls-key", pki_.renewed().key_file},
       pki_.renewed().key_file,
       "does not match"},
      {{"--tls-cert", missing, "--tls-key", key}, missing, "cannot be read"},
      {{"--tls-cert", pki_.server().cert_chain_file, "--tls-key", missing}, missing, "cannot be read"},
      {{"--tls-cert", key, "--tls-key", key}, key, "holds no PEM certificate"},
      {{"--tls-cert", pki_.server().cert_chain_file, "--tls-key", pki_.ca_file()},
       pki_.ca_file(),
       "holds no PEM private key"},
  };
  for (const auto& c : cases) {
    auto r = serve(c.flags);
    EXPECT_EQ(r.exit_code, 1) << c.says << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.file + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(key_line), std::string::npos) << "the key was printed";
    EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;
  }
  // One of the two: a configuration error, through the flag or the environment alike.
  auto half = serve({"--tls-cert", pki_.server().cert_chain_file});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("tls_key (--tls-key, CARECHAT_TLS_KEY) is missing"), std::string::npos) << half.err;
  half = serve({}, {{"CARECHAT_TLS_KEY", key}});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("tls_cert (--tls-cert, CARECHAT_TLS_CERT) is missing"), std::string::npos) << half.err;
}

TEST_F(tls_test, sighup_serves_a_renewed_certificate_to_new_connections_and_keeps_open_ones) {
  start_tls();
  https_connection old(server_->port(), pki_.ca_file());
  ASSERT_EQ(old.request("GET", "/healthz").status, 200u);
  const auto first = old.certificate();
  wss_client live(server_->port(), pki_.ca_file());
  ASSERT_EQ(live.connect(events_path(), user_).status, 101u);
  ASSERT_TRUE(live.read());  // ready
  EXPECT_EQ(first.subject, "CN=127.0.0.1");
  EXPECT_NE(subject_seen_by_s_client().find("CN = 127.0.0.1"), std::string::npos);

  serve_files(pki_.renewed().cert_chain_file, pki_.renewed().key_file);
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->log_says("certificate reloaded")) << server_->log();
  EXPECT_NE(server_->log().find("CN=carechat renewed"), std::string::npos) << server_->log();

  https_connection fresh(server_->port(), pki_.ca_file());
  EXPECT_EQ(fresh.certificate().subject, "CN=carechat renewed");
  EXPECT_NE(fresh.certificate().serial, first.serial);
  EXPECT_EQ(fresh.request("GET", "/healthz").status, 200u);
  EXPECT_NE(subject_seen_by_s_client().find("CN = carechat renewed"), std::string::npos);
  // The connection opened before goes on, with the certificate it was shown.
  auto again = old.request("GET", chat_path(), {}, {{"Authorization", "Bearer " + user_}});
  EXPECT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(old.certificate().serial, first.serial);
  // So does the live connection.
  auto sent = fresh.request("POST", chat_path() + "/inbound", R"({"message":"after renewal"})",
                            {{"Authorization", "Bearer " + patient_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(sent.status, 200u) << sent.body;
  auto ev = live.read();
  ASSERT_TRUE(ev);
  EXPECT_EQ(str(frame_object(*ev).at("message").at("message")), "after renewal");
  EXPECT_TRUE(server_->alive());
}

TEST_F(tls_test, sighup_with_a_bad_replacement_keeps_the_certificate_in_use) {
  start_tls();
  https_connection before(server_->port(), pki_.ca_file());
  ASSERT_EQ(before.request("GET", "/healthz").status, 200u);
  const auto served = before.certificate();

  // An expired certificate (for the same key), then a renewed certificate with the old key.
  fs::copy_file(pki_.expired_cert(), cert_file_, fs::copy_options::overwrite_existing);
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->log_says("has expired")) << server_->log();
  EXPECT_NE(server_->log().find("certificate not reloaded, still serving the previous one"), std::string::npos);
  EXPECT_EQ(https_connection(server_->port(), pki_.ca_file()).certificate().serial, served.serial);

  fs::copy_file(pki_.renewed().cert_chain_file, cert_file_, fs::copy_options::overwrite_existing);
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->log_says("does not match")) << server_->log();
  https_connection after(server_->port(), pki_.ca_file());
  EXPECT_EQ(after.certificate().serial, served.serial);
  EXPECT_EQ(after.request("GET", "/healthz").status, 200u);
  EXPECT_EQ(before.request("GET", "/healthz").status, 200u);
  EXPECT_EQ(server_->log().find("certificate reloaded"), std::string::npos) << server_->log();
}

TEST_F(tls_test, tls_1_1_is_refused_and_1_2_offers_only_forward_secret_aead_ciphers) {
  start_tls();
  // The system's openssl.cnf may forbid TLS 1.1 on the client side already: without it, and at
  // security level 0, the client offers TLS 1.1 and the refusal can only be the server's.
  const std::string s_client =
      "OPENSSL_CONF=/dev/null openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) + " -CAfile '" +
      pki_.ca_file() + "' ";
  auto old = run_shell(s_client + "-tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null");
  EXPECT_NE(old.output.find("alert protocol version"), std::string::npos) << old.output;
  EXPECT_NE(old.output.find("Cipher is (NONE)"), std::string::npos) << old.output;

  auto v12 = run_shell(s_client + "-tls1_2 </dev/null");
  EXPECT_NE(v12.output.find("New, TLSv1.2, Cipher is ECDHE-"), std::string::npos) << v12.output;
  EXPECT_NE(v12.output.find("Verify return code: 0 (ok)"), std::string::npos) << v12.output;
  // A client that offers only CBC or non-forward-secret suites finds nothing in common.
  auto cbc = run_shell(s_client + "-tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:AES128-GCM-SHA256' </dev/null");
  EXPECT_NE(cbc.output.find("Cipher is (NONE)"), std::string::npos) << cbc.output;
  EXPECT_NE(cbc.output.find("alert handshake failure"), std::string::npos) << cbc.output;

  auto v13 = run_shell(s_client + "-tls1_3 </dev/null");
  EXPECT_NE(v13.output.find("New, TLSv1.3, Cipher is TLS_"), std::string::npos) << v13.output;
}

TEST_F(tls_test, a_client_that_connects_and_says_nothing_is_cut_after_the_handshake_timeout) {
  start_tls();
  raw_connection silent(server_->port());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_by_peer(20s));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 9s);  // the handshake timeout is 10 s
  EXPECT_EQ(curl(base() + "/healthz").exit_code, 0);
}

}  // namespace
}  // namespace carechat::testing
