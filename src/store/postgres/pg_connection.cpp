#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

#include "store/postgres/pg_errors.hpp"

namespace carechat::store::postgres {
namespace {

// An element of an array literal: always quoted, with '"' and '\' escaped.
void append_array_element(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string hex_bytea(std::span<const std::uint8_t> v) { return "\\x" + core::to_hex(v); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libpq keywords carechat sets on every connection, merged with the operator's conninfo: the
// operator's own `options` (e.g. a search_path) are kept and ours appended.
struct connect_settings {
  std::vector<std::string> keys, values;
};

core::result<connect_settings> settings_for(const pg_options& opts) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(opts.conninfo.c_str(), &err);
  if (parsed == nullptr) {
    // libpq's message quotes the bad part of the string; keep only its first words.
    std::string why = err != nullptr ? err : "invalid connection string";
    if (err != nullptr) PQfreemem(err);
    if (const auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    return core::make_error(core::errc::bad_request, "postgres: the connection string is not valid (" +
                                                         why.substr(0, why.find('"')) + ")");
  }
  connect_settings s;
  std::string options;
  bool has_connect_timeout = false;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "options") {
      options = o->val;
      continue;
    }
    if (k == "connect_timeout") has_connect_timeout = true;
    s.keys.emplace_back(k);
    s.values.emplace_back(o->val);
  }
  PQconninfoFree(parsed);
  // statement_timeout bounds every statement; a transaction left idle (a crashed client) is cut
  // after a minute so it cannot hold the log's lock; the session speaks UTC.
  options += " -c statement_timeout=" + std::to_string(opts.statement_timeout_ms) +
             " -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC";
  s.keys.emplace_back("options");
  s.values.push_back(options);
  if (!has_connect_timeout) {
    s.keys.emplace_back("connect_timeout");
    s.values.push_back(std::to_string(std::max(2, opts.connect_timeout_s)));
  }
  // A server that vanished without closing (a dead host, a partition) is noticed by the kernel's
  // keepalives instead of a wait without end.
  for (auto [k, v] : {std::pair{"keepalives", "1"}, {"keepalives_idle", "5"}, {"keepalives_interval", "2"},
                      {"keepalives_count", "3"}}) {
    s.keys.emplace_back(k);
    s.values.emplace_back(v);
  }
  s.keys.emplace_back("application_name");
  s.values.emplace_back("carechat");
  return s;
}

}  // namespace

// ---- params ----

params& params::push(std::string v, int format) {
  lengths_.push_back(static_cast<int>(v.size()));
  values_.push_back(std::move(v));
  nulls_.push_back(false);
  formats_.push_back(format);
  return *this;
}

params& params::text(std::string_view v) { return push(std::string(v), 0); }
params& params::opt_text(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
params& params::int64(std::int64_t v) { return push(std::to_string(v), 0); }
params& params::opt_int64(const std::optional<std::int64_t>& v) { return v ? int64(*v) : null(); }
params& params::boolean(bool v) { return push(v ? "t" : "f", 0); }
params& params::bytes(std::span<const std::uint8_t> v) { return push(std::string(v.begin(), v.end()), 1); }
params& params::null() {
  push(std::string(), 0);
  nulls_.back() = true;
  return *this;
}

params& params::text_array(std::span<const std::string> v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    append_array_element(out, v[i]);
  }
  return push(out + "}", 0);
}

params& params::opt_text_array(std::span<const std::optional<std::string>> v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    if (v[i]) append_array_element(out, *v[i]);
    else out += "NULL";
  }
  return push(out + "}", 0);
}

params& params::int64_array(std::span<const std::int64_t> v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(v[i]);
  }
  return push(out + "}", 0);
}

params& params::opt_int64_array(std::span<const std::optional<std::int64_t>> v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += v[i] ? std::to_string(*v[i]) : std::string("NULL");
  }
  return push(out + "}", 0);
}

params& params::bytes_array(std::span<const core::bytes> v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    append_array_element(out, hex_bytea(v[i]));
  }
  return push(out + "}", 0);
}

const char* const* params::values() const {
  pointers_.resize(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) pointers_[i] = nulls_[i] ? nullptr : values_[i].c_str();
  return pointers_.data();
}

// ---- result ----

void result::deleter::operator()(pg_result* r) const noexcept { PQclear(r); }

result::result(pg_result* r) : r_(r) {}

int result::rows() const noexcept { return r_ ? PQntuples(r_.get()) : 0; }
int result::columns() const noexcept { return r_ ? PQnfields(r_.get()) : 0; }
bool result::null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

std::string_view result::text(int row, int col) const {
  return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

std::int64_t result::int64(int row, int col) const {
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!t.empty() && (ec != std::errc() || end != t.data() + t.size()))
    throw std::logic_error("postgres: a column read as an integer is not one");  // a bug in our SQL
  return v;
}

bool result::boolean(int row, int col) const { return text(row, col) == "t"; }

core::bytes result::bytea(int row, int col) const {
  const std::string_view t = text(row, col);
  core::bytes out;
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') return out;  // the server's bytea_output is hex
  out.reserve((t.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < t.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(hex_value(t[i]) * 16 + hex_value(t[i + 1])));
  return out;
}

std::optional<std::string> result::opt_text(int row, int col) const {
  if (null(row, col)) return std::nullopt;
  return std::string(text(row, col));
}

std::optional<std::int64_t> result::opt_int64(int row, int col) const {
  if (null(row, col)) return std::nullopt;
  return int64(row, col);
}

std::int64_t result::affected() const {
  const char* n = PQcmdTuples(r_.get());
  std::int64_t v = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

// ---- connection ----

connection::connection(pg_conn* c, int timeout_ms) noexcept : c_(c), timeout_ms_(timeout_ms) {}

connection::connection(connection&& other) noexcept
    : c_(other.c_), timeout_ms_(other.timeout_ms_), prepared_(std::move(other.prepared_)) {
  other.c_ = nullptr;
}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    close();
    c_ = other.c_;
    timeout_ms_ = other.timeout_ms_;
    prepared_ = std::move(other.prepared_);
    other.c_ = nullptr;
  }
  return *this;
}

connection::~connection() { close(); }

void connection::close() noexcept {
  if (c_ != nullptr) PQfinish(c_);
  c_ = nullptr;
}

core::result<connection> connection::open(const pg_options& opts) {
  auto s = settings_for(opts);
  if (!s) return std::move(s).error();
  std::vector<const char*> keys, values;
  for (std::size_t i = 0; i < s->keys.size(); ++i) {
    keys.push_back(s->keys[i].c_str());
    values.push_back(s->values[i].c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* c = PQconnectdbParams(keys.data(), values.data(), 0);
  if (c == nullptr) return core::make_error(core::errc::unavailable, "postgres: out of memory while connecting");
  connection conn(c, opts.statement_timeout_ms + 5000);
  if (PQstatus(c) != CONNECTION_OK) return connection_error(c, "connect");
  // Server notices ("extension already exists, skipping") are not errors and must not reach a
  // terminal or a log unasked: dropped.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  if (PQserverVersion(c) < 140000)
    return core::make_error(core::errc::internal, "postgres: the server is version " +
                                                      std::to_string(PQserverVersion(c) / 10000) +
                                                      "; carechat needs PostgreSQL 14 or newer");
  if (PQclientEncoding(c) != pg_char_to_encoding("UTF8") && PQsetClientEncoding(c, "UTF8") != 0)
    return connection_error(c, "set client encoding");
  // Non-blocking sends: a pipeline's statements are queued, then flushed while answers are read, so
  // neither side can stall with a full socket buffer (libpq's pipeline-mode advice).
  if (PQsetnonblocking(c, 1) != 0) return connection_error(c, "set non-blocking");
  return conn;
}

int connection::socket() const noexcept { return c_ != nullptr ? PQsocket(c_) : -1; }

core::result<std::vector<std::pair<std::string, std::string>>> connection::notifications() {
  if (broken() || PQconsumeInput(c_) != 1) return connection_error(c_, "notifications");
  std::vector<std::pair<std::string, std::string>> out;
  const int self = PQbackendPID(c_);
  while (PGnotify* n = PQnotifies(c_)) {
    if (n->be_pid != self) out.emplace_back(n->relname, n->extra);
    PQfreemem(n);
  }
  return out;
}

std::string connection::quote_identifier(std::string_view name) const {
  char* q = PQescapeIdentifier(c_, name.data(), name.size());
  if (q == nullptr) return "\"carechat\"";  // only on out of memory; a name that cannot clash
  std::string out(q);
  PQfreemem(q);
  return out;
}

bool connection::broken() const noexcept { return c_ == nullptr || PQstatus(c_) != CONNECTION_OK; }

bool connection::in_transaction() const noexcept {
  return c_ != nullptr && PQtransactionStatus(c_) != PQTRANS_IDLE && PQtransactionStatus(c_) != PQTRANS_UNKNOWN;
}

std::string connection::describe() const {
  if (c_ == nullptr) return "(closed)";
  const char* host = PQhost(c_);
  const char* port = PQport(c_);
  const char* db = PQdb(c_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?") + "/" + (db ? db : "?");
}

core::result<void> connection::wait_socket(bool want_write) {
  pollfd p{PQsocket(c_), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
  for (;;) {
    const int n = ::poll(&p, 1, timeout_ms_);
    if (n > 0) return {};
    if (n < 0 && errno == EINTR) continue;
    // No answer within statement_timeout and a margin: the server or the network is gone. The
    // connection may hold a half-read answer, so it is closed, not reused.
    close();
    return core::make_error(core::errc::unavailable, "postgres: no answer from the database within " +
                                                         std::to_string(timeout_ms_) + " ms");
  }
}

core::result<void> connection::prepare_if_needed(const named_sql& q, const params& p) {
  if (prepared_.contains(q.name)) return {};
  const std::string name(q.name), sql(q.sql);
  pg_result* r = PQprepare(c_, name.c_str(), sql.c_str(), p.size(), nullptr);
  result owned(r);
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) return make_pg_error(c_, r, "prepare " + name);
  prepared_.insert(q.name);
  return {};
}

core::result<result> connection::run(const named_sql& q, const params& p) {
  if (broken()) return connection_error(c_, q.name);
  if (auto ok = prepare_if_needed(q, p); !ok) return std::move(ok).error();
  const std::string name(q.name);
  // PQexecPrepared blocks even on a non-blocking connection (libpq documents it so), bounded by
  // statement_timeout on the server and the keepalives on the socket.
  pg_result* r = PQexecPrepared(c_, name.c_str(), p.size(), p.values(), p.lengths(), p.formats(), 0);
  result owned(r);
  const auto status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return make_pg_error(c_, r, name);
  return owned;
}

core::result<result> connection::run_planned(const named_sql& q, const params& p) {
  if (broken()) return connection_error(c_, q.name);
  const std::string sql(q.sql);
  pg_result* r = PQexecParams(c_, sql.c_str(), p.size(), nullptr, p.values(), p.lengths(), p.formats(), 0);
  result owned(r);
  const auto status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return make_pg_error(c_, r, q.name);
  return owned;
}

core::result<void> connection::exec(std::string_view what, const std::string& sql) {
  if (broken()) return connection_error(c_, what);
  pg_result* r = PQexec(c_, sql.c_str());
  result owned(r);
  const auto status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return make_pg_error(c_, r, what);
  return {};
}

core::result<std::vector<result>> connection::pipeline(std::span<const call> calls) {
  if (broken()) return connection_error(c_, "pipeline");
  // Statements not yet prepared on this connection are prepared first, in their own round trip
  // (once per connection per statement).
  for (const call& c : calls)
    if (auto ok = prepare_if_needed(*c.sql, c.args); !ok) return std::move(ok).error();
  if (PQenterPipelineMode(c_) != 1) return connection_error(c_, "enter pipeline mode");
  struct leave {
    pg_conn* c;
    ~leave() {
      if (c != nullptr && PQpipelineStatus(c) != PQ_PIPELINE_OFF) PQexitPipelineMode(c);
    }
  } guard{c_};
  for (const call& c : calls) {
    const std::string name(c.sql->name);
    if (PQsendQueryPrepared(c_, name.c_str(), c.args.size(), c.args.values(), c.args.lengths(), c.args.formats(),
                            0) != 1)
      return connection_error(c_, name);
  }
  if (PQpipelineSync(c_) != 1) return connection_error(c_, "pipeline sync");

  std::vector<result> out;
  out.reserve(calls.size());
  std::optional<core::error> failure;
  std::size_t answered = 0;  // statements whose results are complete
  bool synced = false;
  while (!synced) {
    const int flush = PQflush(c_);
    if (flush < 0) return connection_error(c_, "pipeline send");
    if (PQisBusy(c_)) {
      if (auto ok = wait_socket(flush == 1); !ok) return std::move(ok).error();
      if (PQconsumeInput(c_) != 1) return connection_error(c_, "pipeline receive");
      continue;
    }
    pg_result* r = PQgetResult(c_);
    if (r == nullptr) {  // the end of one statement's results
      ++answered;
      continue;
    }
    result owned(r);
    switch (PQresultStatus(r)) {
      case PGRES_PIPELINE_SYNC: synced = true; break;
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK: out.push_back(std::move(owned)); break;
      case PGRES_PIPELINE_ABORTED: break;  // skipped after an earlier failure
      default:
        if (!failure) failure = make_pg_error(c_, r, answered < calls.size() ? calls[answered].sql->name : "pipeline");
    }
  }
  if (failure) return *std::move(failure);
  return out;
}

}  // namespace carechat::store::postgres
