#pragma once
// The SIP message: it owns its bytes; the start line and every header are
// views into them. Fields the transaction layer needs (top Via, From/To with
// tags, Call-ID, CSeq, Max-Forwards, Content-Length, Content-Type) are decoded
// and validated by parse(); everything else is decoded on demand through typed
// accessors that return a Result and never throw.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/inline_vector.hpp"
#include "common/result.hpp"
#include "sip/header_id.hpp"
#include "sip/limits.hpp"
#include "sip/message_storage.hpp"
#include "sip/uri.hpp"

namespace sipline::sip {

enum class Method : std::uint8_t {
  unknown,
  invite,
  ack,
  bye,
  cancel,
  register_,
  options,
  info,
  update,
  prack,
  subscribe,
  notify,
  refer,
  message,
  publish
};
Method method_from(std::string_view token) noexcept;  // case-sensitive (§7.1)
std::string_view to_string(Method m) noexcept;        // "INVITE"...; "" for unknown

struct Via {
  std::string_view protocol_name;  // "SIP"
  std::string_view version;        // "2.0"
  std::string_view transport;      // "UDP", "TCP", "TLS", "SCTP", "WS"... as written
  HostPort sent_by;
  std::string_view branch;  // empty when absent
  std::optional<std::string_view> received;
  bool rport = false;                        // parameter present
  std::optional<std::uint16_t> rport_value;  // present with a value
  std::optional<std::string_view> maddr;
  std::optional<std::uint8_t> ttl;
  bool keep = false;  // RFC 6223
  std::optional<std::uint32_t> keep_value;
  ParamList params;
  std::string_view raw;  // this via-parm as written

  // RFC 3261 §8.1.1.7: branch starts with the magic cookie.
  bool rfc3261_branch() const noexcept { return branch.starts_with("z9hG4bK"); }
};

struct NameAddr {
  std::string_view display_name;  // without quotes; quoted-pairs still escaped
  bool display_quoted = false;
  bool bracketed = false;  // name-addr form (<...>) vs addr-spec
  Uri uri;
  ParamList params;  // header parameters after the URI (tag, expires, q, ...)
  std::string_view raw;

  std::optional<std::string_view> tag() const { return params.get("tag"); }
};

struct CSeq {
  std::uint32_t number = 0;  // < 2^31 (§8.1.1.5)
  Method method = Method::unknown;
  std::string_view method_text;
};

// A Contact value. The parameter readers return nullopt when the parameter
// is absent or its value is out of range or malformed, which RFC 4475 §3.1.2.4
// lets a receiver treat like the default.
struct ContactValue {
  bool star = false;  // "Contact: *"
  NameAddr address;   // unset when star
  std::optional<std::uint32_t> expires() const;
  std::optional<double> q() const;
  std::optional<std::string_view> instance() const;  // +sip.instance, quotes removed
  std::optional<std::uint32_t> reg_id() const;

  // The raw values of the first expires and q parameters of address.params
  // (empty for a parameter without a value), noted by Message::contacts()
  // while it walked them, so that expires() and q() need not search the
  // parameters again. When `valid` is false (a value built by hand, or
  // parameters in a form the walk leaves to the general parser) the readers
  // search address.params.
  struct ParamIndex {
    bool valid = false;
    std::optional<std::string_view> expires, q;
  } index;
};

struct RetryAfter {
  std::uint32_t seconds = 0;
  std::string_view comment;               // without parentheses
  std::optional<std::uint32_t> duration;  // ;duration=
  ParamList params;
};

// What the list accessors return. Nearly every message has one or two of
// each (one Via, one Contact, a two-entry Route set), and an Allow lists a
// dozen methods, so these hold that many without allocating; longer lists
// grow on the heap like a std::vector.
using ViaList = InlineVector<Via, 2>;
using ContactList = InlineVector<ContactValue, 2>;
using NameAddrList = InlineVector<NameAddr, 2>;
using TokenList = InlineVector<std::string_view, 16>;

class Message {
 public:
  // Parses one complete message from a datagram or a framed stream unit.
  // Datagram rules (RFC 3261 §18.3): a missing Content-Length means the body
  // is the rest of the bytes; bytes beyond Content-Length are discarded; a
  // Content-Length larger than what is present is an error. Leading CRLFs are
  // ignored (§7.5).
  // Line endings: every line of the start line and header section ends in
  // CRLF (§7). A bare LF there is an error, never a line break, so the
  // parser and the stream framer always agree on where the headers end. A CR
  // that is not part of a CRLF is ordinary value data.
  // The message keeps a copy of the bytes (message_storage.hpp).
  static Result<Message> parse(std::string_view bytes, const Limits& limits = {});

  // Copying parses the copied bytes again with the same limits, so that every
  // view points into the copy (the stack normally moves messages).

  // For parse() only, which alone can make the key: it builds the message
  // in place inside its Result so that the message is never moved there.
  class Key;
  Message(Key, const Limits& limits) noexcept;

  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  Message(const Message&);
  Message& operator=(const Message&);
  ~Message();

  bool is_request() const noexcept { return status_code_ == 0; }
  bool is_response() const noexcept { return status_code_ != 0; }

  // Request line.
  Method method() const noexcept { return method_; }
  std::string_view method_text() const noexcept { return method_text_; }
  const Uri& request_uri() const noexcept { return request_uri_; }
  // Status line.
  int status_code() const noexcept { return status_code_; }
  std::string_view reason_phrase() const noexcept { return reason_; }
  std::string_view version() const noexcept { return version_; }
  std::string_view start_line() const noexcept { return start_line_; }

  // Core fields, valid for every successfully parsed message.
  const Via& top_via() const noexcept { return top_via_; }
  const NameAddr& from() const noexcept { return from_; }
  const NameAddr& to() const noexcept { return to_; }
  std::string_view from_tag() const noexcept { return from_tag_; }
  std::string_view to_tag() const noexcept { return to_tag_; }
  std::string_view call_id() const noexcept { return call_id_; }
  const CSeq& cseq() const noexcept { return cseq_; }
  std::optional<std::uint32_t> max_forwards() const noexcept { return max_forwards_; }
  std::optional<std::size_t> content_length() const noexcept { return content_length_; }
  std::string_view content_type() const noexcept { return content_type_; }
  std::string_view body() const noexcept { return body_; }

  // Every header field in order (unknown ones included, byte-exact).
  std::span<const HeaderField> headers() const noexcept { return storage_.fields(); }
  // Value of the first field with that id / name (case-insensitive; a
  // compact or full name of a known header finds either spelling).
  std::optional<std::string_view> header(HeaderId id) const noexcept;
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  std::size_t count(HeaderId id) const noexcept { return counts_[static_cast<std::size_t>(id)]; }

  // On-demand typed access. Comma-separated values are split across every
  // field with the id, in order (values on one line and across lines).
  Result<ViaList> vias() const;
  Result<ContactList> contacts() const;
  // Route, Record-Route, Path, Service-Route (any name-addr list header).
  Result<NameAddrList> name_addrs(HeaderId id) const;
  Result<std::uint32_t> expires() const;  // Expires header
  Result<std::uint32_t> min_expires() const;
  Result<RetryAfter> retry_after() const;
  // Allow, Supported, Require, Unsupported, Proxy-Require, Allow-Events.
  Result<TokenList> tokens(HeaderId id) const;

  // The bytes this message was parsed from (after dropping leading CRLFs and
  // anything beyond Content-Length).
  std::string_view bytes() const noexcept { return storage_.bytes(); }

 private:
  Message() = default;
  friend class MessageParser;

  MessageStorage storage_;  // the bytes and the header fields
  std::string_view start_line_, method_text_, version_, reason_;
  Method method_ = Method::unknown;
  int status_code_ = 0;
  Uri request_uri_;
  Via top_via_;
  NameAddr from_, to_;
  std::string_view from_tag_, to_tag_, call_id_, content_type_, body_;
  CSeq cseq_;
  std::optional<std::uint32_t> max_forwards_;
  std::optional<std::size_t> content_length_;
  Limits limits_;
  // Per header id: how many fields have it, and the position + 1 of the
  // first (0: none), so that count() and header(id) never walk the fields.
  // A message holds at most 65535 fields (see parse).
  static constexpr std::size_t kIds = static_cast<std::size_t>(HeaderId::count_);
  std::array<std::uint16_t, kIds> counts_{};
  std::array<std::uint16_t, kIds> first_{};
  // End of the top via-parm in the first Via field's value, so that vias()
  // reuses top_via_ instead of parsing it again.
  std::size_t top_via_end_ = 0;

  bool present(HeaderId id) const noexcept { return counts_[static_cast<std::size_t>(id)] != 0; }
};

class Message::Key {
  // Explicit and private: no one but Message can make one, not even with {}.
  explicit Key() = default;
  friend class Message;
};

// Grammar entry points over a single header value (also used by fuzzers).
Result<Via> parse_via(std::string_view value);             // one via-parm
Result<NameAddr> parse_name_addr(std::string_view value);  // name-addr / addr-spec + params
Result<CSeq> parse_cseq(std::string_view value);
Result<RetryAfter> parse_retry_after(std::string_view value);
// Splits a header value at top-level commas (outside quotes and <>); the
// elements are trimmed, an empty element is an error, more than max_values
// fail with Errc::limit_exceeded.
Result<std::vector<std::string_view>> split_comma_list(
    std::string_view value, std::size_t max_values = Limits{}.max_list_values);

}  // namespace sipline::sip
