#include "store/sqlite/write_batch.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "core/ids.hpp"
#include "core/text.hpp"
#include "store/sqlite/attachments.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {
namespace {

using core::errc;
using domain::write_outcome;
using domain::write_receipt;

struct prior_claim {
  core::bytes request_hash;
  std::int64_t message_seq = 0;
};

class batch_writer {
 public:
  batch_writer(connection& db, const core::clock& clk, audit_heads& heads, const std::function<bool()>& before_commit)
      : db_(db), clock_(clk), heads_(heads), before_commit_(before_commit) {}

  std::vector<write_outcome> apply(std::span<const domain::write_command> batch) {
    auto all_failed = [&](const core::error& e) { return std::vector<write_outcome>(batch.size(), write_outcome(e)); };
    if (batch.empty()) return {};
    std::vector<write_outcome> out;
    out.reserve(batch.size());
    auto ok = immediate_transaction(db_, [&]() -> core::result<void> {
      if (auto begun = heads_.begin(db_); !begun) return begun;
      for (const auto& cmd : batch) {
        auto r = apply_one(cmd);
        if (!r) return std::move(r).error();
        out.push_back(std::move(*r));
      }
      if (auto written = heads_.write(db_); !written) return written;
      if (before_commit_ && !before_commit_())
        return core::make_error(errc::unavailable, "sqlite: the batch was rolled back (injected fault)");
      return {};
    });
    heads_.end(ok.has_value());
    if (!ok) return all_failed(ok.error());
    return out;
  }

 private:
  // The command's outcome, or (as the error) a failure of the transaction itself.
  core::result<write_outcome> apply_one(const domain::write_command& cmd) {
    // An audit-only row (a read's trace, most of a busy server's writes) is one INSERT: a failed
    // statement changes nothing by itself, so it needs no savepoint of its own (two statements
    // fewer per read). Unless SQLite dropped the whole transaction: that fails the batch.
    if (const auto* entry = std::get_if<domain::audit_entry>(&cmd)) {
      auto ok = insert_audit(*entry, entry->outcome);
      if (ok) return write_outcome(write_receipt{std::monostate{}});
      if (!db_.in_transaction()) return std::move(ok).error();
      return write_outcome(std::move(ok).error());
    }
    if (auto ok = db_.run(queries::savepoint); !ok) return std::move(ok).error();
    write_outcome r = std::visit([&](const auto& c) { return execute(c); }, cmd);
    if (!r)
      if (auto ok = db_.run(queries::rollback_to_savepoint); !ok) return std::move(ok).error();
    const domain::audit_entry* entry = std::visit([](const auto& c) { return audit_of(c); }, cmd);
    if (entry != nullptr) {
      if (auto ok = insert_audit(*entry, outcome_name(r, *entry)); !ok) {
        // Nothing may change without its audit row, so the command goes too.
        if (auto rb = db_.run(queries::rollback_to_savepoint); !rb) return std::move(rb).error();
        r = std::move(ok).error();
      }
    }
    if (auto ok = db_.run(queries::release_savepoint); !ok) return std::move(ok).error();
    return r;
  }

  // The audit row a command writes; none for the server's own housekeeping.
  static const domain::audit_entry* audit_of(const domain::send_command& c) { return &c.audit; }
  static const domain::audit_entry* audit_of(const domain::archive_command& c) { return &c.audit; }
  static const domain::audit_entry* audit_of(const domain::restore_command& c) { return &c.audit; }
  static const domain::audit_entry* audit_of(const domain::mark_read_command& c) { return &c.audit; }
  static const domain::audit_entry* audit_of(const domain::prune_events_command&) { return nullptr; }
  static const domain::audit_entry* audit_of(const domain::attachment_begin_command&) { return nullptr; }
  static const domain::audit_entry* audit_of(const domain::attachment_finish_command& c) { return &c.audit; }
  static const domain::audit_entry* audit_of(const domain::expire_attachments_command&) { return nullptr; }
  static const domain::audit_entry* audit_of(const domain::delete_attachments_command&) { return nullptr; }
  // Audit-only rows never get here (apply_one writes them first); std::visit needs the overload.
  static const domain::audit_entry* audit_of(const domain::audit_entry&) { return nullptr; }

  static std::string outcome_name(const write_outcome& r, const domain::audit_entry& entry) {
    if (!r) return std::string(core::to_string(r.error().code));
    const auto* send = std::get_if<domain::send_receipt>(&*r);
    // A command that succeeds records the outcome it was prepared with: "ok", or the reason an
    // upload ended refused (attachment_finish_command).
    return send != nullptr && send->replayed ? "replayed" : entry.outcome;
  }

  write_outcome execute(const domain::send_command& c) {
    if (!core::is_external_id(c.external_id))
      return core::make_error(errc::internal, "send: external id is not \"IM\" and 32 hex digits");
    if (c.idempotency) {
      auto prior = find_claim(*c.idempotency);
      if (!prior) return std::move(prior).error();
      if (*prior) return replay(**prior, c.idempotency->request_hash);
    }
    auto chat = chat_for_write(c.chat);
    if (!chat) return std::move(chat).error();
    // The sender's token is the audit row's: only the token that uploaded a file may send it.
    auto attached = check_send_attachments(db_, *chat, c.audit.token_id, c.attachment_ids);
    if (!attached) return std::move(attached).error();

    domain::message m;
    m.external_id = c.external_id;
    m.kind = c.kind;
    m.sender = c.sender;
    m.receiver = c.receiver;
    m.text = c.text;
    // At apply time (the order of commits, not of request arrival), and never before the chat's
    // newest message: a clock that stepped back cannot slip a message in among ones already shown.
    auto newest = newest_at(*chat);
    if (!newest) return std::move(newest).error();
    m.created_at = std::max(clock_.now_ms(), *newest);
    {
      auto s = db_.prepared(queries::insert_message);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, *chat);
      (*s)->bind_text(2, m.external_id);
      (*s)->bind_int64(3, to_column(m.kind));
      (*s)->bind_text(4, to_column(m.sender.type));
      (*s)->bind_text(5, m.sender.id);
      bind_optional_text(**s, 6, m.sender.title_name);
      if (m.receiver) {
        (*s)->bind_text(7, to_column(m.receiver->type));
        (*s)->bind_text(8, m.receiver->id);
        bind_optional_text(**s, 9, m.receiver->title_name);
      }  // else ?7..?9 stay NULL (unbound parameters are NULL)
      (*s)->bind_text(10, m.text);
      (*s)->bind_int64(11, m.created_at);
      (*s)->bind_int64(12, static_cast<std::int64_t>(attached->size()));
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    m.seq = db_.last_insert_rowid();
    if (auto ok = use_attachments(db_, c.attachment_ids, m.seq); !ok) return std::move(ok).error();
    m.attachment_count = static_cast<std::int32_t>(attached->size());
    m.attachments = std::move(*attached);

    if (c.idempotency) {
      auto s = db_.prepared(queries::insert_idempotency);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, c.idempotency->token_id);
      (*s)->bind_text(2, c.idempotency->key);
      (*s)->bind_blob(3, c.idempotency->request_hash);
      (*s)->bind_int64(4, m.seq);
      (*s)->bind_int64(5, m.created_at);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    // The reference webhook (staff -> patient) always; the patient's messages when opted in.
    bool queue = c.record_webhook_event;
    if (!queue && m.kind == domain::message_kind::inbound) {
      auto wanted = webhook_wants(c.chat, domain::webhook_inbound);
      if (!wanted) return std::move(wanted).error();
      queue = *wanted;
    }
    if (queue) {
      const auto type = c.record_webhook_event ? domain::webhook_outbound : domain::webhook_inbound;
      if (auto ok = insert_outbox_event("evt_" + m.external_id.substr(2), type, *chat, m.seq, m.created_at, 0, {});
          !ok)
        return std::move(ok).error();
    }
    domain::chat_event e;
    e.type = domain::event_type::message_created;
    e.chat = c.chat;
    e.at = m.created_at;
    e.msg = m;
    if (auto ok = append_event(*chat, e); !ok) return std::move(ok).error();
    return write_receipt{domain::send_receipt{std::move(m), false, std::move(e)}};
  }

  write_outcome execute(const domain::archive_command& c) {
    auto chat = find_chat(c.chat);
    if (!chat) return std::move(chat).error();
    if (!*chat) return write_receipt{domain::count_receipt{0, std::nullopt}};
    auto s = db_.prepared(queries::archive_before);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, **chat);
    (*s)->bind_int64(2, c.before);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    domain::count_receipt receipt{db_.changes(), std::nullopt};
    if (receipt.affected > 0) {
      domain::chat_event e;
      e.type = domain::event_type::chat_archived;
      e.chat = c.chat;
      e.at = clock_.now_ms();
      e.count = receipt.affected;
      e.archive_before = c.before;
      if (auto ok = append_event(**chat, e); !ok) return std::move(ok).error();
      auto wanted = webhook_wants(c.chat, domain::webhook_archived);
      if (!wanted) return std::move(wanted).error();
      if (*wanted)
        if (auto ok = insert_outbox_event(event_id_of(e), domain::webhook_archived, **chat, std::nullopt, e.at,
                                          receipt.affected, {});
            !ok)
          return std::move(ok).error();
      receipt.event = std::move(e);
    }
    return write_receipt{std::move(receipt)};
  }

  write_outcome execute(const domain::restore_command& c) {
    auto chat = find_chat(c.chat);
    if (!chat) return std::move(chat).error();
    if (!*chat) return write_receipt{domain::count_receipt{0, std::nullopt}};
    auto s = db_.prepared(queries::restore_all);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, **chat);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    domain::count_receipt receipt{db_.changes(), std::nullopt};
    if (receipt.affected > 0) {
      domain::chat_event e;
      e.type = domain::event_type::chat_restored;
      e.chat = c.chat;
      e.at = clock_.now_ms();
      e.count = receipt.affected;
      if (auto ok = append_event(**chat, e); !ok) return std::move(ok).error();
      receipt.event = std::move(e);
    }
    return write_receipt{std::move(receipt)};
  }

  write_outcome execute(const domain::mark_read_command& c) {
    const core::unix_ms now = clock_.now_ms();
    auto chat = find_chat(c.chat);
    if (!chat) return std::move(chat).error();
    std::optional<domain::position> up_to;
    if (c.up_to_external_id) {
      if (*chat) {
        auto found = read_target(**chat, c.kind, *c.up_to_external_id);
        if (!found) return std::move(found).error();
        up_to = *found;
      }
      if (!up_to)
        return core::make_error(errc::bad_request,
                                "upTo does not name an " + std::string(domain::wire_direction(c.kind)) +
                                    " message of this chat");
    }
    domain::read_receipt receipt;
    receipt.read_at = now;
    if (!*chat) return write_receipt{std::move(receipt)};  // nothing was ever sent here
    {
      auto s = db_.prepared(up_to ? queries::mark_read_up_to : queries::mark_read_all);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, **chat);
      (*s)->bind_int64(2, to_column(c.kind));
      (*s)->bind_int64(3, now);
      (*s)->bind_text(4, to_column(c.reader.type));
      (*s)->bind_text(5, c.reader.id);
      bind_optional_text(**s, 6, c.reader.title_name);
      if (up_to) {
        (*s)->bind_int64(7, up_to->created_at);
        (*s)->bind_int64(8, up_to->seq);
      }
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
      receipt.marked = db_.changes();
    }
    if (c.up_to_external_id) {
      receipt.up_to_external_id = *c.up_to_external_id;
    } else {
      auto newest = newest_read(**chat, c.kind);
      if (!newest) return std::move(newest).error();
      receipt.up_to_external_id = std::move(*newest);
    }
    if (receipt.marked > 0) {
      domain::chat_event e;
      e.type = domain::event_type::messages_read;
      e.chat = c.chat;
      e.at = now;
      e.reader = c.reader;
      e.read_kind = c.kind;
      e.up_to_external_id = receipt.up_to_external_id;
      e.count = receipt.marked;
      if (auto ok = append_event(**chat, e); !ok) return std::move(ok).error();
      auto wanted = webhook_wants(c.chat, domain::webhook_read);
      if (!wanted) return std::move(wanted).error();
      if (*wanted)
        if (auto ok = insert_outbox_event(event_id_of(e), domain::webhook_read, **chat, std::nullopt, now,
                                          receipt.marked, receipt.up_to_external_id, c.kind);
            !ok)
          return std::move(ok).error();
      receipt.event = std::move(e);
    }
    return write_receipt{std::move(receipt)};
  }

  write_outcome execute(const domain::prune_events_command& c) {
    if (c.keys_older_than) {
      auto s = db_.prepared(queries::prune_idempotency);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, *c.keys_older_than);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    std::optional<std::int64_t> highest;
    {
      auto s = db_.prepared(queries::prunable_max);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, c.older_than);
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (*row && !(*s)->column_is_null(0)) highest = (*s)->column_int64(0);
    }
    if (!highest) return write_receipt{std::monostate{}};
    {
      auto s = db_.prepared(queries::prune_events);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, c.older_than);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    auto s = db_.prepared(queries::raise_events_floor);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, *highest);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    return write_receipt{std::monostate{}};
  }

  write_outcome execute(const domain::attachment_begin_command& c) {
    auto chat = chat_for_write(c.chat);
    if (!chat) return std::move(chat).error();
    auto s = db_.prepared(queries::insert_attachment);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, c.id);
    (*s)->bind_int64(2, *chat);
    (*s)->bind_text(3, c.uploader_token);
    (*s)->bind_int64(4, c.at);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    return write_receipt{domain::count_receipt{1, std::nullopt}};
  }

  write_outcome execute(const domain::attachment_finish_command& c) {
    auto chat = find_chat(c.chat);
    if (!chat) return std::move(chat).error();
    if (!*chat) return core::make_error(errc::conflict, "attachment " + c.info.id + " is not a pending upload");
    auto s = db_.prepared(queries::finish_attachment);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, c.info.id);
    (*s)->bind_int64(2, **chat);
    (*s)->bind_text(3, domain::to_string(c.state));
    (*s)->bind_text(4, c.info.name);
    (*s)->bind_text(5, c.info.content_type);
    (*s)->bind_int64(6, static_cast<std::int64_t>(c.info.size));
    (*s)->bind_text(7, c.info.sha256);
    (*s)->bind_int64(8, c.info.thumbnail ? 1 : 0);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    // Expired meanwhile (an upload longer than the collection age), or never begun.
    if (db_.changes() != 1)
      return core::make_error(errc::conflict, "attachment " + c.info.id + " is not a pending upload");
    return write_receipt{domain::count_receipt{1, std::nullopt}};
  }

  write_outcome execute(const domain::expire_attachments_command& c) {
    {
      auto s = db_.prepared(queries::expire_attachments);
      if (!s) return std::move(s).error();
      (*s)->bind_int64(1, c.created_before);
      (*s)->bind_int64(2, c.limit);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    }
    auto s = db_.prepared(queries::expired_attachments);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, c.limit);
    domain::attachment_ids_receipt receipt;
    for (;;) {
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      receipt.ids.emplace_back((*s)->column_text(0));
    }
    return write_receipt{std::move(receipt)};
  }

  write_outcome execute(const domain::delete_attachments_command& c) {
    std::int64_t deleted = 0;
    for (const std::string& id : c.ids) {
      auto s = db_.prepared(queries::delete_attachment);
      if (!s) return std::move(s).error();
      (*s)->bind_text(1, id);
      if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
      deleted += db_.changes();
    }
    return write_receipt{domain::count_receipt{deleted, std::nullopt}};
  }

  // Audit-only rows are written by apply_one() without a savepoint; std::visit needs the overload.
  write_outcome execute(const domain::audit_entry&) { return write_receipt{std::monostate{}}; }

  core::result<std::optional<prior_claim>> find_claim(const domain::idempotency_claim& claim) {
    auto s = db_.prepared(queries::idempotency_lookup);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, claim.token_id);
    (*s)->bind_text(2, claim.key);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<prior_claim>();
    const auto hash = (*s)->column_blob(0);
    return std::optional<prior_claim>(prior_claim{core::bytes(hash.begin(), hash.end()), (*s)->column_int64(1)});
  }

  // A retry with the same key: the same request gets the first answer; another request is refused.
  write_outcome replay(const prior_claim& prior, const core::sha256_digest& request_hash) {
    if (!std::equal(prior.request_hash.begin(), prior.request_hash.end(), request_hash.begin(), request_hash.end()))
      return core::make_error(errc::idempotency_conflict, "Idempotency-Key was already used with a different request");
    auto s = db_.prepared(queries::message_by_seq);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, prior.message_seq);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return core::make_error(errc::internal, "send: the idempotency key's message is missing");
    auto m = read_message(**s);
    if (!m) return std::move(m).error();
    if (auto ok = fill_attachments(db_, std::span(&*m, 1)); !ok) return std::move(ok).error();
    return write_receipt{domain::send_receipt{std::move(*m), true, std::nullopt}};  // nothing new: no event
  }

  // Does the instance's enabled webhook endpoint subscribe to the opt-in event type `type`?
  core::result<bool> webhook_wants(const domain::chat_key& chat, std::string_view type) {
    auto s = db_.prepared(queries::webhook_types_enabled);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, chat.tenant);
    (*s)->bind_text(2, chat.instance);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return false;
    for (std::string_view t : core::split_list((*s)->column_text(0)))
      if (t == type) return true;
    return false;
  }

  // Non-message events have no external id: theirs is the log position, as 32 hex digits.
  static std::string event_id_of(const domain::chat_event& e) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(32, '0');
    auto v = static_cast<std::uint64_t>(e.position);
    for (int i = 31; i >= 0 && v != 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = hex[v & 0xf];
    return "evt_" + out;
  }

  core::result<void> insert_outbox_event(const std::string& event_id, std::string_view type, std::int64_t chat_id,
                                         std::optional<std::int64_t> message_seq, core::unix_ms at,
                                         std::int64_t count, const std::string& up_to,
                                         std::optional<domain::message_kind> read_kind = std::nullopt) {
    auto s = db_.prepared(queries::insert_outbox_event);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, event_id);
    (*s)->bind_text(2, type);
    (*s)->bind_int64(3, chat_id);
    if (message_seq) (*s)->bind_int64(4, *message_seq);
    (*s)->bind_int64(5, at);
    if (count > 0) (*s)->bind_int64(6, count);
    if (!up_to.empty()) (*s)->bind_text(7, up_to);
    if (read_kind) (*s)->bind_text(8, domain::wire_direction(*read_kind));
    return (*s)->run();
  }

  // Appends `e` to the event log of chat row `chat_id` and sets its position.
  core::result<void> append_event(std::int64_t chat_id, domain::chat_event& e) {
    auto s = db_.prepared(queries::insert_event);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, chat_id);
    (*s)->bind_text(2, to_column(e.type));
    (*s)->bind_int64(3, e.at);
    switch (e.type) {
      case domain::event_type::message_created:
        (*s)->bind_int64(4, e.msg ? e.msg->seq : 0);
        break;
      case domain::event_type::messages_read:
        if (e.reader) {
          (*s)->bind_text(5, to_column(e.reader->type));
          (*s)->bind_text(6, e.reader->id);
          bind_optional_text(**s, 7, e.reader->title_name);
        }
        (*s)->bind_int64(8, to_column(e.read_kind));
        (*s)->bind_text(9, e.up_to_external_id);
        (*s)->bind_int64(10, e.count);
        break;
      case domain::event_type::chat_archived:
        (*s)->bind_int64(10, e.count);
        if (e.archive_before) (*s)->bind_int64(11, *e.archive_before);
        break;
      case domain::event_type::chat_restored:
        (*s)->bind_int64(10, e.count);
        break;
    }
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    e.position = db_.last_insert_rowid();
    return {};
  }

  // The position of message `external_id` if it belongs to chat row `chat_id` and has `kind`.
  core::result<std::optional<domain::position>> read_target(std::int64_t chat_id, domain::message_kind kind,
                                                            const std::string& external_id) {
    auto s = db_.prepared(queries::read_target);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, external_id);
    (*s)->bind_int64(2, chat_id);
    (*s)->bind_int64(3, to_column(kind));
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<domain::position>();
    return std::optional<domain::position>(domain::position{(*s)->column_int64(0), (*s)->column_int64(1)});
  }

  // The external id of the newest message of `kind` that is read, "" if none is.
  core::result<std::string> newest_read(std::int64_t chat_id, domain::message_kind kind) {
    auto s = db_.prepared(queries::newest_read);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, chat_id);
    (*s)->bind_int64(2, to_column(kind));
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return std::string();
    return std::string((*s)->column_text(0));
  }

  // The newest createdAt of chat row `chat_id`, 0 when it has no message.
  core::result<core::unix_ms> newest_at(std::int64_t chat_id) {
    auto s = db_.prepared(queries::chat_newest_at);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, chat_id);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    return *row ? (*s)->column_int64(0) : core::unix_ms{0};
  }

  core::result<std::optional<std::int64_t>> find_chat(const domain::chat_key& chat) {
    auto s = db_.prepared(queries::chat_id);
    if (!s) return std::move(s).error();
    bind_chat_key(**s, chat);
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>((*s)->column_int64(0));
  }

  core::result<std::int64_t> chat_for_write(const domain::chat_key& chat) {
    auto found = find_chat(chat);
    if (!found) return std::move(found).error();
    if (*found) return **found;
    auto s = db_.prepared(queries::insert_chat);
    if (!s) return std::move(s).error();
    bind_chat_key(**s, chat);
    if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
    return db_.last_insert_rowid();
  }

  // The row, linked to its chain's head (domain/audit_chain.hpp); the head moves only once the
  // row is in.
  core::result<void> insert_audit(const domain::audit_entry& entry, std::string_view outcome) {
    const domain::audit_entry* e = &entry;
    domain::audit_entry with_outcome;
    if (entry.outcome != outcome) {
      with_outcome = entry;
      with_outcome.outcome = std::string(outcome);
      e = &with_outcome;
    }
    auto link = heads_.next(db_, *e);
    if (!link) return std::move(link).error();
    auto s = db_.prepared(queries::insert_audit);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, e->at);
    (*s)->bind_text(2, e->token_id);
    (*s)->bind_text(3, domain::to_string(e->actor_role));
    (*s)->bind_text(4, e->actor_id);
    (*s)->bind_text(5, e->action);
    (*s)->bind_text(6, e->chat.tenant);
    (*s)->bind_text(7, e->chat.instance);
    (*s)->bind_text(8, e->chat.patient);
    (*s)->bind_text(9, e->outcome);
    (*s)->bind_int64(10, link->seq);
    (*s)->bind_blob(11, link->prev_hash);
    (*s)->bind_blob(12, link->row_hash);
    if (e->request_id) (*s)->bind_text(13, *e->request_id);
    else (*s)->bind_null(13);
    if (auto ok = (*s)->run(); !ok) return ok;
    heads_.appended(*e, *link);
    return {};
  }

  connection& db_;
  const core::clock& clock_;
  audit_heads& heads_;
  const std::function<bool()>& before_commit_;
};

}  // namespace

std::vector<domain::write_outcome> apply_batch(connection& db, const core::clock& clk, audit_heads& heads,
                                               std::span<const domain::write_command> batch,
                                               const std::function<bool()>& before_commit) {
  return batch_writer(db, clk, heads, before_commit).apply(batch);
}

}  // namespace carechat::store::sqlite
