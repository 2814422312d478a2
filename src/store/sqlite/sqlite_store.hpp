// domain::store on one SQLite file in WAL mode: one writer connection for apply() and the
// administration calls, one connection per reader. Other processes (the CLI beside a running
// server) may use the same file; they wait for each other up to busy_timeout.
// Thread-safety: as domain::store. open_reader() and the administration calls may come from any
// thread; they and apply() take turns on the writer connection under one mutex.
#pragma once

#include <memory>
#include <mutex>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/store.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

class sqlite_store final : public domain::store {
 public:
  // Opens or creates the file and brings its schema up to date. `clk` stamps messages at apply time
  // and `rng` fills new server secrets; both must outlive the store.
  static core::result<std::unique_ptr<sqlite_store>> open(const sqlite_options& opts, const core::clock& clk,
                                                          core::random_source& rng);

  std::unique_ptr<domain::store_reader> open_reader() override;
  std::vector<domain::write_outcome> apply(std::span<const domain::write_command> batch) override;

  core::result<void> insert_token(const domain::token_record& token) override;
  core::result<std::vector<domain::token_record>> list_tokens() override;
  core::result<bool> revoke_token(const std::string& id, core::unix_ms at) override;
  core::result<std::vector<domain::audit_row>> audit_for_patient(const std::string& patient) override;
  core::result<core::bytes> secret(const std::string& name, std::size_t size) override;

 private:
  sqlite_store(sqlite_options opts, connection writer, const core::clock& clk, core::random_source& rng);

  const sqlite_options opts_;
  const core::clock& clock_;
  core::random_source& rng_;
  std::mutex writer_mutex_;  // guards writer_ (and rng_, used only under it)
  connection writer_;
};

}  // namespace carechat::store::sqlite
