#include "domain/audit_chain.hpp"

#include "domain/principal.hpp"
#include "domain/store.hpp"

namespace carechat::domain {
namespace {

constexpr std::string_view encoding_tag = "carechat.audit_row.v1";

void put_u32(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_name(std::string& out, std::string_view name, char type) {
  put_u32(out, name.size());
  out.append(name);
  out.push_back(type);
}

void put_bytes(std::string& out, std::string_view name, const core::sha256_digest& v) {
  put_name(out, name, 'B');
  put_u32(out, v.size());
  out.append(reinterpret_cast<const char*>(v.data()), v.size());
}

void put_int(std::string& out, std::string_view name, std::int64_t v) {
  put_name(out, name, 'I');
  const auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

void put_text(std::string& out, std::string_view name, std::string_view v) {
  put_name(out, name, 'T');
  put_u32(out, v.size());
  out.append(v);
}

}  // namespace

std::string audit_canonical_encoding(const core::sha256_digest& prev_hash, std::int64_t seq, const audit_entry& e) {
  std::string out;
  out.reserve(256 + e.token_id.size() + e.actor_id.size() + e.chat.tenant.size() + e.chat.instance.size() +
              e.chat.patient.size());
  put_u32(out, encoding_tag.size());
  out.append(encoding_tag);
  put_bytes(out, "prev_hash", prev_hash);
  put_int(out, "seq", seq);
  put_int(out, "at", e.at);
  put_text(out, "token_id", e.token_id);
  put_text(out, "role", to_string(e.actor_role));
  put_text(out, "actor_id", e.actor_id);
  put_text(out, "action", e.action);
  put_text(out, "tenant", e.chat.tenant);
  put_text(out, "instance", e.chat.instance);
  put_text(out, "patient", e.chat.patient);
  put_text(out, "outcome", e.outcome);
  // Nullable columns added later go here, each only when not NULL (see the header).
  if (e.request_id) put_text(out, "request_id", *e.request_id);  // SQLite v13, PostgreSQL v5
  return out;
}

core::sha256_digest audit_row_hash(const core::sha256_digest& prev_hash, std::int64_t seq, const audit_entry& e) {
  return core::sha256(audit_canonical_encoding(prev_hash, seq, e));
}

audit_link next_audit_link(const std::optional<audit_link>& head, const audit_entry& e) {
  audit_link l;
  l.seq = head ? head->seq + 1 : 1;
  l.prev_hash = head ? head->row_hash : audit_genesis;
  l.row_hash = audit_row_hash(l.prev_hash, l.seq, e);
  return l;
}

}  // namespace carechat::domain
