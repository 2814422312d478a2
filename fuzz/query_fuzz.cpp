// The query-string parsers: api::parse_page_request (GET .../chat), api::parse_search_request
// (GET .../chat/search) and api::parse_archive_date (POST .../chat/archive). One input, a raw query
// without '?', feeds all three (they share the query-string machinery and differ in the parameters
// they know), twice: through the raw-query overloads, and as the server does it, through
// boost::urls::parse_origin_form on a request target and url_view::params(). Page tokens are
// decoded with the fuzz key, so the seeds' tokens decode.
// Properties: errors are bad_request or invalid_page_token; sizes read are positive; a decoded token
// has the route's kind; both routes agree; an accepted archiveDate, re-sent as format_iso8601_ms,
// reads the same.
#include <boost/url/parse.hpp>
#include <cstring>
#include <memory>

#include "api/request_parsing.hpp"
#include "core/time_format.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace carechat;

constexpr core::unix_ms first_ms = -62'167'219'200'000;  // 0000-01-01T00:00:00.000Z
constexpr core::unix_ms last_ms = 253'402'300'799'999;   // 9999-12-31T23:59:59.999Z

void check_error(const core::error& e) {
  FUZZ_CHECK(e.code == core::errc::bad_request || e.code == core::errc::invalid_page_token);
  FUZZ_CHECK(!e.message.empty());
}

void check_cursor(const domain::cursor& c, domain::cursor_kind kind) {
  FUZZ_CHECK(c.kind == kind);
  FUZZ_CHECK(c.page_size >= 1 && c.page_size <= api::page_token_codec::max_page_size);
  FUZZ_CHECK(c.content_page_size >= 1 && c.content_page_size <= api::page_token_codec::max_page_size);
}

template <class T>
bool same_outcome(const core::result<T>& a, const core::result<T>& b) {
  if (a.has_value() != b.has_value()) return false;
  return a.has_value() || (a.error().code == b.error().code && a.error().message == b.error().message);
}

void same_page(const core::result<domain::page_request>& a, const core::result<domain::page_request>& b) {
  FUZZ_CHECK(same_outcome(a, b));
  if (a) FUZZ_CHECK(a->from == b->from && a->page_size == b->page_size && a->include_archived == b->include_archived);
}

void same_search(const core::result<domain::search_request>& a, const core::result<domain::search_request>& b) {
  FUZZ_CHECK(same_outcome(a, b));
  if (a)
    FUZZ_CHECK(a->from == b->from && a->query == b->query && a->page_size == b->page_size &&
               a->content_page_size == b->content_page_size && a->include_archived == b->include_archived);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view query = fuzz::as_text(data, size);
  const auto& codec = fuzz::fuzz_codec();
  const auto& chat = fuzz::fuzz_chat();

  const auto page = api::parse_page_request(query, codec, chat);
  if (page) {
    if (page->page_size) FUZZ_CHECK(*page->page_size >= 1);
    if (page->from) check_cursor(*page->from, domain::cursor_kind::messages);
  } else {
    check_error(page.error());
  }

  const auto search = api::parse_search_request(query, codec, chat);
  if (search) {
    if (search->page_size) FUZZ_CHECK(*search->page_size >= 1);
    if (search->content_page_size) FUZZ_CHECK(*search->content_page_size >= 1);
    if (search->from) check_cursor(*search->from, domain::cursor_kind::search);
  } else {
    check_error(search.error());
  }

  const auto date = api::parse_archive_date(query);
  if (date) {
    if (*date >= first_ms && *date <= last_ms) {
      const auto again = api::parse_archive_date("archiveDate=" + core::format_iso8601_ms(*date));
      FUZZ_CHECK(again.has_value() && *again == *date);
    }
  } else {
    FUZZ_CHECK(date.error().code == core::errc::bad_request);
  }

  // The server's route. The target sits in a buffer of exactly its size, as a request target need
  // not be NUL-terminated, so any read past its end is an ASan report.
  constexpr std::string_view path = "/gh/sb-demo/patient/7272b601-bb09-4abf-87c0-ade48ddfaea0/chat?";
  const std::size_t n = path.size() + size;
  const std::unique_ptr<char[]> target(new char[n]);
  std::memcpy(target.get(), path.data(), path.size());
  if (size) std::memcpy(target.get() + path.size(), data, size);
  const auto url = boost::urls::parse_origin_form(boost::urls::string_view(target.get(), n));
  if (!url) {
    // Only a malformed query can make this target malformed; the raw-query parsers refuse it too.
    FUZZ_CHECK(!page && page.error().message == "query string is malformed");
    return 0;
  }
  same_page(page, api::parse_page_request(url->params(), codec, chat));
  same_search(search, api::parse_search_request(url->params(), codec, chat));
  const auto date2 = api::parse_archive_date(url->params());
  FUZZ_CHECK(same_outcome(date, date2));
  if (date) FUZZ_CHECK(*date == *date2);
  return 0;
}
