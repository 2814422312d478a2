#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "core/random.hpp"
#include "store/files/disk_blob_store.hpp"
#ifdef CARECHAT_WITH_POSTGRES
#include "store/postgres/sqlite_import.hpp"
#endif

namespace carechat::app {
namespace {

constexpr const char* copy_help = R"(usage: carechat copy --from sqlite:PATH --to postgresql://user@host:port/dbname?...
                     [--attachments DIR]

Copies a whole carechat database from SQLite into an empty PostgreSQL database: chats, messages
and read state, tokens, the audit trail, webhook endpoints, outbox and delivery log, the event log,
the server secrets (so tokens, page tokens and webhook secrets go on working), and the attachments
with their bytes, from DIR (default: PATH-attachments, where the server keeps them beside the
file) into the PostgreSQL database itself, each checked against its SHA-256. All or nothing:
one transaction, committed only after every table's row count and SHA-256 read back from
PostgreSQL match the source. The target's schema is created if missing; a target that already
holds carechat data is refused. The source is read in one snapshot: stop the old server first, or
what it writes after the copy starts is not copied. Live clients of the old server resync when
they reconnect to the new one (the event log gets a new epoch).

The password comes from the URI, PGPASSWORD or ~/.pgpass; it is never printed.
A progress bar is drawn on stderr when it is a terminal.
)";

// One line per table on a terminal, redrawn in place: "messages  [######      ]  48213/100000".
class progress_bar {
 public:
  explicit progress_bar(bool tty) : tty_(tty) {}
  void operator()(const std::string& table, std::int64_t done, std::int64_t total) {
    if (!tty_) return;
    if (table != current_ && !current_.empty()) std::cerr << '\n';
    current_ = table;
    constexpr int width = 30;
    const int filled = total > 0 ? static_cast<int>(done * width / total) : width;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r%-18s [%s] %lld/%lld", table.c_str(), bar.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total));
    std::fflush(stderr);
  }
  void end() {
    if (tty_ && !current_.empty()) std::cerr << '\n';
  }

 private:
  bool tty_;
  std::string current_;
};

}  // namespace

int copy_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"from", "to", "attachments"}, {"help"});
  if (!a) {
    std::cerr << "carechat copy: " << a.error().message << "\n\n" << copy_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << copy_help;
    return 0;
  }
  const auto from = a->get("from"), to = a->get("to");
  if (!from || !to) {
    std::cerr << "carechat copy: --from and --to are required\n\n" << copy_help;
    return 2;
  }
  auto source = parse_database(*from);
  auto target = parse_database(*to);
  if (!source || !target || source->backend != backend::sqlite || target->backend != backend::postgres) {
    std::cerr << "carechat copy: copies from an SQLite file (--from sqlite:PATH) to a PostgreSQL database "
                 "(--to postgresql://...)\n";
    return 2;
  }
#ifdef CARECHAT_WITH_POSTGRES
  auto cfg = load_config(*a);  // the PostgreSQL settings (statement timeout) from the environment
  if (!cfg) {
    std::cerr << "carechat copy: " << cfg.error().message << '\n';
    return 2;
  }
  store::postgres::pg_options opts;
  opts.conninfo = target->location;
  // A copy runs long statements (a chunk of 2,000 messages, a table read back whole).
  opts.statement_timeout_ms = std::max<int>(static_cast<int>(cfg->pg_statement_timeout_ms), 600'000);
  // The source's attachment bytes, where its server kept them; none if there is no such directory
  // (the copy then refuses a database that has attachments).
  const std::string files = a->get("attachments").value_or(source->location + "-attachments");
  std::unique_ptr<domain::blob_store> attachment_bytes;
  if (std::filesystem::is_directory(files)) {
    core::openssl_random rng;
    auto opened = store::files::disk_blob_store::open(files, rng);
    if (!opened) {
      std::cerr << "carechat copy: " << files << ": " << opened.error().message << '\n';
      return 1;
    }
    attachment_bytes = std::move(*opened);
  } else if (a->get("attachments")) {
    std::cerr << "carechat copy: --attachments " << files << " is not a directory\n";
    return 2;
  }
  progress_bar bar(isatty(STDERR_FILENO) != 0);
  auto report = store::postgres::copy_sqlite_to_postgres(
      source->location, opts, attachment_bytes.get(),
      [&](const std::string& t, std::int64_t done, std::int64_t total) { bar(t, done, total); });
  bar.end();
  if (!report) {
    std::cerr << "carechat copy: nothing was copied: " << report.error().message << '\n';
    return report.error().code == core::errc::bad_request ? 2 : 1;
  }
  std::cout << "copied " << source->location << " to " << display_database(*to) << "\n";
  for (const auto& t : report->tables) std::cout << "  " << t.table << '\t' << t.rows << " rows\tsha256 " << t.sha256 << '\n';
  std::cout << "every table verified; the event log's new epoch is " << report->epoch << '\n';
  return 0;
#else
  std::cerr << "carechat copy: this build has no PostgreSQL support (configure with -DCARECHAT_POSTGRES=ON)\n";
  return 1;
#endif
}

}  // namespace carechat::app
