#include "store/sqlite/sqlite_reader.hpp"

#include <limits>

#include "core/utf8.hpp"
#include "store/sqlite/attachments.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"

namespace carechat::store::sqlite {
namespace {

// Shortest query the trigram tokenizer can match: it indexes every 3-character window only.
constexpr std::size_t trigram = 3;

// One FTS5 string token: inside double quotes every character is literal (no operators, columns
// or prefixes), and a quote is written twice.
std::string fts5_phrase(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// With no anchor a walk starts at the end it walks away from: beyond the newest when going older,
// before the oldest when going newer. Binding that extreme keeps one statement per direction.
domain::position edge(domain::direction dir) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  return dir == domain::direction::older ? domain::position{max, max} : domain::position{min, min};
}

}  // namespace

core::result<connection*> sqlite_reader::db() {
  if (!db_) {
    auto opened = open_read_connection(opts_);
    if (!opened) return std::move(opened).error();
    db_.emplace(std::move(*opened));
  }
  return &*db_;
}

core::result<std::vector<domain::message>> sqlite_reader::window(const named_sql& sql, const domain::chat_key& chat,
                                                                 const std::optional<domain::position>& after,
                                                                 domain::direction dir, int limit,
                                                                 const std::string* needle,
                                                                 const std::string* raw_needle) {
  std::vector<domain::message> out;
  if (limit <= 0) return out;  // SQLite reads a negative LIMIT as "no limit"
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(sql);
  if (!s) return std::move(s).error();
  const domain::position from = after.value_or(edge(dir));
  bind_chat_key(**s, chat);
  (*s)->bind_int64(4, from.created_at);
  (*s)->bind_int64(5, from.seq);
  (*s)->bind_int64(6, limit);
  if (needle != nullptr) (*s)->bind_text(7, *needle);
  if (raw_needle != nullptr) (*s)->bind_text(8, *raw_needle);
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto m = read_message(**s);
    if (!m) return std::move(m).error();
    out.push_back(std::move(*m));
  }
  if (auto ok = fill_attachments(**conn, out); !ok) return std::move(ok).error();
  return out;
}

core::result<std::vector<domain::message>> sqlite_reader::messages(const domain::page_query& q) {
  return window(queries::page(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, nullptr);
}

core::result<bool> sqlite_reader::any_beyond(const domain::chat_key& chat, domain::position from, domain::direction dir,
                                             bool include_archived) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::any_beyond(include_archived, dir));
  if (!s) return std::move(s).error();
  bind_chat_key(**s, chat);
  (*s)->bind_int64(4, from.created_at);
  (*s)->bind_int64(5, from.seq);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return *row && (*s)->column_int64(0) != 0;
}

core::result<std::vector<domain::message>> sqlite_reader::search(const domain::search_query& q) {
  // Invalid UTF-8 never gets this far (the domain validates queries); count bytes if it does.
  const std::size_t chars = core::utf8_length(q.text).value_or(q.text.size());
  if (chars >= trigram) {
    const std::string phrase = fts5_phrase(q.text);
    return window(queries::search_fts(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, &phrase, &q.text);
  }
  return window(queries::search_scan(q.include_archived, q.dir), q.chat, q.after, q.dir, q.limit, &q.text);
}

core::result<std::optional<domain::token_record>> sqlite_reader::token_by_hash(const core::sha256_digest& hash) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::token_by_hash);
  if (!s) return std::move(s).error();
  (*s)->bind_blob(1, hash);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::token_record>();
  auto t = read_token(**s);
  if (!t) return std::move(t).error();
  return std::optional<domain::token_record>(std::move(*t));
}

core::result<std::optional<domain::oauth_client_record>> sqlite_reader::oauth_client(const std::string& id) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::oauth_client_by_id);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, id);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::oauth_client_record>();
  auto c = read_oauth_client(**s);
  if (!c) return std::move(c).error();
  return std::optional<domain::oauth_client_record>(std::move(*c));
}

core::result<std::vector<domain::chat_event>> sqlite_reader::events_after(const domain::event_scope& scope,
                                                                          std::int64_t after, int limit) {
  std::vector<domain::chat_event> out;
  if (limit <= 0) return out;  // SQLite reads a negative LIMIT as "no limit"
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(scope.patient ? queries::events_after_chat : queries::events_after_instance);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, scope.tenant);
  (*s)->bind_text(2, scope.instance);
  if (scope.patient) (*s)->bind_text(3, *scope.patient);
  (*s)->bind_int64(4, after);
  (*s)->bind_int64(5, limit);
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto e = read_event(**s);
    if (!e) return std::move(e).error();
    out.push_back(std::move(*e));
  }
  for (auto& e : out)
    if (e.msg)
      if (auto ok = fill_attachments(**conn, std::span(&*e.msg, 1)); !ok) return std::move(ok).error();
  return out;
}

core::result<domain::event_log_bounds> sqlite_reader::event_bounds(const domain::event_scope&) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::event_bounds);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return core::make_error(core::errc::internal, "sqlite: events.bounds returned no row");
  return domain::event_log_bounds{(*s)->column_int64(0), (*s)->column_int64(1), (*s)->column_int64(2)};
}

core::result<std::int64_t> sqlite_reader::token_revocations() {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::token_revocations);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return *row ? (*s)->column_int64(0) : 0;
}

core::result<std::optional<domain::message>> sqlite_reader::oldest_unread(const domain::chat_key& chat,
                                                                          domain::message_kind kind) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::oldest_unread);
  if (!s) return std::move(s).error();
  bind_chat_key(**s, chat);
  (*s)->bind_int64(4, to_column(kind));
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::message>();
  auto m = read_message(**s);
  if (!m) return std::move(m).error();
  if (auto ok = fill_attachments(**conn, std::span(&*m, 1)); !ok) return std::move(ok).error();
  return std::optional<domain::message>(std::move(*m));
}

core::result<std::optional<domain::attachment_record>> sqlite_reader::attachment(const domain::chat_key& chat,
                                                                                 const std::string& id) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::attachment_by_id);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, id);
  (*s)->bind_text(2, chat.tenant);
  (*s)->bind_text(3, chat.instance);
  (*s)->bind_text(4, chat.patient);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::attachment_record>();
  domain::attachment_record a;
  a.info = store::read_attachment_info(sqlite::row{**s});
  a.chat = chat;
  a.uploader_token = std::string((*s)->column_text(6));
  const auto state = domain::attachment_state_from((*s)->column_text(7));
  if (!state) return store::corrupt_column("sqlite", "attachments.state");
  a.state = *state;
  a.created_at = (*s)->column_int64(8);
  if (!(*s)->column_is_null(9)) a.message_external_id = std::string((*s)->column_text(9));
  a.archived = (*s)->column_int64(10) != 0;
  return std::optional<domain::attachment_record>(std::move(a));
}

core::result<std::int64_t> sqlite_reader::unread_count(const domain::chat_key& chat, domain::message_kind kind) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::unread_count);
  if (!s) return std::move(s).error();
  bind_chat_key(**s, chat);
  (*s)->bind_int64(4, to_column(kind));
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return *row ? (*s)->column_int64(0) : 0;
}

core::result<std::vector<domain::unread_chat>> sqlite_reader::unread_chats(const std::string& tenant,
                                                                           const std::string& instance, int limit) {
  std::vector<domain::unread_chat> out;
  if (limit <= 0) return out;
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::unread_chats);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  (*s)->bind_int64(3, limit);
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    domain::unread_chat c;
    c.patient = std::string((*s)->column_text(0));
    c.unread = (*s)->column_int64(1);
    c.oldest_unread_at = (*s)->column_int64(2);
    c.latest_unread_at = (*s)->column_int64(3);
    c.latest_message_at = (*s)->column_int64(4);  // an unread message is live, so never NULL
    out.push_back(std::move(c));
  }
}

core::result<void> sqlite_reader::check_ready() {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(named_sql{"ready.version", "PRAGMA user_version"});
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  const auto version = *row ? (*s)->column_int64(0) : 0;
  if (version != latest_schema_version())
    return core::make_error(core::errc::unavailable, "sqlite: schema version " + std::to_string(version) +
                                                         ", this build runs " +
                                                         std::to_string(latest_schema_version()));
  return {};
}

}  // namespace carechat::store::sqlite
