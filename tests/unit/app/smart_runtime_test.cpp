// SMART at startup: the signing key is generated once (private, 0600) and reloaded as the same key;
// a broken issuer list or a missing secret file stops the start.
#include "app/smart_runtime.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <boost/json/parse.hpp>

#include "api/jose/jwk.hpp"
#include "api/smart/smart_wire.hpp"
#include "net/webhook_client.hpp"

namespace carechat::app {
namespace {

namespace fs = std::filesystem;

struct scratch {
  fs::path dir = fs::temp_directory_path() / ("carechat-smart-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  scratch() { fs::create_directories(dir); }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

TEST(smart_runtime, the_key_is_generated_once_private_and_reloaded) {
  scratch s;
  const auto path = (s.dir / "key.pem").string();
  auto first = load_or_create_signing_key(path);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = load_or_create_signing_key(path);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(api::jose::thumbprint(*first), api::jose::thumbprint(*again));
  const auto junk = s.write("junk.pem", "not a key");
  EXPECT_FALSE(load_or_create_signing_key(junk).has_value());
}

TEST(smart_runtime, starts_with_a_good_list_and_publishes_only_the_public_key) {
  scratch s;
  auto tls = net::make_webhook_tls_context("");
  ASSERT_TRUE(tls.has_value());
  config cfg;
  cfg.public_url = "https://carechat.example";
  auto off = start_smart(cfg, (s.dir / "k.pem").string(), *tls);
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->get(), nullptr);  // no issuers file: SMART is off

  const auto secret = s.write("ehr.secret", "s3cret\n");
  cfg.smart_issuers_file = s.write("issuers.json", R"({"issuers":[{"iss":"https://ehr.example/fhir","tenant":"gh","instance":"sb","client_id":"cc","auth":"client_secret","client_secret_file":")" + secret + R"("}]})");
  auto on = start_smart(cfg, (s.dir / "k.pem").string(), *tls);
  ASSERT_TRUE(on.has_value()) << on.error().message;
  ASSERT_NE(on->get(), nullptr);
  EXPECT_EQ((*on)->issuers.at(0).client_secret, "s3cret");
  ASSERT_NE((*on)->find_issuer("https://ehr.example/fhir"), nullptr);
  EXPECT_EQ((*on)->find_issuer("https://evil.example/fhir"), nullptr);
  const auto jwks = boost::json::parse((*on)->published_jwks).as_object();
  const auto& key = jwks.at("keys").as_array().at(0).as_object();
  EXPECT_EQ(key.at("kty").as_string(), "EC");
  EXPECT_FALSE(key.contains("d"));
}

TEST(smart_runtime, a_broken_list_a_missing_secret_or_no_key_file_refuses_to_start) {
  scratch s;
  auto tls = net::make_webhook_tls_context("");
  ASSERT_TRUE(tls.has_value());
  config cfg;
  cfg.smart_issuers_file = s.write("bad.json", R"({"issuers":[{"iss":"ftp://x"}]})");
  EXPECT_FALSE(start_smart(cfg, (s.dir / "k.pem").string(), *tls).has_value());
  cfg.smart_issuers_file = s.write("nosecret.json", R"({"issuers":[{"iss":"https://e/fhir","tenant":"gh","instance":"sb","client_id":"cc","auth":"client_secret","client_secret_file":"/nonexistent/secret"}]})");
  EXPECT_FALSE(start_smart(cfg, (s.dir / "k.pem").string(), *tls).has_value());
  cfg.smart_issuers_file = s.write("ok.json", R"({"issuers":[{"iss":"https://e/fhir","tenant":"gh","instance":"sb","client_id":"cc"}]})");
  EXPECT_FALSE(start_smart(cfg, "", *tls).has_value());  // PostgreSQL without CARECHAT_SMART_KEY_FILE
  cfg.smart_issuers_file = (s.dir / "missing.json").string();
  EXPECT_FALSE(start_smart(cfg, (s.dir / "k.pem").string(), *tls).has_value());
  // One byte over the limit: refused, naming the limit (the file is not loaded whole).
  cfg.smart_issuers_file = s.write("huge.json", std::string(api::smart::max_document_bytes + 1, ' '));
  auto huge = start_smart(cfg, (s.dir / "k.pem").string(), *tls);
  ASSERT_FALSE(huge.has_value());
  EXPECT_NE(huge.error().message.find("is larger than"), std::string::npos) << huge.error().message;
}

}  // namespace
}  // namespace carechat::app
