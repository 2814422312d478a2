#include "net/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <thread>
#include <vector>

#include "core/log.hpp"
#include "net/http_session.hpp"

namespace carechat::net {
namespace {

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    core::log_error("net", std::string("connection ended by exception: ") + ex.what());
  } catch (...) {
    core::log_error("net", "connection ended by unknown exception");
  }
}

}  // namespace

server::server(services& svc, http_options opts, tls_credentials* tls)
    : tls_(tls), svc_(svc), opts_(opts), acceptor_(ioc_) {}

core::result<tcp::endpoint> server::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return core::make_error(core::errc::bad_request, "not an IP address: " + host);
  const tcp::endpoint ep{address, port};
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::make_error(core::errc::unavailable, "cannot listen on " + host + ":" + std::to_string(port) +
                                                               ": " + ec.message());
  return acceptor_.local_endpoint();
}

asio::io_context& server::next_context() {
  const std::size_t i = next_context_++ % (others_.size() + 1);
  return i == 0 ? ioc_ : *others_[i - 1];
}

asio::awaitable<void> server::accept_loop() {
  for (;;) {
    // The new socket belongs to the next I/O thread's context: its session runs there throughout.
    auto [ec, socket] = co_await acceptor_.async_accept(next_context(), use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // e.g. EMFILE: back off briefly rather than spin.
      core::log_warn("net", "accept failed: " + ec.message());
      asio::steady_timer pause(ioc_, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (registry_.size() >= opts_.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = socket.get_executor();
    if (tls_ != nullptr) {
      auto ctx = tls_->current();  // the certificate served now; a reload changes later connections
      asio::co_spawn(ex, run_https_session(std::move(socket), std::move(ctx), svc_, opts_, registry_), log_exception);
    } else {
      asio::co_spawn(ex, run_http_session(std::move(socket), svc_, opts_, registry_), log_exception);
    }
  }
}

void server::run(unsigned io_threads, bool handle_signals, std::chrono::milliseconds grace) {
  grace_ = grace;
  if (handle_signals) {
    signals_ = std::make_unique<asio::signal_set>(ioc_, SIGINT, SIGTERM);
    signals_->async_wait([this](beast::error_code ec, int) {
      if (!ec) begin_stop();
    });
    if (tls_ != nullptr) {
      reload_signal_ = std::make_unique<asio::signal_set>(ioc_, SIGHUP);
      watch_reload();
    }
  }
  const unsigned n = io_threads == 0 ? 1 : io_threads;
  for (unsigned i = 1; i < n; ++i) {
    others_.push_back(std::make_unique<asio::io_context>(1));
    keep_running_.push_back(asio::make_work_guard(*others_.back()));
  }
  asio::co_spawn(ioc_, accept_loop(), log_exception);
  std::vector<std::thread> threads;
  for (auto& ctx : others_) threads.emplace_back([&ctx] { ctx->run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
  signals_.reset();
  reload_signal_.reset();
  drain_timer_.reset();
  keep_running_.clear();
  others_.clear();  // after the threads: a context's sockets are gone with its sessions
}

void server::stop() {
  asio::post(ioc_, [this] { begin_stop(); });
}

void server::begin_stop() {
  if (registry_.stopping()) return;
  core::log_info("net", "stopping: no new connections; finishing in-flight requests");
  beast::error_code ignored;
  acceptor_.close(ignored);
  if (signals_) signals_->cancel(ignored);
  if (reload_signal_) reload_signal_->cancel(ignored);
  registry_.stop_all();
  for (auto& hook : stop_hooks_) hook();
  // The other threads now run while their connections last, as the first one does.
  for (auto& guard : keep_running_) guard.reset();
  drain_timer_ = std::make_unique<asio::steady_timer>(ioc_);
  watch_drain(std::chrono::steady_clock::now() + grace_);
}

// SIGHUP: reads the certificate and key again off the I/O threads (file reads may block); new
// handshakes use the new pair, connections keep theirs. A bad pair changes nothing.
void server::watch_reload() {
  reload_signal_->async_wait([this](beast::error_code ec, int) {
    if (ec) return;  // cancelled: stopping
    asio::post(svc_.blocking, [tls = tls_] {
      auto loaded = tls->reload();
      if (loaded)
        core::log_info("tls", "SIGHUP: certificate reloaded from " + tls->files().cert_file + ": " + loaded->subject +
                                  ", serial " + loaded->serial + ", valid until " + loaded->not_after);
      else
        core::log_error("tls", "SIGHUP: certificate not reloaded, still serving the previous one: " +
                                   loaded.error().message);
    });
    watch_reload();
  });
}

// Polls until every connection has ended; past the grace period, stops the io_context outright.
void server::watch_drain(std::chrono::steady_clock::time_point deadline) {
  if (registry_.size() == 0) return;  // no more work: run() returns on its own
  if (std::chrono::steady_clock::now() >= deadline) {
    core::log_warn("net", "grace period over: closing remaining connections");
    for (auto& ctx : others_) ctx->stop();
    ioc_.stop();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(20));
  drain_timer_->async_wait([this, deadline](beast::error_code ec) {
    if (!ec) watch_drain(deadline);
  });
}

}  // namespace carechat::net
