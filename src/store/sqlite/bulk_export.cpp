// The SQLite side of FHIR Bulk Data export: the walks over an instance's messages by seq and its
// chats by id (readers) and the export jobs (the writer's connection, as the other administration
// writes).
#include <limits>

#include "store/sqlite/attachments.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_reader.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace carechat::store::sqlite {
namespace {

// ?1..?6 of the export range statements.
void bind_range(statement& s, const domain::export_range& r, std::int64_t limit) {
  s.bind_text(1, r.tenant);
  s.bind_text(2, r.instance);
  s.bind_int64(3, r.after_seq);
  s.bind_int64(4, r.upto_seq);
  s.bind_int64(5, r.since.value_or(std::numeric_limits<std::int64_t>::min()));
  s.bind_int64(6, limit);
}

// ?1..?7 of the thread range statements.
void bind_thread_range(statement& s, const domain::export_thread_range& r, std::int64_t limit) {
  s.bind_text(1, r.tenant);
  s.bind_text(2, r.instance);
  s.bind_int64(3, r.after_chat);
  s.bind_int64(4, r.upto_chat);
  s.bind_int64(5, r.high_water);
  s.bind_int64(6, r.since.value_or(std::numeric_limits<std::int64_t>::min()));
  s.bind_int64(7, limit);
}

core::result<domain::export_job> read_export_job(statement& s) {
  domain::export_job j;
  j.id = std::string(s.column_text(0));
  j.tenant = std::string(s.column_text(1));
  j.instance = std::string(s.column_text(2));
  j.token_id = std::string(s.column_text(3));
  if (!s.column_is_null(4)) j.since = s.column_int64(4);
  j.transaction_time = s.column_int64(5);
  j.high_water = s.column_int64(6);
  j.request = std::string(s.column_text(7));
  auto ends = domain::parse_file_ends(s.column_text(8));
  if (!ends) return std::move(ends).error();
  j.file_ends = std::move(*ends);
  j.total = s.column_int64(9);
  j.created_at = s.column_int64(10);
  j.expires_at = s.column_int64(11);
  auto thread_ends = domain::parse_file_ends(s.column_text(12));
  if (!thread_ends) return std::move(thread_ends).error();
  j.thread_file_ends = std::move(*thread_ends);
  j.thread_total = s.column_int64(13);
  return j;
}

}  // namespace

core::result<std::int64_t> sqlite_reader::export_high_water(const std::string& tenant, const std::string& instance) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_high_water);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, tenant);
  (*s)->bind_text(2, instance);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return *row ? (*s)->column_int64(0) : 0;
}

core::result<domain::export_span_result> sqlite_reader::export_span(const domain::export_range& r, std::int64_t limit) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_span);
  if (!s) return std::move(s).error();
  bind_range(**s, r, limit);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return domain::export_span_result{};
  return domain::export_span_result{(*s)->column_int64(0), (*s)->column_int64(1)};
}

core::result<std::vector<domain::located_message>> sqlite_reader::export_messages(const domain::export_range& r,
                                                                                  int limit) {
  std::vector<domain::located_message> out;
  if (limit <= 0) return out;  // SQLite reads a negative LIMIT as "no limit"
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_messages);
  if (!s) return std::move(s).error();
  bind_range(**s, r, limit);
  std::vector<domain::message> msgs;
  std::vector<std::string> patients;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto m = read_message(**s);
    if (!m) return std::move(m).error();
    msgs.push_back(std::move(*m));
    patients.emplace_back((*s)->column_text(17));
  }
  if (auto ok = fill_attachments(**conn, msgs); !ok) return std::move(ok).error();
  out.reserve(msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) out.push_back({std::move(patients[i]), std::move(msgs[i])});
  return out;
}

core::result<domain::export_span_result> sqlite_reader::export_thread_span(const domain::export_thread_range& r,
                                                                           std::int64_t limit) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_thread_span);
  if (!s) return std::move(s).error();
  bind_thread_range(**s, r, limit);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return domain::export_span_result{};
  return domain::export_span_result{(*s)->column_int64(0), (*s)->column_int64(1)};
}

core::result<std::vector<domain::export_thread>> sqlite_reader::export_threads(const domain::export_thread_range& r,
                                                                               int limit) {
  std::vector<domain::export_thread> out;
  if (limit <= 0) return out;  // SQLite reads a negative LIMIT as "no limit"
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_threads);
  if (!s) return std::move(s).error();
  bind_thread_range(**s, r, limit);
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(
        {(*s)->column_int64(0), std::string((*s)->column_text(1)), (*s)->column_int64(2), (*s)->column_int64(3)});
  }
  return out;
}

core::result<std::optional<domain::export_job>> sqlite_reader::export_job_by_id(const std::string& id) {
  auto conn = db();
  if (!conn) return std::move(conn).error();
  auto s = (*conn)->prepared(queries::export_job_by_id);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, id);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::export_job>();
  auto j = read_export_job(**s);
  if (!j) return std::move(j).error();
  return std::optional<domain::export_job>(std::move(*j));
}

core::result<bool> sqlite_store::create_export_job(const domain::export_job& job, core::unix_ms now) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::insert_export_job);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, job.id);
  (*s)->bind_text(2, job.tenant);
  (*s)->bind_text(3, job.instance);
  (*s)->bind_text(4, job.token_id);
  if (job.since)
    (*s)->bind_int64(5, *job.since);
  else
    (*s)->bind_null(5);
  (*s)->bind_int64(6, job.transaction_time);
  (*s)->bind_int64(7, job.high_water);
  (*s)->bind_text(8, job.request);
  (*s)->bind_text(9, domain::format_file_ends(job.file_ends));
  (*s)->bind_int64(10, job.total);
  (*s)->bind_int64(11, job.created_at);
  (*s)->bind_int64(12, job.expires_at);
  (*s)->bind_int64(13, now);
  (*s)->bind_text(14, domain::format_file_ends(job.thread_file_ends));
  (*s)->bind_int64(15, job.thread_total);
  if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  return writer_.changes() > 0;
}

core::result<bool> sqlite_store::delete_export_job(const std::string& id, const std::string& tenant,
                                                   const std::string& instance) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::delete_export_job);
  if (!s) return std::move(s).error();
  (*s)->bind_text(1, id);
  (*s)->bind_text(2, tenant);
  (*s)->bind_text(3, instance);
  if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  return writer_.changes() > 0;
}

}  // namespace carechat::store::sqlite
