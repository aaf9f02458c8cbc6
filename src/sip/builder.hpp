#pragma once
// Builders for requests and responses (RFC 3261 §8.1.1, §8.2.6) and the
// serializer. A built message is rendered to bytes and parsed, so everything
// the rest of the stack sees went through the one parser.
//
// No input to a builder can add a line to the rendered message: build()
// rejects a start line, header name or value holding CR or LF and a header
// name that is not a token; to_bytes(), which cannot fail, renders CR and LF
// as SP and every non-token byte of a name as '_'.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "sip/message.hpp"

namespace sipline::sip {

class MessageBuilder {
 public:
  static MessageBuilder request(Method method, std::string_view request_uri);
  static MessageBuilder request(std::string_view method_text, std::string_view request_uri);
  static MessageBuilder response(int status_code, std::string_view reason = {});
  // Starts from an existing message: start line, headers (names as written,
  // folded values unfolded, Content-Length dropped) and body copied, then
  // editable.
  static MessageBuilder from(const Message& message);

  // Appends a header (canonical name for known ids). Content-Length is always
  // computed, so adding, prepending or setting one is ignored.
  MessageBuilder& add(HeaderId id, std::string_view value);
  MessageBuilder& add(std::string_view name, std::string_view value);
  // Puts a header first among the fields (e.g. a new top Via).
  MessageBuilder& prepend(HeaderId id, std::string_view value);
  // Removes every field with the id, then appends one.
  MessageBuilder& set(HeaderId id, std::string_view value);
  // Removes every field with the id, whatever its spelling (compact forms
  // included); unknown headers are not touched.
  MessageBuilder& remove(HeaderId id);
  // Replaces the Request-URI; ignored for a response.
  MessageBuilder& request_uri(std::string_view uri);
  // Sets the body and its Content-Type (removed when empty); Content-Length
  // is always computed.
  MessageBuilder& body(std::string_view content_type, std::string_view body);

  std::string to_bytes() const;
  Result<Message> build(const Limits& limits = {}) const;

 private:
  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> headers_;  // name, value; no Content-Length
  std::string body_;
};

// A response to `request` (§8.2.6): copies every Via (in order), From, To
// (adding `to_tag` when To has none and the code is above 100), Call-ID and
// CSeq, and for 100 Trying also Timestamp (§8.2.6.1). The reason defaults to
// default_reason(status_code).
MessageBuilder response_to(const Message& request, int status_code, std::string_view reason = {},
                           std::string_view to_tag = {});

// The default reason phrase for a status code ("OK", "Unauthorized", ...).
// An unregistered code in 100-699 gets the phrase of its class's x00 code,
// the code it is treated as (§8.1.3.2, §21); anything else gets "".
std::string_view default_reason(int status_code) noexcept;

// Writes a message: start line, each header field byte-exact, blank line,
// body. For a parsed, unchanged message the output equals bytes().
void serialize_to(const Message& message, std::string& out);
std::string serialize(const Message& message);

}  // namespace sipline::sip
