#pragma once
// Builders for requests and responses (RFC 3261 §8.1.1, §8.2.6) and the
// serializer. A built message is rendered to bytes and parsed, so everything
// the rest of the stack sees went through the one parser.

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
  // Starts from an existing message: headers and body copied, then editable.
  static MessageBuilder from(const Message& message);

  // Appends a header (canonical name for known ids).
  MessageBuilder& add(HeaderId id, std::string_view value);
  MessageBuilder& add(std::string_view name, std::string_view value);
  // Puts a header first among the fields (e.g. a new top Via).
  MessageBuilder& prepend(HeaderId id, std::string_view value);
  // Removes every field with the id, then appends one.
  MessageBuilder& set(HeaderId id, std::string_view value);
  MessageBuilder& remove(HeaderId id);
  MessageBuilder& request_uri(std::string_view uri);
  // Sets the body and its Content-Type; Content-Length is always computed.
  MessageBuilder& body(std::string_view content_type, std::string_view body);

  std::string to_bytes() const;
  Result<Message> build(const Limits& limits = {}) const;

 private:
  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> headers_;  // name, value
  std::string content_type_;
  std::string body_;
};

// A response to `request` (§8.2.6): copies every Via, From, To (adding
// `to_tag` when To has none and the code is not 100), Call-ID and CSeq.
MessageBuilder response_to(const Message& request, int status_code,
                           std::string_view reason = {}, std::string_view to_tag = {});

// The default reason phrase for a status code ("OK", "Unauthorized", ...).
std::string_view default_reason(int status_code) noexcept;

// Writes a message: start line, each header field byte-exact, blank line,
// body. For a parsed, unchanged message the output equals bytes().
void serialize_to(const Message& message, std::string& out);
std::string serialize(const Message& message);

}  // namespace sipline::sip
