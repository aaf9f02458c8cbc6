#include "call/dialog.hpp"

#include <gtest/gtest.h>

#include "sip/header_id.hpp"

namespace sipline::call {
namespace {

sip::Message parse(std::string_view text) {
  auto m = sip::Message::parse(text);
  EXPECT_TRUE(m.has_value());
  return std::move(*m);
}

// The dialog leaves the Via to the sender; a message needs one to parse.
sip::MessageBuilder with_via(sip::MessageBuilder b) {
  b.prepend(sip::HeaderId::via, "SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-2");
  return b;
}

const std::string invite_text =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: d1@x\r\n"
    "CSeq: 5 INVITE\r\n"
    "Contact: <sip:alice@198.51.100.7:5062>\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string ok_text =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "From: <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>;tag=b1\r\n"
    "Call-ID: d1@x\r\n"
    "CSeq: 5 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.99:5070>\r\n"
    "Content-Length: 0\r\n\r\n";

TEST(Dialog, UacRouteSetIsRecordRouteReversed) {
  auto d = Dialog::as_uac(parse(invite_text), parse(ok_text));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->route_set,
            (std::vector<std::string>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"}));
  EXPECT_EQ(d->remote_target, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(d->local_tag, "a1");
  EXPECT_EQ(d->remote_tag, "b1");
  EXPECT_EQ(d->local_cseq, 5u);
  EXPECT_FALSE(d->early);
  EXPECT_FALSE(d->secure);
  auto bye = with_via(d->request(sip::Method::bye)).build();
  ASSERT_TRUE(bye.has_value());
  EXPECT_EQ(bye->request_uri().raw, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(bye->cseq().number, 6u);
  EXPECT_EQ(bye->header(sip::HeaderId::route).value_or(""), "<sip:p1.example.com;lr>");
  EXPECT_EQ(d->next_hop_uri(), "sip:p1.example.com;lr");
}

TEST(Dialog, UasRouteSetKeepsOrderAndChecksCSeq) {
  auto d = Dialog::as_uas(parse(invite_text), "ours");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->route_set.front(), "<sip:p2.example.com;lr>");
  EXPECT_EQ(d->remote_target, "sip:alice@198.51.100.7:5062");
  EXPECT_EQ(d->remote_cseq, 5u);
  EXPECT_FALSE(d->accept_remote_cseq(4));  // §12.2.2: lower is out of order
  EXPECT_TRUE(d->accept_remote_cseq(6));
}

TEST(Dialog, StrictRouterBecomesTheRequestUri) {
  auto d = Dialog::as_uac(parse(invite_text), parse(ok_text));
  ASSERT_TRUE(d.has_value());
  d->route_set = {"<sip:strict.example.com>", "<sip:p2.example.com;lr>"};
  auto bye = with_via(d->request(sip::Method::bye)).build();
  ASSERT_TRUE(bye.has_value());
  EXPECT_EQ(bye->request_uri().raw, "sip:strict.example.com");
  auto routes = bye->name_addrs(sip::HeaderId::route);
  ASSERT_TRUE(routes.has_value());
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[1].uri.raw, "sip:bob@192.0.2.99:5070");
}

TEST(Dialog, ResponseWithoutTagMakesNoDialog) {
  std::string no_tag = ok_text;
  no_tag.replace(no_tag.find(";tag=b1"), 7, "");
  EXPECT_FALSE(Dialog::as_uac(parse(invite_text), parse(no_tag)).has_value());
}

}  // namespace
}  // namespace sipline::call
