#include "domain/audit_verify.hpp"

#include <limits>
#include <map>

namespace carechat::domain {
namespace {

bool in_scope(const audit_verify_scope& scope, const audit_chain_key& k) {
  if (scope.tenant && k.tenant != *scope.tenant) return false;
  if (scope.instance && k.instance != *scope.instance) return false;
  return true;
}

std::string hex(const core::sha256_digest& d) { return core::to_hex(d); }

// What the store says about each chain besides its rows: the head it appends after, and the
// rows from before the chain began. Small: one entry per tenant/instance.
struct chain_facts {
  std::optional<audit_link> stored_head;
  std::int64_t unchained = 0;
  std::int64_t unchained_max_id = 0;
};

// One chain's walk, row by row in seq order.
class chain_walk {
 public:
  chain_walk(audit_chain_key key, const chain_facts& facts) : facts_(facts) {
    report_.chain = std::move(key);
    report_.unchained = facts.unchained;
  }

  bool broken() const { return report_.broken.has_value(); }

  void add(const audit_row& r) {
    if (broken()) return;
    const audit_link& l = *r.link;
    const std::int64_t expected = report_.head ? report_.head->seq + 1 : 1;
    if (report_.rows == 0 && facts_.unchained_max_id > r.id) {
      // Rows from before the chain are older than its first row; a newer one was written without
      // the chain (by an older build still running) or had its link removed.
      return fail(facts_.unchained_max_id, "row id " + std::to_string(facts_.unchained_max_id) +
                                               " has no link but is newer than the chain's first row (id " +
                                               std::to_string(r.id) + ")");
    }
    if (l.seq != expected)
      return fail(r.id, "seq " + std::to_string(l.seq) + " where " + std::to_string(expected) +
                            " was expected: " + std::to_string(l.seq - expected) + " row(s) missing before row id " +
                            std::to_string(r.id) +
                            (report_.head ? " (after row id " + std::to_string(report_.head_row_id) + ")" : ""));
    const core::sha256_digest computed = audit_row_hash(l.prev_hash, l.seq, r.entry);
    if (computed != l.row_hash)
      return fail(r.id, "row_hash differs from the row's content: stored " + hex(l.row_hash) + ", computed " +
                            hex(computed) + " (the row was changed)");
    const core::sha256_digest& expected_prev = report_.head ? report_.head->row_hash : audit_genesis;
    if (l.prev_hash != expected_prev)
      return fail(r.id, "prev_hash " + hex(l.prev_hash) + " differs from the row_hash of the row before (" +
                            (report_.head ? "row id " + std::to_string(report_.head_row_id) : std::string("genesis")) +
                            ": " + hex(expected_prev) + "): a row before it was changed, replaced or removed");
    if (facts_.stored_head && facts_.stored_head->seq == l.seq && facts_.stored_head->row_hash != l.row_hash)
      return fail(r.id, "the chain's stored head (seq " + std::to_string(l.seq) + ") names hash " +
                            hex(facts_.stored_head->row_hash) + ", the row has " + hex(l.row_hash));
    report_.head = l;
    report_.head_row_id = r.id;
    ++report_.rows;
  }

  audit_chain_report finish() {
    if (!broken() && facts_.stored_head && (!report_.head || report_.head->seq < facts_.stored_head->seq)) {
      const std::int64_t last = report_.head ? report_.head->seq : 0;
      fail(0, "the chain's stored head is seq " + std::to_string(facts_.stored_head->seq) + " but its last row is seq " +
                  std::to_string(last) + ": " + std::to_string(facts_.stored_head->seq - last) +
                  " row(s) missing at the end");
    }
    return std::move(report_);
  }

 private:
  void fail(std::int64_t row_id, std::string what) {
    report_.broken = std::move(what);
    report_.broken_row_id = row_id;
  }

  const chain_facts facts_;
  audit_chain_report report_;
};

}  // namespace

core::result<void> verify_audit_chains(store& st, const audit_verify_scope& scope,
                                       const std::function<void(const audit_chain_report&)>& report) {
  // The heads are read before the rows: rows appended during the walk only extend a chain past
  // its head, which is fine; rows missing below the head are not.
  std::map<audit_chain_key, chain_facts> facts;
  auto heads = st.audit_chain_heads();
  if (!heads) return std::move(heads).error();
  for (const auto& h : *heads)
    if (in_scope(scope, h.chain)) facts[h.chain].stored_head = h.head;
  auto unchained = st.audit_unchained();
  if (!unchained) return std::move(unchained).error();
  for (const auto& u : *unchained)
    if (in_scope(scope, u.chain)) {
      facts[u.chain].unchained = u.rows;
      facts[u.chain].unchained_max_id = u.max_id;
    }

  audit_chain_position at{scope.tenant.value_or(""), scope.tenant ? scope.instance.value_or("") : "", 0};
  std::optional<chain_walk> walk;
  std::map<audit_chain_key, bool> walked;
  auto end_walk = [&] {
    if (!walk) return;
    report(walk->finish());
    walk.reset();
  };
  for (;;) {
    auto page = st.audit_chain_page(at, scope.page_size);
    if (!page) return std::move(page).error();
    bool past_scope = false;
    for (const auto& r : *page) {
      const audit_chain_key key{r.entry.chat.tenant, r.entry.chat.instance};
      if (!in_scope(scope, key)) {
        past_scope = true;
        break;
      }
      if (!walked.contains(key)) {
        end_walk();
        walked[key] = true;
        walk.emplace(key, facts[key]);
      }
      walk->add(r);
      at = {key.tenant, key.instance, r.link->seq};
      if (walk->broken()) {  // the first break is what counts: skip the chain's remaining rows
        at.seq = std::numeric_limits<std::int64_t>::max();
        break;
      }
    }
    if (past_scope || page->empty()) break;
  }
  end_walk();
  // Chains the store knows of (a head, or unlinked rows) of which no linked row was walked.
  for (const auto& [key, f] : facts)
    if (!walked.contains(key)) report(chain_walk(key, f).finish());
  return {};
}

}  // namespace carechat::domain
