#include "store/s3/s3_xml.hpp"

#include <array>
#include <utility>

namespace carechat::store::s3 {
namespace {

constexpr std::array<std::pair<std::string_view, char>, 5> entities{
    {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}}};

}  // namespace

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const std::size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const std::size_t from = start + open.size();
  const std::size_t end = xml.find(close, from);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = xml.substr(from, end - from);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '&') {
      bool decoded = false;
      for (const auto& [entity, c] : entities)
        if (raw.substr(i).starts_with(entity)) {
          out += c;
          i += entity.size() - 1;
          decoded = true;
          break;
        }
      if (decoded) continue;
    }
    out += raw[i];
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    bool escaped = false;
    for (const auto& [entity, e] : entities)
      if (c == e) {
        out += entity;
        escaped = true;
        break;
      }
    if (!escaped) out += c;
  }
  return out;
}

}  // namespace carechat::store::s3
