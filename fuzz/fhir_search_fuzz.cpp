// The FHIR facade's search parameters (GET /fhir/R4/Communication?...): api::fhir::parse_subject and
// api::fhir::parse_communication_search on a request target parsed as the server parses it.
// Properties: errors are bad_request or invalid_page_token with a message; an accepted subject is a
// path id; a page size is positive; a decoded token is of the FHIR kind; bounds come with the
// _lastUpdated values they were read from, and a next link built from them parses to the same bounds.
#include <boost/url/parse.hpp>
#include <cstring>
#include <memory>

#include "api/fhir_search.hpp"
#include "core/ids.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carechat;
  const auto& codec = fuzz::fuzz_codec();
  const auto& chat = fuzz::fuzz_chat();
  // The target in a buffer of exactly its size: any read past its end is an ASan report.
  constexpr std::string_view path = "/fhir/R4/Communication?";
  const std::size_t n = path.size() + size;
  const std::unique_ptr<char[]> target(new char[n]);
  std::memcpy(target.get(), path.data(), path.size());
  if (size) std::memcpy(target.get() + path.size(), data, size);
  const auto url = boost::urls::parse_origin_form(boost::urls::string_view(target.get(), n));
  if (!url) return 0;

  const auto subject = api::fhir::parse_subject(url->params());
  if (subject)
    FUZZ_CHECK(core::is_path_id(*subject));
  else
    FUZZ_CHECK(subject.error().code == core::errc::bad_request && !subject.error().message.empty());

  const auto q = api::fhir::parse_communication_search(url->params(), codec, chat);
  if (!q) {
    FUZZ_CHECK(q.error().code == core::errc::bad_request || q.error().code == core::errc::invalid_page_token);
    FUZZ_CHECK(!q.error().message.empty());
    return 0;
  }
  if (q->delta.page_size) FUZZ_CHECK(*q->delta.page_size >= 1);
  if (q->delta.from) FUZZ_CHECK(q->delta.from->kind == domain::cursor_kind::fhir_communications);
  FUZZ_CHECK(q->last_updated.size() <= 4);
  FUZZ_CHECK(q->last_updated.empty() == (!q->delta.min_created && !q->delta.max_created));
  // The next link keeps the bounds.
  domain::cursor c;
  c.kind = domain::cursor_kind::fhir_communications;
  c.dir = domain::direction::newer;
  const std::string link = api::fhir::next_link("http://h/fhir/R4", chat, q->last_updated, codec.encode(c, chat));
  const auto again_url = boost::urls::parse_absolute_uri(link);
  FUZZ_CHECK(again_url.has_value());
  const auto again = api::fhir::parse_communication_search(again_url->params(), codec, chat);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->delta.min_created == q->delta.min_created && again->delta.max_created == q->delta.max_created);
  return 0;
}
