// The browser app's routes: pages and assets from --web-root with the right headers.
#include <fstream>
#include <sstream>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

class web_routes_test : public chat_server_test {
 protected:
  void SetUp() override {
    web_ = dir_.path() / "web";
    std::filesystem::create_directories(web_ / "assets");
    std::ofstream(web_ / "index.html") << "<!doctype html><title>carechat</title><script src=\"/assets/app.js\"></script>";
    std::ofstream(web_ / "assets" / "app.js") << "console.log('app');";
    std::ofstream(web_ / "assets" / "app.css") << "body{margin:0}";
    std::ofstream(dir_.path() / "secret.txt") << "outside the web root";
    chat_server_test::SetUp();
  }
  void start_with(std::map<std::string, std::string> env) {
    env["CARECHAT_WEB_ROOT"] = web_.string();
    restart(std::move(env));
  }
  std::filesystem::path web_;
};

TEST_F(web_routes_test, pages_and_assets_with_security_headers) {
  start_with({{"CARECHAT_FRAME_ANCESTORS", "https://ehr.example.org, https://ehr2.example.org:8443"}});
  for (const std::string prefix : {"/app", "/portal"}) {
    auto page = http_->request("GET", prefix + "/gh/sb-demo/patient/" + patient);
    ASSERT_EQ(page.status, 200u) << prefix;
    EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<title>carechat</title>"), std::string::npos);
    EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
    const std::string csp = page.headers["content-security-policy"];
    EXPECT_NE(csp.find("frame-ancestors 'self' https://ehr.example.org https://ehr2.example.org:8443"), std::string::npos)
        << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  }
  auto js = http_->request("GET", "/assets/app.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log('app');");
  EXPECT_EQ(js.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(http_->request("GET", "/assets/app.css").headers["content-type"], "text/css; charset=utf-8");
}

// The API's own description, byte for byte the repository's docs/api/openapi.yaml, with no token.
TEST_F(web_routes_test, the_openapi_document_is_served) {
  start_with({});
  std::ifstream in(CARECHAT_SOURCE_DIR "/docs/api/openapi.yaml", std::ios::binary);
  std::stringstream expected;
  expected << in.rdbuf();
  ASSERT_FALSE(expected.str().empty());
  auto doc = http_->request("GET", "/openapi.yaml");
  ASSERT_EQ(doc.status, 200u);
  EXPECT_EQ(doc.headers["content-type"], "application/yaml");
  EXPECT_EQ(doc.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(doc.body, expected.str());
  auto again = http_->request("GET", "/openapi.yaml", "", {{"If-None-Match", doc.headers["etag"]}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  auto post = http_->request("POST", "/openapi.yaml", "{}");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
  EXPECT_EQ(http_->request("GET", "/openapi.yaml/x").status, 404u);
}

TEST_F(web_routes_test, default_frame_ancestors_is_self_only) {
  start_with({});
  auto page = http_->request("GET", "/app/gh/sb-demo/patient/" + patient);
  const std::string csp = page.headers["content-security-policy"];
  EXPECT_NE(csp.find("frame-ancestors 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.substr(csp.find("frame-ancestors")), "frame-ancestors 'self'");
}

TEST_F(web_routes_test, etag_revalidation) {
  start_with({});
  auto first = http_->request("GET", "/assets/app.js");
  ASSERT_FALSE(first.headers["etag"].empty());
  EXPECT_EQ(first.headers["cache-control"], "no-cache");
  auto again = http_->request("GET", "/assets/app.js", {}, {{"If-None-Match", first.headers["etag"]}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(web_routes_test, no_escape_from_the_web_root_and_only_get) {
  start_with({});
  EXPECT_EQ(http_->request("GET", "/assets/../secret.txt").status, 404u);
  EXPECT_EQ(http_->request("GET", "/assets/%2e%2e/secret.txt").status, 404u);
  EXPECT_EQ(http_->request("GET", "/assets/..%2fsecret.txt").status, 404u);
  EXPECT_EQ(http_->request("GET", "/assets/missing.js").status, 404u);
  EXPECT_EQ(http_->request("GET", "/app/gh/sb-demo/patient/a%2Fb").status, 404u);
  EXPECT_EQ(http_->request("GET", "/app/gh/sb-demo").status, 404u);
  auto post = http_->request("POST", "/app/gh/sb-demo/patient/" + patient, "x");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
}

TEST_F(web_routes_test, only_web_file_types_are_served) {
  std::ofstream(web_ / "notes.db") << "SQLite format 3";
  std::ofstream(web_ / "assets" / "keys.pem") << "-----BEGIN PRIVATE KEY-----";
  std::ofstream(web_ / "assets" / "app.js.map") << "{}";
  start_with({});
  EXPECT_EQ(http_->request("GET", "/assets/keys.pem").status, 404u);
  EXPECT_EQ(http_->request("GET", "/assets/app.js.map").status, 404u);
  EXPECT_EQ(http_->request("GET", "/assets/app.js").status, 200u);
}

TEST_F(web_routes_test, a_database_inside_the_web_root_is_refused_at_start) {
  // Regression: a web root holding the database would have served it (token hashes, server keys)
  // and, by opening and closing it, dropped SQLite's locks in the running server.
  auto r = run_cli({"serve", "--db", (web_ / "carechat.db").string(), "--listen", "127.0.0.1:0", "--web-root",
                    web_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("inside the web root"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(web_ / "carechat.db"));
}

TEST_F(web_routes_test, missing_build_says_how_to_build_it) {
  restart({{"CARECHAT_WEB_ROOT", (dir_.path() / "nowhere").string()}});
  auto page = http_->request("GET", "/app/gh/sb-demo/patient/" + patient);
  EXPECT_EQ(page.status, 404u);
  EXPECT_NE(page.body.find("make web"), std::string::npos);
  // The API is unaffected.
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u);
}

}  // namespace
}  // namespace carechat::testing
