#include "store/postgres/pg_attachments.hpp"

#include <map>
#include <vector>

#include "store/postgres/pg_rows.hpp"
#include "store/postgres/queries.hpp"
#include "store/row_mapping.hpp"

namespace carechat::store::postgres {

core::result<void> fill_attachments(const run_query& run, std::span<domain::message* const> messages) {
  std::vector<std::int64_t> seqs;
  std::map<std::int64_t, domain::message*> by_seq;
  for (domain::message* m : messages)
    if (m->attachment_count != 0) {
      seqs.push_back(m->seq);
      by_seq[m->seq] = m;
      m->attachments.clear();
    }
  if (seqs.empty()) return {};
  auto r = run(queries::attachments_of_messages, params().int64_array(seqs));
  if (!r) return std::move(r).error();
  for (int i = 0; i < r->rows(); ++i) {
    auto it = by_seq.find(r->int64(i, 0));
    if (it != by_seq.end()) it->second->attachments.push_back(carechat::store::read_attachment_info(row{*r, i}, 1));
  }
  for (const auto& [_, m] : by_seq)
    if (m->attachments.size() != static_cast<std::size_t>(m->attachment_count))
      return core::make_error(core::errc::internal,
                              "postgres: a message's attachments do not match its attachment_count");
  return {};
}

}  // namespace carechat::store::postgres
