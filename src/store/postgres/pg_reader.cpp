#include "store/postgres/pg_reader.hpp"

#include <limits>

#include "core/utf8.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_attachments.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/queries.hpp"

namespace carechat::store::postgres {
namespace {

// Shortest needle a trigram index can narrow: it indexes 3-character windows only.
constexpr std::size_t trigram = 3;

// With no anchor a walk starts at the end it walks away from (see the SQLite reader).
domain::position edge(domain::direction dir) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  return dir == domain::direction::older ? domain::position{max, max} : domain::position{min, min};
}

params chat_params(const domain::chat_key& chat) {
  params p;
  p.text(chat.tenant).text(chat.instance).text(chat.patient);
  return p;
}

core::result<std::vector<domain::message>> messages_of(const result& r) {
  std::vector<domain::message> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    auto m = carechat::store::read_message(row{r, i});
    if (!m) return std::move(m).error();
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace

std::string contains_pattern(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '%';
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

core::result<result> pg_reader::query(const named_sql& q, const params& p, bool plan_each_time) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  return plan_each_time ? (*c)->run_planned(q, p) : (*c)->run(q, p);
}

core::result<std::vector<domain::message>> pg_reader::window(const named_sql& sql, const domain::chat_key& chat,
                                                             const std::optional<domain::position>& after,
                                                             domain::direction dir, int limit,
                                                             const std::string* needle) {
  // A search's plan depends on its needle (see connection::run_planned); a page's never does.
  if (limit <= 0) return std::vector<domain::message>{};
  const domain::position from = after.value_or(edge(dir));
  params p = chat_params(chat);
  p.int64(from.created_at).int64(from.seq).int64(limit);
  if (needle != nullptr) p.text(*needle);
  auto r = query(sql, p, needle != nullptr);
  if (!r) return std::move(r).error();
  auto out = messages_of(*r);
  if (!out) return out;
  std::vector<domain::message*> refs;
  for (auto& m : *out) refs.push_back(&m);
  if (auto ok = fill(refs); !ok) return std::move(ok).error();
  return out;
}

core::result<void> pg_reader::fill(std::span<domain::message* const> messages) {
  return fill_attachments([this](const named_sql& q, const params& p) { return query(q, p); }, messages);
}

core::result<std::vector<domain::message>> pg_reader::messages(const domain::page_query& q) {
  return window(queries::page(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, nullptr);
}

core::result<bool> pg_reader::any_beyond(const domain::chat_key& chat, domain::position from, domain::direction dir,
                                         bool include_archived) {
  params p = chat_params(chat);
  p.int64(from.created_at).int64(from.seq);
  auto r = query(queries::any_beyond(include_archived, dir), p);
  if (!r) return std::move(r).error();
  return r->rows() > 0;  // the query yields a row when there is one
}

core::result<std::vector<domain::message>> pg_reader::search(const domain::search_query& q) {
  const std::size_t chars = core::utf8_length(q.text).value_or(q.text.size());
  if (chars >= trigram) {
    const std::string pattern = contains_pattern(q.text);
    return window(queries::search_indexed(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, &pattern);
  }
  return window(queries::search_scan(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, &q.text);
}

core::result<std::optional<domain::token_record>> pg_reader::token_by_hash(const core::sha256_digest& hash) {
  auto r = query(queries::token_by_hash, params().bytes(hash));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::token_record>();
  auto t = carechat::store::read_token(row{*r, 0});
  if (!t) return std::move(t).error();
  return std::optional<domain::token_record>(std::move(*t));
}

core::result<std::optional<domain::oauth_client_record>> pg_reader::oauth_client(const std::string& id) {
  auto r = query(queries::oauth_client_by_id, params().text(id));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::oauth_client_record>();
  auto c = carechat::store::read_oauth_client(row{*r, 0});
  if (!c) return std::move(c).error();
  return std::optional<domain::oauth_client_record>(std::move(*c));
}

core::result<std::vector<domain::chat_event>> pg_reader::events_after(const domain::event_scope& scope,
                                                                      std::int64_t after, int limit) {
  std::vector<domain::chat_event> out;
  if (limit <= 0) return out;
  params p;
  p.text(scope.tenant).text(scope.instance);
  if (scope.patient) p.text(*scope.patient);
  p.int64(after).int64(limit);
  auto r = query(scope.patient ? queries::events_after_chat : queries::events_after_instance, p);
  if (!r) return std::move(r).error();
  out.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    auto e = carechat::store::read_event(row{*r, i});
    if (!e) return std::move(e).error();
    out.push_back(std::move(*e));
  }
  std::vector<domain::message*> refs;
  for (auto& e : out)
    if (e.msg) refs.push_back(&*e.msg);
  if (auto ok = fill(refs); !ok) return std::move(ok).error();
  return out;
}

core::result<domain::event_log_bounds> pg_reader::event_bounds(const domain::event_scope& scope) {
  auto r = query(queries::event_bounds, params().text(scope.tenant).text(scope.instance));
  if (!r) return std::move(r).error();
  if (r->rows() != 1) return core::make_error(core::errc::internal, "postgres: events.bounds returned no row");
  return domain::event_log_bounds{r->int64(0, 0), r->int64(0, 1), r->int64(0, 2)};
}

core::result<std::int64_t> pg_reader::token_revocations() {
  auto r = query(queries::token_revocations, {});
  if (!r) return std::move(r).error();
  return r->rows() > 0 ? r->int64(0, 0) : 0;
}

core::result<std::optional<domain::message>> pg_reader::oldest_unread(const domain::chat_key& chat,
                                                                      domain::message_kind kind) {
  params p = chat_params(chat);
  p.int64(carechat::store::to_column(kind));
  auto r = query(queries::oldest_unread, p);
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::message>();
  auto m = carechat::store::read_message(row{*r, 0});
  if (!m) return std::move(m).error();
  domain::message* ref = &*m;
  if (auto ok = fill(std::span(&ref, 1)); !ok) return std::move(ok).error();
  return std::optional<domain::message>(std::move(*m));
}

core::result<std::optional<domain::attachment_record>> pg_reader::attachment(const domain::chat_key& chat,
                                                                             const std::string& id) {
  auto r = query(queries::attachment_by_id, params().text(id).text(chat.tenant).text(chat.instance).text(chat.patient));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::attachment_record>();
  domain::attachment_record a;
  a.info = carechat::store::read_attachment_info(row{*r, 0});
  a.chat = chat;
  a.uploader_token = std::string(r->text(0, 6));
  const auto state = domain::attachment_state_from(r->text(0, 7));
  if (!state) return carechat::store::corrupt_column("postgres", "attachments.state");
  a.state = *state;
  a.created_at = r->int64(0, 8);
  if (!r->null(0, 9)) a.message_external_id = std::string(r->text(0, 9));
  a.archived = r->int64(0, 10) != 0;
  return std::optional<domain::attachment_record>(std::move(a));
}

core::result<std::int64_t> pg_reader::unread_count(const domain::chat_key& chat, domain::message_kind kind) {
  params p = chat_params(chat);
  p.int64(carechat::store::to_column(kind));
  auto r = query(queries::unread_count, p);
  if (!r) return std::move(r).error();
  return r->rows() > 0 ? r->int64(0, 0) : 0;
}

core::result<std::vector<domain::unread_chat>> pg_reader::unread_chats(const std::string& tenant,
                                                                       const std::string& instance, int limit) {
  std::vector<domain::unread_chat> out;
  if (limit <= 0) return out;
  auto r = query(queries::unread_chats, params().text(tenant).text(instance).int64(limit));
  if (!r) return std::move(r).error();
  for (int i = 0; i < r->rows(); ++i) {
    domain::unread_chat c;
    c.patient = std::string(r->text(i, 0));
    c.unread = r->int64(i, 1);
    c.oldest_unread_at = r->int64(i, 2);
    c.latest_unread_at = r->int64(i, 3);
    c.latest_message_at = r->int64(i, 4);
    out.push_back(std::move(c));
  }
  return out;
}

core::result<void> pg_reader::check_ready() {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto version = schema_version(**c);
  if (!version) return std::move(version).error();
  if (*version != latest_schema_version())
    return core::make_error(core::errc::unavailable, "postgres: schema version " + std::to_string(*version) +
                                                         ", this build runs " +
                                                         std::to_string(latest_schema_version()));
  return {};
}

}  // namespace carechat::store::postgres
