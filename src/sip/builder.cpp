#include "sip/builder.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

constexpr std::string_view kVersion = "SIP/2.0";
constexpr std::string_view kCrlf = "\r\n";

bool has_line_break(std::string_view text) noexcept {
  return text.find_first_of(kCrlf) != std::string_view::npos;
}

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), scan::is_token_char);
}

// CR and LF become SP, so a value can never end its line early and start a
// header (or the body) of its own.
void append_on_one_line(std::string& out, std::string_view text) {
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
}

// A name is rendered as a token: any other byte (':' and white space
// included) would change which header the line is.
void append_as_token(std::string& out, std::string_view name) {
  for (char c : name) out += scan::is_token_char(c) ? c : '_';
}

// A parsed value may keep folded line breaks; LWS is equivalent to one SP
// (RFC 3261 §7.3.1), which is how it is written again.
std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (c != '\r' && c != '\n') {
      out += c;
      ++i;
      continue;
    }
    while (!out.empty() && scan::is_wsp(out.back())) out.pop_back();
    while (i < value.size() && (value[i] == '\r' || value[i] == '\n' || scan::is_wsp(value[i]))) {
      ++i;
    }
    out += ' ';
  }
  return out;
}

// The value of the first field with `id`, whole (To, From, Call-ID, CSeq and
// Timestamp hold a single value, and a display name may contain a comma).
std::optional<std::string_view> first_field(const Message& message, HeaderId id) {
  for (const HeaderField& field : message.headers()) {
    if (field.id == id) return field.value;
  }
  return std::nullopt;
}

}  // namespace

MessageBuilder MessageBuilder::request(Method method, std::string_view request_uri) {
  return request(to_string(method), request_uri);
}

MessageBuilder MessageBuilder::request(std::string_view method_text, std::string_view request_uri) {
  MessageBuilder b;
  b.start_line_.append(method_text).append(" ").append(request_uri).append(" ").append(kVersion);
  return b;
}

MessageBuilder MessageBuilder::response(int status_code, std::string_view reason) {
  MessageBuilder b;
  b.start_line_.append(kVersion).append(" ").append(std::to_string(status_code)).append(" ");
  b.start_line_.append(reason.empty() ? default_reason(status_code) : reason);
  return b;
}

MessageBuilder MessageBuilder::from(const Message& message) {
  MessageBuilder b;
  b.start_line_ = message.start_line();
  b.headers_.reserve(message.headers().size());
  for (const HeaderField& field : message.headers()) {
    if (field.id == HeaderId::content_length) continue;
    b.headers_.emplace_back(std::string(field.name), unfold(field.value));
  }
  b.body_ = message.body();
  return b;
}

MessageBuilder& MessageBuilder::add(HeaderId id, std::string_view value) {
  if (id == HeaderId::content_length) return *this;
  headers_.emplace_back(std::string(canonical_name(id)), std::string(value));
  return *this;
}

MessageBuilder& MessageBuilder::add(std::string_view name, std::string_view value) {
  if (lookup_header(name) == HeaderId::content_length) return *this;
  headers_.emplace_back(std::string(name), std::string(value));
  return *this;
}

MessageBuilder& MessageBuilder::prepend(HeaderId id, std::string_view value) {
  if (id == HeaderId::content_length) return *this;
  headers_.emplace(headers_.begin(), std::string(canonical_name(id)), std::string(value));
  return *this;
}

MessageBuilder& MessageBuilder::set(HeaderId id, std::string_view value) {
  remove(id);
  return add(id, value);
}

MessageBuilder& MessageBuilder::remove(HeaderId id) {
  if (id == HeaderId::unknown) return *this;
  std::erase_if(headers_, [id](const auto& field) { return lookup_header(field.first) == id; });
  return *this;
}

MessageBuilder& MessageBuilder::request_uri(std::string_view uri) {
  const std::string_view line = start_line_;
  if (line.starts_with("SIP/")) return *this;  // a status line has no Request-URI
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  const std::string_view method = line.substr(0, first_space);
  const std::string_view version =
      (first_space != last_space) ? line.substr(last_space + 1) : kVersion;
  std::string rebuilt;
  rebuilt.append(method).append(" ").append(uri).append(" ").append(version);
  start_line_ = std::move(rebuilt);
  return *this;
}

MessageBuilder& MessageBuilder::body(std::string_view content_type, std::string_view body) {
  if (content_type.empty()) {
    remove(HeaderId::content_type);
  } else {
    set(HeaderId::content_type, content_type);
  }
  body_ = body;
  return *this;
}

std::string MessageBuilder::to_bytes() const {
  std::size_t size = start_line_.size() + body_.size() + 32;
  for (const auto& [name, value] : headers_) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  append_on_one_line(out, start_line_);
  out += kCrlf;
  for (const auto& [name, value] : headers_) {
    append_as_token(out, name);
    out += ": ";
    append_on_one_line(out, value);
    out += kCrlf;
  }
  out += canonical_name(HeaderId::content_length);
  out += ": ";
  out += std::to_string(body_.size());
  out += kCrlf;
  out += kCrlf;
  out += body_;
  return out;
}

Result<Message> MessageBuilder::build(const Limits& limits) const {
  if (has_line_break(start_line_)) {
    return fail(Errc::malformed, "builder: start line contains CR or LF");
  }
  for (const auto& [name, value] : headers_) {
    if (!is_token(name)) {
      return fail(Errc::malformed, "builder: header name is not a token");
    }
    if (has_line_break(value)) {
      return fail(Errc::malformed, "builder: " + name + " value contains CR or LF");
    }
  }
  return Message::parse(to_bytes(), limits);
}

MessageBuilder response_to(const Message& request, int status_code, std::string_view reason,
                           std::string_view to_tag) {
  MessageBuilder b = MessageBuilder::response(status_code, reason);
  // §8.2.6.2: every Via, in order, so the response retraces the request's path.
  for (const HeaderField& field : request.headers()) {
    if (field.id == HeaderId::via) b.add(HeaderId::via, unfold(field.value));
  }
  if (auto from = first_field(request, HeaderId::from)) b.add(HeaderId::from, unfold(*from));
  if (auto to = first_field(request, HeaderId::to)) {
    std::string value = unfold(*to);
    // §8.2.6.2: a tag when the request's To has none, except for 100 Trying.
    if (request.to_tag().empty() && status_code > 100 && !to_tag.empty()) {
      value.append(";tag=").append(to_tag);
    }
    b.add(HeaderId::to, value);
  }
  if (auto call_id = first_field(request, HeaderId::call_id)) {
    b.add(HeaderId::call_id, unfold(*call_id));
  }
  if (auto cseq = first_field(request, HeaderId::cseq)) b.add(HeaderId::cseq, unfold(*cseq));
  // §8.2.6.1: the Timestamp goes back in 100 Trying.
  if (status_code == 100) {
    if (auto timestamp = first_field(request, HeaderId::timestamp)) {
      b.add(HeaderId::timestamp, unfold(*timestamp));
    }
  }
  return b;
}

std::string_view default_reason(int status_code) noexcept {
  switch (status_code) {
    // RFC 3261 §21 unless noted.
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 199:
      return "Early Dialog Terminated";  // RFC 6228
    case 200:
      return "OK";
    case 202:
      return "Accepted";  // RFC 3265
    case 204:
      return "No Notification";  // RFC 5839
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";
    case 305:
      return "Use Proxy";
    case 380:
      return "Alternative Service";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 412:
      return "Conditional Request Failed";  // RFC 3903
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 417:
      return "Unknown Resource-Priority";  // RFC 4412
    case 420:
      return "Bad Extension";
    case 421:
      return "Extension Required";
    case 422:
      return "Session Interval Too Small";  // RFC 4028
    case 423:
      return "Interval Too Brief";
    case 424:
      return "Bad Location Information";  // RFC 6442
    case 428:
      return "Use Identity Header";  // RFC 8224
    case 429:
      return "Provide Referrer Identity";  // RFC 3892
    case 430:
      return "Flow Failed";  // RFC 5626
    case 433:
      return "Anonymity Disallowed";  // RFC 5079
    case 436:
      return "Bad Identity Info";  // RFC 8224
    case 437:
      return "Unsupported Credential";  // RFC 8224
    case 438:
      return "Invalid Identity Header";  // RFC 8224
    case 439:
      return "First Hop Lacks Outbound Support";  // RFC 5626
    case 440:
      return "Max-Breadth Exceeded";  // RFC 5393
    case 469:
      return "Bad Info Package";  // RFC 6086
    case 470:
      return "Consent Needed";  // RFC 5360
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 489:
      return "Bad Event";  // RFC 6665
    case 491:
      return "Request Pending";
    case 493:
      return "Undecipherable";
    case 494:
      return "Security Agreement Required";  // RFC 3329
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 555:
      return "Push Notification Service Not Supported";  // RFC 8599
    case 580:
      return "Precondition Failure";  // RFC 3312
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    case 606:
      return "Not Acceptable";
    case 607:
      return "Unwanted";  // RFC 8197
    case 608:
      return "Rejected";  // RFC 8688
    default:
      break;
  }
  // §8.1.3.2: an unknown code is treated as the x00 code of its class.
  if (status_code >= 100 && status_code <= 699 && status_code % 100 != 0) {
    return default_reason(status_code - status_code % 100);
  }
  return {};
}

}  // namespace sipline::sip
