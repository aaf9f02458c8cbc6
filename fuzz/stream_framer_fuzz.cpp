// Stream framing must not depend on segmentation: the same bytes fed whole,
// in pseudo-random chunks and one byte at a time give the same frames and
// the same error. Input: byte 0 seeds the chunking, byte 1 picks the limits,
// the rest is the stream.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/stream_framer.hpp"

namespace {

using sipline::sip::Limits;
using sipline::sip::StreamFrame;
using sipline::sip::StreamFramer;

struct Outcome {
  std::vector<StreamFrame::Kind> kinds;
  std::vector<std::string> bytes;
  bool failed = false;
  sipline::Errc code = sipline::Errc::malformed;
  std::string message;
};

void check(bool condition) {
  if (!condition) __builtin_trap();
}

class Splitter {
 public:
  explicit Splitter(std::uint32_t seed) : state_(seed * 2654435761u + 1u) {}
  std::size_t next_length(std::size_t max) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_ % (max + 1);  // 0 included: an empty feed must be harmless
  }

 private:
  std::uint32_t state_;
};

// Feeds `data` in chunks whose lengths come from `chunk_length`.
template <class ChunkLength>
Outcome run(std::string_view data, const Limits& limits, ChunkLength chunk_length) {
  StreamFramer framer(limits);
  Outcome out;
  StreamFrame frame;
  auto drain = [&] {
    while (framer.next(frame)) {
      out.kinds.push_back(frame.kind);
      out.bytes.push_back(std::move(frame.bytes));
    }
  };
  while (!data.empty()) {
    const std::string_view chunk = data.substr(0, chunk_length());
    data.remove_prefix(chunk.size());
    auto fed = framer.feed(chunk);
    drain();
    if (!fed) {
      check(framer.failed());
      out.failed = true;
      out.code = fed.error().code;
      out.message = fed.error().message;
      // Sticky: the same error again, nothing framed.
      auto again = framer.feed(data);
      check(!again && again.error().code == out.code && again.error().message == out.message);
      check(!framer.next(frame));
      check(framer.buffered() == 0);
      return out;
    }
    check(!framer.failed());
    check(framer.buffered() < limits.max_header_bytes + limits.max_body_size);
  }
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.kinds == b.kinds && a.bytes == b.bytes && a.failed == b.failed &&
         (!a.failed || (a.code == b.code && a.message == b.message));
}

void check_frames(const Outcome& out, std::string_view data, const Limits& limits) {
  std::size_t framed = 0;
  for (std::size_t i = 0; i < out.kinds.size(); ++i) {
    const std::string& bytes = out.bytes[i];
    if (out.kinds[i] != StreamFrame::Kind::message) {
      check(bytes.empty());
      framed += 2;
      continue;
    }
    // A message starts with something other than a line break and has its
    // blank line within the header limit.
    check(!bytes.empty() && bytes[0] != '\n' && !bytes.starts_with("\r\n"));
    const std::size_t blank = bytes.find("\r\n\r\n");
    check(blank != std::string::npos && blank + 4 <= limits.max_header_bytes);
    check(bytes.size() - (blank + 4) <= limits.max_body_size);
    framed += bytes.size();
  }
  check(framed <= data.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t seed = data[0];
  Limits limits;
  if (data[1] & 1u) {
    // Small limits so that the fuzzer reaches them.
    limits.max_header_bytes = 64 + (data[1] >> 1);
    limits.max_body_size = data[1] >> 2;
  }
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  const Outcome whole = run(stream, limits, [&] { return stream.size(); });
  check_frames(whole, stream, limits);

  Splitter splitter(seed);
  const std::size_t max_chunk = 1 + seed % 64;
  const Outcome chunked = run(stream, limits, [&] { return splitter.next_length(max_chunk); });
  check(same(whole, chunked));

  if (stream.size() <= 4096) {
    const Outcome bytewise = run(stream, limits, [] { return std::size_t{1}; });
    check(same(whole, bytewise));
  }
  return 0;
}
