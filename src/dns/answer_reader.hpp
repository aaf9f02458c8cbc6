#pragma once
// The part of a DNS response that c-ares 1.18 does not hand over: the TTLs of
// SRV and NAPTR records, and the SOA in the authority section that sets how
// long a negative answer may be cached (RFC 2308 §5). c-ares parses the
// record data; this reader only walks the message's framing.
//
// Bounded and allocation-free: it never follows a compression pointer (a name
// is skipped by walking to its terminator or to its first pointer), checks
// every length against the buffer, and looks at no more than `max_records`
// records, so a hostile message costs at most linear time and cannot loop.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/result.hpp"

namespace sipline::dns {

struct MessageSummary {
  std::uint8_t rcode = 0;  // RFC 1035 §4.1.1
  bool truncated = false;  // TC bit
  std::uint16_t answer_count = 0;
  // Smallest TTL among answer records of the type asked for, if any.
  std::optional<std::uint32_t> answer_ttl;
  // min(SOA TTL, SOA MINIMUM) of the first SOA in the authority section
  // (RFC 2308 §5), if there is one.
  std::optional<std::uint32_t> negative_ttl;
};

// A TTL with its most significant bit set is read as zero (RFC 2181 §8).
constexpr std::uint32_t sanitize_ttl(std::uint32_t ttl) noexcept {
  return (ttl & 0x80000000U) != 0 ? 0 : ttl;
}

// Reads the header, skips the question section and summarises the answer and
// authority sections for records of TYPE `qtype`. Fails with
// Errc::malformed on a message that does not frame (a length past the end, a
// name too long) and Errc::limit_exceeded when the message holds more
// records than `max_records`.
Result<MessageSummary> summarize_response(std::span<const std::uint8_t> message,
                                          std::uint16_t qtype, std::size_t max_records = 512);

}  // namespace sipline::dns
