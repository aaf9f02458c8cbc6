// Answers to out-of-dialog requests: OPTIONS for anyone, everything else only
// for a server we are registered with.

#include "ua/inbound.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipline::ua {
namespace {

sip::Message request(std::string_view method) {
  std::string text = std::string(method) + " sip:alice@192.0.2.10 SIP/2.0\r\n" +
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc\r\n"
                     "From: <sip:pbx@192.0.2.1>;tag=x\r\n"
                     "To: <sip:alice@192.0.2.10>\r\n"
                     "Call-ID: c1\r\n"
                     "CSeq: 1 " +
                     std::string(method) +
                     "\r\n"
                     "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  auto m = sip::Message::parse(text);
  EXPECT_TRUE(m);
  return *m;
}

TEST(Inbound, OptionsIsAnsweredForAnyone) {
  EXPECT_EQ(inbound_status(request("OPTIONS"), false), 200);
  EXPECT_EQ(inbound_status(request("OPTIONS"), true), 200);
  auto r = inbound_response(request("OPTIONS"), false, "tag1").build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 200);
  EXPECT_EQ(r->to_tag(), "tag1");
  EXPECT_EQ(r->header(sip::HeaderId::allow), "OPTIONS");
  EXPECT_EQ(r->call_id(), "c1");
}

TEST(Inbound, UntrustedSourceIsForbidden) {
  auto r = inbound_response(request("INVITE"), false, "t").build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 403);
  EXPECT_FALSE(r->header(sip::HeaderId::allow).has_value());
  EXPECT_EQ(inbound_status(request("MESSAGE"), false), 403);
}

TEST(Inbound, TrustedSourceGetsNotImplemented) {
  EXPECT_EQ(inbound_status(request("INVITE"), true), 501);
  EXPECT_EQ(inbound_status(request("MESSAGE"), true), 501);
}

}  // namespace
}  // namespace sipline::ua
