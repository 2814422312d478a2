#include "net/page_cache.hpp"

#include "net/index_keys.hpp"

namespace carechat::net {

std::uint64_t page_cache::variant_key(const variant& v) {
  return (static_cast<std::uint64_t>(v.page_size) << 2) | (v.viewer == api::viewer::staff ? 2u : 0u) |
         (v.include_archived ? 1u : 0u);
}

std::shared_ptr<const std::string> page_cache::find(const domain::chat_key& chat, const variant& v,
                                                    core::unix_ms now) const {
  if (opts_.max_age.count() <= 0) return nullptr;  // off: no lock, no key
  std::lock_guard lock(mutex_);
  auto c = chats_.find(chat_index_key(chat));
  if (c == chats_.end()) return nullptr;
  auto p = c->second.pages.find(variant_key(v));
  if (p == c->second.pages.end()) return nullptr;
  if (now - p->second.cached_at >= opts_.max_age.count() || now < p->second.cached_at) return nullptr;
  return p->second.body;
}

std::uint64_t page_cache::snapshot() const {
  std::lock_guard lock(mutex_);
  return counter_;
}

void page_cache::insert(const domain::chat_key& chat, const variant& v, std::string body, std::uint64_t snapshot_seen,
                        core::unix_ms now) {
  if (opts_.max_age.count() <= 0) return;
  auto shared = std::make_shared<const std::string>(std::move(body));  // outside the lock
  std::lock_guard lock(mutex_);
  // Started over since the read began: the records of what changed meanwhile are gone.
  if (snapshot_seen < floor_) return;
  std::string id = chat_index_key(chat);
  auto c = chats_.find(id);
  if (c != chats_.end() && c->second.changed_at > snapshot_seen) return;  // written since the read began
  if (pages_ >= opts_.max_pages) {
    chats_.clear();
    pages_ = 0;
    floor_ = counter_;
    c = chats_.end();
  }
  if (c == chats_.end()) c = chats_.emplace(std::move(id), chat_pages{}).first;
  auto [it, added] = c->second.pages.insert_or_assign(variant_key(v), page{std::move(shared), now});
  (void)it;
  if (added) ++pages_;
}

void page_cache::publish(std::span<const domain::chat_event> events) {
  if (opts_.max_age.count() <= 0) return;  // off: nothing cached, nothing to drop or record
  std::lock_guard lock(mutex_);
  for (const auto& e : events) {
    ++counter_;
    // Every written chat keeps a record (the moment it changed) so that a read in flight cannot
    // store an older page; the records go when the cache starts over.
    auto& c = chats_[chat_index_key(e.chat)];
    c.changed_at = counter_;
    pages_ -= c.pages.size();
    c.pages.clear();
  }
  if (chats_.size() > 4 * opts_.max_pages) {  // records of written chats without pages
    chats_.clear();
    pages_ = 0;
    floor_ = counter_;
  }
}

std::size_t page_cache::size() const {
  std::lock_guard lock(mutex_);
  return pages_;
}

}  // namespace carechat::net
