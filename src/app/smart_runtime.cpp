#include "app/smart_runtime.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/jose/jwk.hpp"
#include "core/log.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

core::result<std::string> read_small_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("cannot read " + path);
  // Read at most one byte past the limit: a mistaken path (a log, a device) is refused without
  // being loaded whole.
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return bad("cannot read " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limit) return bad(path + " is larger than " + std::to_string(limit) + " bytes");
  return text;
}

}  // namespace

core::result<core::jose_key> load_or_create_signing_key(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto pem = read_small_file(path, 64 * 1024);
    if (!pem) return std::move(pem).error();
    auto key = core::jose_key::from_pem(*pem);
    if (!key) return bad(path + ": not a usable private key: " + key.error().message);
    if (key->type() == core::key_type::rsa) return bad(path + ": carechat signs with EC P-256 or P-384 keys");
    return key;
  }
  auto key = core::jose_key::generate(core::key_type::ec_p384);
  if (!key) return std::move(key).error();
  auto pem = key->private_pem();
  if (!pem) return std::move(pem).error();
  // O_EXCL: two nodes starting at once on a shared directory never overwrite each other's key.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return bad("cannot create " + path);
  const bool written = ::write(fd, pem->data(), pem->size()) == static_cast<ssize_t>(pem->size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) return bad("cannot write " + path);
  core::log_info("smart", "generated carechat's SMART signing key at " + path);
  return key;
}

core::result<std::unique_ptr<net::smart_services>> start_smart(const config& cfg, const std::string& default_key_file,
                                                               boost::asio::ssl::context& tls) {
  if (cfg.smart_issuers_file.empty()) return std::unique_ptr<net::smart_services>();
  auto text = read_small_file(cfg.smart_issuers_file, api::smart::max_document_bytes);
  if (!text) return std::move(text).error();
  auto issuers = api::smart::parse_issuers(*text);
  if (!issuers) return bad(cfg.smart_issuers_file + ": " + issuers.error().message);
  for (auto& is : *issuers) {
    if (is.auth != api::smart::client_auth::client_secret) continue;
    auto secret = read_small_file(is.client_secret_file, 4096);
    if (!secret) return std::move(secret).error();
    while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) secret->pop_back();
    if (secret->empty()) return bad(is.client_secret_file + " is empty");
    is.client_secret = std::move(*secret);
  }
  const std::string key_file = cfg.smart_key_file.empty() ? default_key_file : cfg.smart_key_file;
  if (key_file.empty()) return bad("CARECHAT_SMART_KEY_FILE is required on PostgreSQL (one file all nodes share)");
  auto key = load_or_create_signing_key(key_file);
  if (!key) return std::move(key).error();
  const auto alg = key->type() == core::key_type::ec_p256 ? core::jws_alg::es256 : core::jws_alg::es384;
  auto s = std::make_unique<net::smart_services>(*key, alg);
  s->issuers = std::move(*issuers);
  s->public_url = cfg.public_url;
  s->signing_kid = api::jose::thumbprint(*key);
  boost::json::array keys;
  keys.push_back(api::jose::public_jwk(*key, s->signing_kid, alg));
  boost::json::object set;
  set["keys"] = std::move(keys);
  s->published_jwks = boost::json::serialize(set);
  s->session.idle = std::chrono::seconds(cfg.smart_session_idle_s);
  s->session.absolute = std::chrono::seconds(cfg.smart_session_max_s);
  s->tls = &tls;
  return s;
}

}  // namespace carechat::app
