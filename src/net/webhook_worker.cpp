#include "net/webhook_worker.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>

#include "api/webhook_json.hpp"
#include "core/log.hpp"
#include "net/offload.hpp"
#include "net/webhook_client.hpp"

namespace carechat::net {
namespace {

constexpr int due_batch = 64;

std::string key_of(const domain::webhook_job& j) { return j.tenant + "/" + j.instance; }

}  // namespace

webhook_worker::webhook_worker(asio::io_context& ioc, asio::thread_pool& blocking, domain::webhook_store& store,
                               const core::clock& clk, core::random_source& rng, webhook_options opts,
                               boost::asio::ssl::context tls)
    : strand_(asio::make_strand(ioc)),
      blocking_(blocking),
      store_(store),
      clock_(clk),
      rng_(rng),
      opts_(std::move(opts)),
      tls_(std::move(tls)),
      timer_(strand_),
      lease_(std::max<std::chrono::milliseconds>(std::chrono::seconds(30), 3 * opts_.timeout)) {}

webhook_worker::~webhook_worker() = default;

void webhook_worker::start(std::string node) {
  if (!opts_.enabled) return;
  owner_ = std::move(node);
  asio::co_spawn(strand_, poll_loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      core::log_error("webhooks", std::string("delivery loop ended: ") + ex.what());
    }
  });
}

void webhook_worker::nudge() {
  asio::post(strand_, [this] {
    nudged_ = true;
    timer_.cancel();
  });
}

void webhook_worker::stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    timer_.cancel();
    for (auto& [id, sig] : in_flight_) sig->emit(asio::cancellation_type::terminal);
  });
}

asio::awaitable<void> webhook_worker::poll_loop() {
  // What this node held when it stopped (a crash) is due again now, not when its leases run out.
  auto released = co_await run_blocking(blocking_, [&]() { return store_.release_webhook_claims(owner_); });
  if (!released) core::log_warn("webhooks", "cannot release this node's earlier claims: " + released.error().message);
  while (!stopping_) {
    nudged_ = false;
    const core::unix_ms now = clock_.now_ms();
    auto due = co_await run_blocking(blocking_, [&]() { return store_.claim_webhooks(owner_, now, lease_, due_batch); });
    if (!due) {
      core::log_warn("webhooks", "cannot read the outbox: " + due.error().message);
    } else {
      for (auto& job : *due) {
        if (stopping_ || busy_.size() >= opts_.max_parallel) break;
        const std::string key = key_of(job);
        if (busy_.count(key)) continue;  // head-of-line: one attempt per endpoint at a time
        busy_.insert(key);
        auto sig = std::make_shared<asio::cancellation_signal>();
        in_flight_[job.outbox_id] = sig;
        asio::co_spawn(strand_, deliver(std::move(job)),
                       asio::bind_cancellation_slot(sig->slot(), [](std::exception_ptr e) {
                         if (!e) return;
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& ex) {
                           core::log_error("webhooks", std::string("delivery ended by exception: ") + ex.what());
                         }
                       }));
      }
    }
    if (stopping_) break;
    if (nudged_) continue;
    timer_.expires_after(opts_.poll_interval);
    (void)co_await timer_.async_wait(use_tuple);
  }
}

void webhook_worker::done(const std::string& endpoint_key, std::int64_t outbox_id, bool look_again) {
  busy_.erase(endpoint_key);
  in_flight_.erase(outbox_id);
  if (!look_again) return;  // e.g. a store error: wait for the next poll rather than spin
  // The endpoint's next row may be due at once.
  nudged_ = true;
  timer_.cancel();
}

asio::awaitable<void> webhook_worker::deliver(domain::webhook_job job) {
  const std::string key = key_of(job);
  const std::string tenant = job.tenant;
  const std::string instance = job.instance;
  auto endpoint = co_await run_blocking(blocking_, [&]() { return store_.webhook_endpoint_of(tenant, instance); });
  if (!endpoint || !*endpoint || !(*endpoint)->enabled) {
    if (!endpoint) core::log_warn("webhooks", "cannot read the endpoint of " + key + ": " + endpoint.error().message);
    done(key, job.outbox_id, false);
    co_return;
  }
  const domain::webhook_endpoint& ep = **endpoint;

  webhook_request req;
  webhook_response res;
  const core::unix_ms started = clock_.now_ms();
  const auto steady_start = std::chrono::steady_clock::now();
  auto target = parse_webhook_url(ep.url);
  if (!target) {
    res.error = "invalid endpoint url: " + target.error().message;
  } else {
    req.target = std::move(*target);
    req.body = api::webhook_body(job, opts_.public_url);
    const std::int64_t timestamp = started / 1000;
    std::vector<std::string> secrets{ep.signing_secret};
    if (ep.previous_signing_secret) secrets.push_back(*ep.previous_signing_secret);
    req.headers = {{"X-WEBHOOK-API-KEY", ep.api_key},
                   {"X-WEBHOOK-API-SECRET", ep.api_secret},
                   {"webhook-id", job.event_id},
                   {"webhook-timestamp", std::to_string(timestamp)},
                   {"webhook-signature", domain::webhook_signature(secrets, job.event_id, timestamp, req.body)}};
    // DNS is blocking (getaddrinfo): on the resolver threads. Checked again here (rebinding); only
    // the addresses just checked are connected to.
    const webhook_target& where = req.target;
    auto addresses =
        co_await run_blocking(resolvers_, [&]() { return resolve_webhook_target(where, opts_.allow_private); });
    if (!addresses) {
      res.error = addresses.error().message;
    } else {
      res = co_await post_webhook(req, *addresses, tls_, opts_.timeout);
    }
  }
  if (stopping_) {  // cancelled by stop(): the row stays pending and is retried after restart
    done(key, job.outbox_id, false);
    co_return;
  }
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - steady_start);

  domain::webhook_attempt attempt;
  attempt.outbox_id = job.outbox_id;
  attempt.event_id = job.event_id;
  attempt.at = started;
  attempt.status = res.status;
  attempt.latency_ms = latency.count();
  domain::webhook_result result;
  std::string disable_reason;
  const core::unix_ms now = clock_.now_ms();
  if (res.status >= 200 && res.status < 300) {
    result.what = domain::webhook_result::next::delivered;
    attempt.outcome = "delivered";
  } else if (res.status == 410) {
    result.what = domain::webhook_result::next::endpoint_gone;
    attempt.outcome = "disabled";
    attempt.error = "410 Gone: endpoint disabled";
    disable_reason = "the endpoint answered 410 Gone";
  } else {
    if (res.status >= 300 && res.status < 400) attempt.error = "redirect not followed";
    else if (res.status != 0) attempt.error = "HTTP " + std::to_string(res.status);
    else attempt.error = res.error;
    std::optional<std::chrono::milliseconds> retry_after;
    if (res.retry_after) retry_after = domain::parse_retry_after(*res.retry_after, now);
    auto next = domain::next_webhook_attempt(opts_.retry, job.attempts + 1, retry_after, now, rng_);
    if (next) {
      result.what = domain::webhook_result::next::retry;
      result.retry_at = *next;
      attempt.outcome = "retry";
    } else {
      result.what = domain::webhook_result::next::failed;
      attempt.outcome = "failed";
    }
  }
  const std::int64_t lease_token = job.lease_token;
  auto recorded = co_await run_blocking(
      blocking_, [&]() { return store_.record_webhook_attempt(attempt, lease_token, result, disable_reason); });
  {
    std::size_t outcome = attempt_outcomes.size() - 1;  // lost
    if (recorded && *recorded)
      for (std::size_t i = 0; i + 1 < attempt_outcomes.size(); ++i)
        if (attempt.outcome == attempt_outcomes[i]) outcome = i;
    attempts_.add(outcome);
  }
  if (!recorded) core::log_warn("webhooks", "cannot record an attempt for " + key + ": " + recorded.error().message);
  else if (!*recorded) core::log_warn("webhooks", "lost the claim on an event of " + key + " (its lease expired; another node sends it)");
  if (result.what == domain::webhook_result::next::endpoint_gone)
    core::log_warn("webhooks", "endpoint of " + key + " answered 410: disabled");
  done(key, job.outbox_id, recorded.has_value());
}

void webhook_nudging_hub::publish(std::span<const domain::chat_event> events) {
  inner_.publish(events);
  if (events.empty()) return;
  if (auto* w = worker_.load()) w->nudge();
}

}  // namespace carechat::net
