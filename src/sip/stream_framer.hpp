#pragma once
// Splits a TCP/TLS byte stream into SIP messages by Content-Length
// (RFC 3261 §18.3) and reports RFC 5626 §4.4.1 CRLF keep-alives.
// The output never depends on how the stream was chunked.

#include <deque>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sip/limits.hpp"

namespace sipline::sip {

struct StreamFrame {
  enum class Kind {
    message,     // `bytes` holds one whole message (headers + body)
    crlf,        // a CRLF between messages: a keep-alive pong (or the first half of a ping)
    double_crlf  // a CRLF that directly follows a reported `crlf`: a CRLFCRLF ping completed
  };
  Kind kind = Kind::message;
  std::string bytes;
};

class StreamFramer {
 public:
  explicit StreamFramer(const Limits& limits = {}) : limits_(limits) {}

  // Appends bytes. A framing error (missing, duplicated, negative,
  // non-numeric or over-limit Content-Length; headers over the limit) is
  // returned once and is sticky: the stream must be closed.
  Result<void> feed(std::string_view chunk);

  // Pops the next complete frame, if any.
  bool next(StreamFrame& out);

  bool failed() const noexcept { return failed_; }
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

 private:
  Result<void> extract();

  Limits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t scan_from_ = 0;  // where to resume looking for the blank line
  bool last_was_crlf_ = false;
  bool failed_ = false;
  Error error_{Errc::malformed, {}};
  std::deque<StreamFrame> ready_;
};

}  // namespace sipline::sip
