#include "dns/answer_reader.hpp"

#include <algorithm>

namespace sipline::dns {
namespace {

constexpr std::uint16_t type_soa = 6;
constexpr std::uint16_t class_in = 1;
constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_octets = 255;  // RFC 1035 §3.1

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }

  bool u16(std::uint16_t& out) noexcept {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }

  bool u32(std::uint32_t& out) noexcept {
    if (remaining() < 4) return false;
    out = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
          (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }

  bool skip(std::size_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

  // Skips an encoded name (RFC 1035 §4.1.4) without following its pointer:
  // the name ends at a zero octet or at the first pointer.
  bool skip_name() noexcept {
    std::size_t octets = 0;
    while (true) {
      if (remaining() < 1) return false;
      const std::uint8_t len = data_[pos_];
      if ((len & 0xc0) == 0xc0) return skip(2);
      if ((len & 0xc0) != 0) return false;  // the reserved label types 01 and 10
      ++pos_;
      if (len == 0) return true;
      octets += std::size_t{len} + 1;
      if (octets > max_name_octets) return false;
      if (!skip(len)) return false;
    }
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

Unexpected framing(const char* what) {
  return fail(Errc::malformed, std::string("DNS response: ") + what);
}

}  // namespace

Result<MessageSummary> summarize_response(std::span<const std::uint8_t> message,
                                          std::uint16_t qtype, std::size_t max_records) {
  if (message.size() < header_size) return framing("shorter than its header");
  Reader r(message);
  std::uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  if (!r.u16(id) || !r.u16(flags) || !r.u16(qd) || !r.u16(an) || !r.u16(ns) || !r.u16(ar)) {
    return framing("truncated header");
  }
  MessageSummary out;
  out.rcode = static_cast<std::uint8_t>(flags & 0x000f);
  out.truncated = (flags & 0x0200) != 0;
  out.answer_count = an;
  // The additional section is never read, so only these count.
  if (std::size_t{qd} + an + ns > max_records) {
    return fail(Errc::limit_exceeded, "DNS response: too many records");
  }

  for (std::uint16_t i = 0; i < qd; ++i) {
    if (!r.skip_name() || !r.skip(4)) return framing("truncated question");
  }

  for (std::size_t i = 0; i < std::size_t{an} + ns; ++i) {
    const bool authority = i >= an;
    std::uint16_t type = 0, klass = 0, rdlength = 0;
    std::uint32_t ttl = 0;
    if (!r.skip_name() || !r.u16(type) || !r.u16(klass) || !r.u32(ttl) || !r.u16(rdlength)) {
      return framing("truncated resource record");
    }
    if (r.remaining() < rdlength) return framing("record data past the end");
    const std::size_t rdata_end = r.pos() + rdlength;
    ttl = sanitize_ttl(ttl);

    if (!authority && type == qtype && klass == class_in) {
      out.answer_ttl = out.answer_ttl ? std::min(*out.answer_ttl, ttl) : ttl;
    } else if (authority && type == type_soa && klass == class_in && !out.negative_ttl) {
      // SOA RDATA: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM.
      Reader rd(message.first(rdata_end));
      if (!rd.skip(r.pos()) || !rd.skip_name() || !rd.skip_name() || !rd.skip(16)) {
        return framing("truncated SOA record");
      }
      std::uint32_t minimum = 0;
      if (!rd.u32(minimum)) return framing("truncated SOA record");
      out.negative_ttl = std::min(ttl, sanitize_ttl(minimum));
    }
    if (!r.skip(rdlength)) return framing("record data past the end");
  }
  return out;
}

}  // namespace sipline::dns
