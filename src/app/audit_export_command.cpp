// `carechat audit export --since TIME --until TIME`: the audit rows of a time range, every column
// (the chain's included), as CSV or NDJSON for a compliance officer, streamed page by page. Bad
// arguments are refused before anything is opened or written (exit 2); with --out the rows go to
// FILE.partial, renamed to FILE only once complete, so a failed export leaves no truncated file.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/audit_export_format.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "core/time_format.hpp"

namespace carechat::app {
namespace {

constexpr const char* export_help = R"(usage: carechat audit export --since TIME --until TIME [--format csv|ndjson]
                             [--tenant T] [--instance I] [--out FILE] [--db PATH]

Writes the audit rows with since <= time < until, in id order, with every column: id, at,
token_id, role, actor_id, action, tenant, instance, patient, outcome, chain_seq, prev_hash,
row_hash (the chain's columns are empty/null for rows from before the chain began).
TIME is RFC 3339 (2026-01-31T00:00:00Z, an offset such as +01:00, fractions to milliseconds)
or a date (2026-01-31, midnight UTC); times written are RFC 3339 UTC with milliseconds.
--format csv (default; RFC 4180, CRLF, header line) or ndjson (one JSON object per line).
--out FILE writes FILE (refused if it exists; FILE.partial until complete); default stdout.
Exit status: 0 written, 1 the database could not be read or FILE written, 2 usage.
)";

constexpr int export_page_rows = 5000;

int usage_error(const std::string& message) {
  std::cerr << "carechat audit export: " << message << "\n\n" << export_help;
  return 2;
}

}  // namespace

int audit_export_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "since", "until", "format", "tenant", "instance", "out"}, {"help"});
  if (!a) return usage_error(a.error().message);
  if (a->has("help")) {
    std::cout << export_help;
    return 0;
  }
  if (!a->get("since") || !a->get("until")) return usage_error("--since and --until are required");
  const auto since = core::parse_iso8601(*a->get("since"));
  if (!since) return usage_error("--since is not an RFC 3339 time: " + *a->get("since"));
  const auto until = core::parse_iso8601(*a->get("until"));
  if (!until) return usage_error("--until is not an RFC 3339 time: " + *a->get("until"));
  if (*since > *until) return usage_error("--since is after --until");
  const auto format = audit_export_format_from(a->get("format").value_or("csv"));
  if (!format) return usage_error("--format must be csv or ndjson, not " + *a->get("format"));
  const auto out_path = a->get("out");
  if (out_path && out_path->empty()) return usage_error("--out needs a file name");
  std::error_code ec;
  if (out_path && std::filesystem::exists(*out_path, ec))
    return usage_error("--out " + *out_path + " exists: choose another name");
  auto cfg = load_config(*a);
  if (!cfg) return usage_error(cfg.error().message);

  core::system_clock clock;
  core::openssl_random rng;
  auto st = open_store(*cfg, clock, rng);
  if (!st) {
    std::cerr << "carechat audit export: " << st.error().message << '\n';
    return 1;
  }
  const std::string partial = out_path ? *out_path + ".partial" : "";
  std::ofstream file;
  if (out_path) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "carechat audit export: cannot write " << partial << ": " << std::strerror(errno) << '\n';
      return 1;
    }
  }
  std::ostream& out = out_path ? static_cast<std::ostream&>(file) : std::cout;
  auto fail = [&](const std::string& message) {
    std::cerr << "carechat audit export: " << message << '\n';
    if (out_path) {
      file.close();
      std::filesystem::remove(partial, ec);
    }
    return 1;
  };

  if (*format == audit_export_format::csv) out << csv_header();
  domain::audit_export_query q{a->get("tenant"), a->get("instance"), *since, *until, 0, export_page_rows};
  std::int64_t written = 0;
  for (;;) {
    auto page = (*st)->audit_export_page(q);
    if (!page) return fail(page.error().message);
    for (const auto& r : *page) out << (*format == audit_export_format::csv ? csv_line(r) : ndjson_line(r));
    written += static_cast<std::int64_t>(page->size());
    if (!out) return fail("write failed" + (out_path ? ": " + partial : std::string()));
    if (static_cast<int>(page->size()) < q.limit) break;
    q.after = page->back().id;
  }
  out.flush();
  if (!out) return fail("write failed" + (out_path ? ": " + partial : std::string()));
  if (out_path) {
    file.close();
    if (!file) return fail("write failed: " + partial);
    std::filesystem::rename(partial, *out_path, ec);
    if (ec) return fail("cannot rename " + partial + " to " + *out_path + ": " + ec.message());
  }
  std::cerr << "carechat audit export: " << written << " row(s)" << (out_path ? " written to " + *out_path : "")
            << '\n';
  return 0;
}

}  // namespace carechat::app
