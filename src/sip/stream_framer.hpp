#pragma once
// Splits a TCP/TLS byte stream into SIP messages by Content-Length
// (RFC 3261 §18.3) and reports RFC 5626 §4.4.1 CRLF keep-alives.
// The output never depends on how the stream was chunked.
//
// Between messages:
// - each CRLF is a `crlf` frame, except a CRLF that directly follows a
//   reported `crlf` (no byte in between), which is a `double_crlf` frame;
//   "\r\n\r\n\r\n" is therefore crlf, double_crlf, crlf;
// - a bare LF is skipped without a frame (it is not a keep-alive, but it is
//   harmless); being a byte, it separates two CRLFs;
// - any other byte starts a message.
// A message's header section ends at its first CRLFCRLF. Only CRLF ends a
// line: a bare LF inside a header section is an ordinary byte, so a message
// written with bare LF line endings never completes and runs into the
// header size limit.

#include <cstddef>
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
  std::string bytes;  // empty for crlf / double_crlf
};

class StreamFramer {
 public:
  explicit StreamFramer(const Limits& limits = {}) : limits_(limits) {}

  // Appends bytes and frames whatever is complete. A framing error (missing,
  // conflicting, signed, non-numeric or over-limit Content-Length; a header
  // section longer than max_header_bytes) is sticky: frames completed before
  // it stay available through next(), nothing after it is framed, and every
  // later feed() returns the same error without looking at its bytes. The
  // stream must be closed.
  Result<void> feed(std::string_view chunk);

  // Pops the next complete frame, if any.
  bool next(StreamFrame& out);

  bool failed() const noexcept { return failed_; }
  // The framing error; meaningful only when failed().
  const Error& error() const noexcept { return error_; }
  // Bytes received but not yet framed (a partial message). After a
  // successful feed() this is below max_header_bytes + max_body_size.
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

 private:
  enum class State { between, headers, body };

  Result<void> extract();
  bool extract_between();
  Result<bool> extract_headers();
  void compact();

  Limits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;     // in `headers`/`body`: where the current message starts
  std::size_t scan_from_ = 0;    // where to resume looking for the blank line
  std::size_t message_end_ = 0;  // in `body`: one past the last byte of the message
  State state_ = State::between;
  bool last_was_crlf_ = false;
  bool failed_ = false;
  Error error_{Errc::malformed, {}};
  std::deque<StreamFrame> ready_;
};

}  // namespace sipline::sip
