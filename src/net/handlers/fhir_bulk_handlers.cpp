#include "net/handlers/fhir_bulk_handlers.hpp"

#include <boost/url/parse.hpp>
#include <cstdio>
#include <limits>

#include "api/fhir_bulk.hpp"
#include "api/fhir_resources.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "domain/access_policy.hpp"
#include "domain/bulk_export.hpp"
#include "domain/chat_service.hpp"
#include "net/handlers/fhir_support.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/offload.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

constexpr std::string_view status_segment = "$export-status";
constexpr std::string_view file_segment = "$export-file";
// Messages per store read while a file is written: bounds the rows held at once.
constexpr int file_read_batch = 200;

// "bx" + 32 random hex digits (128 bits): the status URL cannot be guessed.
bool is_job_id(std::string_view id) {
  if (id.size() != 34 || id.substr(0, 2) != "bx") return false;
  for (char c : id.substr(2))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<std::string_view> header(const request& req, std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

// Queues the instance audit row (patient "*") of an export step.
bool audit_export(services& svc, const domain::principal& who, std::string_view what, const std::string& outcome,
                  std::string_view request_id) {
  domain::audit_entry row = domain::make_instance_audit(who, who.tenant, who.instance, what, svc.clock, outcome);
  row.request_id = std::string(request_id);
  return svc.writer.submit(std::move(row), {});
}

// Authenticates (401 unaudited: no identity), authorizes the instance-wide export, then runs
// `body(reader, who)` on the pool. With `audited` it queues the audit row of `what`, its outcome the
// body's (refusals included) before anything is answered.
template <class Body>
asio::awaitable<core::result<reply>> export_step(const request& req, services& svc, request_context& ctx,
                                                 std::string_view what, bool audited, Body body) {
  auto secret = bearer_secret(req);
  if (!secret) co_return unauthorized();
  co_return co_await run_blocking(svc.blocking, [&]() -> core::result<reply> {
    auto lease = svc.readers.acquire();
    auto who = authenticate_with(svc, *lease, *secret);
    if (!who) return std::move(who).error();
    ctx.principal = who->token_id;  // the coroutine waits for this lambda: no concurrent access
    core::result<reply> res = [&]() -> core::result<reply> {
      if (auto ok = domain::authorize_instance(*who, who->tenant, who->instance, domain::instance_action::bulk_export);
          !ok)
        return std::move(ok).error();
      if (svc.store.export_jobs() == nullptr)
        return make_error(errc::not_found, "this server's store keeps no export jobs");
      return body(*lease, *who);
    }();
    if (audited && !audit_export(svc, *who, what, domain::audit_outcome(res), ctx.id.view()))
      return audit_unavailable();
    return res;
  });
}

// The job `id` of the caller's tenant/instance, unless it has expired; not_found otherwise (another
// instance's job is not told apart from none).
core::result<domain::export_job> find_job(domain::store_reader& reader, const domain::principal& who,
                                          const std::string& id, core::unix_ms now) {
  const core::error none =
      make_error(errc::not_found, "no export job with this id (it may have expired or been deleted)");
  if (!is_job_id(id)) return none;
  auto job = reader.export_job_by_id(id);
  if (!job) return std::move(job).error();
  if (!*job || (*job)->tenant != who.tenant || (*job)->instance != who.instance || (*job)->expires_at <= now)
    return none;
  return std::move(**job);
}

asio::awaitable<reply> kick_off(const request& req, services& svc, request_context& ctx,
                                const boost::urls::url_view& url, const std::string& group) {
  const std::string base = service_base(req, svc);
  const std::string request_url = service_origin(req, svc) + std::string(req.target());
  // Named locals, not temporaries, into the coroutine call (the GCC 12 pitfall, COMMON.md).
  const std::string_view what = "bulk_export";
  auto step = [&](domain::store_reader& reader, const domain::principal& who) -> core::result<reply> {
    if (group != api::fhir::export_group_id(who.tenant, who.instance))
      return make_error(errc::forbidden, "this token may export Group/" +
                                             api::fhir::export_group_id(who.tenant, who.instance) + " only");
    auto kick = api::fhir::parse_export_kickoff(url.params(), header(req, "Prefer"), header(req, "Accept"));
    if (!kick) return std::move(kick).error();
    const core::unix_ms now = svc.clock.now_ms();
    auto mark = reader.export_high_water(who.tenant, who.instance);
    if (!mark) return std::move(mark).error();
    auto plan = domain::plan_export(reader, domain::export_range{who.tenant, who.instance, 0, *mark, kick->since});
    if (!plan) return std::move(plan).error();
    // The thread headers of the chats that have a message in the files, bounded by the same mark.
    auto threads = domain::plan_export_threads(
        reader, domain::export_thread_range{who.tenant, who.instance, 0, std::numeric_limits<std::int64_t>::max(),
                                            *mark, kick->since});
    if (!threads) return std::move(threads).error();
    domain::export_job job;
    job.id = "bx" + core::random_hex(svc.rng, 16);
    job.tenant = who.tenant;
    job.instance = who.instance;
    job.token_id = who.token_id;
    job.since = kick->since;
    job.transaction_time = now;
    job.high_water = *mark;
    job.request = request_url;
    job.file_ends = std::move(plan->file_ends);
    job.total = plan->total;
    job.thread_file_ends = std::move(threads->file_ends);
    job.thread_total = threads->total;
    job.created_at = now;
    job.expires_at = now + domain::export_job_ttl_ms;
    auto created = svc.store.export_jobs()->create_export_job(job, now);
    if (!created) return std::move(created).error();
    if (!*created)
      return make_error(errc::too_many_requests,
                        "an export of this instance is already in progress: DELETE its status URL, or wait "
                        "until it expires (24 h after its kick-off), before starting another");
    reply r{202, api::fhir::export_accepted_outcome()};
    r.content_type = api::fhir::content_type;
    r.content_location = base + "/" + std::string(status_segment) + "/" + job.id;
    return r;
  };
  auto out = co_await export_step(req, svc, ctx, what, true, step);
  if (!out) co_return outcome_reply(out.error());
  co_return std::move(*out);
}

asio::awaitable<reply> job_status(const request& req, services& svc, request_context& ctx, const std::string& id) {
  const std::string base = service_base(req, svc);
  // Named locals, not temporaries, into the coroutine call (the GCC 12 pitfall, COMMON.md).
  const std::string_view what = "bulk_export_status";
  auto step = [&](domain::store_reader& reader, const domain::principal& who) -> core::result<reply> {
    auto job = find_job(reader, who, id, svc.clock.now_ms());
    if (!job) return std::move(job).error();
    // Every job is complete when its kick-off answers: the count pass ran then, and the files
    // are read at download time (docs/integration.md). So never 202 + X-Progress here.
    reply r{200, api::fhir::export_manifest(*job, base)};
    r.content_type = "application/json";
    return r;
  };
  auto out = co_await export_step(req, svc, ctx, what, false, step);
  if (!out) co_return outcome_reply(out.error());
  co_return std::move(*out);
}

asio::awaitable<reply> cancel_job(const request& req, services& svc, request_context& ctx, const std::string& id) {
  // Named locals, not temporaries, into the coroutine call (the GCC 12 pitfall, COMMON.md).
  const std::string_view what = "bulk_export_delete";
  auto step = [&](domain::store_reader& reader, const domain::principal& who) -> core::result<reply> {
    auto job = find_job(reader, who, id, svc.clock.now_ms());
    if (!job) return std::move(job).error();
    auto gone = svc.store.export_jobs()->delete_export_job(id, who.tenant, who.instance);
    if (!gone) return std::move(gone).error();
    if (!*gone) return make_error(errc::not_found, "no export job with this id (it may have expired or been deleted)");
    reply r{202, api::fhir::export_deleted_outcome()};
    r.content_type = api::fhir::content_type;
    return r;
  };
  auto out = co_await export_step(req, svc, ctx, what, true, step);
  if (!out) co_return outcome_reply(out.error());
  co_return std::move(*out);
}

reply method_not_allowed(bool get_only) {
  reply r = outcome_reply(make_error(errc::method_not_allowed, get_only ? "use GET" : "use GET or DELETE"));
  r.allow_get_only = get_only;
  r.allow_get_or_delete = !get_only;
  return r;
}

}  // namespace

bool is_fhir_bulk_path(const std::vector<std::string>& segs) {
  if (segs.size() < 3) return false;
  if (segs[2] == status_segment || segs[2] == file_segment) return true;
  return segs[2] == "Group" && segs.size() == 5 && segs[4] == "$export";
}

asio::awaitable<reply> fhir_bulk_route(const request& req, services& svc, request_context& ctx,
                                       const boost::urls::url_view& url, const std::vector<std::string>& segs) {
  const reply none = outcome_reply(make_error(errc::not_found, "no such FHIR route"));
  if (segs[2] == "Group") {
    if (req.method() != http::verb::get) co_return method_not_allowed(true);
    co_return co_await kick_off(req, svc, ctx, url, segs[3]);
  }
  if (segs[2] == status_segment) {
    if (segs.size() != 4) co_return none;
    if (req.method() == http::verb::get) co_return co_await job_status(req, svc, ctx, segs[3]);
    if (req.method() == http::verb::delete_) co_return co_await cancel_job(req, svc, ctx, segs[3]);
    co_return method_not_allowed(false);
  }
  // A well-formed GET went to serve_fhir_export_file before routing.
  if (segs.size() != 5 || req.method() == http::verb::get) co_return none;
  co_return method_not_allowed(true);
}

std::optional<export_file_target> match_fhir_export_file_route(const http::request_header<>& head) {
  const std::string_view target = head.target();
  if (head.method() != http::verb::get || target.substr(0, 22) != "/fhir/R4/$export-file/") return std::nullopt;
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  std::vector<std::string> segs;
  for (auto&& seg : url->segments()) {
    if (segs.size() == 5) return std::nullopt;
    segs.emplace_back(seg);
  }
  if (segs.size() != 5 || segs[0] != "fhir" || segs[1] != "R4" || segs[2] != file_segment) return std::nullopt;
  return export_file_target{segs[3], segs[4]};
}

template <class Stream>
asio::awaitable<bool> serve_fhir_export_file(Stream& stream, const request& req, services& svc,
                                             const export_file_target& target, request_context& ctx) {
  // One trip to the pool: authenticate, authorize, find the job and the file, queue the audit row.
  // One of the two: a message file's range or a thread-header file's.
  std::optional<domain::export_range> range;
  std::optional<domain::export_thread_range> threads;
  std::string tenant, instance;
  const std::string_view what = "bulk_export_file";
  auto step = [&](domain::store_reader& reader, const domain::principal& who) -> core::result<reply> {
    auto job = find_job(reader, who, target.job, svc.clock.now_ms());
    if (!job) return std::move(job).error();
    const core::error none = make_error(errc::not_found, "this export has no such file");
    if (const auto k = api::fhir::export_thread_file_index(target.name)) {
      if (*k >= job->thread_file_ends.size()) return none;
      threads = job->thread_file_range(*k);
    } else {
      const auto m = api::fhir::export_file_index(target.name);
      if (!m || *m >= job->file_ends.size()) return none;
      range = job->file_range(*m);
    }
    tenant = who.tenant;
    instance = who.instance;
    return reply{};
  };
  auto checked = co_await export_step(req, svc, ctx, what, true, step);
  if (!checked) {
    const core::error failed = checked.error();
    co_return co_await write_outcome(stream, ctx, req, failed);
  }

  // The head: no Content-Length (the size is known once the last row is read). HTTP/1.1 frames
  // the body in chunks, one per batch; HTTP/1.0 ends it by closing the connection.
  const bool chunked = req.version() != 10;
  const bool keep = chunked && req.keep_alive();
  reply rep{200, {}};
  rep.content_type = api::fhir::ndjson_content_type;
  rep.request_id = ctx.id.view();
  std::string head = "HTTP/1.";
  head += chunked ? "1 200 OK\r\n" : "0 200 OK\r\n";
  for_each_reply_header(rep, [&](std::string_view name, std::string_view value) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  });
  head += chunked ? "Transfer-Encoding: chunked\r\n" : "Connection: close\r\n";
  if (chunked && !keep) head += "Connection: close\r\n";
  head += "\r\n";
  add_transport_headers<Stream>(head);
  ctx.status = 200;
  auto& timer_owner = beast::get_lowest_layer(stream);
  timer_owner.expires_after(std::chrono::seconds(30));
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head), use_tuple); ec) co_return false;

  // The rows, file_read_batch at a time: at most one batch is held, whatever the file's size.
  // read_batch reads a batch, turns it into NDJSON lines and moves the range past it (the coroutine
  // waits for it: no concurrent access). A named local, not a temporary, into the coroutine call
  // (the GCC 12 pitfall, COMMON.md).
  bool last = false;
  auto read_batch = [&]() -> core::result<std::string> {
    auto lease = svc.readers.acquire();
    std::string out;
    if (threads) {
      auto rows = lease->export_threads(*threads, file_read_batch);
      if (!rows) return std::move(rows).error();
      for (const auto& t : *rows) api::fhir::append_ndjson_thread_line(out, t, tenant, instance);
      last = rows->size() < static_cast<std::size_t>(file_read_batch);
      if (!rows->empty()) threads->after_chat = rows->back().chat_id;
      return out;
    }
    auto rows = lease->export_messages(*range, file_read_batch);
    if (!rows) return std::move(rows).error();
    for (const auto& m : *rows) api::fhir::append_ndjson_line(out, m, domain::chat_key{tenant, instance, m.patient});
    last = rows->size() < static_cast<std::size_t>(file_read_batch);
    if (!rows->empty()) range->after_seq = rows->back().msg.seq;
    return out;
  };
  std::string chunk;
  for (;;) {
    auto read = co_await run_blocking(svc.blocking, read_batch);
    if (!read) {
      // The status line is sent: all that is left is to cut the body short (no last chunk), which a
      // client sees as a failed download and retries.
      core::log_error("fhir-export", "an export file was cut short: " + read.error().message);
      co_return false;
    }
    const std::string& lines = *read;
    chunk.clear();
    if (chunked && !lines.empty()) {
      char size[20];
      const int n = std::snprintf(size, sizeof size, "%zx\r\n", lines.size());
      chunk.append(size, static_cast<std::size_t>(n));
    }
    chunk += lines;
    if (chunked && !lines.empty()) chunk += "\r\n";
    if (chunked && last) chunk += "0\r\n\r\n";
    ctx.body_bytes += lines.size();
    timer_owner.expires_after(std::chrono::seconds(30));
    if (!chunk.empty())
      if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(chunk), use_tuple); ec) co_return false;
    if (last) break;
  }
  co_return keep;
}

template asio::awaitable<bool> serve_fhir_export_file(plain_stream&, const request&, services&,
                                                      const export_file_target&, request_context&);
template asio::awaitable<bool> serve_fhir_export_file(tls_stream&, const request&, services&, const export_file_target&,
                                                      request_context&);

}  // namespace carechat::net
