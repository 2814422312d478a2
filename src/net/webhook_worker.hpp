// The webhook delivery worker: a coroutine on the server's io_context that claims due outbox rows
// (and is nudged after commits), sends each with net/post_webhook, and records every attempt.
// Per endpoint (tenant/instance) strictly in outbox order: the store hands out only the head of each
// queue, and an endpoint with an attempt in flight gets no other. Several endpoints go in parallel.
// Several nodes share the outbox (PostgreSQL): a claim is a lease (max(30 s, 3 x the attempt
// timeout)) with a fencing token, so exactly one node sends each attempt; a node that dies
// mid-delivery leaves the row to be claimed again when its lease runs out (same webhook-id), and a
// node that outlived its lease cannot record over the new owner's result.
// Store calls run on the blocking pool (run_blocking); the I/O threads never block.
// Durability: a row is marked delivered only after a 2xx; anything in flight at a crash is still
// pending, so it is retried after restart with the same webhook-id (at least once).
// Thread-safety: start() once; nudge() and stop() from any thread; the rest runs on one strand.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "domain/event_hub.hpp"
#include "domain/webhook.hpp"
#include "net/asio.hpp"

namespace carechat::net {

struct webhook_options {
  bool enabled = true;                             // CARECHAT_WEBHOOKS=0 turns delivery off
  std::string public_url = "http://127.0.0.1:8080";  // CARECHAT_PUBLIC_URL: base of patientUrl
  bool allow_private = false;                      // CARECHAT_WEBHOOK_ALLOW_PRIVATE=1
  std::chrono::milliseconds timeout{10'000};       // CARECHAT_WEBHOOK_TIMEOUT_MS: connect + request + answer
  std::chrono::milliseconds poll_interval{1'000};  // CARECHAT_WEBHOOK_POLL_MS: outbox poll when not nudged
  std::size_t max_parallel = 32;                   // endpoints with an attempt in flight at once
  domain::webhook_retry_policy retry;
};

class webhook_worker {
 public:
  // `tls`: the client context every HTTPS attempt verifies peers with (make_webhook_tls_context).
  webhook_worker(asio::io_context& ioc, asio::thread_pool& blocking, domain::webhook_store& store,
                 const core::clock& clk, core::random_source& rng, webhook_options opts,
                 boost::asio::ssl::context tls);
  ~webhook_worker();

  // Starts delivering as `node` (this server's name among the nodes sharing the outbox; the same
  // after a restart): the claims a previous run under that name held are given up first.
  void start(std::string node);
  // Look at the outbox now (after a commit, a configuration change or a redelivery).
  void nudge();
  // Stops polling and cancels attempts in flight; they stay pending (retried after restart).
  void stop();

  // Attempts made by this worker, by outcome (for /metrics): the outcome names are
  // attempt_outcomes, "lost" an attempt whose result could not be recorded (the store failed,
  // or the claim's lease had passed to another node).
  static constexpr std::array<std::string_view, 5> attempt_outcomes{"delivered", "retry", "failed", "disabled", "lost"};
  std::uint64_t attempts(std::size_t outcome) const noexcept { return attempts_.value(outcome); }

 private:
  asio::awaitable<void> poll_loop();
  asio::awaitable<void> deliver(domain::webhook_job job);
  void done(const std::string& endpoint_key, std::int64_t outbox_id, bool look_again);

  asio::strand<asio::io_context::executor_type> strand_;
  asio::thread_pool& blocking_;
  // DNS (getaddrinfo blocks, sometimes for seconds) gets threads of its own, so a slow resolver
  // delays webhook attempts only, never the store reads that share `blocking_`.
  asio::thread_pool resolvers_{2};
  domain::webhook_store& store_;
  const core::clock& clock_;
  core::random_source& rng_;
  const webhook_options opts_;
  boost::asio::ssl::context tls_;
  asio::steady_timer timer_;
  std::string owner_;                      // who this worker claims deliveries as (set by start())
  const std::chrono::milliseconds lease_;  // how long a claim holds: past it another node takes over
  // Strand only:
  bool stopping_ = false;
  bool nudged_ = false;
  std::set<std::string> busy_;  // endpoints with an attempt in flight
  std::map<std::int64_t, std::shared_ptr<asio::cancellation_signal>> in_flight_;
  core::metrics::counter_array attempts_{attempt_outcomes.size()};
};

// Forwards committed events to the next hub (the page cache and the live fan-out) and nudges the
// worker when one may have queued a webhook. Thread-safety: as domain::event_hub; set_worker() before the server runs.
class webhook_nudging_hub final : public domain::event_hub {
 public:
  explicit webhook_nudging_hub(domain::event_hub& inner) : inner_(inner) {}
  void set_worker(webhook_worker* w) { worker_.store(w); }
  void publish(std::span<const domain::chat_event> events) override;

 private:
  domain::event_hub& inner_;
  std::atomic<webhook_worker*> worker_{nullptr};
};

}  // namespace carechat::net
