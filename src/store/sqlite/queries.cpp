#include "store/sqlite/queries.hpp"

namespace carechat::store::sqlite::queries {
namespace {

// The read families differ only in the archived filter, the comparison and the order, so they are
// assembled from these fragments at compile time (string literal concatenation) rather than
// written out sixteen times. "archived = 0" must stay literal: the partial index depends on it.
#define CC_COLUMNS                                                                                           \
  "seq, external_id, kind, sender_type, sender_id, sender_name, receiver_type, receiver_id, receiver_name, " \
  "body, created_at, archived"
#define CC_CHAT "chat_id = (SELECT id FROM chats WHERE tenant = ?1 AND instance = ?2 AND patient = ?3)"
#define CC_LIVE " AND archived = 0"
#define CC_ALL ""
#define CC_OLDER " AND (created_at, seq) < (?4, ?5) ORDER BY created_at DESC, seq DESC LIMIT ?6"
#define CC_NEWER " AND (created_at, seq) > (?4, ?5) ORDER BY created_at ASC, seq ASC LIMIT ?6"
#define CC_FTS " AND seq IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?7)"
#define CC_SCAN " AND instr(lower(body), lower(?7)) > 0"
#define CC_SELECT(filter, extra, window) "SELECT " CC_COLUMNS " FROM messages WHERE " CC_CHAT filter extra window
#define CC_EXISTS(filter, cmp) \
  "SELECT EXISTS (SELECT 1 FROM messages WHERE " CC_CHAT filter " AND (created_at, seq) " cmp " (?4, ?5))"

// Indexed [include_archived][direction == newer].
constexpr named_sql pages[2][2] = {
    {{"messages.page.live.older", CC_SELECT(CC_LIVE, "", CC_OLDER)},
     {"messages.page.live.newer", CC_SELECT(CC_LIVE, "", CC_NEWER)}},
    {{"messages.page.all.older", CC_SELECT(CC_ALL, "", CC_OLDER)},
     {"messages.page.all.newer", CC_SELECT(CC_ALL, "", CC_NEWER)}},
};
constexpr named_sql beyond[2][2] = {
    {{"messages.beyond.live.older", CC_EXISTS(CC_LIVE, "<")}, {"messages.beyond.live.newer", CC_EXISTS(CC_LIVE, ">")}},
    {{"messages.beyond.all.older", CC_EXISTS(CC_ALL, "<")}, {"messages.beyond.all.newer", CC_EXISTS(CC_ALL, ">")}},
};
constexpr named_sql fts[2][2] = {
    {{"messages.search_fts.live.older", CC_SELECT(CC_LIVE, CC_FTS, CC_OLDER)},
     {"messages.search_fts.live.newer", CC_SELECT(CC_LIVE, CC_FTS, CC_NEWER)}},
    {{"messages.search_fts.all.older", CC_SELECT(CC_ALL, CC_FTS, CC_OLDER)},
     {"messages.search_fts.all.newer", CC_SELECT(CC_ALL, CC_FTS, CC_NEWER)}},
};
constexpr named_sql scan[2][2] = {
    {{"messages.search_scan.live.older", CC_SELECT(CC_LIVE, CC_SCAN, CC_OLDER)},
     {"messages.search_scan.live.newer", CC_SELECT(CC_LIVE, CC_SCAN, CC_NEWER)}},
    {{"messages.search_scan.all.older", CC_SELECT(CC_ALL, CC_SCAN, CC_OLDER)},
     {"messages.search_scan.all.newer", CC_SELECT(CC_ALL, CC_SCAN, CC_NEWER)}},
};

}  // namespace

const named_sql message_by_seq{"messages.by_seq", "SELECT " CC_COLUMNS " FROM messages WHERE seq = ?1"};

namespace {

constexpr int newer(domain::direction dir) { return dir == domain::direction::newer ? 1 : 0; }

}  // namespace

const named_sql& page(bool include_archived, domain::direction dir) { return pages[include_archived][newer(dir)]; }
const named_sql& any_beyond(bool include_archived, domain::direction dir) {
  return beyond[include_archived][newer(dir)];
}
const named_sql& search_fts(bool include_archived, domain::direction dir) { return fts[include_archived][newer(dir)]; }
const named_sql& search_scan(bool include_archived, domain::direction dir) {
  return scan[include_archived][newer(dir)];
}

#undef CC_EXISTS
#undef CC_SELECT
#undef CC_SCAN
#undef CC_FTS
#undef CC_NEWER
#undef CC_OLDER
#undef CC_ALL
#undef CC_LIVE
#undef CC_CHAT
#undef CC_COLUMNS

}  // namespace carechat::store::sqlite::queries
