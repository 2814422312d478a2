#include "app/attachment_collector.hpp"

#include <future>

#include "core/log.hpp"

namespace carechat::app {
namespace {

// A command's outcome, waited for on this (housekeeping) thread.
domain::write_outcome run(store::group_committer& writer, domain::write_command cmd) {
  auto done = std::make_shared<std::promise<domain::write_outcome>>();
  auto answer = done->get_future();
  if (!writer.submit(std::move(cmd), [done](domain::write_outcome out) { done->set_value(std::move(out)); }))
    return core::make_error(core::errc::unavailable, "the writer is busy or stopping");
  return answer.get();
}

}  // namespace

attachment_collector::attachment_collector(store::group_committer& writer, domain::blob_store& blobs,
                                           domain::cluster_duty& duty, const core::clock& clk,
                                           std::chrono::milliseconds unused_ttl, std::chrono::milliseconds interval)
    : writer_(writer),
      blobs_(blobs),
      duty_(duty),
      clock_(clk),
      ttl_(unused_ttl),
      thread_(interval, [this] { (void)collect(); }, periodic_thread::first_run::after_interval) {}

std::int64_t attachment_collector::collect() {
  if (!duty_.held()) return 0;  // another node does it
  std::int64_t deleted = 0;
  for (int round = 0; round < 100; ++round) {  // in rounds of at most 1000, until none is left
    auto expired = run(writer_, domain::expire_attachments_command{clock_.now_ms() - ttl_.count(), 1000});
    if (!expired) {
      core::log_warn("attachments", "collection: " + expired.error().message);
      return deleted;
    }
    const auto* ids = std::get_if<domain::attachment_ids_receipt>(&*expired);
    if (ids == nullptr || ids->ids.empty()) return deleted;
    std::vector<std::string> removed;
    for (const std::string& id : ids->ids) {
      auto a = blobs_.remove(id);
      auto b = blobs_.remove(domain::thumbnail_key(id));
      if (a && b)
        removed.push_back(id);
      else  // kept expired: the next round tries again
        core::log_warn("attachments", "collection could not remove the bytes of " + id);
    }
    if (removed.empty()) return deleted;
    auto gone = run(writer_, domain::delete_attachments_command{std::move(removed)});
    if (!gone) {
      core::log_warn("attachments", "collection: " + gone.error().message);
      return deleted;
    }
    if (const auto* count = std::get_if<domain::count_receipt>(&*gone)) deleted += count->affected;
    if (ids->ids.size() < 1000) return deleted;
  }
  return deleted;
}

}  // namespace carechat::app
