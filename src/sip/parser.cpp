// Message::parse: one pass over the bytes (RFC 3261 §7, §25.1). Lines are
// found with memchr, header names with a word-wise hash (header_lookup.hpp),
// the transaction-critical fields are decoded on the way and everything else
// is kept as views for the typed accessors.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sip/fast_paths.hpp"
#include "sip/grammar.hpp"
#include "sip/header_lookup.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"
#include "sip/uri_scan.hpp"
#include "sip/via_fast.hpp"

namespace sipline::sip {

namespace {

using grammar::error_in;

// The printable beginning of peer text, for error messages.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 32;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte >= 0x20 && byte < 0x7f) ? c : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1; "SIP" is
// case-insensitive like every ABNF literal). Only 2.0 is supported (§8.2.2.3
// answers the others with 505).
Result<void> check_version(std::string_view version, std::string_view where) {
  if (version == "SIP/2.0") return ok();  // the usual spelling passes both checks below
  const bool sip = version.size() >= 4 && scan::iequals(version.substr(0, 4), "SIP/");
  const std::size_t major_end = sip ? scan::scan_digits(version, 4) : 0;
  const bool grammar_ok = sip && major_end > 4 && major_end < version.size() &&
                          version[major_end] == '.' && major_end + 1 < version.size() &&
                          scan::scan_digits(version, major_end + 1) == version.size();
  if (!grammar_ok) {
    return fail(Errc::malformed,
                std::string(where) + ": '" + excerpt(version) + "' is not a SIP version");
  }
  if (version.substr(4) != "2.0") {
    return fail(Errc::unsupported, "unsupported SIP version " + std::string(version));
  }
  return ok();
}

// Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII /
// UTF8-CONT / SP / HTAB): in effect any byte but the controls.
bool valid_reason(std::string_view reason) {
  return std::none_of(reason.begin(), reason.end(),
                      [](char c) { return scan::is_ctl(c) && c != '\t'; });
}

std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Position of the first ':' in the first three whole words of a field of n
// bytes (every header name fits in them), or n when there is none there.
// In (x - 0x01..) & ~x & 0x80.. the lowest flag marks exactly the first zero
// byte of x (a borrow only ever flags bytes above a true zero), and x is
// zero where the field has a ':'. Little-endian only: elsewhere the caller
// takes the byte-wise path.
std::size_t first_colon_in_words(const char* d, std::size_t n) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighs = 0x8080808080808080;
    constexpr std::uint64_t kColons = 0x3a3a3a3a3a3a3a3a;
    for (std::size_t i = 0; i < 24 && n - i >= 8; i += 8) {
      const std::uint64_t x = load8(d + i) ^ kColons;
      const std::uint64_t flags = (x - kOnes) & ~x & kHighs;
      if (flags != 0) return i + static_cast<std::size_t>(std::countr_zero(flags)) / 8;
    }
  }
  return n;
}

}  // namespace

// Fills a Message whose bytes_ and limits_ are set. Kept as a class (a
// friend of Message) so the steps share the message and the limits.
class MessageParser {
 public:
  explicit MessageParser(Message& m) : m_(m), limits_(m.limits_) {}

  // False with the reason in error() when the message is rejected.
  bool run();
  Error&& error() noexcept { return std::move(error_); }

 private:
  bool parse_start_line(std::string_view line);
  bool parse_request_line(std::string_view line, std::size_t first_space);
  bool parse_status_line(std::string_view line, std::size_t first_space);
  // Both inlined into run(): they are the loop's body, and a call per field
  // (with its register saves) costs more than most fields' own work.
  [[gnu::always_inline]] inline bool parse_field(std::string_view raw);
  [[gnu::always_inline]] inline bool decode_core(const HeaderField& field);
  // Once per message each; inlined so that run() needs no call frames for them.
  [[gnu::always_inline]] inline bool check_required();
  [[gnu::always_inline]] inline bool take_body(std::size_t body_start);

  // The steps report success as a bool and leave the error here: a
  // Result<void> per step (and per field) would build and destroy an Error
  // on every one.
  [[gnu::cold, gnu::noinline]] bool reject(Error error) {
    error_ = std::move(error);
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool reject(Unexpected u) { return reject(std::move(u.error)); }
  [[gnu::cold, gnu::noinline]] bool duplicate(HeaderId id) {
    return reject(
        fail(Errc::malformed, "duplicate " + std::string(canonical_name(id)) + " header field"));
  }

  Message& m_;
  const Limits& limits_;
  Error error_{Errc::malformed, {}};
  bool have_via_ = false, have_from_ = false, have_to_ = false, have_call_id_ = false,
       have_cseq_ = false, have_content_type_ = false;
};

bool MessageParser::run() {
  const std::string_view s = m_.storage_.bytes();
  if (s.empty()) return reject(fail(Errc::malformed, "empty message"));

  const char* const base = s.data();
  const char* const end = base + s.size();
  // Longest accepted line, with its CRLF: every memchr is bounded by it.
  const std::size_t max_line = limits_.max_line_length + 2;

  const std::size_t first_scan = std::min(s.size(), max_line);
  const auto* lf = static_cast<const char*>(std::memchr(base, '\n', first_scan));
  if (lf == nullptr) {
    if (first_scan < s.size()) {
      return reject(
          fail(Errc::limit_exceeded,
               "start line longer than " + std::to_string(limits_.max_line_length) + " bytes"));
    }
    return reject(fail(Errc::malformed, "start line not terminated by CRLF"));
  }
  if (lf == base || lf[-1] != '\r') {
    return reject(fail(Errc::malformed, "bare LF ends the start line"));
  }
  if (!parse_start_line(std::string_view(base, static_cast<std::size_t>(lf - 1 - base)))) {
    return false;
  }

  // The per-id counters in Message are 16 bits wide.
  const std::size_t most = std::min<std::size_t>(limits_.max_headers, UINT16_MAX);

  // The header-section limit as a pointer (the end when the whole message
  // is within it), so that each field costs one comparison.
  const char* const header_limit =
      limits_.max_header_bytes < s.size() ? base + limits_.max_header_bytes : end;
  const char* p = lf + 1;
  // Only the first line can start with SP / HTAB here: the LF search below
  // takes such lines into the field before them.
  if (p != end && scan::is_wsp(*p)) {
    return reject(fail(Errc::malformed, "folded line with no header field before it"));
  }
  while (true) {
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
      p += 2;  // the empty line: the body follows
      break;
    }
    if (p == end) {
      return reject(fail(Errc::malformed, "missing empty line after the header fields"));
    }

    // A field runs to the first LF not followed by SP / HTAB (§7.3.1).
    const char* const field_start = p;
    const auto room = static_cast<std::size_t>(end - field_start);
    const char* const scan_end = field_start + std::min(room, max_line);
    const char* q = field_start;
    while (true) {
      lf = static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(scan_end - q)));
      if (lf == nullptr) {
        if (scan_end != end) {
          return reject(fail(
              Errc::limit_exceeded,
              "header field longer than " + std::to_string(limits_.max_line_length) + " bytes"));
        }
        return reject(fail(Errc::malformed, "missing empty line after the header fields"));
      }
      if (lf == field_start || lf[-1] != '\r') {
        return reject(fail(Errc::malformed, "bare LF in the header section"));
      }
      if (lf + 1 < end && scan::is_wsp(lf[1])) {
        q = lf + 1;
        continue;
      }
      break;
    }
    p = lf + 1;
    if (p > header_limit) {
      return reject(fail(
          Errc::limit_exceeded,
          "header section larger than " + std::to_string(limits_.max_header_bytes) + " bytes"));
    }
    if (m_.storage_.field_count() == most) {
      return reject(
          fail(Errc::limit_exceeded, "more than " + std::to_string(most) + " header fields"));
    }
    if (!parse_field(std::string_view(field_start, static_cast<std::size_t>(p - field_start)))) {
      return false;
    }
  }

  return check_required() && take_body(static_cast<std::size_t>(p - base));
}

bool MessageParser::parse_start_line(std::string_view line) {
  m_.start_line_ = line;
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return reject(fail(Errc::malformed, "start line is neither a request line nor a status line"));
  }
  // A method is a token and cannot contain '/', so "SIP/" starts a status line.
  if (space >= 4 && scan::iequals(line.substr(0, 4), "SIP/")) {
    return parse_status_line(line, space);
  }
  return parse_request_line(line, space);
}

// Request-Line = Method SP Request-URI SP SIP-Version (§25.1). Exactly one SP
// between the elements (RFC 4475 §3.1.2.8-10 reject the others).
bool MessageParser::parse_request_line(std::string_view line, std::size_t first_space) {
  const std::string_view method = line.substr(0, first_space);
  Uri& uri = m_.request_uri_;
  // The usual line in one walk (uri_scan.hpp); anything else, and every
  // error, is the general reading's below.
  const Method id = method_from(method);  // a known method is a token
  if (const std::size_t close =
          fast::scan_request_line(line, first_space, limits_.uri, uri, id != Method::unknown);
      close != fast::npos) {
    m_.method_text_ = method;
    m_.method_ = id;
    m_.version_ = std::string_view(line.data() + close + 1, line.size() - close - 1);
    return true;
  }
  uri = Uri{};  // undo what the fast path wrote
  if (!scan::is_token(method)) {
    return reject(fail(Errc::malformed, "request line: invalid method '" + excerpt(method) + "'"));
  }
  const std::string_view rest = line.substr(first_space + 1);
  const std::size_t second_space = rest.find(' ');
  if (second_space == std::string_view::npos) {
    return reject(fail(Errc::malformed, "request line: missing SIP version"));
  }
  const std::string_view uri_text = rest.substr(0, second_space);
  const std::string_view version = rest.substr(second_space + 1);
  if (uri_text.empty() || (version != "SIP/2.0" && version.find(' ') != std::string_view::npos)) {
    return reject(
        fail(Errc::malformed, "request line: elements must be separated by exactly one space"));
  }
  if (auto checked = check_version(version, "request line"); !checked) {
    return reject(std::move(checked).error());
  }
  if (auto parsed = grammar::parse_any_uri_into(uri_text, limits_.uri, uri); !parsed) {
    return reject(error_in("Request-URI", parsed.error()));
  }
  // §19.1.1 (table): headers are not allowed in a SIP Request-URI.
  if (!uri.headers.empty() && uri.scheme != UriScheme::other) {
    return reject(fail(Errc::malformed, "Request-URI: headers ('?') are not allowed here"));
  }
  m_.method_text_ = method;
  m_.method_ = method_from(method);
  m_.version_ = version;
  return true;
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§25.1). The SP
// before an empty reason is tolerated when missing.
bool MessageParser::parse_status_line(std::string_view line, std::size_t first_space) {
  const std::string_view version = line.substr(0, first_space);
  // The usual spelling passes check_version without a call.
  if (first_space != 7 || std::memcmp(line.data(), "SIP/2.0", 7) != 0) {
    if (auto checked = check_version(version, "status line"); !checked) {
      return reject(std::move(checked).error());
    }
  }
  const std::string_view rest = line.substr(first_space + 1);
  const bool three_digits =
      rest.size() >= 3 && scan::scan_digits(rest, 0) == 3 && (rest.size() == 3 || rest[3] == ' ');
  if (!three_digits) {
    return reject(fail(Errc::malformed, "status line: status code is not 3 digits"));
  }
  const int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  if (code < 100 || code > 699) {
    return reject(fail(Errc::out_of_range, "status line: status code outside 100-699"));
  }
  const std::string_view reason = rest.size() > 4 ? rest.substr(4) : std::string_view{};
  // Eight bytes at a time first: a word with no byte below 0x20 and no DEL
  // passes at once (in (x - k) & ~x & 0x80.. a byte is flagged only when
  // one of the word is below k), and valid_reason decides from the first
  // word that has one (HTAB is allowed).
  auto has_control = [](std::uint64_t x) {
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighs = 0x8080808080808080;
    const std::uint64_t del = x ^ (0x7f * kOnes);
    return (((x - 0x20 * kOnes) & ~x) | ((del - kOnes) & ~del)) & kHighs;
  };
  std::size_t plain = 0;
  while (reason.size() - plain >= 8 && has_control(load8(reason.data() + plain)) == 0) plain += 8;
  if (!valid_reason(reason.substr(plain))) {
    return reject(fail(Errc::malformed, "status line: control character in the reason phrase"));
  }
  m_.version_ = version;
  m_.status_code_ = code;
  m_.reason_ = reason;
  return true;
}

// message-header = field-name HCOLON field-value CRLF, HCOLON = *( SP / HTAB
// ) ":" SWS. The name must be an exact token: anything else (a control
// character, a space inside) is malformed rather than guessed at, so a
// "Contact\x01:" can never pass for a Contact (CVE-2016-9938).
namespace {
// The ids decode_core does anything for: the other fields skip the call.
constexpr std::uint64_t decoded_ids() {
  std::uint64_t bits = 0;
  for (HeaderId id : {HeaderId::via, HeaderId::from, HeaderId::to, HeaderId::call_id,
                      HeaderId::cseq, HeaderId::max_forwards, HeaderId::content_length,
                      HeaderId::content_type, HeaderId::contact, HeaderId::date}) {
    bits |= std::uint64_t{1} << static_cast<unsigned>(id);
  }
  return bits;
}
constexpr std::uint64_t kDecoded = decoded_ids();
static_assert(static_cast<std::size_t>(HeaderId::count_) <= 64, "kDecoded holds one bit per id");
}  // namespace

bool MessageParser::parse_field(std::string_view raw) {
  const char* const d = raw.data();
  const std::size_t n = raw.size();
  // Fast path: the name runs up to the first ':' and is one of the known
  // names. Those are tokens, so the token scan below would find the same
  // name and colon. Otherwise that scan finds the name and proves it a
  // token, and only a name the fast path did not try (SP / HTAB before the
  // colon, or no colon in its first words) still needs looking up.
  std::size_t colon = first_colon_in_words(d, n);
  std::size_t name_end = colon;
  const bool tried = colon < n;
  HeaderId id = tried ? grammar::lookup_field_name(d, colon, n) : HeaderId::unknown;
  if (id == HeaderId::unknown) {
    // raw ends in CRLF, which stops both scans before the end of the view.
    name_end = 0;
    while (scan::is_token_char(d[name_end])) ++name_end;
    colon = scan::skip_wsp(raw, name_end);
    if (name_end == 0 || d[colon] != ':') {
      return reject(fail(Errc::malformed, "malformed header field name '" +
                                              excerpt(raw.substr(0, colon + 1)) + "'"));
    }
    // When tried, the fast path's colon was this one (a token and SP / HTAB
    // hold no ':'), so with nothing between name and colon it looked up this
    // very name.
    if (!tried || name_end != colon) id = grammar::lookup_field_name(d, name_end, n);
  }
  // field-value, trimmed of LWS (§7.3.1). The usual "Name: value\r\n" has
  // one SP after the colon and nothing to trim at the end, which is
  // exactly what trim_lws would find, so only the other forms ask it.
  // Between the colon and the final CRLF (colon < n - 2: the CRLF holds no ':').
  std::string_view value(d + colon + 1, n - 3 - colon);
  if (value.size() >= 2 && value[0] == ' ' && static_cast<unsigned char>(value[1]) > ' ' &&
      static_cast<unsigned char>(value.back()) > ' ') {
    value.remove_prefix(1);
  } else {
    value = scan::trim_lws(value);
  }
  const HeaderField& field =
      m_.storage_.append(HeaderField{id, std::string_view(d, name_end), value, raw});
  const auto index = static_cast<std::size_t>(id);
  if (m_.first_[index] == 0) {
    m_.first_[index] = static_cast<std::uint16_t>(m_.storage_.field_count());
  }
  ++m_.counts_[index];
  return (kDecoded & (std::uint64_t{1} << index)) == 0 || decode_core(field);
}

bool MessageParser::decode_core(const HeaderField& field) {
  const std::string_view value = field.value;
  // Every case here has its id in kDecoded.
  switch (field.id) {
    case HeaderId::via: {
      if (have_via_) return true;  // only the topmost via-parm is decoded eagerly
      have_via_ = true;
      std::size_t pos = 0;
      // The fast path's bool straight away; only what it leaves undecided
      // pays for the general path's Result.
      if (!grammar::parse_via_fast(value, pos, limits_.uri, m_.top_via_)) {
        m_.top_via_ = Via{};
        auto parsed = grammar::parse_via_general(value, pos, limits_.uri, m_.top_via_);
        if (!parsed) return reject(error_in("Via", parsed.error()));
      }
      m_.top_via_end_ = pos;
      return true;
    }
    case HeaderId::from:
    case HeaderId::to: {
      const bool from = field.id == HeaderId::from;
      bool& seen = from ? have_from_ : have_to_;
      if (seen) return duplicate(field.id);
      seen = true;
      NameAddr& address = from ? m_.from_ : m_.to_;
      std::string_view* const tag = from ? &m_.from_tag_ : &m_.to_tag_;
      // As for the Via. The value is trimmed, as both paths expect.
      if (!grammar::parse_name_addr_fast(value, limits_.uri, address, tag)) {
        address = NameAddr{};
        auto parsed = grammar::parse_name_addr_general(value, limits_.uri, false, address, tag);
        if (!parsed) return reject(error_in(from ? "From" : "To", parsed.error()));
      }
      return true;
    }
    case HeaderId::call_id:
      if (have_call_id_) return duplicate(field.id);
      have_call_id_ = true;
      if (grammar::Fault f = grammar::check_call_id(value)) return reject(error_in("Call-ID", f));
      m_.call_id_ = value;
      return true;
    case HeaderId::cseq: {
      if (have_cseq_) return duplicate(field.id);
      have_cseq_ = true;
      if (!grammar::parse_cseq_fast(value, m_.cseq_)) {
        auto cseq = grammar::parse_cseq_general(value);
        if (!cseq) return reject(cseq.error());
        m_.cseq_ = *cseq;
      }
      return true;
    }
    case HeaderId::max_forwards: {
      if (m_.max_forwards_) return duplicate(field.id);
      std::uint64_t hops = 0;
      switch (scan::parse_decimal(value, 255, hops)) {
        case scan::NumberStatus::malformed:
          return reject(fail(Errc::malformed, "Max-Forwards: not a number"));
        case scan::NumberStatus::too_large:
          return reject(fail(Errc::out_of_range, "Max-Forwards: value exceeds 255"));
        case scan::NumberStatus::ok:
          break;
      }
      m_.max_forwards_ = static_cast<std::uint32_t>(hops);
      return true;
    }
    case HeaderId::content_length: {
      // Digits only: a sign, a fraction or a second number is malformed
      // (RFC 4475 §3.1.2.3). Repeats must agree (§3.3.9).
      std::uint64_t length = 0;
      switch (scan::parse_decimal(value, SIZE_MAX, length)) {
        case scan::NumberStatus::malformed:
          return reject(fail(Errc::malformed, "Content-Length: not a decimal number"));
        case scan::NumberStatus::too_large:
          return reject(fail(Errc::out_of_range, "Content-Length: value too large"));
        case scan::NumberStatus::ok:
          break;
      }
      if (m_.content_length_ && *m_.content_length_ != length) {
        return reject(fail(Errc::malformed, "Content-Length: conflicting values"));
      }
      m_.content_length_ = static_cast<std::size_t>(length);
      return true;
    }
    case HeaderId::content_type:
      if (have_content_type_) return duplicate(field.id);
      have_content_type_ = true;
      if (grammar::Fault f = grammar::check_media_type(value, limits_.uri.max_params)) {
        return reject(error_in("Content-Type", f));
      }
      m_.content_type_ = value;
      return true;
    case HeaderId::contact: {
      // Only a value with a '?' can have the defect the check looks for:
      // the usual Contact skips the call and its Result.
      if (value.find('?') == std::string_view::npos) return true;
      auto checked = grammar::check_contact_field(value, limits_.uri);
      if (!checked) return reject(error_in("Contact", checked.error()));
      return true;
    }
    case HeaderId::date:
      if (grammar::Fault f = grammar::check_date(value)) return reject(error_in("Date", f));
      return true;
    default:
      return true;
  }
}

// §8.1.1 / §8.2.2: every request and response carries these five.
bool MessageParser::check_required() {
  const char* missing = !have_via_       ? "Via"
                        : !have_from_    ? "From"
                        : !have_to_      ? "To"
                        : !have_call_id_ ? "Call-ID"
                        : !have_cseq_    ? "CSeq"
                                         : nullptr;
  if (missing != nullptr) {
    return reject(fail(Errc::missing, std::string("missing ") + missing + " header field"));
  }
  // §8.1.1.5: the CSeq method matches the request method. Which CSeq number
  // an ACK or CANCEL must carry is for the transaction user to judge.
  if (m_.is_request() && m_.cseq_.method_text != m_.method_text_) {
    return reject(fail(Errc::malformed, "CSeq: method " + excerpt(m_.cseq_.method_text) +
                                            " does not match the request method " +
                                            excerpt(m_.method_text_)));
  }
  return true;
}

// §18.3: without Content-Length the body is the rest of the datagram; bytes
// beyond it are discarded; a length beyond the bytes present is an error.
bool MessageParser::take_body(std::size_t body_start) {
  const std::string_view bytes = m_.storage_.bytes();
  const std::size_t available = bytes.size() - body_start;
  std::size_t length = available;
  if (m_.content_length_) {
    length = *m_.content_length_;
    if (length > limits_.max_body_size) {
      return reject(fail(Errc::limit_exceeded, "Content-Length: exceeds the body limit of " +
                                                   std::to_string(limits_.max_body_size) +
                                                   " bytes"));
    }
    if (length > available) {
      return reject(fail(Errc::malformed, "Content-Length: " + std::to_string(length) +
                                              " exceeds the " + std::to_string(available) +
                                              " body bytes present"));
    }
    // Shrinking never moves the bytes, so the views taken so far stay valid.
    m_.storage_.truncate(body_start + length);
  } else if (length > limits_.max_body_size) {
    return reject(fail(Errc::limit_exceeded,
                       "body larger than " + std::to_string(limits_.max_body_size) + " bytes"));
  }
  m_.body_ = bytes.substr(body_start, length);
  return true;
}

Message::Message(Key, const Limits& limits) noexcept : limits_(limits) {}

Result<Message> Message::parse(std::string_view bytes, const Limits& limits) {
  // One Result, returned by name on every path (so it is the caller's
  // object), with the message built inside it: the ~1.2 KB message is never
  // moved, nor a moved-from one destroyed.
  Result<Message> result(std::in_place, Key{}, limits);
  if (bytes.size() > limits.max_message_size) {
    result = fail(Errc::limit_exceeded,
                  "message larger than " + std::to_string(limits.max_message_size) + " bytes");
    return result;
  }
  // §7.5: CRLFs before the start line are ignored.
  while (bytes.size() >= 2 && bytes[0] == '\r' && bytes[1] == '\n') bytes.remove_prefix(2);
  Message& message = *result;
  // Room for the usual field length, so that the fields fit the block for
  // nearly every message (the corpus averages 40 to 60 bytes per line). At
  // most 64 up front: a large body must not reserve room for fields it does
  // not hold; more fields than that move to an array of their own.
  message.storage_.assign(bytes, std::clamp<std::size_t>(bytes.size() / 48, 16, 64));
  MessageParser parser(message);
  if (!parser.run()) result = parser.error();
  return result;
}

}  // namespace sipline::sip
