// Writes a message back out (RFC 3261 §7): start line, header fields exactly
// as received (names, folding and spacing included), empty line, body.

#include <string>

#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace sipline::sip {

void serialize_to(const Message& message, std::string& out) {
  constexpr std::string_view kCrlf = "\r\n";
  std::size_t size = message.start_line().size() + 2 * kCrlf.size() + message.body().size();
  for (const HeaderField& field : message.headers()) size += field.raw.size();
  out.reserve(out.size() + size);
  out.append(message.start_line()).append(kCrlf);
  for (const HeaderField& field : message.headers()) out.append(field.raw);
  out.append(kCrlf).append(message.body());
}

std::string serialize(const Message& message) {
  std::string out;
  serialize_to(message, out);
  return out;
}

}  // namespace sipline::sip
