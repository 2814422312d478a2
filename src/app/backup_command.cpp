// `carechat backup --to FILE` and `carechat restore --from FILE` for an SQLite database, while a
// server may be serving it (store/sqlite/backup). The attachments' bytes go along, from the
// directory beside the database to the one beside the copy (FILE-attachments). On PostgreSQL the
// database's own tools do this (docs/operations.md, "Backups").
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "core/random.hpp"
#include "store/files/disk_blob_store.hpp"
#include "store/sqlite/backup.hpp"

namespace carechat::app {
namespace {

constexpr const char* backup_help = R"(usage: carechat backup --to FILE [--db PATH]

Copies the SQLite database PATH (env CARECHAT_DB) into the new file FILE while a server may be
serving it: one consistent snapshot, checked (integrity_check) before the command succeeds. The
attachments' bytes beside the database (PATH-attachments) are copied to FILE-attachments. FILE
must not exist. On PostgreSQL use pg_dump or base backups with WAL archiving (docs/operations.md).
)";

constexpr const char* restore_help = R"(usage: carechat restore --from FILE --db PATH

Makes a new database at PATH (which must not exist) from a backup FILE made by `carechat backup`,
with its attachments (FILE-attachments to PATH-attachments). The restored event log gets a new
epoch: live clients of the old database resync when they reconnect, rather than miss events.
)";

// The attachments the copy's rows need, from one blob directory to another; each size checked.
core::result<std::size_t> copy_attachments(const std::vector<std::string>& keys, const std::string& from_dir,
                                           const std::string& to_dir) {
  if (keys.empty()) return std::size_t{0};
  core::openssl_random rng;
  auto from = store::files::disk_blob_store::open(from_dir, rng);
  if (!from) return std::move(from).error();
  auto to = store::files::disk_blob_store::open(to_dir, rng);
  if (!to) return std::move(to).error();
  std::string buffer(256 * 1024, '\0');
  for (const std::string& key : keys) {
    auto size = (*from)->size(key);
    if (!size)
      return core::make_error(core::errc::internal, "the bytes of attachment " + key + " are missing in " + from_dir);
    auto writer = (*to)->create(key);
    if (!writer) return std::move(writer).error();
    auto copied = domain::read_blob(**from, key, *size, std::span<char>(buffer.data(), buffer.size()),
                                    [&](std::string_view piece) {
                                      return (*writer)->append(std::span<const char>(piece.data(), piece.size()));
                                    });
    if (!copied) return std::move(copied).error();
    if (auto ok = (*writer)->commit(); !ok) return std::move(ok).error();
  }
  return keys.size();
}

// The SQLite file a --db value names; a usage error for PostgreSQL.
std::optional<std::string> sqlite_path(const std::string& db, const char* command) {
  auto spec = parse_database(db);
  if (!spec || spec->backend != backend::sqlite) {
    std::cerr << "carechat " << command << ": for an SQLite database only; on PostgreSQL use pg_dump or base "
                 "backups with WAL archiving (docs/operations.md, \"Backups\")\n";
    return std::nullopt;
  }
  return spec->location;
}

int report(const char* command, const std::string& what, const store::sqlite::backup_report& r,
           std::size_t attachments) {
  std::cout << command << " " << what << ": " << r.messages << " messages, " << r.audit_rows << " audit rows, "
            << attachments << " attachment files; integrity checked; epoch " << r.epoch << '\n';
  return 0;
}

}  // namespace

int backup_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "to"}, {"help"});
  if (!a || (!a->has("help") && !a->get("to"))) {
    std::cerr << "carechat backup: " << (a ? "--to is required" : a.error().message) << "\n\n" << backup_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << backup_help;
    return 0;
  }
  auto cfg = load_config(*a);
  if (!cfg) {
    std::cerr << "carechat backup: " << cfg.error().message << '\n';
    return 2;
  }
  const auto path = sqlite_path(cfg->db_path, "backup");
  if (!path) return 2;
  store::sqlite::sqlite_options source;
  source.path = *path;
  const std::string target = *a->get("to");
  auto copied = store::sqlite::backup_database(source, target);
  if (!copied) {
    std::cerr << "carechat backup: " << copied.error().message << '\n';
    return copied.error().code == core::errc::bad_request ? 2 : 1;
  }
  auto files = copy_attachments(copied->attachment_keys, *path + "-attachments", target + "-attachments");
  if (!files) {
    std::cerr << "carechat backup: the database was copied, its attachments not: " << files.error().message << '\n';
    return 1;
  }
  return report("backup", "to " + target, *copied, *files);
}

int restore_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "from"}, {"help"});
  if (!a || (!a->has("help") && (!a->get("from") || !a->get("db")))) {
    std::cerr << "carechat restore: " << (a ? "--from and --db are required" : a.error().message) << "\n\n"
              << restore_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << restore_help;
    return 0;
  }
  const auto path = sqlite_path(*a->get("db"), "restore");
  if (!path) return 2;
  const std::string backup = *a->get("from");
  store::sqlite::sqlite_options target;
  target.path = *path;
  auto restored = store::sqlite::restore_database(backup, target);
  if (!restored) {
    std::cerr << "carechat restore: " << restored.error().message << '\n';
    return restored.error().code == core::errc::bad_request ? 2 : 1;
  }
  auto files = copy_attachments(restored->attachment_keys, backup + "-attachments", *path + "-attachments");
  if (!files) {
    std::cerr << "carechat restore: the database was restored, its attachments not: " << files.error().message
              << '\n';
    return 1;
  }
  return report("restored", "into " + *path, *restored, *files);
}

}  // namespace carechat::app
