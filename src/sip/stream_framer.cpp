#include "sip/stream_framer.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

namespace sipline::sip {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kBlankLine = "\r\n\r\n";

// Input is appended and framed in slices of this size, so a huge chunk from
// the caller does not grow the buffer beyond what the limits allow.
constexpr std::size_t kFeedSlice = std::size_t{64} * 1024;
// Capacity kept after the buffer empties; a larger one (left by a big
// message) is released.
constexpr std::size_t kRetainedCapacity = std::size_t{64} * 1024;

bool is_wsp(char c) noexcept {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != lower[i]) return false;
  }
  return true;
}

std::string_view trim_right_wsp(std::string_view s) noexcept {
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// One Content-Length value: `HCOLON 1*DIGIT` (RFC 3261 §20.14, §25.1), where
// the value may be spread over folded lines. Only digits are accepted, so a
// sign, a fraction or a second number is malformed. The number is checked
// against the limit digit by digit and so can never overflow.
class LengthValue {
 public:
  explicit LengthValue(std::size_t limit) noexcept : limit_(limit) {}

  void add(std::string_view text) noexcept {
    for (char c : text) {
      if (is_wsp(c)) {
        if (state_ == State::digits) state_ = State::after;
      } else if (is_digit(c) && (state_ == State::before || state_ == State::digits)) {
        state_ = State::digits;
        const auto d = static_cast<std::size_t>(c - '0');
        if (d > limit_ || value_ > (limit_ - d) / 10) {
          over_limit_ = true;
        } else {
          value_ = value_ * 10 + d;
        }
      } else {
        state_ = State::bad;
      }
    }
  }

  // A folded line break is white space (RFC 3261 §7.3.1).
  void fold() noexcept {
    if (state_ == State::digits) state_ = State::after;
  }

  Result<std::size_t> value() const {
    if (state_ == State::before || state_ == State::bad) {
      return fail(Errc::malformed, "Content-Length: not a decimal number");
    }
    if (over_limit_) {
      return fail(Errc::limit_exceeded,
                  "Content-Length: exceeds the body limit of " + std::to_string(limit_) + " bytes");
    }
    return value_;
  }

 private:
  enum class State { before, digits, after, bad };
  std::size_t limit_;
  std::size_t value_ = 0;
  State state_ = State::before;
  bool over_limit_ = false;
};

// Finds the body length in a complete header section (start line, fields,
// blank line; every line ends in CRLF). RFC 3261 §18.3: on a stream the
// Content-Length is mandatory. Several fields are accepted only when they
// all carry the same number; anything else would let the framer and a later
// reader disagree about where the message ends.
Result<std::size_t> content_length(std::string_view head, std::size_t limit) {
  std::optional<std::size_t> found;
  std::optional<LengthValue> current;  // a Content-Length field being read

  auto finish_field = [&]() -> Result<void> {
    if (!current) return ok();
    auto value = current->value();
    current.reset();
    if (!value) return value.error();
    if (found && *found != *value) {
      return fail(Errc::malformed, "Content-Length: conflicting values");
    }
    found = *value;
    return ok();
  };

  // The start line is skipped: a header field begins after it.
  std::size_t pos = head.find(kCrlf);
  pos = (pos == std::string_view::npos) ? head.size() : pos + kCrlf.size();
  while (pos < head.size()) {
    std::size_t eol = head.find(kCrlf, pos);
    if (eol == std::string_view::npos) eol = head.size();
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + kCrlf.size();
    if (line.empty()) break;  // the blank line
    if (is_wsp(line.front())) {
      // A continuation line (§7.3.1) belongs to the field above it.
      if (current) {
        current->fold();
        current->add(line);
      }
      continue;
    }
    SIPLINE_TRY(finish_field());
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    // Only SP/HTAB may stand between the name and the colon; a name with any
    // other byte is some other header, never Content-Length.
    const std::string_view name = trim_right_wsp(line.substr(0, colon));
    if (iequals(name, "content-length") || iequals(name, "l")) {
      current.emplace(limit);
      current->add(line.substr(colon + 1));
    }
  }
  SIPLINE_TRY(finish_field());
  if (!found) {
    return fail(Errc::missing, "Content-Length: missing (required on streams, RFC 3261 §18.3)");
  }
  return *found;
}

}  // namespace

Result<void> StreamFramer::feed(std::string_view chunk) {
  if (failed_) return error_;
  do {
    const std::string_view slice = chunk.substr(0, kFeedSlice);
    chunk.remove_prefix(slice.size());
    compact();
    buffer_.append(slice);
    auto framed = extract();
    if (!framed) {
      failed_ = true;
      error_ = framed.error();
      // The stream is dead: nothing buffered will ever be framed.
      std::string().swap(buffer_);
      consumed_ = 0;
      state_ = State::between;
      return error_;
    }
  } while (!chunk.empty());
  return ok();
}

bool StreamFramer::next(StreamFrame& out) {
  if (ready_.empty()) return false;
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

Result<void> StreamFramer::extract() {
  for (;;) {
    switch (state_) {
      case State::between:
        if (!extract_between()) return ok();
        break;
      case State::headers: {
        auto complete = extract_headers();
        if (!complete) return complete.error();
        if (!*complete) return ok();
        break;
      }
      case State::body:
        if (buffer_.size() < message_end_) return ok();
        ready_.push_back(StreamFrame{StreamFrame::Kind::message,
                                     buffer_.substr(consumed_, message_end_ - consumed_)});
        consumed_ = message_end_;
        state_ = State::between;
        break;
    }
  }
}

// Consumes keep-alives between messages (RFC 5626 §4.4.1; stray CRLFs before
// a start line, RFC 3261 §7.5). Returns true when a message starts.
bool StreamFramer::extract_between() {
  while (consumed_ < buffer_.size()) {
    const char c = buffer_[consumed_];
    if (c == '\n') {
      ++consumed_;
      last_was_crlf_ = false;
      continue;
    }
    if (c == '\r') {
      if (consumed_ + 1 == buffer_.size()) return false;  // wait for the LF
      if (buffer_[consumed_ + 1] == '\n') {
        consumed_ += 2;
        ready_.push_back(StreamFrame{
            last_was_crlf_ ? StreamFrame::Kind::double_crlf : StreamFrame::Kind::crlf, {}});
        last_was_crlf_ = !last_was_crlf_;
        continue;
      }
    }
    last_was_crlf_ = false;
    state_ = State::headers;
    scan_from_ = consumed_;
    return true;
  }
  return false;
}

// Looks for the blank line, only within the first max_header_bytes of the
// message, so the outcome is the same however the bytes arrived. Returns
// true once the header section is complete and the body length known.
Result<bool> StreamFramer::extract_headers() {
  const std::size_t available = buffer_.size() - consumed_;
  const std::size_t window_end = consumed_ + std::min(available, limits_.max_header_bytes);
  const std::string_view window(buffer_.data(), window_end);
  const std::size_t blank = window.find(kBlankLine, scan_from_);
  if (blank == std::string_view::npos) {
    if (available >= limits_.max_header_bytes) {
      return fail(Errc::limit_exceeded, "stream: no blank line within " +
                                            std::to_string(limits_.max_header_bytes) +
                                            " header bytes");
    }
    // A blank line may straddle the end of what has arrived.
    scan_from_ = window_end - std::min(kBlankLine.size() - 1, window_end - consumed_);
    return false;
  }
  const std::size_t head_end = blank + kBlankLine.size();
  auto length =
      content_length(window.substr(consumed_, head_end - consumed_), limits_.max_body_size);
  if (!length) return length.error();
  if (*length > SIZE_MAX - head_end) {  // only reachable with an unbounded body limit
    return fail(Errc::limit_exceeded, "Content-Length: too large for this stream");
  }
  message_end_ = head_end + *length;
  state_ = State::body;
  return true;
}

// Drops consumed bytes once they are at least as many as the live ones, so
// every byte is moved at most once on average and feeding stays linear.
void StreamFramer::compact() {
  if (consumed_ == 0) return;
  const std::size_t live = buffer_.size() - consumed_;
  if (live == 0) {
    if (buffer_.capacity() > kRetainedCapacity) {
      std::string().swap(buffer_);
    } else {
      buffer_.clear();
    }
  } else if (consumed_ >= live) {
    buffer_.erase(0, consumed_);
  } else {
    return;
  }
  if (state_ == State::headers) scan_from_ -= consumed_;
  if (state_ == State::body) message_end_ -= consumed_;
  consumed_ = 0;
}

}  // namespace sipline::sip
