// Metrics primitives and the Prometheus text exposition format (version 0.0.4).
//
// Written here rather than taken from a library: prometheus-cpp, the usual C++ client, is not in
// Debian 12 (no libprometheus-cpp-dev), and what carechat needs is small: counters and
// histograms cheap enough for every request, gauges read when scraped, and one text renderer.
//
// Hot-path cost: counters and histograms are arrays of relaxed atomics, sharded by thread (each
// thread adds to its own cache lines; a scrape sums the shards), so recording takes no lock, does
// not allocate, and threads do not bounce a shared cache line. Series are fixed when the object is
// made (a known set of routes, status codes, outcomes), never created per request.
// Thread-safety: add()/observe() and the readers from any thread; registry::add_family before
// the first render(), render() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carechat::core::metrics {

// Enough for the I/O threads, the pool and the writer of a typical server; more threads share.
inline constexpr std::size_t shard_count = 16;

// This thread's shard (assigned round robin on a thread's first use).
std::size_t this_thread_shard() noexcept;

// `size` monotonic counters, indexed 0..size-1.
class counter_array {
 public:
  explicit counter_array(std::size_t size);
  void add(std::size_t i, std::uint64_t n = 1) noexcept {
    cells_[this_thread_shard() * stride_ + i].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value(std::size_t i) const noexcept;
  std::size_t size() const noexcept { return size_; }

 private:
  std::size_t size_;
  std::size_t stride_;  // size_ rounded up to whole cache lines: shards never share one
  std::unique_ptr<std::atomic<std::uint64_t>[]> cells_;
};

// A single counter.
class counter {
 public:
  counter() : cells_(1) {}
  void add(std::uint64_t n = 1) noexcept { cells_.add(0, n); }
  std::uint64_t value() const noexcept { return cells_.value(0); }

 private:
  counter_array cells_;
};

// What a histogram held when it was read. Buckets are cumulative (Prometheus' `le`), the last one
// is +Inf and equals count.
struct histogram_snapshot {
  std::vector<std::uint64_t> cumulative;
  std::uint64_t count = 0;
  std::uint64_t sum = 0;  // in the histogram's raw unit
};

// `size` histograms sharing upper bounds, observed in an integer raw unit (microseconds, items,
// bytes); the renderer scales bounds and sums to the base unit (seconds, ...).
class histogram_array {
 public:
  // `bounds`: strictly increasing upper bounds in the raw unit (+Inf is implied).
  histogram_array(std::size_t size, std::vector<std::uint64_t> bounds);
  void observe(std::size_t i, std::uint64_t raw) noexcept;
  histogram_snapshot snapshot(std::size_t i) const;
  const std::vector<std::uint64_t>& bounds() const noexcept { return bounds_; }
  std::size_t size() const noexcept { return size_; }

 private:
  std::size_t size_;
  std::vector<std::uint64_t> bounds_;
  std::size_t per_series_;  // bounds + the +Inf bucket + sum
  std::size_t stride_;      // one shard's cells, whole cache lines
  std::unique_ptr<std::atomic<std::uint64_t>[]> cells_;
};

class histogram {
 public:
  explicit histogram(std::vector<std::uint64_t> bounds) : cells_(1, std::move(bounds)) {}
  void observe(std::uint64_t raw) noexcept { cells_.observe(0, raw); }
  histogram_snapshot snapshot() const { return cells_.snapshot(0); }
  const std::vector<std::uint64_t>& bounds() const noexcept { return cells_.bounds(); }

 private:
  histogram_array cells_;
};

// Label name/value pairs of one series, in the order given.
using labels = std::vector<std::pair<std::string_view, std::string_view>>;

enum class metric_type { counter, gauge, histogram };

// Writes the samples of one family (its # HELP and # TYPE lines are the registry's).
class sample_writer {
 public:
  explicit sample_writer(std::string& out, std::string_view name) : out_(out), name_(name) {}
  void sample(const labels& l, double value);
  void sample(const labels& l, std::uint64_t value);
  // `_bucket`, `_sum` and `_count` lines; bounds and sum divided by `raw_per_unit` (raw units in
  // one base unit: 1e6 for microseconds -> seconds), so 25000 us prints as 0.025.
  void histogram(const labels& l, const std::vector<std::uint64_t>& bounds, const histogram_snapshot& s,
                 double raw_per_unit);

 private:
  void line(std::string_view suffix, const labels& l, std::string_view extra_name, std::string_view extra_value,
            std::string_view value);
  std::string& out_;
  std::string_view name_;
};

// The families a scrape shows, in registration order. Each family's samples come from a callback
// run at every render(): it reads the primitives above or asks a component (a pool's size, a
// queue's depth). Callbacks must stay valid as long as render() may run.
class registry {
 public:
  using collect_fn = std::function<void(sample_writer&)>;
  // `name` must follow Prometheus' conventions (checked: [a-zA-Z_:][a-zA-Z0-9_:]*; throws
  // std::invalid_argument otherwise, a programmer error at start).
  void add_family(std::string name, std::string help, metric_type type, collect_fn collect);

  // Shorthands for a family of one unlabelled series.
  void add_counter(std::string name, std::string help, const counter& c);
  void add_counter(std::string name, std::string help, std::function<std::uint64_t()> read);
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  void add_histogram(std::string name, std::string help, const histogram& h, double raw_per_unit);

  // The exposition: text/plain; version=0.0.4.
  std::string render() const;

 private:
  struct family {
    std::string name;
    std::string help;
    metric_type type;
    collect_fn collect;
  };
  std::vector<family> families_;
};

// The Content-Type of render()'s output.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

// Upper bounds for latencies in microseconds: 0.5 ms .. 10 s.
std::vector<std::uint64_t> latency_bounds_us();

}  // namespace carechat::core::metrics
