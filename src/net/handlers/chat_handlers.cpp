#include "net/handlers/chat_handlers.hpp"

#include <optional>
#include <string>

#include "api/error_mapping.hpp"
#include "api/json_codec.hpp"
#include "api/request_parsing.hpp"
#include "domain/access_policy.hpp"
#include "domain/authentication.hpp"
#include "domain/chat_service.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/offload.hpp"
#include "net/rate_limit_gate.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

// queue_audit with the outcome of any result: its error, or ok.
template <class T>
bool audit(const chat_request& r, const domain::principal& who, domain::action what, const core::result<T>& outcome) {
  return queue_audit(r.svc, who, r.chat, what, domain::audit_outcome(outcome), r.ctx.id.view());
}

// A command's audit row carries the request's id.
template <class Command>
void stamp(Command& cmd, const chat_request& r) {
  cmd.audit.request_id = std::string(r.ctx.id.view());
}

// A refused request still leaves its trace in the audit trail.
reply refused(const chat_request& r, const domain::principal& who, domain::action what, core::error e) {
  if (!audit(r, who, what, core::result<void>{e})) return error_reply(audit_unavailable());
  return error_reply(e);
}

// No answer from a cache: the read goes to the store.
struct no_cached_answer {
  std::shared_ptr<const std::string> operator()(const domain::principal&) const { return nullptr; }
};

// Read routes answer from the caches on the I/O thread when they can (a token seen moments ago,
// a latest page nobody changed since): `cached` maps the principal to the cached JSON, or null.
// Otherwise they do all their blocking work in one trip to the pool: authenticate, authorize,
// read, serialize, audit; `body` maps (reader, principal) to the JSON answer. Either way the
// access is audited.
// `limit`: a per-token abuse limit taken once the token is known, before anything is read or
// audited (a refusal is counted in metrics, not audited: see net/rate_limits).
template <class Body, class Cached = no_cached_answer>
asio::awaitable<reply> authenticated_read(const chat_request& r, domain::action what, Body body,
                                          Cached cached = {}, std::optional<rate_limit> limit = std::nullopt) {
  auto secret = bearer_secret(r.req);
  if (!secret) co_return error_reply(unauthorized());
  const auto known = cached_principal(r.svc, *secret);
  if (known) {
    r.ctx.principal = known->token_id;
    if (limit)
      if (auto over = take_token_limit(r.svc, r.ctx, *limit, known->token_id)) co_return error_reply(*over);
    if (auto ok = domain::authorize(*known, r.chat, what); !ok) co_return refused(r, *known, what, ok.error());
    if (std::shared_ptr<const std::string> answer = cached(*known)) {
      if (!audit(r, *known, what, core::result<void>{})) co_return error_reply(audit_unavailable());
      reply rep{200};
      rep.shared_body = std::move(answer);  // sent from the cache as is
      co_return rep;
    }
  }
  auto out = co_await run_blocking(r.svc.blocking, [&]() -> core::result<std::string> {
    auto lease = r.svc.readers.acquire();
    domain::store_reader& reader = *lease;
    // A principal the cache already gave needs no second token lookup.
    auto who = known ? core::result<domain::principal>(*known)
                     : domain::authenticate(reader, *secret, r.svc.tokens, r.svc.clock.now_ms());
    if (!who) return std::move(who).error();
    r.ctx.principal = who->token_id;  // the I/O thread waits for this job: no race
    if (limit && !known)
      if (auto over = take_token_limit(r.svc, r.ctx, *limit, who->token_id)) return std::move(*over);
    core::result<std::string> res = [&]() -> core::result<std::string> {
      if (auto ok = domain::authorize(*who, r.chat, what); !ok) return std::move(ok).error();
      return body(reader, *who);
    }();
    if (!audit(r, *who, what, res)) return audit_unavailable();
    return res;
  });
  if (!out) co_return error_reply(out.error());
  co_return reply{200, std::move(*out)};
}

// Write routes authenticate (cache, else the pool), then prepare on the I/O thread and commit through
// the group committer (the store writes the audit row in the same transaction as the change).
asio::awaitable<core::result<domain::principal>> authenticate(const chat_request& r) {
  auto secret = bearer_secret(r.req);
  if (!secret) co_return unauthorized();
  auto who = co_await net::authenticate(r.svc, *secret);
  if (who) r.ctx.principal = who->token_id;
  co_return who;
}

// The page-cache variant of a request for a chat's latest page; none for any other page.
std::optional<page_cache::variant> latest_page_variant(const domain::page_request& req, const domain::principal& who,
                                                       const domain::limits& lim) {
  if (req.from || req.first_unread_anchor) return std::nullopt;
  const auto size = domain::effective_page_size(req.page_size, lim, "pageSize");
  if (!size) return std::nullopt;  // the store path answers the 400
  return page_cache::variant{api::viewer_of(who), *size, req.include_archived.value_or(false)};
}

template <class Receipt>
const Receipt* receipt_of(const domain::write_outcome& out) {
  return std::get_if<Receipt>(&*out);
}

}  // namespace

asio::awaitable<reply> list_messages(const chat_request& r) {
  // Parsed (a page token decrypted) on first use, after authentication, and once for both paths:
  // the cache's (I/O thread), then, if it had no answer, the pool's. Never at the same time.
  std::optional<core::result<domain::page_request>> parsed;
  const auto request = [&]() -> const core::result<domain::page_request>& {
    if (!parsed) parsed.emplace(api::parse_page_request(r.params, r.svc.page_tokens, r.chat));
    return *parsed;
  };
  co_return co_await authenticated_read(
      r, domain::action::read,
      [&](domain::store_reader& reader, const domain::principal& who) -> core::result<std::string> {
        const auto& req = request();
        if (!req) return req.error();
        const auto variant = latest_page_variant(*req, who, r.svc.limits);
        // Before the read (see page_cache); only a latest page is ever stored.
        const auto snapshot = variant ? r.svc.latest_pages.snapshot() : 0;
        auto page = domain::read_page(reader, who, r.chat, *req, r.svc.limits);
        if (!page) return std::move(page).error();
        auto body = api::serialize_page(*page, r.svc.page_tokens, r.chat, api::viewer_of(who));
        if (variant) r.svc.latest_pages.insert(r.chat, *variant, body, snapshot, r.svc.clock.now_ms());
        return body;
      },
      [&](const domain::principal& who) -> std::shared_ptr<const std::string> {
        const auto& req = request();
        if (!req) return nullptr;
        const auto variant = latest_page_variant(*req, who, r.svc.limits);
        if (!variant) return nullptr;
        return r.svc.latest_pages.find(r.chat, *variant, r.svc.clock.now_ms());
      });
}

asio::awaitable<reply> search_messages(const chat_request& r) {
  co_return co_await authenticated_read(
      r, domain::action::search,
      [&](domain::store_reader& reader, const domain::principal& who) -> core::result<std::string> {
        auto req = api::parse_search_request(r.params, r.svc.page_tokens, r.chat);
        if (!req) return std::move(req).error();
        auto found = domain::search_page(reader, who, r.chat, *req, r.svc.limits);
        if (!found) return std::move(found).error();
        return api::serialize_search(*found, r.svc.page_tokens, r.chat, api::viewer_of(who));
      },
      no_cached_answer{}, rate_limit::searches);
}

asio::awaitable<reply> send_message(const chat_request& r, domain::message_kind kind) {
  const auto what = kind == domain::message_kind::inbound ? domain::action::send_inbound
                                                         : domain::action::send_outbound;
  auto who = co_await authenticate(r);
  if (!who) co_return error_reply(who.error());
  // Before anything reaches the writer: a refused send stores nothing. A resend of a stored
  // Idempotency-Key counts too (it is answered from the store once allowed again).
  if (auto over = take_token_limit(r.svc, r.ctx, rate_limit::sends, who->token_id)) co_return error_reply(*over);
  if (auto ok = domain::authorize(*who, r.chat, what); !ok) co_return refused(r, *who, what, ok.error());

  std::optional<std::string_view> key_header;
  if (auto it = r.req.find("Idempotency-Key"); it != r.req.end()) key_header = it->value();
  auto key = api::parse_idempotency_key(key_header);
  if (!key) co_return refused(r, *who, what, key.error());

  std::string_view content_type;
  if (auto it = r.req.find(http::field::content_type); it != r.req.end()) content_type = it->value();
  auto body = api::parse_send_body(r.req.body(), content_type);
  if (!body) co_return refused(r, *who, what, body.error());

  domain::send_input input;
  input.text = std::move(body->text);
  input.named_sender = std::move(body->sender);
  input.attachment_ids = std::move(body->attachment_ids);
  input.idempotency_key = std::move(*key);
  input.request_hash = api::request_fingerprint("POST", r.path, r.req.body());
  auto cmd = domain::prepare_send(*who, r.chat, kind, std::move(input), r.svc.limits, r.svc.rng, r.svc.clock);
  if (!cmd) co_return refused(r, *who, what, cmd.error());
  stamp(*cmd, r);

  auto out = co_await commit(r.svc.writer, std::move(*cmd));
  if (!out) co_return error_reply(out.error());
  const auto* sent = receipt_of<domain::send_receipt>(out);
  if (!sent) co_return error_reply(make_error(errc::internal, "internal error"));
  reply rep{200, api::serialize_message(sent->msg, api::viewer_of(*who))};
  rep.idempotent_replay = sent->replayed;
  co_return rep;
}

namespace {

template <class Prepare>
asio::awaitable<reply> bulk_change(const chat_request& r, domain::action what, const char* field, Prepare prepare) {
  auto who = co_await authenticate(r);
  if (!who) co_return error_reply(who.error());
  if (auto ok = domain::authorize(*who, r.chat, what); !ok) co_return refused(r, *who, what, ok.error());
  auto cmd = prepare(*who);
  if (!cmd) co_return refused(r, *who, what, cmd.error());
  auto out = co_await commit(r.svc.writer, std::move(*cmd));
  if (!out) co_return error_reply(out.error());
  const auto* count = receipt_of<domain::count_receipt>(out);
  if (!count) co_return error_reply(make_error(errc::internal, "internal error"));
  co_return reply{200, api::serialize_count(field, count->affected)};
}

}  // namespace

asio::awaitable<reply> archive_chat(const chat_request& r) {
  co_return co_await bulk_change(
      r, domain::action::archive, "archived",
      [&](const domain::principal& who) -> core::result<domain::write_command> {
        auto before = api::parse_archive_date(r.params);
        if (!before) return std::move(before).error();
        auto cmd = domain::prepare_archive(who, r.chat, *before, r.svc.clock);
        if (!cmd) return std::move(cmd).error();
        stamp(*cmd, r);
        return domain::write_command{std::move(*cmd)};
      });
}

asio::awaitable<reply> restore_chat(const chat_request& r) {
  co_return co_await bulk_change(r, domain::action::restore, "restored",
                                 [&](const domain::principal& who) -> core::result<domain::write_command> {
                                   auto cmd = domain::prepare_restore(who, r.chat, r.svc.clock);
                                   if (!cmd) return std::move(cmd).error();
                                   stamp(*cmd, r);
                                   return domain::write_command{std::move(*cmd)};
                                 });
}

asio::awaitable<reply> mark_read(const chat_request& r) {
  const auto what = domain::action::mark_read;
  auto who = co_await authenticate(r);
  if (!who) co_return error_reply(who.error());
  if (auto ok = domain::authorize(*who, r.chat, what); !ok) co_return refused(r, *who, what, ok.error());
  std::string_view content_type;
  if (auto it = r.req.find(http::field::content_type); it != r.req.end()) content_type = it->value();
  auto input = api::parse_read_body(r.req.body(), content_type);
  if (!input) co_return refused(r, *who, what, input.error());
  auto cmd = domain::prepare_mark_read(*who, r.chat, std::move(*input), r.svc.limits, r.svc.clock);
  if (!cmd) co_return refused(r, *who, what, cmd.error());
  stamp(*cmd, r);
  auto out = co_await commit(r.svc.writer, std::move(*cmd));
  if (!out) co_return error_reply(out.error());
  const auto* receipt = receipt_of<domain::read_receipt>(out);
  if (!receipt) co_return error_reply(make_error(errc::internal, "unexpected receipt for a read"));
  co_return reply{200, api::serialize_read(*receipt)};
}

asio::awaitable<reply> list_unread_chats(const instance_request& r) {
  auto secret = bearer_secret(r.req);
  if (!secret) co_return error_reply(unauthorized());
  auto out = co_await run_blocking(r.svc.blocking, [&]() -> core::result<std::string> {
    auto lease = r.svc.readers.acquire();
    auto who = authenticate_with(r.svc, *lease, *secret);
    if (!who) return std::move(who).error();
    r.ctx.principal = who->token_id;
    core::result<std::string> res = [&]() -> core::result<std::string> {
      // Who may look comes before what they asked: a refused caller learns nothing about inputs.
      if (auto ok = domain::authorize_instance(*who, r.tenant, r.instance, domain::instance_action::list_unread); !ok)
        return std::move(ok).error();
      auto size = api::parse_list_page_size(r.params);
      if (!size) return std::move(size).error();
      auto chats = domain::list_unread(*lease, *who, r.tenant, r.instance, *size, r.svc.limits);
      if (!chats) return std::move(chats).error();
      // list_unread succeeded, so the size was valid and this cannot fail.
      return api::serialize_unread(*chats, domain::effective_page_size(*size, r.svc.limits, "pageSize").value());
    }();
    // The inbox spans patients: its audit row names the instance.
    auto entry = domain::make_instance_audit(*who, r.tenant, r.instance,
                                             domain::to_string(domain::instance_action::list_unread), r.svc.clock,
                                             domain::audit_outcome(res));
    entry.request_id = std::string(r.ctx.id.view());
    if (!r.svc.writer.submit(std::move(entry), {})) return audit_unavailable();
    return res;
  });
  if (!out) co_return error_reply(out.error());
  co_return reply{200, std::move(*out)};
}

}  // namespace carechat::net
