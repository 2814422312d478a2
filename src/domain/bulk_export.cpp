#include "domain/bulk_export.hpp"

#include <charconv>

#include "domain/store.hpp"

namespace carechat::domain {

export_range export_job::file_range(std::size_t k) const {
  export_range r{tenant, instance, 0, high_water, since};
  if (k > 0 && k <= file_ends.size()) r.after_seq = file_ends[k - 1];
  if (k < file_ends.size()) r.upto_seq = file_ends[k];
  return r;
}

namespace {

// Every file holds export_file_resources resources but the last, which holds the rest.
std::int64_t count_of(const std::vector<std::int64_t>& ends, std::int64_t total, std::size_t k) {
  if (k >= ends.size()) return 0;
  if (k + 1 < ends.size()) return export_file_resources;
  return total - export_file_resources * static_cast<std::int64_t>(ends.size() - 1);
}

// The count pass over one kind of resource: `span_of(rest)` counts the next file's resources from
// rest's lower key; `advance(rest, key)` moves that key past the last of them.
template <class Range, class Span, class Advance>
core::result<export_plan> plan_files(const Range& whole, Span span_of, Advance advance) {
  export_plan plan;
  Range rest = whole;
  for (;;) {
    auto span = span_of(rest);
    if (!span) return std::move(span).error();
    if (span->count == 0) return plan;
    if (static_cast<std::int64_t>(plan.file_ends.size()) == export_max_files)
      return core::make_error(
          core::errc::payload_too_large,
          "the export would exceed " + std::to_string(export_max_files) + " files; narrow it with _since");
    plan.file_ends.push_back(span->last_seq);
    plan.total += span->count;
    if (span->count < export_file_resources) return plan;
    advance(rest, span->last_seq);
  }
}

}  // namespace

std::int64_t export_job::file_count(std::size_t k) const { return count_of(file_ends, total, k); }

export_thread_range export_job::thread_file_range(std::size_t k) const {
  export_thread_range r{tenant, instance, 0, 0, high_water, since};
  if (k > 0 && k <= thread_file_ends.size()) r.after_chat = thread_file_ends[k - 1];
  if (k < thread_file_ends.size()) r.upto_chat = thread_file_ends[k];
  return r;
}

std::int64_t export_job::thread_file_count(std::size_t k) const { return count_of(thread_file_ends, thread_total, k); }

core::result<export_plan> plan_export(store_reader& reader, const export_range& whole) {
  return plan_files(
      whole, [&](const export_range& r) { return reader.export_span(r, export_file_resources); },
      [](export_range& r, std::int64_t last) { r.after_seq = last; });
}

core::result<export_plan> plan_export_threads(store_reader& reader, const export_thread_range& whole) {
  return plan_files(
      whole, [&](const export_thread_range& r) { return reader.export_thread_span(r, export_file_resources); },
      [](export_thread_range& r, std::int64_t last) { r.after_chat = last; });
}

std::string format_file_ends(const std::vector<std::int64_t>& ends) {
  std::string out;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ends[i]);
  }
  return out;
}

core::result<std::vector<std::int64_t>> parse_file_ends(std::string_view text) {
  std::vector<std::int64_t> out;
  if (text.empty()) return out;
  for (;;) {
    const auto comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || p != part.data() + part.size())
      return core::make_error(core::errc::internal, "export job: malformed file boundaries");
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace carechat::domain
