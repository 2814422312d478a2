#include "domain/blob_store.hpp"

namespace carechat::domain {

bool valid_blob_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace carechat::domain
