// Housekeeping for attachments (issue #14): uploads that no message uses are deleted once they are
// older than their time to live (24 h by default), with whatever a crash mid-upload left. In three
// steps, so a crash anywhere leaves nothing a message points at and nothing forgotten: the rows
// become expired (no send can take them from then on; store.hpp, expire_attachments_command), the
// bytes are removed from the blob store, the rows are deleted. Once per cluster, with the
// "housekeeping" duty (as event_pruner). Thread-safety: owns one thread; stop() from any thread.
#pragma once

#include <chrono>

#include "app/periodic_thread.hpp"
#include "core/clock.hpp"
#include "domain/blob_store.hpp"
#include "domain/store.hpp"
#include "store/group_committer.hpp"

namespace carechat::app {

class attachment_collector {
 public:
  attachment_collector(store::group_committer& writer, domain::blob_store& blobs, domain::cluster_duty& duty,
                       const core::clock& clk, std::chrono::milliseconds unused_ttl,
                       std::chrono::milliseconds interval);
  void stop() { thread_.stop(); }

  // One round (also what the thread runs): how many attachments were deleted.
  std::int64_t collect();

 private:
  store::group_committer& writer_;
  domain::blob_store& blobs_;
  domain::cluster_duty& duty_;
  const core::clock& clock_;
  std::chrono::milliseconds ttl_;
  periodic_thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
