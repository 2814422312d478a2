// Injectable wall clock (STYLE habit 4): production uses system_clock, tests a manual_clock.
// Thread-safety: both implementations may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace carechat::core {

// Milliseconds since the Unix epoch, UTC.
using unix_ms = std::int64_t;

class clock {
 public:
  virtual ~clock() = default;
  virtual unix_ms now_ms() const = 0;
};

class system_clock final : public clock {
 public:
  unix_ms now_ms() const override;
};

class manual_clock final : public clock {
 public:
  explicit manual_clock(unix_ms start) : now_(start) {}
  unix_ms now_ms() const override { return now_.load(); }
  void set(unix_ms t) { now_.store(t); }
  void advance(unix_ms delta) { now_.fetch_add(delta); }

 private:
  std::atomic<unix_ms> now_;
};

}  // namespace carechat::core
