// A fresh, empty carechat database on the tests' throwaway PostgreSQL server: a schema of its own
// (t_<random>) in the cluster that scripts/pg-test-cluster.sh started for ctest (its URI is in
// <build>/pg-test/uri, or the file CARECHAT_TEST_PG_URI_FILE names), dropped when the test ends. carechat finds it
// through the URI's search_path, as an operator's would find `public`.
// Thread-safety: one per test.
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/random.hpp"
#include "store/postgres/pg_connection.hpp"

namespace carechat::test {

// The server's base URI, or an exception saying how to get one: a PostgreSQL test that cannot
// reach its server fails, it never passes by skipping.
inline std::string postgres_test_uri() {
  const char* env = std::getenv("CARECHAT_TEST_PG_URI_FILE");
#ifdef CARECHAT_PG_TEST_URI_FILE
  const std::string file = env != nullptr ? env : CARECHAT_PG_TEST_URI_FILE;
#else
  const std::string file = env != nullptr ? env : "";
#endif
  std::ifstream in(file);
  std::string uri;
  std::getline(in, uri);
  if (uri.empty())
    throw std::runtime_error("no PostgreSQL test server (no URI in '" + file +
                             "'): run the tests through ctest, whose fixture starts one, or start one with "
                             "scripts/pg-test-cluster.sh start DIR and export CARECHAT_TEST_PG_URI_FILE=DIR/uri");
  return uri;
}

class postgres_schema {
 public:
  postgres_schema() : base_(postgres_test_uri()) {
    core::openssl_random rng;
    std::uint8_t bytes[6];
    rng.fill(bytes);
    name_ = "t_" + core::to_hex(bytes);
    admin("CREATE SCHEMA " + name_);
    uri_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_ +
           "%2Cpublic";
  }
  ~postgres_schema() {
    try {
      admin("DROP SCHEMA " + name_ + " CASCADE");
    } catch (...) {  // a server already gone: nothing left to drop
    }
  }
  postgres_schema(const postgres_schema&) = delete;
  postgres_schema& operator=(const postgres_schema&) = delete;

  // What --db takes: the server's URI with this schema first in the search_path.
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }

  // Runs SQL on the schema (tests' own probes); throws on failure.
  void exec(const std::string& sql) const {
    auto c = connect(uri_);
    if (auto ok = c.exec("test", sql); !ok) throw std::runtime_error(ok.error().message);
  }
  // Runs SQL on the schema and answers the error, if any (for statements that must fail).
  core::result<void> try_exec(const std::string& sql) const {
    auto c = connect(uri_);
    return c.exec("test", sql);
  }
  // The first column of the first row of a query ($1, $2... from `args`), as text ("" when there
  // is no row, or NULL).
  std::string scalar(const std::string& sql, const std::vector<std::string>& args = {}) const {
    auto c = connect(uri_);
    const store::postgres::named_sql q{"test.scalar", sql};
    store::postgres::params p;
    for (const auto& a : args) p.text(a);
    auto r = c.run_planned(q, p);
    if (!r) throw std::runtime_error(r.error().message);
    return r->rows() > 0 ? std::string(r->text(0, 0)) : std::string();
  }

  // SQL on the server's own database as its superuser (CREATE DATABASE and the like).
  static void admin_exec(const std::string& sql) { admin_exec_at(postgres_test_uri(), sql); }
  // The same on another server (a test's own cluster).
  static void admin_exec_at(const std::string& uri, const std::string& sql) {
    auto c = connect(uri);
    if (auto ok = c.exec("test", sql); !ok) throw std::runtime_error(ok.error().message);
  }
  static std::string admin_scalar_at(const std::string& uri, const std::string& sql) {
    auto c = connect(uri);
    const store::postgres::named_sql q{"test.scalar", sql};
    auto r = c.run_planned(q, {});
    if (!r) throw std::runtime_error(r.error().message);
    return r->rows() > 0 ? std::string(r->text(0, 0)) : std::string();
  }

 private:
  static store::postgres::connection connect(const std::string& uri) {
    store::postgres::pg_options o;
    o.conninfo = uri;
    auto c = store::postgres::connection::open(o);
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }
  void admin(const std::string& sql) const {
    auto c = connect(base_);
    if (auto ok = c.exec("test", sql); !ok) throw std::runtime_error(ok.error().message);
  }

  std::string base_, name_, uri_;
};

}  // namespace carechat::test
