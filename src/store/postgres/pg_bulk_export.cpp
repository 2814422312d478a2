// The PostgreSQL side of FHIR Bulk Data export: the walks over an instance's messages by seq and
// its chats by id (readers, on the pool) and the export jobs (on the pool; the upsert decides "one per instance").
#include <limits>

#include "store/postgres/pg_attachments.hpp"
#include "store/postgres/pg_reader.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/queries.hpp"

namespace carechat::store::postgres {
namespace {

params range_params(const domain::export_range& r, std::int64_t limit) {
  params p;
  p.text(r.tenant).text(r.instance).int64(r.after_seq).int64(r.upto_seq);
  p.int64(r.since.value_or(std::numeric_limits<std::int64_t>::min())).int64(limit);
  return p;
}

params thread_range_params(const domain::export_thread_range& r, std::int64_t limit) {
  params p;
  p.text(r.tenant).text(r.instance).int64(r.after_chat).int64(r.upto_chat).int64(r.high_water);
  p.int64(r.since.value_or(std::numeric_limits<std::int64_t>::min())).int64(limit);
  return p;
}

core::result<domain::export_job> read_export_job(const result& r, int i) {
  domain::export_job j;
  j.id = std::string(r.text(i, 0));
  j.tenant = std::string(r.text(i, 1));
  j.instance = std::string(r.text(i, 2));
  j.token_id = std::string(r.text(i, 3));
  j.since = r.opt_int64(i, 4);
  j.transaction_time = r.int64(i, 5);
  j.high_water = r.int64(i, 6);
  j.request = std::string(r.text(i, 7));
  auto ends = domain::parse_file_ends(r.text(i, 8));
  if (!ends) return std::move(ends).error();
  j.file_ends = std::move(*ends);
  j.total = r.int64(i, 9);
  j.created_at = r.int64(i, 10);
  j.expires_at = r.int64(i, 11);
  auto thread_ends = domain::parse_file_ends(r.text(i, 12));
  if (!thread_ends) return std::move(thread_ends).error();
  j.thread_file_ends = std::move(*thread_ends);
  j.thread_total = r.int64(i, 13);
  return j;
}

}  // namespace

core::result<std::int64_t> pg_reader::export_high_water(const std::string& tenant, const std::string& instance) {
  auto r = query(queries::export_high_water, params().text(tenant).text(instance));
  if (!r) return std::move(r).error();
  return r->rows() == 0 ? 0 : r->int64(0, 0);
}

core::result<domain::export_span_result> pg_reader::export_span(const domain::export_range& range, std::int64_t limit) {
  auto r = query(queries::export_span, range_params(range, limit));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return domain::export_span_result{};
  return domain::export_span_result{r->int64(0, 0), r->int64(0, 1)};
}

core::result<std::vector<domain::located_message>> pg_reader::export_messages(const domain::export_range& range,
                                                                              int limit) {
  std::vector<domain::located_message> out;
  if (limit <= 0) return out;
  auto r = query(queries::export_messages, range_params(range, limit));
  if (!r) return std::move(r).error();
  out.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    auto m = carechat::store::read_message(row{*r, i});
    if (!m) return std::move(m).error();
    out.push_back({std::string(r->text(i, 17)), std::move(*m)});
  }
  std::vector<domain::message*> refs;
  refs.reserve(out.size());
  for (auto& l : out) refs.push_back(&l.msg);
  if (auto ok = fill(refs); !ok) return std::move(ok).error();
  return out;
}

core::result<domain::export_span_result> pg_reader::export_thread_span(const domain::export_thread_range& range,
                                                                       std::int64_t limit) {
  auto r = query(queries::export_thread_span, thread_range_params(range, limit));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return domain::export_span_result{};
  return domain::export_span_result{r->int64(0, 0), r->int64(0, 1)};
}

core::result<std::vector<domain::export_thread>> pg_reader::export_threads(const domain::export_thread_range& range,
                                                                           int limit) {
  std::vector<domain::export_thread> out;
  if (limit <= 0) return out;
  auto r = query(queries::export_threads, thread_range_params(range, limit));
  if (!r) return std::move(r).error();
  out.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i)
    out.push_back({r->int64(i, 0), std::string(r->text(i, 1)), r->int64(i, 2), r->int64(i, 3)});
  return out;
}

core::result<std::optional<domain::export_job>> pg_reader::export_job_by_id(const std::string& id) {
  auto r = query(queries::export_job_by_id, params().text(id));
  if (!r) return std::move(r).error();
  if (r->rows() == 0) return std::optional<domain::export_job>();
  auto j = read_export_job(*r, 0);
  if (!j) return std::move(j).error();
  return std::optional<domain::export_job>(std::move(*j));
}

core::result<bool> pg_store::create_export_job(const domain::export_job& job, core::unix_ms now) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  params p;
  p.text(job.id).text(job.tenant).text(job.instance).text(job.token_id).opt_int64(job.since);
  p.int64(job.transaction_time).int64(job.high_water).text(job.request).text(domain::format_file_ends(job.file_ends));
  p.int64(job.total).int64(job.created_at).int64(job.expires_at).int64(now);
  p.text(domain::format_file_ends(job.thread_file_ends)).int64(job.thread_total);
  auto r = (*c)->run(queries::insert_export_job, p);
  if (!r) return std::move(r).error();
  return r->affected() > 0;
}

core::result<bool> pg_store::delete_export_job(const std::string& id, const std::string& tenant,
                                               const std::string& instance) {
  auto c = pool_.acquire();
  if (!c) return std::move(c).error();
  auto r = (*c)->run(queries::delete_export_job, params().text(id).text(tenant).text(instance));
  if (!r) return std::move(r).error();
  return r->affected() > 0;
}

}  // namespace carechat::store::postgres
