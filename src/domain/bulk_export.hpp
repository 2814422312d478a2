// FHIR Bulk Data export of a tenant's instance (docs/integration.md, "FHIR Bulk Data export"): the
// job a kick-off records, and how its files are cut. A job is a snapshot, not a copy: it keeps the
// message log's high-water mark at kick-off (the newest seq of the instance's messages) and the
// boundaries of its files; each file is read from the database when it is downloaded, bounded by
// that mark and `_since`, so any node can serve it and nothing is stored but the job row.
// Thread-safety: plain values and pure functions; a store_reader is used by one thread at a time,
// an export_job_store from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace carechat::domain {

class store_reader;

// Resources per NDJSON file: bounds a file's size (at most this many messages of at most
// limits::max_message_chars each) and the work of one download.
inline constexpr std::int64_t export_file_resources = 1000;
// Files per export: bounds the count pass of a kick-off and the manifest (10 million messages).
inline constexpr std::int64_t export_max_files = 10'000;
// A job, its status URL and its files live this long after the kick-off; then they are 404.
inline constexpr core::unix_ms export_job_ttl_ms = 24LL * 60 * 60 * 1000;

// Which messages an export (or one of its files) holds: those of the instance with
// after_seq < seq <= upto_seq and, with `since`, created strictly after it.
struct export_range {
  std::string tenant;
  std::string instance;
  std::int64_t after_seq = 0;
  std::int64_t upto_seq = 0;
  std::optional<core::unix_ms> since;
};

// Which chats' thread headers an export (or one of its thread files) holds: the instance's chats
// with after_chat < id <= upto_chat that have a message in the snapshot (seq <= high_water and,
// with `since`, created strictly after it). A chat created after the kick-off has no message at or
// below the mark, so it is never in the export.
struct export_thread_range {
  std::string tenant;
  std::string instance;
  std::int64_t after_chat = 0;
  std::int64_t upto_chat = 0;
  std::int64_t high_water = 0;
  std::optional<core::unix_ms> since;
};

// One chat of a thread range. first/last: its oldest and newest message (by created_at, then seq)
// among ALL of its messages with seq <= high_water, `since` aside and archived ones too, so the
// header is the one the read API (GET Communication/thread-{patient}) served at the kick-off.
struct export_thread {
  std::int64_t chat_id = 0;
  std::string patient;
  core::unix_ms first_message_at = 0;
  core::unix_ms last_message_at = 0;
};

// What export_span finds: how many messages of the range (at most the limit asked for) and the
// seq of the last of them (0 when none); export_thread_span: chats, and the last chat's id.
struct export_span_result {
  std::int64_t count = 0;
  std::int64_t last_seq = 0;
};

struct export_job {
  std::string id;  // "bx" + 32 random hex digits: the status URL's secret part
  std::string tenant;
  std::string instance;
  std::string token_id;  // who asked (the audit trail has the rest)
  std::optional<core::unix_ms> since;
  core::unix_ms transaction_time = 0;  // the kick-off's time: the manifest's transactionTime
  std::int64_t high_water = 0;         // messages with seq <= this are in the snapshot
  std::string request;                 // the kick-off URL, for the manifest
  // The last seq of each file, in order: file k holds the range's messages with
  // file_ends[k-1] < seq <= file_ends[k] (file 0 from the start). Every file holds
  // export_file_resources messages but the last.
  std::vector<std::int64_t> file_ends;
  std::int64_t total = 0;  // messages in all files
  // The thread-header files, cut the same way by chat id: thread file k holds the range's chats
  // with thread_file_ends[k-1] < id <= thread_file_ends[k]. Listed before the message files in the
  // manifest, so an importer loads the headers the messages' partOf point to first.
  std::vector<std::int64_t> thread_file_ends;
  std::int64_t thread_total = 0;  // thread headers in all thread files
  core::unix_ms created_at = 0;
  core::unix_ms expires_at = 0;

  export_range file_range(std::size_t k) const;
  std::int64_t file_count(std::size_t k) const;
  export_thread_range thread_file_range(std::size_t k) const;
  std::int64_t thread_file_count(std::size_t k) const;
};

// Export jobs, in the database every node shares (read through store_reader::export_job_by_id).
// Thread-safety: any thread.
class export_job_store {
 public:
  virtual ~export_job_store() = default;
  // Records the job unless its tenant/instance has another job that has not expired at `now`
  // (an expired one is replaced): false then, and nothing changed. Decided in the database, so
  // two nodes kicking off at once record one job.
  virtual core::result<bool> create_export_job(const export_job& job, core::unix_ms now) = 0;
  // Deletes the job with this id of this tenant/instance; false when there was none.
  virtual core::result<bool> delete_export_job(const std::string& id, const std::string& tenant,
                                               const std::string& instance) = 0;
};

// The count pass of a kick-off: cuts the range (its after_seq 0) into files of
// export_file_resources messages. Too many files: payload_too_large.
struct export_plan {
  std::vector<std::int64_t> file_ends;
  std::int64_t total = 0;
};
core::result<export_plan> plan_export(store_reader& reader, const export_range& whole);
// The same for the thread headers (its after_chat 0, upto_chat the largest id): files of
// export_file_resources chats, cut by chat id.
core::result<export_plan> plan_export_threads(store_reader& reader, const export_thread_range& whole);

// file_ends as stored ("12,2040,3999") and back; a malformed text is an internal error.
std::string format_file_ends(const std::vector<std::int64_t>& ends);
core::result<std::vector<std::int64_t>> parse_file_ends(std::string_view text);

}  // namespace carechat::domain
