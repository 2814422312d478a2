// The keys chats and instances are filed under in this node's in-memory indexes (the live hub's
// subscriptions, the page cache): the path ids joined by '\n', which no id can contain
// (core::is_path_id), so two different chats never share a key. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "domain/chat.hpp"

namespace carechat::net {

inline std::string instance_index_key(std::string_view tenant, std::string_view instance) {
  std::string key;
  key.reserve(tenant.size() + instance.size() + 1);
  key.append(tenant).push_back('\n');
  key.append(instance);
  return key;
}

inline std::string chat_index_key(std::string_view tenant, std::string_view instance, std::string_view patient) {
  std::string key;  // one allocation: built on every cached read and every published event
  key.reserve(tenant.size() + instance.size() + patient.size() + 2);
  key.append(tenant).push_back('\n');
  key.append(instance).push_back('\n');
  key.append(patient);
  return key;
}

inline std::string chat_index_key(const domain::chat_key& c) { return chat_index_key(c.tenant, c.instance, c.patient); }

}  // namespace carechat::net
