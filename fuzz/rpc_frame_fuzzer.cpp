// SPDX-License-Identifier: BSL-1.0
// libFuzzer target over the RPC wire decoding (rpc/frame.hpp): the input is a byte stream fed
// to the length-prefix decoder in chunks whose sizes come from the input itself; every whole
// message is given to the message decoder, and a message that decodes is encoded again and
// must decode to the same fields. Any crash, sanitizer report or broken round trip is a bug.
// Built and run by scripts/test-fuzz (clang 16, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <eddy/rpc/frame.hpp>
#include <span>

using namespace eddy::rpc;

namespace {

void check_message(std::span<const std::byte> m) {
  auto d = decode(m, 4096);
  if (!d) {
    if (d.error().code() != eddy::errc::invalid_argument) std::abort();
    return;
  }
  if (d->kind == kind::stream_open || d->kind == kind::stream_credit) (void)credit_of(*d);
  if (d->kind == kind::error) (void)error_of(*d);
  bytes again;
  if (!encode(again, d->kind, d->id, d->method, d->payload)) std::abort();
  auto d2 = decode(again, 4096);
  if (!d2 || d2->kind != d->kind || d2->id != d->id || d2->method != d->method ||
      !std::equal(d2->payload.begin(), d2->payload.end(), d->payload.begin(), d->payload.end()))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size (1..256) of the split; the rest is the stream.
  const std::size_t chunk = std::size_t{data[0]} + 1;
  std::span<const std::byte> stream(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  frame_decoder dec{4096};
  bytes msg;
  while (!stream.empty()) {
    std::span<const std::byte> in = stream.first(std::min(chunk, stream.size()));
    stream = stream.subspan(in.size());
    while (!in.empty()) {
      auto r = dec.feed(in, msg);
      if (!r) return 0;  // over the maximum: the connection would close
      if (*r) check_message(msg);
    }
  }
  return 0;
}
