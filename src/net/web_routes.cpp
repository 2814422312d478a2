#include "net/web_routes.hpp"

#include <span>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "net/openapi_document.hpp"

namespace carechat::net {
namespace {

bool is_page_route(const std::vector<std::string>& s) {
  return s.size() == 5 && (s[0] == "app" || s[0] == "portal") && s[3] == "patient" && core::is_path_id(s[1]) &&
         core::is_path_id(s[2]) && core::is_path_id(s[4]);
}

response plain(const request& req, http::status status, std::string_view text) {
  return plain_response(req.version(), req.keep_alive(), status, text);
}

response file_response(const request& req, const static_asset& a, bool page, const web_options& opts) {
  const bool not_modified = [&] {
    auto it = req.find(http::field::if_none_match);
    return it != req.end() && it->value() == a.etag;
  }();
  response res{not_modified ? http::status::not_modified : http::status::ok, req.version()};
  res.set(http::field::server, "carechat");
  res.set(http::field::content_type, a.content_type);
  res.set(http::field::etag, a.etag);
  // Revalidate every time: the ETag makes that a cheap 304, and a rebuilt app is picked up at once.
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  if (page) {
    std::string host = "localhost";
    if (auto h = req.find(http::field::host); h != req.end()) host = std::string(h->value());
    res.set("Content-Security-Policy", page_csp(opts, host));
  }
  if (!not_modified && req.method() != http::verb::head) res.body() = a.body;
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  if (req.method() == http::verb::head) res.content_length(a.body.size());
  return res;
}

// The API description, served as the app's files are (ETag, no-cache). It describes the API, not
// anyone's data, so it needs no token: integrators and their tools fetch it as they find it.
const static_asset& openapi_asset() {
  static const static_asset asset = [] {
    static_asset a;
    a.body = std::string(openapi_yaml());
    a.content_type = "application/yaml";  // RFC 9512
    const auto digest = core::sha256(a.body);
    a.etag = "\"" + core::to_hex(std::span(digest.data(), 16)) + "\"";
    return a;
  }();
  return asset;
}

}  // namespace

bool is_web_target(std::string_view target) {
  for (std::string_view prefix : {"/app", "/portal", "/assets", "/openapi.yaml"}) {
    if (target.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = target.substr(prefix.size());
    if (rest.empty() || rest.front() == '/' || rest.front() == '?') return true;
  }
  return false;
}

response plain_response(unsigned version, bool keep_alive, http::status status, std::string_view text) {
  response res{status, version};
  res.set(http::field::server, "carechat");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = std::string(text);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

std::string page_csp(const web_options& opts, std::string_view host) {
  std::string ancestors = "'self'";
  for (const auto& o : opts.frame_ancestors) ancestors += " " + o;
  std::string h(host);
  // Keep the header well-formed whatever Host a client sent.
  for (char& c : h)
    if (c == ';' || c == ',' || c == ' ' || c == '\'' || static_cast<unsigned char>(c) < 0x21) c = '_';
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
         "connect-src 'self' ws://" + h + " wss://" + h + "; manifest-src 'self'; base-uri 'none'; "
         "form-action 'none'; frame-ancestors " + ancestors;
}

std::optional<response> serve_web(const request& req, const std::vector<std::string>& s, const static_assets& files,
                                  const web_options& opts) {
  if (s.empty()) return std::nullopt;
  const std::string& first = s.front();
  const bool openapi = s.size() == 1 && first == "openapi.yaml";
  if (first != "app" && first != "portal" && first != "assets" && !openapi) return std::nullopt;
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = plain(req, http::status::method_not_allowed, "use GET");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  if (openapi) return file_response(req, openapi_asset(), false, opts);
  if (first == "assets") {
    std::string rel = "assets";
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i].empty() || s[i] == "." || s[i] == ".." || s[i].find('/') != std::string::npos)
        return plain(req, http::status::not_found, "not found");
      rel += "/" + s[i];
    }
    const static_asset* a = files.find(rel);
    if (!a) return plain(req, http::status::not_found, "not found");
    return file_response(req, *a, false, opts);
  }
  if (!is_page_route(s)) return plain(req, http::status::not_found, "not found");
  const static_asset* index = files.find("index.html");
  if (!index) return plain(req, http::status::not_found, "the web app is not built: run `make web` (or `make run`)");
  return file_response(req, *index, true, opts);
}

}  // namespace carechat::net
