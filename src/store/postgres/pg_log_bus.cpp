#include "store/postgres/pg_log_bus.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <map>
#include <stdexcept>

#include "core/text.hpp"

namespace carechat::store::postgres {
namespace {

constexpr named_sql current_schema{"bus.schema", "SELECT current_schema()"};
constexpr named_sql notify{"bus.notify", "SELECT pg_notify($1, $2)"};
// NOTIFY takes payloads shorter than 8000 bytes.
constexpr std::size_t max_payload = 7'000;

// A payload is lines of "tenant\tinstance\tposition" (path ids hold no tabs or newlines).
void parse_payload(std::string_view payload, std::vector<domain::log_hint>& out) {
  for (std::string_view line : core::split_list(payload, '\n')) {
    const auto a = line.find('\t');
    const auto b = a == std::string_view::npos ? a : line.find('\t', a + 1);
    if (b == std::string_view::npos) continue;
    const auto position = core::parse_decimal<std::int64_t>(line.substr(b + 1));
    if (!position) continue;
    out.push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)), *position});
  }
}

}  // namespace

pg_log_bus::pg_log_bus(pg_options opts) : opts_(std::move(opts)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

pg_log_bus::~pg_log_bus() { ::close(wake_fd_); }

void pg_log_bus::announce(std::span<const domain::log_hint> hints) {
  if (hints.empty()) return;
  {
    std::lock_guard lock(mutex_);
    // Hints are lossy by design: while the server is away they are not kept without bound (the
    // other processes' polling finds the events anyway).
    if (outbox_.size() > 4096) outbox_.clear();
    outbox_.insert(outbox_.end(), hints.begin(), hints.end());
  }
  wake();
}

void pg_log_bus::wake() {
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

bool pg_log_bus::connected() {
  if (conn_ && !conn_->broken()) return true;
  conn_.reset();
  auto c = connection::open(opts_);
  if (!c) return false;
  auto schema = c->run(current_schema);
  if (!schema || schema->rows() != 1) return false;
  channel_ = "carechat.events/" + std::string(schema->text(0, 0));
  // A hint need not survive a crash: its commit does not wait for the disk.
  if (!c->exec("bus settings", "SET synchronous_commit = off")) return false;
  if (!c->exec("bus listen", "LISTEN " + c->quote_identifier(channel_))) return false;
  conn_.emplace(std::move(*c));
  reconnected_ = true;  // hints may have been missed while it was away
  return true;
}

void pg_log_bus::send_announcements() {
  std::vector<domain::log_hint> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(outbox_);
  }
  if (pending.empty() || !conn_) return;
  // The highest position per log; one NOTIFY for all of them (split only past the payload limit).
  std::map<std::pair<std::string, std::string>, std::int64_t> newest;
  for (const auto& h : pending) {
    auto& p = newest[{h.tenant, h.instance}];
    p = std::max(p, h.position);
  }
  std::string payload;
  auto send = [&] {
    if (!payload.empty()) (void)conn_->run(notify, params().text(channel_).text(payload));  // lossy by design
    payload.clear();
  };
  for (const auto& [log, position] : newest) {
    std::string line = log.first + "\t" + log.second + "\t" + std::to_string(position) + "\n";
    if (payload.size() + line.size() > max_payload) send();
    payload += line;
  }
  send();
}

std::vector<domain::log_hint> pg_log_bus::wait(std::chrono::milliseconds timeout) {
  std::vector<domain::log_hint> out;
  const bool up = connected();
  if (up) send_announcements();
  if (reconnected_) {
    reconnected_ = false;
    out.push_back({});  // "anything may have moved"
    return out;
  }
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {up ? conn_->socket() : -1, POLLIN, 0}};
  if (::poll(fds, up ? 2 : 1, static_cast<int>(timeout.count())) <= 0) return out;
  if (fds[0].revents & POLLIN) {
    std::uint64_t n = 0;
    (void)!::read(wake_fd_, &n, sizeof n);
    if (up) send_announcements();
  }
  if (up) {
    auto got = conn_->notifications();
    if (!got) {
      conn_.reset();
      return out;
    }
    for (const auto& [channel, payload] : *got)
      if (channel == channel_) parse_payload(payload, out);
  }
  return out;
}

}  // namespace carechat::store::postgres
