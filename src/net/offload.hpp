// Awaitables that move blocking work off the I/O threads (STYLE habit 1): store reads run on a
// thread pool, writes go to the group committer, and the coroutine resumes on its own executor
// (its connection's executor: its I/O thread). Thread-safety: safe to call from any coroutine.
#pragma once

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/prefer.hpp>

#include "core/log.hpp"
#include "core/result.hpp"
#include "domain/store.hpp"
#include "net/asio.hpp"
#include "store/group_committer.hpp"

namespace carechat::net {

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<core::result<T>> : std::true_type {};

// Runs fn() on `pool` and resumes with its result. fn must return a core::result<T>; an exception
// thrown by fn becomes errc::internal instead of escaping the pool thread.
template <class F>
asio::awaitable<std::invoke_result_t<F&>> run_blocking(asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F&>;
  static_assert(is_result<R>::value, "run_blocking needs a function returning core::result<T>");
  // GCC 12 may relocate objects captured inside a co_await expression bitwise, which breaks types
  // that point into themselves (SSO strings, any_io_executor). So the initiation captures only
  // pointers, and the executor comes from the handler.
  F* job = &fn;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      [&pool, job](auto handler) {
        // The tracked executor keeps the io_context running until we resume.
        auto home = asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        asio::post(pool, [job, handler = std::move(handler), home]() mutable {
          R out = [&]() -> R {
            try {
              return (*job)();
            } catch (const std::exception& e) {
              core::log_error("offload", e.what());
              return core::make_error(core::errc::internal, "internal error");
            } catch (...) {  // anything else would std::terminate the pool thread
              core::log_error("offload", "a non-standard exception");
              return core::make_error(core::errc::internal, "internal error");
            }
          }();
          asio::post(home, [out = std::move(out), handler = std::move(handler)]() mutable {
            std::move(handler)(std::move(out));
          });
        });
      },
      asio::use_awaitable);
}

// Queues a write with the group committer and resumes once its batch is durable (or failed).
// A full queue or a stopping committer answers errc::unavailable at once.
inline asio::awaitable<domain::write_outcome> commit(store::group_committer& committer, domain::write_command cmd) {
  domain::write_command* pending = &cmd;  // see run_blocking: capture pointers only
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(domain::write_outcome)>(
      [&committer, pending](auto handler) {
        auto home = asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        // std::function needs a copyable callable; the handler itself is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto resume = [home, shared](domain::write_outcome out) {
          asio::post(home, [shared, out = std::move(out)]() mutable { std::move(*shared)(std::move(out)); });
        };
        if (!committer.submit(std::move(*pending), resume))
          resume(core::make_error(core::errc::unavailable, "the server is busy or shutting down; retry later"));
      },
      asio::use_awaitable);
}

}  // namespace carechat::net
