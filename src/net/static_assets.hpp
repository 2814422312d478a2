// The browser app's files (web/dist), loaded into memory at start and served with their content
// type, an ETag and cache headers. Small and immutable while the server runs, so no file I/O
// happens on an I/O thread. Thread-safety: read-only after load(); find() from any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace carechat::net {

struct static_asset {
  std::string body;
  std::string content_type;
  std::string etag;  // strong, from a hash of the body
};

class static_assets {
 public:
  // Loads every regular file under `root` (at most 64 MiB in all). A missing root leaves the set
  // empty (the app routes then answer 404 saying the app is not built).
  static static_assets load(const std::filesystem::path& root);

  // By path relative to the root, e.g. "index.html", "assets/app.js".
  const static_asset* find(std::string_view relative) const;
  bool empty() const { return files_.empty(); }
  std::size_t size() const { return files_.size(); }

 private:
  std::unordered_map<std::string, static_asset> files_;
};

std::string_view content_type_for(std::string_view filename);

// The file types the app is made of (html, js, css, svg, png, ico, woff2, txt); nothing else under
// the web root is opened or served.
bool is_web_file(std::string_view filename);

}  // namespace carechat::net
