// The FHIR facade's search parameters for GET /fhir/R4/Communication, and the links of a searchset
// page. Unknown parameters are refused (400), not ignored: a misspelt `_lastupdated` must not
// silently return the whole chat. Thread-safety: pure functions; the codec is const.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/url/params_view.hpp>

#include "api/page_token.hpp"
#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/delta_walk.hpp"

namespace carechat::api::fhir {

// subject=Patient/{id}: the patient whose chat is searched (required; asked first, since who may
// search depends on it).
core::result<std::string> parse_subject(boost::urls::params_view params);

struct communication_query {
  domain::delta_request delta;
  std::vector<std::string> last_updated;  // the _lastUpdated values as given, repeated in the next link
};

// Everything else: _count (1.., above the maximum served at the maximum), _lastUpdated (ge/gt/le/lt
// + an instant or a date; repeatable, at most 4), include-archived (true|false), _pageToken (an
// opaque token of a previous page's next link, bound to `chat`), _format (JSON only), _pretty.
core::result<communication_query> parse_communication_search(boost::urls::params_view params,
                                                             const page_token_codec& tokens,
                                                             const domain::chat_key& chat);

// The next page's URL: base + "/Communication?subject=Patient/{id}" + the _lastUpdated values +
// "&_pageToken=" + token, percent-encoded.
std::string next_link(std::string_view base, const domain::chat_key& chat, const std::vector<std::string>& last_updated,
                      const std::string& token);

}  // namespace carechat::api::fhir
