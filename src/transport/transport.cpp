#include "transport/transport.hpp"

#include <string>

#include "sip/builder.hpp"

namespace sipline::transport {

std::string describe(const TransportFailure& failure) {
  std::string text(sip::to_string(failure.reason));
  if (!failure.detail.empty()) {
    text += ": ";
    text += failure.detail;
  }
  return text;
}

sip::SendResult Transport::send(const sip::Message& message, const sip::Target& to) {
  const std::string bytes = sip::serialize(message);
  const SendOutcome outcome = send_bytes(bytes, to);
  if (outcome) return {};
  return sip::SendResult{outcome.failure().reason};
}

}  // namespace sipline::transport
