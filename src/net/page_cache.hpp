// The latest page of a chat, as served (the JSON body), kept so that the busiest read of all (a
// chart pane opening, a client polling) is answered on the I/O thread without a store read.
// Only first pages without a page token or anchor are cached, per (chat, viewer, page size,
// archived flag). It is a domain::event_hub: the group committer publishes every committed event
// here before completing the writers, and an event drops its chat's pages, so a client that got
// its 200 never reads a page from before its own write.
//
// A read that raced with a write must not store what it read before that write: take snapshot()
// before reading and pass it to insert(), which refuses when the chat changed since (or the cache
// started over). Entries also age out after `max_age`, which bounds how long a change made outside
// this process (another process on the same SQLite file) can go unseen.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/json_codec.hpp"
#include "core/clock.hpp"
#include "domain/chat.hpp"
#include "domain/event_hub.hpp"

namespace carechat::net {

class page_cache final : public domain::event_hub {
 public:
  struct options {
    std::chrono::milliseconds max_age{1'000};  // 0: cache nothing
    std::size_t max_pages = 8'192;             // past it the cache starts over
  };
  // One cached variant of a chat's latest page.
  struct variant {
    api::viewer viewer = api::viewer::staff;
    int page_size = 0;
    bool include_archived = false;
  };

  explicit page_cache(options o) : opts_(o) {}

  std::shared_ptr<const std::string> find(const domain::chat_key& chat, const variant& v, core::unix_ms now) const;
  std::uint64_t snapshot() const;
  void insert(const domain::chat_key& chat, const variant& v, std::string body, std::uint64_t snapshot_seen,
              core::unix_ms now);
  void publish(std::span<const domain::chat_event> events) override;
  std::size_t size() const;

 private:
  struct page {
    std::shared_ptr<const std::string> body;
    core::unix_ms cached_at = 0;
  };
  struct chat_pages {
    std::uint64_t changed_at = 0;  // the counter when an event last touched the chat
    std::unordered_map<std::uint64_t, page> pages;  // by variant_key
  };
  static std::uint64_t variant_key(const variant& v);

  const options opts_;
  mutable std::mutex mutex_;
  std::uint64_t counter_ = 0;  // bumped by every event published
  std::uint64_t floor_ = 0;    // the counter when the cache last started over
  std::size_t pages_ = 0;
  std::unordered_map<std::string, chat_pages> chats_;
};

}  // namespace carechat::net
