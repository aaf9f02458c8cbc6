// A program built against an installed sipline: parses a message and names
// a failure kind, so both the message layer and the registration layer link.
#include <cstdio>
#include <string>

#include "reg/events.hpp"
#include "sip/message.hpp"

int main() {
  const std::string bytes =
      "OPTIONS sip:a@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
      "From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\n"
      "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  auto message = sipline::sip::Message::parse(bytes);
  if (!message) return 1;
  std::printf("%s %s\n", std::string(message->method_text()).c_str(),
              std::string(sipline::reg::to_string(sipline::reg::FailureKind::refused)).c_str());
  return 0;
}
