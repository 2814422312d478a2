#include "store/postgres/write_batch.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <tuple>

#include "core/ids.hpp"
#include "core/text.hpp"
#include "store/postgres/pg_attachments.hpp"
#include "store/postgres/pg_errors.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/queries.hpp"
#include "store/row_mapping.hpp"

namespace carechat::store::postgres {
namespace {

using core::errc;
using domain::write_outcome;
using domain::write_receipt;

using log_key = std::pair<std::string, std::string>;                     // tenant, instance
using chat_tuple = std::tuple<std::string, std::string, std::string>;    // tenant, instance, patient
using claim_key = std::pair<std::string, std::string>;                   // token id, key

log_key log_of(const domain::chat_key& c) { return {c.tenant, c.instance}; }
chat_tuple tuple_of(const domain::chat_key& c) { return {c.tenant, c.instance, c.patient}; }

struct log_state {
  std::int64_t log_id = 0;
  std::int64_t position = 0;  // the last position handed out (committed ones, then this batch's)
};

struct chat_state {
  std::int64_t id = 0;
  std::int64_t last_at = 0;  // the newest createdAt of the chat, this batch included
  // Since the last flush: new unread messages per direction, and whether any message was added.
  std::int64_t new_inbound = 0;
  std::int64_t new_outbound = 0;
  bool sent = false;
};

struct claim {
  core::bytes request_hash;
  std::int64_t message_seq = 0;
};

// The chat key of a command that touches a chat (all but audit rows and pruning).
const domain::chat_key* chat_of(const domain::write_command& cmd) {
  return std::visit(
      [](const auto& c) -> const domain::chat_key* {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, domain::audit_entry> || std::is_same_v<T, domain::prune_events_command> ||
                      std::is_same_v<T, domain::expire_attachments_command> ||
                      std::is_same_v<T, domain::delete_attachments_command>)
          return nullptr;
        else
          return &c.chat;
      },
      cmd);
}

// The audit row a command writes; none for pruning (server housekeeping). Audit-only commands are
// their own row.
const domain::audit_entry* audit_of(const domain::write_command& cmd) {
  return std::visit(
      [](const auto& c) -> const domain::audit_entry* {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, domain::audit_entry>) return &c;
        else if constexpr (std::is_same_v<T, domain::prune_events_command> ||
                           std::is_same_v<T, domain::attachment_begin_command> ||
                           std::is_same_v<T, domain::expire_attachments_command> ||
                           std::is_same_v<T, domain::delete_attachments_command>)
          return nullptr;
        else return &c.audit;
      },
      cmd);
}

std::string outcome_name(const write_outcome& r, const domain::audit_entry& entry) {
  if (!r) return std::string(core::to_string(r.error().code));
  const auto* send = std::get_if<domain::send_receipt>(&*r);
  // A command that succeeds records the outcome it was prepared with: "ok", or the reason an
  // upload ended refused (attachment_finish_command).
  return send != nullptr && send->replayed ? "replayed" : entry.outcome;
}

std::string hex16(std::uint64_t v) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0 && v != 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = hex[v & 0xf];
  return out;
}

// Rows waiting for the next flush, one vector per column (the statements take arrays).
struct message_rows {
  std::vector<std::int64_t> seq, chat_id, kind, created_at;
  std::vector<std::string> external_id, sender_type, sender_id, body;
  std::vector<std::optional<std::string>> sender_name, receiver_type, receiver_id, receiver_name;
  std::vector<std::int64_t> attachment_count;
  bool empty() const { return seq.empty(); }
};
struct attachment_use_rows {
  std::vector<std::string> id;
  std::vector<std::int64_t> message_seq, ordinal;
  bool empty() const { return id.empty(); }
};
// An attachment a send of the batch names, as locked in prepare(); used_by once a send took it.
struct attachment_lock {
  std::int64_t chat_id = 0;
  std::string uploader_token;
  std::string state;
  bool sent = false;
  domain::attachment_info info;
};
struct event_rows {
  std::vector<std::int64_t> log_id, position, chat_id, at;
  std::vector<std::string> type;
  std::vector<std::optional<std::int64_t>> message_seq, read_kind, count, archive_before;
  std::vector<std::optional<std::string>> reader_type, reader_id, reader_name, up_to;
  bool empty() const { return position.empty(); }
};
struct outbox_rows {
  std::vector<std::string> event_id, type;
  std::vector<std::int64_t> chat_id, created_at;
  std::vector<std::optional<std::int64_t>> message_seq, count;
  std::vector<std::optional<std::string>> up_to, direction;
  std::vector<std::int64_t> log_id;
  bool empty() const { return event_id.empty(); }
};
struct audit_rows {
  std::vector<std::int64_t> at, chain_seq;
  std::vector<std::string> token_id, role, actor_id, action, tenant, instance, patient, outcome;
  std::vector<std::optional<std::string>> request_id;
  std::vector<core::bytes> prev_hash, row_hash;
  bool empty() const { return at.empty(); }
};
struct claim_rows {
  std::vector<std::string> token_id, key;
  std::vector<core::bytes> hash;
  std::vector<std::int64_t> message_seq, created_at;
  bool empty() const { return key.empty(); }
};

class batch_writer {
 public:
  batch_writer(connection& db, const core::clock& clk) : db_(db), clock_(clk) {}

  // The transaction's id (after run() got past its first round trip).
  // The last event the batch appended (its log's row, to look for after a COMMIT whose answer was
  // lost), if it appended any.
  struct event_mark {
    std::int64_t log_id = 0, position = 0, chat_id = 0, at = 0;
    std::string type;
    std::optional<std::int64_t> message_seq;
  };
  const std::optional<event_mark>& last_event() const { return last_event_; }

  // The batch inside one transaction, up to (not including) COMMIT: the outcomes, or the failure
  // of the transaction itself (the caller rolls back).
  core::result<std::vector<write_outcome>> run(std::span<const domain::write_command> batch) {
    if (auto ok = prepare(batch); !ok) return std::move(ok).error();
    std::vector<write_outcome> out;
    out.reserve(batch.size());
    for (const auto& cmd : batch) {
      auto r = execute(cmd);
      if (!r) return std::move(r).error();
      if (const domain::audit_entry* entry = audit_of(cmd)) {
        const bool audit_only = std::holds_alternative<domain::audit_entry>(cmd);
        add_audit(*entry, audit_only ? entry->outcome : outcome_name(*r, *entry));
      }
      out.push_back(std::move(*r));
    }
    if (auto ok = finish(out); !ok) return std::move(ok).error();
    return out;
  }

 private:
  // ---- before the commands: locks and lookups, one round trip ----
  core::result<void> prepare(std::span<const domain::write_command> batch) {
    std::map<log_key, bool> logs;
    std::map<chat_tuple, bool> chats;
    std::map<claim_key, bool> keys;
    std::map<log_key, bool> wanted_types;
    std::map<std::string, bool> attachment_ids;
    int sends = 0;
    for (const auto& cmd : batch)
      if (const domain::audit_entry* entry = audit_of(cmd)) audit_heads_[{entry->chat.tenant, entry->chat.instance}];
    for (const auto& cmd : batch) {
      const domain::chat_key* chat = chat_of(cmd);
      if (chat == nullptr) continue;
      logs[log_of(*chat)] = true;
      chats[tuple_of(*chat)] = true;
      if (const auto* s = std::get_if<domain::send_command>(&cmd)) {
        ++sends;
        for (const auto& id : s->attachment_ids) attachment_ids[id] = true;
        if (s->idempotency) keys[{s->idempotency->token_id, s->idempotency->key}] = true;
        if (s->kind == domain::message_kind::inbound) wanted_types[log_of(*chat)] = true;
      } else if (!std::holds_alternative<domain::restore_command>(cmd)) {
        wanted_types[log_of(*chat)] = true;  // messages.read, chat.archived are opt-in webhooks
      }
    }
    std::vector<call> calls;
    calls.push_back({&queries::begin, {}});
    if (logs.empty()) {  // audit rows and pruning only: nothing to lock or look up but the chains
      add_audit_head_calls(calls);
      auto begun = run_pipeline(calls);
      if (!begun) return std::move(begun).error();
      return read_audit_heads(*begun, 1);
    }
    std::vector<std::string> log_tenants, log_instances;
    for (const auto& [k, _] : logs) {
      log_tenants.push_back(k.first);
      log_instances.push_back(k.second);
    }
    calls.push_back({&queries::create_heads, params().text_array(log_tenants).text_array(log_instances)});
    calls.push_back({&queries::lock_heads, params().text_array(log_tenants).text_array(log_instances)});
    calls.push_back({&queries::find_chats, chat_params(chats)});
    const bool with_claims = !keys.empty(), with_types = !wanted_types.empty();
    if (with_claims) {
      std::vector<std::string> tokens, names;
      for (const auto& [k, _] : keys) {
        tokens.push_back(k.first);
        names.push_back(k.second);
      }
      calls.push_back({&queries::find_claims, params().text_array(tokens).text_array(names)});
    }
    if (with_types) {
      std::vector<std::string> t, i;
      for (const auto& [k, _] : wanted_types) {
        t.push_back(k.first);
        i.push_back(k.second);
      }
      calls.push_back({&queries::endpoint_types, params().text_array(t).text_array(i)});
    }
    if (sends > 0) calls.push_back({&queries::reserve_seqs, params().int64(sends)});
    const bool with_attachments = !attachment_ids.empty();
    if (with_attachments) {
      std::vector<std::string> ids;
      for (const auto& [id, _] : attachment_ids) ids.push_back(id);
      calls.push_back({&queries::attachments_for_send, params().text_array(ids)});
    }
    const std::size_t audit_heads_at = calls.size();
    add_audit_head_calls(calls);
    auto results = run_pipeline(calls);
    if (!results) return std::move(results).error();
    const auto& r = *results;
    if (auto ok = read_audit_heads(r, audit_heads_at); !ok) return ok;
    std::size_t at = 2;  // after BEGIN and create_heads
    const result& heads = r[at++];
    for (int i = 0; i < heads.rows(); ++i)
      logs_[{std::string(heads.text(i, 1)), std::string(heads.text(i, 2))}] =
          log_state{heads.int64(i, 0), heads.int64(i, 3)};
    read_chats(r[at++]);
    if (with_claims) {
      const result& found = r[at++];
      for (int i = 0; i < found.rows(); ++i)
        claims_[{std::string(found.text(i, 0)), std::string(found.text(i, 1))}] =
            claim{found.bytea(i, 2), found.int64(i, 3)};
    }
    if (with_types) {
      const result& types = r[at++];
      for (int i = 0; i < types.rows(); ++i)
        endpoint_types_[{std::string(types.text(i, 0)), std::string(types.text(i, 1))}] =
            core::split_list_copy(types.text(i, 2));
    }
    if (sends > 0) {
      const result& seqs = r[at++];
      for (int i = 0; i < seqs.rows(); ++i) seqs_.push_back(seqs.int64(i, 0));
      std::sort(seqs_.begin(), seqs_.end());
    }
    if (with_attachments) {
      const result& found = r[at++];
      for (int i = 0; i < found.rows(); ++i) {
        attachment_lock a;
        a.chat_id = found.int64(i, 1);
        a.uploader_token = std::string(found.text(i, 2));
        a.state = std::string(found.text(i, 3));
        a.sent = !found.null(i, 4);
        a.info.id = std::string(found.text(i, 0));
        a.info.name = std::string(found.text(i, 5));
        a.info.content_type = std::string(found.text(i, 6));
        a.info.size = static_cast<std::uint64_t>(found.int64(i, 7));
        a.info.sha256 = std::string(found.text(i, 8));
        a.info.thumbnail = found.int64(i, 9) != 0;
        attachments_[a.info.id] = std::move(a);
      }
    }
    // Chats the sends need and that do not exist yet: made now, under the logs' locks.
    std::map<chat_tuple, bool> missing;
    for (const auto& cmd : batch) {
      if (const auto* s = std::get_if<domain::send_command>(&cmd); s && !chats_.contains(tuple_of(s->chat)))
        missing[tuple_of(s->chat)] = true;
      if (const auto* b = std::get_if<domain::attachment_begin_command>(&cmd); b && !chats_.contains(tuple_of(b->chat)))
        missing[tuple_of(b->chat)] = true;
    }
    if (!missing.empty()) {
      std::vector<call> make{{&queries::create_chats, chat_params(missing)}, {&queries::find_chats, chat_params(missing)}};
      auto made = run_pipeline(make);
      if (!made) return std::move(made).error();
      read_chats((*made)[1]);
    }
    return {};
  }

  // The audit chains' heads (domain/audit_chain.hpp): made if new, then locked until commit, in
  // the batch's first round trip, after the logs' heads (the order every writer takes them in).
  void add_audit_head_calls(std::vector<call>& calls) const {
    if (audit_heads_.empty()) return;
    std::vector<std::string> t, i;
    for (const auto& [k, _] : audit_heads_) {
      t.push_back(k.tenant);
      i.push_back(k.instance);
    }
    calls.push_back({&queries::create_audit_heads, params().text_array(t).text_array(i)});
    calls.push_back({&queries::lock_audit_heads, params().text_array(t).text_array(i)});
  }

  // The answers of add_audit_head_calls, from results[first] on.
  core::result<void> read_audit_heads(const std::vector<result>& results, std::size_t first) {
    if (audit_heads_.empty()) return {};
    const result& locked = results.at(first + 1);
    for (int i = 0; i < locked.rows(); ++i) {
      const domain::audit_chain_key key{std::string(locked.text(i, 0)), std::string(locked.text(i, 1))};
      const std::int64_t seq = locked.int64(i, 2);
      if (seq == 0) continue;  // made just now (or by a batch that rolled back): the chain is empty
      domain::audit_link head;
      head.seq = seq;
      const auto hash = locked.bytea(i, 3);
      if (hash.size() != head.row_hash.size())
        return core::make_error(errc::internal, "postgres: audit_chain_heads.head is not a SHA-256");
      std::copy(hash.begin(), hash.end(), head.row_hash.begin());
      audit_heads_[key] = head;
    }
    return {};
  }

  static params chat_params(const std::map<chat_tuple, bool>& chats) {
    std::vector<std::string> t, i, p;
    for (const auto& [k, _] : chats) {
      t.push_back(std::get<0>(k));
      i.push_back(std::get<1>(k));
      p.push_back(std::get<2>(k));
    }
    params out;
    out.text_array(t).text_array(i).text_array(p);
    return out;
  }

  void read_chats(const result& r) {
    for (int i = 0; i < r.rows(); ++i) {
      chat_state c;
      c.id = r.int64(i, 0);
      c.last_at = r.int64(i, 4);
      chats_[{std::string(r.text(i, 1)), std::string(r.text(i, 2)), std::string(r.text(i, 3))}] = c;
    }
  }

  core::result<std::vector<result>> run_pipeline(const std::vector<call>& calls) {
    return db_.pipeline(std::span<const call>(calls.data(), calls.size()));
  }

  // ---- the commands ----
  core::result<write_outcome> execute(const domain::write_command& cmd) {
    return std::visit([&](const auto& c) { return execute_one(c); }, cmd);
  }

  core::result<write_outcome> execute_one(const domain::audit_entry&) {
    return write_outcome(write_receipt{std::monostate{}});
  }

  core::result<write_outcome> execute_one(const domain::send_command& c) {
    if (!core::is_external_id(c.external_id))
      return write_outcome(core::make_error(errc::internal, "send: external id is not \"IM\" and 32 hex digits"));
    if (c.idempotency) {
      auto it = claims_.find({c.idempotency->token_id, c.idempotency->key});
      if (it != claims_.end()) {
        const auto& prior = it->second;
        if (!std::equal(prior.request_hash.begin(), prior.request_hash.end(), c.idempotency->request_hash.begin(),
                        c.idempotency->request_hash.end()))
          return write_outcome(core::make_error(errc::idempotency_conflict,
                                                "Idempotency-Key was already used with a different request"));
        // The first answer's message: made by this batch (known here) or stored (read at the end).
        if (auto made = made_.find(prior.message_seq); made != made_.end())
          return write_outcome(write_receipt{domain::send_receipt{made->second, true, std::nullopt}});
        replays_.push_back(prior.message_seq);
        return write_outcome(write_receipt{domain::send_receipt{domain::message{}, true, std::nullopt}});
      }
    }
    chat_state& chat = chats_.at(tuple_of(c.chat));
    log_state& log = logs_.at(log_of(c.chat));
    if (next_seq_ >= seqs_.size()) return core::make_error(errc::internal, "postgres: too few message seqs reserved");
    // The sender's token is the audit row's: only the token that uploaded a file may send it.
    auto attached = check_attachments(chat.id, c.audit.token_id, c.attachment_ids);
    if (!attached) return write_outcome(std::move(attached).error());

    domain::message m;
    m.seq = seqs_[next_seq_++];
    m.external_id = c.external_id;
    m.kind = c.kind;
    m.sender = c.sender;
    m.receiver = c.receiver;
    m.text = c.text;
    // At apply time, never before the chat's newest message: the order of commits, whatever the
    // clocks of the writing nodes say.
    m.created_at = std::max(clock_.now_ms(), chat.last_at);
    chat.last_at = m.created_at;
    chat.sent = true;
    (m.kind == domain::message_kind::inbound ? chat.new_inbound : chat.new_outbound) += 1;
    m.attachment_count = static_cast<std::int32_t>(attached->size());
    m.attachments = std::move(*attached);
    for (std::size_t i = 0; i < c.attachment_ids.size(); ++i) {
      attachments_.at(c.attachment_ids[i]).sent = true;
      uses_.id.push_back(c.attachment_ids[i]);
      uses_.message_seq.push_back(m.seq);
      uses_.ordinal.push_back(static_cast<std::int64_t>(i));
    }
    add_message(chat.id, m);
    if (c.idempotency) {
      claims_[{c.idempotency->token_id, c.idempotency->key}] =
          claim{core::bytes(c.idempotency->request_hash.begin(), c.idempotency->request_hash.end()), m.seq};
      new_claims_.token_id.push_back(c.idempotency->token_id);
      new_claims_.key.push_back(c.idempotency->key);
      new_claims_.hash.emplace_back(c.idempotency->request_hash.begin(), c.idempotency->request_hash.end());
      new_claims_.message_seq.push_back(m.seq);
      new_claims_.created_at.push_back(m.created_at);
    }
    // The reference webhook (staff -> patient) always; the patient's messages when opted in.
    const bool queue = c.record_webhook_event ||
                       (m.kind == domain::message_kind::inbound && wants(c.chat, domain::webhook_inbound));
    if (queue)
      add_outbox(log.log_id, "evt_" + m.external_id.substr(2),
                 c.record_webhook_event ? domain::webhook_outbound : domain::webhook_inbound, chat.id, m.seq,
                 m.created_at, std::nullopt, std::nullopt, std::nullopt);
    domain::chat_event e;
    e.type = domain::event_type::message_created;
    e.chat = c.chat;
    e.at = m.created_at;
    e.msg = m;
    append_event(log, chat.id, e);
    made_[m.seq] = m;
    return write_outcome(write_receipt{domain::send_receipt{std::move(m), false, std::move(e)}});
  }

  core::result<write_outcome> execute_one(const domain::archive_command& c) {
    if (auto ok = flush(); !ok) return std::move(ok).error();
    const auto chat = chats_.find(tuple_of(c.chat));
    if (chat == chats_.end()) return write_outcome(write_receipt{domain::count_receipt{0, std::nullopt}});
    auto done = db_.run(queries::archive_before, params().int64(chat->second.id).int64(c.before));
    if (!done) return std::move(done).error();
    domain::count_receipt receipt{done->affected(), std::nullopt};
    if (receipt.affected > 0) {
      if (auto ok = db_.run(queries::recount_unread, params().int64(chat->second.id)); !ok)
        return std::move(ok).error();
      domain::chat_event e;
      e.type = domain::event_type::chat_archived;
      e.chat = c.chat;
      e.at = clock_.now_ms();
      e.count = receipt.affected;
      e.archive_before = c.before;
      log_state& log = logs_.at(log_of(c.chat));
      append_event(log, chat->second.id, e);
      if (wants(c.chat, domain::webhook_archived))
        add_outbox(log.log_id, event_id_of(log, e), domain::webhook_archived, chat->second.id, std::nullopt, e.at,
                   receipt.affected, std::nullopt, std::nullopt);
      receipt.event = std::move(e);
    }
    return write_outcome(write_receipt{std::move(receipt)});
  }

  core::result<write_outcome> execute_one(const domain::restore_command& c) {
    if (auto ok = flush(); !ok) return std::move(ok).error();
    const auto chat = chats_.find(tuple_of(c.chat));
    if (chat == chats_.end()) return write_outcome(write_receipt{domain::count_receipt{0, std::nullopt}});
    auto done = db_.run(queries::restore_all, params().int64(chat->second.id));
    if (!done) return std::move(done).error();
    domain::count_receipt receipt{done->affected(), std::nullopt};
    if (receipt.affected > 0) {
      if (auto ok = db_.run(queries::recount_unread, params().int64(chat->second.id)); !ok)
        return std::move(ok).error();
      domain::chat_event e;
      e.type = domain::event_type::chat_restored;
      e.chat = c.chat;
      e.at = clock_.now_ms();
      e.count = receipt.affected;
      append_event(logs_.at(log_of(c.chat)), chat->second.id, e);
      receipt.event = std::move(e);
    }
    return write_outcome(write_receipt{std::move(receipt)});
  }

  core::result<write_outcome> execute_one(const domain::mark_read_command& c) {
    if (auto ok = flush(); !ok) return std::move(ok).error();
    const core::unix_ms now = clock_.now_ms();
    const auto chat = chats_.find(tuple_of(c.chat));
    const std::int64_t kind = carechat::store::to_column(c.kind);
    std::optional<domain::position> up_to;
    if (c.up_to_external_id) {
      if (chat != chats_.end()) {
        auto found = db_.run(queries::read_target, params().text(*c.up_to_external_id).int64(chat->second.id).int64(kind));
        if (!found) return std::move(found).error();
        if (found->rows() > 0) up_to = domain::position{found->int64(0, 0), found->int64(0, 1)};
      }
      if (!up_to)
        return write_outcome(core::make_error(errc::bad_request, "upTo does not name an " +
                                                                     std::string(domain::wire_direction(c.kind)) +
                                                                     " message of this chat"));
    }
    domain::read_receipt receipt;
    receipt.read_at = now;
    if (chat == chats_.end()) return write_outcome(write_receipt{std::move(receipt)});  // nothing was ever sent
    const std::int64_t chat_id = chat->second.id;
    params p;
    p.int64(chat_id).int64(kind).int64(now).text(carechat::store::to_column(c.reader.type)).text(c.reader.id).opt_text(
        c.reader.title_name);
    if (up_to) p.int64(up_to->created_at).int64(up_to->seq);
    auto marked = db_.run(up_to ? queries::mark_read_up_to : queries::mark_read_all, p);
    if (!marked) return std::move(marked).error();
    receipt.marked = marked->affected();
    if (receipt.marked > 0)
      if (auto ok = db_.run(queries::subtract_unread, params().int64(chat_id).int64(kind).int64(receipt.marked)); !ok)
        return std::move(ok).error();
    if (c.up_to_external_id) {
      receipt.up_to_external_id = *c.up_to_external_id;
    } else {
      auto newest = db_.run(queries::newest_read, params().int64(chat_id).int64(kind));
      if (!newest) return std::move(newest).error();
      if (newest->rows() > 0) receipt.up_to_external_id = std::string(newest->text(0, 0));
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
      log_state& log = logs_.at(log_of(c.chat));
      append_event(log, chat_id, e);
      if (wants(c.chat, domain::webhook_read))
        add_outbox(log.log_id, event_id_of(log, e), domain::webhook_read, chat_id, std::nullopt, now, receipt.marked,
                   receipt.up_to_external_id.empty() ? std::nullopt : std::optional(receipt.up_to_external_id),
                   std::string(domain::wire_direction(c.kind)));
      receipt.event = std::move(e);
    }
    return write_outcome(write_receipt{std::move(receipt)});
  }

  core::result<write_outcome> execute_one(const domain::prune_events_command& c) {
    if (auto ok = flush(); !ok) return std::move(ok).error();
    if (c.keys_older_than)
      if (auto ok = db_.run(queries::prune_idempotency, params().int64(*c.keys_older_than)); !ok)
        return std::move(ok).error();
    auto done = db_.run(queries::prune_events, params().int64(c.older_than));
    if (!done) return std::move(done).error();
    return write_outcome(write_receipt{std::monostate{}});
  }

  // The send's attachments, in order, if each is a clean, unsent upload of chat `chat_id` by
  // token `token_id` (locked in prepare()); otherwise the error the send fails with.
  core::result<std::vector<domain::attachment_info>> check_attachments(std::int64_t chat_id,
                                                                       const std::string& token_id,
                                                                       const std::vector<std::string>& ids) const {
    std::vector<domain::attachment_info> out;
    for (const std::string& id : ids) {
      const auto it = attachments_.find(id);
      if (it == attachments_.end() || it->second.chat_id != chat_id)
        return core::make_error(errc::unprocessable, "attachment " + id + " is not an upload of this chat");
      const attachment_lock& a = it->second;
      if (a.uploader_token != token_id)
        return core::make_error(errc::unprocessable, "attachment " + id + " was uploaded with another token");
      if (a.sent) return core::make_error(errc::conflict, "attachment " + id + " was already sent");
      if (a.state == "pending")
        return core::make_error(errc::conflict, "attachment " + id + " is still being uploaded or scanned");
      if (a.state != "clean")
        return core::make_error(errc::unprocessable, "attachment " + id + " was refused or has expired");
      out.push_back(a.info);
    }
    return out;
  }

  core::result<write_outcome> execute_one(const domain::attachment_begin_command& c) {
    const chat_state& chat = chats_.at(tuple_of(c.chat));
    auto done = db_.run(queries::insert_attachment, params().text(c.id).int64(chat.id).text(c.uploader_token).int64(c.at));
    if (!done) return std::move(done).error();
    return write_outcome(write_receipt{domain::count_receipt{1, std::nullopt}});
  }

  core::result<write_outcome> execute_one(const domain::attachment_finish_command& c) {
    const auto chat = chats_.find(tuple_of(c.chat));
    const auto not_pending = [&] {
      return write_outcome(core::make_error(errc::conflict, "attachment " + c.info.id + " is not a pending upload"));
    };
    if (chat == chats_.end()) return not_pending();
    params p;
    p.text(c.info.id).int64(chat->second.id).text(domain::to_string(c.state)).text(c.info.name).text(
        c.info.content_type);
    p.int64(static_cast<std::int64_t>(c.info.size)).text(c.info.sha256).int64(c.info.thumbnail ? 1 : 0);
    auto done = db_.run(queries::finish_attachment, p);
    if (!done) return std::move(done).error();
    if (done->affected() != 1) return not_pending();  // expired meanwhile, or never begun
    return write_outcome(write_receipt{domain::count_receipt{1, std::nullopt}});
  }

  core::result<write_outcome> execute_one(const domain::expire_attachments_command& c) {
    if (auto ok = db_.run(queries::expire_attachments, params().int64(c.created_before).int64(c.limit)); !ok)
      return std::move(ok).error();
    auto found = db_.run(queries::expired_attachments, params().int64(c.limit));
    if (!found) return std::move(found).error();
    domain::attachment_ids_receipt receipt;
    for (int i = 0; i < found->rows(); ++i) receipt.ids.emplace_back(found->text(i, 0));
    return write_outcome(write_receipt{std::move(receipt)});
  }

  core::result<write_outcome> execute_one(const domain::delete_attachments_command& c) {
    auto done = db_.run(queries::delete_attachments, params().text_array(c.ids));
    if (!done) return std::move(done).error();
    // A named receipt: GCC 12 warns (maybe-uninitialized, a false positive) on the temporary.
    const domain::count_receipt deleted{done->affected(), std::nullopt};
    return write_outcome(write_receipt{deleted});
  }

  // ---- rows ----
  bool wants(const domain::chat_key& chat, std::string_view type) const {
    auto it = endpoint_types_.find(log_of(chat));
    return it != endpoint_types_.end() && std::find(it->second.begin(), it->second.end(), type) != it->second.end();
  }

  // Non-message events have no external id: theirs is the log and the position, 32 hex digits.
  static std::string event_id_of(const log_state& log, const domain::chat_event& e) {
    return "evt_" + hex16(static_cast<std::uint64_t>(log.log_id)) + hex16(static_cast<std::uint64_t>(e.position));
  }

  void append_event(log_state& log, std::int64_t chat_id, domain::chat_event& e) {
    e.position = ++log.position;
    last_event_ = event_mark{log.log_id, e.position, chat_id, e.at, std::string(carechat::store::to_column(e.type)),
                             e.msg ? std::optional(e.msg->seq) : std::nullopt};
    events_.log_id.push_back(log.log_id);
    events_.position.push_back(e.position);
    events_.chat_id.push_back(chat_id);
    events_.type.emplace_back(carechat::store::to_column(e.type));
    events_.at.push_back(e.at);
    events_.message_seq.push_back(e.msg ? std::optional(e.msg->seq) : std::nullopt);
    const bool read = e.type == domain::event_type::messages_read;
    events_.reader_type.push_back(read && e.reader ? std::optional(std::string(carechat::store::to_column(e.reader->type)))
                                                   : std::nullopt);
    events_.reader_id.push_back(read && e.reader ? std::optional(e.reader->id) : std::nullopt);
    events_.reader_name.push_back(read && e.reader ? e.reader->title_name : std::nullopt);
    events_.read_kind.push_back(read ? std::optional(carechat::store::to_column(e.read_kind)) : std::nullopt);
    events_.up_to.push_back(read ? std::optional(e.up_to_external_id) : std::nullopt);
    events_.count.push_back(e.type == domain::event_type::message_created ? std::nullopt : std::optional(e.count));
    events_.archive_before.push_back(e.archive_before);
  }

  void add_message(std::int64_t chat_id, const domain::message& m) {
    messages_.seq.push_back(m.seq);
    messages_.chat_id.push_back(chat_id);
    messages_.external_id.push_back(m.external_id);
    messages_.kind.push_back(carechat::store::to_column(m.kind));
    messages_.sender_type.emplace_back(carechat::store::to_column(m.sender.type));
    messages_.sender_id.push_back(m.sender.id);
    messages_.sender_name.push_back(m.sender.title_name);
    messages_.receiver_type.push_back(m.receiver ? std::optional(std::string(carechat::store::to_column(m.receiver->type)))
                                                 : std::nullopt);
    messages_.receiver_id.push_back(m.receiver ? std::optional(m.receiver->id) : std::nullopt);
    messages_.receiver_name.push_back(m.receiver ? m.receiver->title_name : std::nullopt);
    messages_.body.push_back(m.text);
    messages_.created_at.push_back(m.created_at);
    messages_.attachment_count.push_back(m.attachment_count);
  }

  void add_outbox(std::int64_t log_id, std::string event_id, std::string_view type, std::int64_t chat_id,
                  std::optional<std::int64_t> message_seq, core::unix_ms at, std::optional<std::int64_t> count,
                  std::optional<std::string> up_to, std::optional<std::string> direction) {
    outbox_.log_id.push_back(log_id);
    outbox_.event_id.push_back(std::move(event_id));
    outbox_.type.emplace_back(type);
    outbox_.chat_id.push_back(chat_id);
    outbox_.message_seq.push_back(message_seq);
    outbox_.created_at.push_back(at);
    outbox_.count.push_back(count);
    outbox_.up_to.push_back(std::move(up_to));
    outbox_.direction.push_back(std::move(direction));
  }

  // The row, linked after its chain's head (locked in prepare()), which it then becomes.
  void add_audit(const domain::audit_entry& entry, std::string outcome) {
    domain::audit_entry e = entry;
    e.outcome = std::move(outcome);
    auto& head = audit_heads_[{e.chat.tenant, e.chat.instance}];
    const domain::audit_link link = domain::next_audit_link(head, e);
    head = link;
    audit_moved_.insert({e.chat.tenant, e.chat.instance});
    audits_.chain_seq.push_back(link.seq);
    audits_.prev_hash.emplace_back(link.prev_hash.begin(), link.prev_hash.end());
    audits_.row_hash.emplace_back(link.row_hash.begin(), link.row_hash.end());
    audits_.at.push_back(e.at);
    audits_.token_id.push_back(e.token_id);
    audits_.role.emplace_back(domain::to_string(e.actor_role));
    audits_.actor_id.push_back(e.actor_id);
    audits_.action.push_back(e.action);
    audits_.tenant.push_back(e.chat.tenant);
    audits_.instance.push_back(e.chat.instance);
    audits_.patient.push_back(e.chat.patient);
    audits_.outcome.push_back(std::move(e.outcome));
    audits_.request_id.push_back(std::move(e.request_id));
  }

  // The rows gathered since the last flush, one INSERT per table, in one round trip (messages
  // before what references them). Called before every command that reads what sends wrote, and at
  // the end.
  std::vector<call> flush_calls() {
    std::vector<call> calls;
    if (!messages_.empty()) {
      params p;
      p.int64_array(messages_.seq)
          .int64_array(messages_.chat_id)
          .text_array(messages_.external_id)
          .int64_array(messages_.kind)
          .text_array(messages_.sender_type)
          .text_array(messages_.sender_id)
          .opt_text_array(messages_.sender_name)
          .opt_text_array(messages_.receiver_type)
          .opt_text_array(messages_.receiver_id)
          .opt_text_array(messages_.receiver_name)
          .text_array(messages_.body)
          .int64_array(messages_.created_at)
          .int64_array(messages_.attachment_count);
      calls.push_back({&queries::insert_messages, std::move(p)});
      messages_ = {};
    }
    if (!uses_.empty()) {
      params p;
      p.text_array(uses_.id).int64_array(uses_.message_seq).int64_array(uses_.ordinal);
      calls.push_back({&queries::use_attachments, std::move(p)});
      uses_ = {};
    }
    if (!new_claims_.empty()) {
      params p;
      p.text_array(new_claims_.token_id)
          .text_array(new_claims_.key)
          .bytes_array(new_claims_.hash)
          .int64_array(new_claims_.message_seq)
          .int64_array(new_claims_.created_at);
      calls.push_back({&queries::insert_claims, std::move(p)});
      new_claims_ = {};
    }
    if (!events_.empty()) {
      params p;
      p.int64_array(events_.log_id)
          .int64_array(events_.position)
          .int64_array(events_.chat_id)
          .text_array(events_.type)
          .int64_array(events_.at)
          .opt_int64_array(events_.message_seq)
          .opt_text_array(events_.reader_type)
          .opt_text_array(events_.reader_id)
          .opt_text_array(events_.reader_name)
          .opt_int64_array(events_.read_kind)
          .opt_text_array(events_.up_to)
          .opt_int64_array(events_.count)
          .opt_int64_array(events_.archive_before);
      calls.push_back({&queries::insert_events, std::move(p)});
      events_ = {};
    }
    if (!outbox_.empty()) {
      params p;
      p.text_array(outbox_.event_id)
          .text_array(outbox_.type)
          .int64_array(outbox_.chat_id)
          .opt_int64_array(outbox_.message_seq)
          .int64_array(outbox_.created_at)
          .opt_int64_array(outbox_.count)
          .opt_text_array(outbox_.up_to)
          .opt_text_array(outbox_.direction)
          .int64_array(outbox_.log_id);
      calls.push_back({&queries::insert_outbox, std::move(p)});
      outbox_ = {};
    }
    if (!audits_.empty()) {
      params p;
      p.int64_array(audits_.at)
          .text_array(audits_.token_id)
          .text_array(audits_.role)
          .text_array(audits_.actor_id)
          .text_array(audits_.action)
          .text_array(audits_.tenant)
          .text_array(audits_.instance)
          .text_array(audits_.patient)
          .text_array(audits_.outcome)
          .int64_array(audits_.chain_seq)
          .bytes_array(audits_.prev_hash)
          .bytes_array(audits_.row_hash)
          .opt_text_array(audits_.request_id);
      calls.push_back({&queries::insert_audits, std::move(p)});
      audits_ = {};
    }
    std::vector<std::int64_t> ids, inbound, outbound, last;
    for (auto& [_, c] : chats_) {
      if (!c.sent) continue;
      ids.push_back(c.id);
      inbound.push_back(c.new_inbound);
      outbound.push_back(c.new_outbound);
      last.push_back(c.last_at);
      c.new_inbound = c.new_outbound = 0;
      c.sent = false;
    }
    if (!ids.empty())
      calls.push_back({&queries::update_chats_after_sends,
                       params().int64_array(ids).int64_array(inbound).int64_array(outbound).int64_array(last)});
    return calls;
  }

  core::result<void> flush() {
    auto calls = flush_calls();
    if (calls.empty()) return {};
    auto r = run_pipeline(calls);
    if (!r) return std::move(r).error();
    return {};
  }

  // The last rows, the replays' messages and the counters, in one round trip.
  core::result<void> finish(std::vector<write_outcome>& out) {
    auto calls = flush_calls();
    if (!audit_moved_.empty()) {
      std::vector<std::string> t, i;
      std::vector<std::int64_t> seqs;
      std::vector<core::bytes> hashes;
      for (const auto& k : audit_moved_) {
        const auto& head = audit_heads_.at(k);
        t.push_back(k.tenant);
        i.push_back(k.instance);
        seqs.push_back(head->seq);
        hashes.emplace_back(head->row_hash.begin(), head->row_hash.end());
      }
      calls.push_back({&queries::update_audit_heads,
                       params().text_array(t).text_array(i).int64_array(seqs).bytes_array(hashes)});
    }
    const bool fetch_replays = !replays_.empty();
    if (fetch_replays) calls.push_back({&queries::messages_by_seqs, params().int64_array(replays_)});
    std::vector<std::int64_t> ids, positions;
    for (const auto& [_, log] : logs_) {
      ids.push_back(log.log_id);
      positions.push_back(log.position);
    }
    if (!ids.empty()) calls.push_back({&queries::update_heads, params().int64_array(ids).int64_array(positions)});
    if (calls.empty()) return {};
    auto r = run_pipeline(calls);
    if (!r) return std::move(r).error();
    if (!fetch_replays) return {};
    const result& found = (*r)[calls.size() - (ids.empty() ? 1 : 2)];
    std::map<std::int64_t, domain::message> by_seq;
    for (int i = 0; i < found.rows(); ++i) {
      auto m = carechat::store::read_message(row{found, i});
      if (!m) return std::move(m).error();
      by_seq[m->seq] = std::move(*m);
    }
    std::vector<domain::message*> refs;
    for (auto& [_, m] : by_seq) refs.push_back(&m);
    if (auto ok = fill_attachments([this](const named_sql& q, const params& p) { return db_.run(q, p); }, refs); !ok)
      return std::move(ok).error();
    // Fill the replays in order: each placeholder receipt gets the next replayed seq's message.
    std::size_t next = 0;
    for (auto& o : out) {
      if (!o) continue;
      auto* s = std::get_if<domain::send_receipt>(&*o);
      if (s == nullptr || !s->replayed || s->msg.seq != 0) continue;
      auto it = by_seq.find(replays_[next++]);
      if (it == by_seq.end())
        o = core::make_error(errc::internal, "send: the idempotency key's message is missing");
      else
        s->msg = it->second;
    }
    return {};
  }

  connection& db_;
  const core::clock& clock_;
  std::optional<event_mark> last_event_;
  std::map<log_key, log_state> logs_;
  std::map<chat_tuple, chat_state> chats_;
  std::map<claim_key, claim> claims_;  // stored ones and the ones this batch made
  std::map<log_key, std::vector<std::string>> endpoint_types_;
  std::vector<std::int64_t> seqs_;
  std::size_t next_seq_ = 0;
  std::map<std::int64_t, domain::message> made_;  // this batch's messages, by seq
  std::vector<std::int64_t> replays_;             // seqs of stored first answers, in batch order
  std::map<std::string, attachment_lock> attachments_;  // the sends' attachments, locked
  message_rows messages_;
  attachment_use_rows uses_;
  event_rows events_;
  outbox_rows outbox_;
  audit_rows audits_;
  // Every chain this batch appends to: its head (nullopt: no row yet), as locked, then as moved.
  std::map<domain::audit_chain_key, std::optional<domain::audit_link>> audit_heads_;
  std::set<domain::audit_chain_key> audit_moved_;  // the chains with a new head
  claim_rows new_claims_;
};

enum class ending { committed, failed, unknown };

struct attempt {
  ending end = ending::failed;
  std::vector<write_outcome> outcomes;
  std::optional<core::error> error;
};

// After a COMMIT whose answer was lost with the connection: did it happen? Asked on a new
// connection (the server back after a restart, or the promoted standby after a failover), waiting
// up to `wait` for one. The batch's last event says: it exists, with this batch's content, exactly
// when the batch committed (events are never changed, and a position is reused only when the batch
// that took it rolled back; a transaction id would not do: after a failover the new primary may
// hand out again an id whose records never reached it). nullopt: still unknown (no server in time,
// or a batch that appended no event).
std::optional<bool> committed(const writer_connection& source, const std::optional<batch_writer::event_mark>& mark,
                              std::chrono::milliseconds wait) {
  if (!mark) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto db = source();
    if (db) {
      params p;
      p.int64(mark->log_id).int64(mark->position).int64(mark->chat_id).text(mark->type).int64(mark->at);
      p.opt_int64(mark->message_seq);
      auto r = (*db)->run(queries::event_exists, p);
      if (r) return r->rows() == 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return std::nullopt;
}

// One try of a batch in one transaction.
attempt try_once(const writer_connection& source, connection& db, const core::clock& clk,
                 std::span<const domain::write_command> batch, const batch_options& opts) {
  attempt a;
  batch_writer writer(db, clk);
  auto outcomes = writer.run(batch);
  if (outcomes && opts.before_commit && !opts.before_commit())
    outcomes = core::make_error(errc::unavailable, "postgres: the batch was rolled back (injected fault)");
  if (!outcomes) {
    a.error = std::move(outcomes).error();
    if (!db.broken() && db.in_transaction()) (void)db.run(queries::rollback);
    return a;
  }
  auto commit = db.run(queries::commit);
  if (commit) {
    a.end = ending::committed;
    a.outcomes = std::move(*outcomes);
    return a;
  }
  a.error = std::move(commit).error();
  if (!db.broken()) {  // the server refused the COMMIT: everything was rolled back
    if (db.in_transaction()) (void)db.run(queries::rollback);
    return a;
  }
  // The answer to COMMIT never came: ask the server, once it is back, what became of it.
  const auto done = committed(source, writer.last_event(), opts.resolve_wait);
  if (!done) {
    a.end = ending::unknown;
  } else if (*done) {
    a.end = ending::committed;
    a.outcomes = std::move(*outcomes);
  }
  return a;
}

constexpr int max_tries = 3;

// The batch, tried again (after a reconnect) while the failure says "try again".
attempt try_batch(const writer_connection& source, const core::clock& clk,
                  std::span<const domain::write_command> batch, const batch_options& opts) {
  attempt last;
  for (int i = 0; i < max_tries; ++i) {
    // A short, growing pause before a retry: a restarting or failing-over server needs a moment.
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 * i));
    auto db = source();
    if (!db) {
      last.error = std::move(db).error();
      continue;
    }
    last = try_once(source, **db, clk, batch, opts);
    if (last.end != ending::failed || last.error->code != errc::unavailable) return last;
  }
  return last;
}

}  // namespace

std::vector<domain::write_outcome> apply_batch(const writer_connection& db, const core::clock& clk,
                                               std::span<const domain::write_command> batch,
                                               const batch_options& opts) {
  if (batch.empty()) return {};
  attempt a = try_batch(db, clk, batch, opts);
  if (a.end == ending::committed) return std::move(a.outcomes);
  if (a.end == ending::unknown)
    return std::vector<write_outcome>(
        batch.size(), core::make_error(errc::unavailable, "postgres: the connection was lost while committing and "
                                                          "the server did not come back in time: the outcome is "
                                                          "unknown (clients retry with their Idempotency-Key)"));
  if (a.error->code == errc::unavailable || batch.size() == 1) {
    std::vector<write_outcome> out(batch.size(), write_outcome(*a.error));
    // A command that fails alone still leaves its audit row, with the error as outcome.
    if (batch.size() == 1 && a.error->code != errc::unavailable)
      if (const domain::audit_entry* entry = audit_of(batch[0]); entry && !std::holds_alternative<domain::audit_entry>(batch[0])) {
        domain::audit_entry failed = *entry;
        failed.outcome = std::string(core::to_string(a.error->code));
        const domain::write_command row = failed;
        (void)try_batch(db, clk, std::span<const domain::write_command>(&row, 1), opts);
      }
    return out;
  }
  // Something in the batch fails for good: each command on its own, so only that one fails.
  std::vector<write_outcome> out;
  out.reserve(batch.size());
  for (const auto& cmd : batch) {
    auto one = apply_batch(db, clk, std::span<const domain::write_command>(&cmd, 1), opts);
    out.push_back(std::move(one[0]));
  }
  return out;
}

}  // namespace carechat::store::postgres
