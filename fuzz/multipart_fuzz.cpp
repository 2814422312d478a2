// api::multipart_parser reads upload bodies from anyone holding a token. Properties: no input
// crashes it or makes it hand on more bytes than it was fed; and it is deaf to how the body is
// split: fed whole, fed a byte at a time and fed in pieces chosen by the input, it reaches the same
// verdict with the same parts, names, file names, content types and contents.
#include <string>
#include <vector>

#include "api/multipart_parser.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace carechat;

struct recorder final : api::multipart_handler {
  core::result<void> on_part_begin(const api::multipart_part& p) override {
    log += "[" + p.name + "|" + p.filename.value_or("-") + "|" + p.content_type + "]";
    return {};
  }
  core::result<void> on_part_data(std::string_view b) override {
    log += b;
    data_bytes += b.size();
    return {};
  }
  core::result<void> on_part_end() override {
    log += "[end]";
    return {};
  }
  std::string log;
  std::size_t data_bytes = 0;
};

struct outcome {
  bool ok;
  std::string log;
};

outcome run(std::string_view body, const std::vector<std::size_t>& pieces) {
  recorder r;
  api::multipart_parser p("b0undary", r, {256, 8});
  std::size_t at = 0, i = 0;
  bool ok = true;
  while (ok && at < body.size()) {
    const std::size_t n = std::min(pieces[i++ % pieces.size()], body.size() - at);
    ok = static_cast<bool>(p.feed(body.substr(at, n)));
    at += n;
  }
  if (ok) ok = static_cast<bool>(p.finish());
  FUZZ_CHECK(r.data_bytes <= body.size());
  return {ok, ok ? r.log : std::string()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the piece sizes of the third run; the rest is the body.
  const std::size_t step = 1 + data[0] % 17;
  const std::string_view body = fuzz::as_text(data + 1, size - 1);
  const outcome whole = run(body, {body.size() + 1});
  const outcome bytes = run(body, {1});
  const outcome pieces = run(body, {step, step * 3 + 1});
  FUZZ_CHECK(whole.ok == bytes.ok && whole.ok == pieces.ok);
  FUZZ_CHECK(whole.log == bytes.log && whole.log == pieces.log);
  return 0;
}
