#include "net/handlers/fhir_handlers.hpp"

#include <array>
#include <limits>

#include <boost/url/parse.hpp>

#include "api/error_mapping.hpp"
#include "api/fhir_resources.hpp"
#include "api/fhir_search.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "domain/access_policy.hpp"
#include "domain/attachment_service.hpp"
#include "domain/chat_service.hpp"
#include "domain/delta_walk.hpp"
#include "net/handlers/attachment_handlers.hpp"
#include "net/handlers/fhir_bulk_handlers.hpp"
#include "net/handlers/fhir_support.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/rate_limit_gate.hpp"
#include "net/offload.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

// Who the audit row names when the request never got to one chat (a missing subject, an id no chat
// of this instance has): the instance, patient "*".
struct audit_scope {
  std::optional<domain::chat_key> chat;
};

// Authenticates (401 unaudited: no identity), then runs `body(reader, who, scope)` on the pool and
// queues the audit row of `what` for the chat it names, its outcome the body's.
// Queues the audit row of a FHIR read: for the chat it names, else for the instance (patient "*").
bool audit(services& svc, const domain::principal& who, const std::optional<domain::chat_key>& chat,
           domain::action what, const std::string& outcome, std::string_view request_id) {
  if (chat) return queue_audit(svc, who, *chat, what, outcome, request_id);
  domain::audit_entry row =
      domain::make_instance_audit(who, who.tenant, who.instance, domain::to_string(what), svc.clock, outcome);
  row.request_id = std::string(request_id);
  return svc.writer.submit(std::move(row), {});
}

template <class Body>
asio::awaitable<reply> fhir_read(const request& req, services& svc, request_context& ctx, domain::action what,
                                 Body body) {
  auto secret = bearer_secret(req);
  if (!secret) co_return outcome_reply(unauthorized());
  auto out = co_await run_blocking(svc.blocking, [&]() -> core::result<std::string> {
    auto lease = svc.readers.acquire();
    auto who = authenticate_with(svc, *lease, *secret);
    if (!who) return std::move(who).error();
    ctx.principal = who->token_id;  // the coroutine waits for this lambda: no concurrent access
    audit_scope scope;
    core::result<std::string> res = body(*lease, *who, scope);
    const std::string outcome = domain::audit_outcome(res);
    if (!audit(svc, *who, scope.chat, what, outcome, ctx.id.view())) return audit_unavailable();
    return res;
  });
  if (!out) co_return outcome_reply(out.error());
  co_return resource_reply(std::move(*out));
}

asio::awaitable<reply> search_communications(const request& req, services& svc, request_context& ctx,
                                              const boost::urls::url_view& url) {
  const std::string base = service_base(req, svc);
  co_return co_await fhir_read(req, svc, ctx, domain::action::read,
      [&](domain::store_reader& reader, const domain::principal& who, audit_scope& scope) -> core::result<std::string> {
        auto patient = api::fhir::parse_subject(url.params());
        if (!patient) return std::move(patient).error();
        const domain::chat_key chat{who.tenant, who.instance, std::move(*patient)};
        scope.chat = chat;
        // Who may look comes before what they asked: a refused caller learns nothing about inputs.
        if (auto ok = domain::authorize(who, chat, domain::action::read); !ok) return std::move(ok).error();
        auto query = api::fhir::parse_communication_search(url.params(), svc.page_tokens, chat);
        if (!query) return std::move(query).error();
        auto page = domain::read_delta_page(reader, who, chat, query->delta, svc.limits);
        if (!page) return std::move(page).error();
        api::fhir::searchset_links links{service_origin(req, svc) + std::string(req.target()), std::nullopt};
        if (page->next)
          links.next = api::fhir::next_link(base, chat, query->last_updated, svc.page_tokens.encode(*page->next, chat));
        return api::fhir::communication_searchset(page->messages, chat, base, links);
      });
}

asio::awaitable<reply> read_communication(const request& req, services& svc, request_context& ctx,
                                           const std::string& id) {
  co_return co_await fhir_read(req, svc, ctx, domain::action::read,
      [&](domain::store_reader& reader, const domain::principal& who, audit_scope& scope) -> core::result<std::string> {
        const core::error none = make_error(errc::not_found, "no Communication with this id");
        if (auto patient = api::fhir::thread_patient(id)) {
          const domain::chat_key chat{who.tenant, who.instance, std::move(*patient)};
          scope.chat = chat;
          if (auto ok = domain::authorize(who, chat, domain::action::read); !ok) return std::move(ok).error();
          // The thread exists once its chat has a message (archived ones count: the chat was there).
          auto newest = reader.messages(domain::page_query{chat, true, std::nullopt, domain::direction::older, 1});
          if (!newest) return std::move(newest).error();
          if (newest->empty()) return none;
          auto oldest = reader.messages(domain::page_query{chat, true, std::nullopt, domain::direction::newer, 1});
          if (!oldest) return std::move(oldest).error();
          if (oldest->empty()) return none;
          return api::fhir::thread_header({chat, oldest->front().created_at, newest->front().created_at});
        }
        if (!core::is_external_id(id)) return none;
        // Only this token's tenant and instance are looked in: another's message is simply not here.
        auto found = reader.message_by_external_id(who.tenant, who.instance, id);
        if (!found) return std::move(found).error();
        if (!*found) return none;
        const domain::chat_key chat{who.tenant, who.instance, std::move((*found)->patient)};
        scope.chat = chat;
        if (auto ok = domain::authorize(who, chat, domain::action::read); !ok) return std::move(ok).error();
        return api::fhir::communication((*found)->msg, chat);
      });
}

reply fhir_not_found() { return outcome_reply(make_error(errc::not_found, "no such FHIR route")); }

reply fhir_get_only() {
  reply r = outcome_reply(make_error(errc::method_not_allowed, "the FHIR facade is read-only: use GET"));
  r.allow_get_only = true;
  return r;
}

}  // namespace

reply fhir_error_reply(const core::error& e) { return outcome_reply(e); }

bool is_fhir_path(const std::vector<std::string>& segs) {
  return segs.size() >= 2 && segs[0] == "fhir" && segs[1] == "R4";
}

asio::awaitable<reply> fhir_route(const request& req, services& svc, request_context& ctx, const boost::urls::url_view& url,
                                  const std::vector<std::string>& segs) {
  if (is_fhir_bulk_path(segs)) co_return co_await fhir_bulk_route(req, svc, ctx, url, segs);
  if (segs.size() < 3 || segs.size() > 4) co_return fhir_not_found();
  const std::string& type = segs[2];
  const bool known = (segs.size() == 3 && (type == "metadata" || type == "Communication")) ||
                     (segs.size() == 4 && (type == "Communication" || type == "Binary"));
  if (!known) co_return fhir_not_found();
  if (req.method() != http::verb::get) co_return fhir_get_only();
  if (type == "metadata") co_return resource_reply(api::fhir::capability_statement(service_base(req, svc), svc.clock.now_ms()));
  if (segs.size() == 3) co_return co_await search_communications(req, svc, ctx, url);
  if (type == "Binary")  // a well-formed id went to serve_fhir_binary before routing
    co_return outcome_reply(make_error(errc::not_found, "no Binary with this id"));
  const std::string id = segs[3];
  co_return co_await read_communication(req, svc, ctx, id);
}

std::optional<std::string> match_fhir_binary_route(const http::request_header<>& head) {
  const std::string_view target = head.target();
  if (head.method() != http::verb::get || target.substr(0, 9) != "/fhir/R4/") return std::nullopt;
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  std::vector<std::string> segs;
  for (auto&& seg : url->segments()) {
    if (segs.size() == 4) return std::nullopt;
    segs.emplace_back(seg);
  }
  if (segs.size() != 4 || !is_fhir_path(segs) || segs[2] != "Binary" || !domain::is_attachment_id(segs[3]))
    return std::nullopt;
  return segs[3];
}

template <class Stream>
asio::awaitable<bool> serve_fhir_binary(Stream& stream, const request& req, services& svc, const std::string& id,
                                        request_context& ctx) {
  const core::error off = make_error(errc::not_found, "attachments are not enabled on this server");
  if (svc.attachments.blobs == nullptr) co_return co_await write_outcome(stream, ctx, req, off);
  const auto secret = bearer_secret(req);
  auto who = co_await authenticate_request(svc, ctx, secret);
  if (!who) co_return co_await write_outcome(stream, ctx, req, who.error());

  const auto what = domain::action::download_attachment;
  std::optional<domain::chat_key> chat;
  auto found = co_await run_blocking(svc.blocking, [&]() -> core::result<domain::attachment_record> {
    const core::error none = make_error(errc::not_found, "no Binary with this id");
    auto lease = svc.readers.acquire();
    auto patient = lease->attachment_patient(who->tenant, who->instance, id);
    if (!patient) return std::move(patient).error();
    if (!*patient) return none;
    chat = domain::chat_key{who->tenant, who->instance, std::move(**patient)};
    auto record = lease->attachment(*chat, id);
    if (!record) return std::move(record).error();
    if (!*record) return none;
    // Authorizes first (403 for another patient's file), then visibility: a direct read serves an
    // archived message's file, as Communication/{id} serves the archived message.
    if (auto ok = domain::check_download(*who, **record, true); !ok) return std::move(ok).error();
    return std::move(**record);
  });
  // Every look at a patient's file is in the audit trail, the refused ones too.
  const std::string outcome = domain::audit_outcome(found);
  const bool queued = audit(svc, *who, chat, what, outcome, ctx.id.view());
  const core::error unaudited = audit_unavailable();
  if (!queued) co_return co_await write_outcome(stream, ctx, req, unaudited);
  if (!found) co_return co_await write_outcome(stream, ctx, req, found.error());
  const domain::attachment_record& record = *found;
  co_return co_await stream_attachment(stream, req, svc, record, false, ctx);
}

template asio::awaitable<bool> serve_fhir_binary(plain_stream&, const request&, services&, const std::string&,
                                                 request_context&);
template asio::awaitable<bool> serve_fhir_binary(tls_stream&, const request&, services&, const std::string&,
                                                 request_context&);

}  // namespace carechat::net
