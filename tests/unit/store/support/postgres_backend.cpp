// The PostgreSQL backend for the contract tests: a schema of its own per test on the tests'
// throwaway server (tests/support/postgres_schema.hpp). Compiled only into builds with it.
#ifdef CARECHAT_WITH_POSTGRES

#include <gtest/gtest.h>

#include "store/postgres/pg_store.hpp"
#include "support/postgres_schema.hpp"
#include "unit/store/support/backend.hpp"

namespace carechat::test {
namespace {

class postgres_backend final : public backend {
 public:
  core::result<std::unique_ptr<domain::store>> open(const core::clock& clk, core::random_source& rng) override {
    return open_with_fault(clk, rng, {});
  }
  core::result<std::unique_ptr<domain::store>> open_with_fault(const core::clock& clk, core::random_source& rng,
                                                               std::function<bool()> before_commit) override {
    store::postgres::pg_options opts;
    opts.conninfo = schema_.uri();
    opts.pool_size = 4;
    opts.before_commit = std::move(before_commit);
    auto s = store::postgres::pg_store::open(opts, clk, rng);
    if (!s) return std::move(s).error();
    return std::unique_ptr<domain::store>(std::move(*s));
  }

  // Every text and bytea value of every table of the schema, searched for the needle.
  bool file_contains(const std::string& needle) override {
    const std::string hex = core::to_hex(core::as_bytes(needle));
    const std::string found = schema_.scalar(
        "SELECT string_agg(table_name, ',') FROM information_schema.tables t WHERE t.table_schema = '" +
        schema_.name() + "'");
    for (std::string_view tables = found; !tables.empty();) {
      const auto comma = tables.find(',');
      const std::string table(tables.substr(0, comma));
      tables = comma == std::string_view::npos ? std::string_view() : tables.substr(comma + 1);
      // A row's text form holds its text columns as written and its bytea ones as \x + hex.
      const std::string hits = schema_.scalar("SELECT count(*) FROM " + schema_.name() + "." + table +
                                              " AS r WHERE strpos(r::text, " + quote(needle) + ") > 0 OR strpos(r::text, " +
                                              quote(hex) + ") > 0");
      if (hits != "0") return true;
    }
    return false;
  }

  std::vector<outbox_row> outbox() override {
    std::vector<outbox_row> out;
    const std::string rows = schema_.scalar(
        "SELECT string_agg(concat_ws(chr(9), event_id, event_type, coalesce(message_seq, 0), state, attempts), "
        "chr(10) ORDER BY id) FROM webhook_outbox");
    for (std::string_view all = rows; !all.empty();) {
      const auto nl = all.find('\n');
      const std::string_view line = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
      std::vector<std::string> cols;
      for (std::string_view rest = line;;) {
        const auto tab = rest.find('\t');
        cols.emplace_back(rest.substr(0, tab));
        if (tab == std::string_view::npos) break;
        rest = rest.substr(tab + 1);
      }
      if (cols.size() != 5) {
        ADD_FAILURE() << "outbox row: " << line;
        continue;
      }
      out.push_back(outbox_row{cols[0], cols[1], std::stoll(cols[2]), cols[3], std::stoll(cols[4])});
    }
    return out;
  }

  core::result<void> update_audit_rows() override { return schema_.try_exec("UPDATE audit_log SET outcome = 'x'"); }
  core::result<void> delete_audit_rows() override {
    if (auto ok = schema_.try_exec("DELETE FROM audit_log"); ok) return ok;
    return schema_.try_exec("TRUNCATE audit_log");
  }

 private:
  static std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + "'";
  }

  postgres_schema schema_;
};

}  // namespace

backend_factory postgres_backend_factory() {
  return backend_factory{"postgres", [](const std::filesystem::path&) -> std::unique_ptr<backend> {
                           return std::make_unique<postgres_backend>();
                         }};
}

}  // namespace carechat::test

#endif  // CARECHAT_WITH_POSTGRES
