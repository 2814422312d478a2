#include "core/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace carechat::core::metrics {
namespace {

constexpr std::size_t cells_per_line = 64 / sizeof(std::atomic<std::uint64_t>);

std::size_t whole_lines(std::size_t cells) { return (cells + cells_per_line - 1) / cells_per_line * cells_per_line; }

std::unique_ptr<std::atomic<std::uint64_t>[]> zeroed(std::size_t n) {
  auto cells = std::make_unique<std::atomic<std::uint64_t>[]>(n);
  for (std::size_t i = 0; i < n; ++i) cells[i].store(0, std::memory_order_relaxed);
  return cells;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quotes) out += "\\\"";
    else out += c;
  }
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

std::string_view type_name(metric_type t) {
  switch (t) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::size_t this_thread_shard() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
  return shard;
}

counter_array::counter_array(std::size_t size)
    : size_(size), stride_(whole_lines(size)), cells_(zeroed(stride_ * shard_count)) {}

std::uint64_t counter_array::value(std::size_t i) const noexcept {
  std::uint64_t sum = 0;
  for (std::size_t s = 0; s < shard_count; ++s) sum += cells_[s * stride_ + i].load(std::memory_order_relaxed);
  return sum;
}

histogram_array::histogram_array(std::size_t size, std::vector<std::uint64_t> bounds)
    : size_(size),
      bounds_(std::move(bounds)),
      per_series_(bounds_.size() + 2),
      stride_(whole_lines(per_series_ * size)),
      cells_(zeroed(stride_ * shard_count)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i)
    if (bounds_[i] <= bounds_[i - 1]) throw std::invalid_argument("histogram bounds must increase");
}

void histogram_array::observe(std::size_t i, std::uint64_t raw) noexcept {
  std::size_t bucket = 0;  // a short linear scan: ~15 bounds, usually a hit in the first few
  while (bucket < bounds_.size() && raw > bounds_[bucket]) ++bucket;
  auto* cells = &cells_[this_thread_shard() * stride_ + i * per_series_];
  cells[bucket].fetch_add(1, std::memory_order_relaxed);
  cells[per_series_ - 1].fetch_add(raw, std::memory_order_relaxed);
}

histogram_snapshot histogram_array::snapshot(std::size_t i) const {
  histogram_snapshot s;
  s.cumulative.assign(bounds_.size() + 1, 0);
  for (std::size_t sh = 0; sh < shard_count; ++sh) {
    const auto* cells = &cells_[sh * stride_ + i * per_series_];
    for (std::size_t b = 0; b <= bounds_.size(); ++b) s.cumulative[b] += cells[b].load(std::memory_order_relaxed);
    s.sum += cells[per_series_ - 1].load(std::memory_order_relaxed);
  }
  // Buckets were read one by one while others may add: derive count from them, so the +Inf
  // bucket and _count always agree.
  for (std::size_t b = 1; b < s.cumulative.size(); ++b) s.cumulative[b] += s.cumulative[b - 1];
  s.count = s.cumulative.back();
  return s;
}

void sample_writer::line(std::string_view suffix, const labels& l, std::string_view extra_name,
                         std::string_view extra_value, std::string_view value) {
  out_ += name_;
  out_ += suffix;
  if (!l.empty() || !extra_name.empty()) {
    out_ += '{';
    bool first = true;
    const auto pair = [&](std::string_view k, std::string_view v) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      append_escaped(out_, v, true);
      out_ += '"';
    };
    for (const auto& [k, v] : l) pair(k, v);
    if (!extra_name.empty()) pair(extra_name, extra_value);
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void sample_writer::sample(const labels& l, double value) { line("", l, {}, {}, format_double(value)); }

void sample_writer::sample(const labels& l, std::uint64_t value) { line("", l, {}, {}, std::to_string(value)); }

void sample_writer::histogram(const labels& l, const std::vector<std::uint64_t>& bounds, const histogram_snapshot& s,
                              double raw_per_unit) {
  const std::string count = std::to_string(s.count);
  for (std::size_t b = 0; b < bounds.size(); ++b)
    line("_bucket", l, "le", format_double(static_cast<double>(bounds[b]) / raw_per_unit),
         std::to_string(s.cumulative[b]));
  line("_bucket", l, "le", "+Inf", count);
  line("_sum", l, {}, {}, format_double(static_cast<double>(s.sum) / raw_per_unit));
  line("_count", l, {}, {}, count);
}

void registry::add_family(std::string name, std::string help, metric_type type, collect_fn collect) {
  if (!valid_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  families_.push_back(family{std::move(name), std::move(help), type, std::move(collect)});
}

void registry::add_counter(std::string name, std::string help, const counter& c) {
  add_family(std::move(name), std::move(help), metric_type::counter,
             [&c](sample_writer& w) { w.sample({}, c.value()); });
}

void registry::add_counter(std::string name, std::string help, std::function<std::uint64_t()> read) {
  add_family(std::move(name), std::move(help), metric_type::counter,
             [read = std::move(read)](sample_writer& w) { w.sample({}, read()); });
}

void registry::add_gauge(std::string name, std::string help, std::function<double()> read) {
  add_family(std::move(name), std::move(help), metric_type::gauge,
             [read = std::move(read)](sample_writer& w) { w.sample({}, read()); });
}

void registry::add_histogram(std::string name, std::string help, const histogram& h, double raw_per_unit) {
  add_family(std::move(name), std::move(help), metric_type::histogram,
             [&h, raw_per_unit](sample_writer& w) { w.histogram({}, h.bounds(), h.snapshot(), raw_per_unit); });
}

std::string registry::render() const {
  std::string out;
  out.reserve(16 * 1024);
  for (const auto& f : families_) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_escaped(out, f.help, false);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += type_name(f.type);
    out += '\n';
    sample_writer w(out, f.name);
    f.collect(w);
  }
  return out;
}

std::vector<std::uint64_t> latency_bounds_us() {
  return {500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000,
          5'000'000, 10'000'000};
}

}  // namespace carechat::core::metrics
