#include "reg/register_request.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sip/message.hpp"

namespace sipline::reg {
namespace {

class RegisterRequestTest : public ::testing::Test {
 protected:
  RegisterRequestTest() {
    binding.aor = "sip:alice@sipline.test";
    binding.registrar_uri = "sip:sipline.test";
    binding.call_id = "call-1@sipline";
    binding.user_agent = "sipline";
    route.request_uri = "sip:sipline.test";
    request.binding = &binding;
    request.route = &route;
    request.from_tag = "tag-1";
    request.cseq = 7;
    request.expires = 600;
    request.contact = "sip:alice@192.0.2.10:5060";
  }

  // The request as it would go out, with the Via the sender adds.
  sip::Message built() {
    auto b = build_register(request);
    EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message);
    if (!b) throw std::runtime_error("no REGISTER built");
    b->prepend(sip::HeaderId::via, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1;rport");
    auto m = b->build();
    if (!m) throw std::runtime_error("the REGISTER does not parse");
    return *m;
  }

  static std::string value(const sip::Message& m, sip::HeaderId id) {
    return std::string(m.header(id).value_or("<absent>"));
  }

  BindingConfig binding;
  RequestRoute route;
  RegisterRequest request;
};

TEST_F(RegisterRequestTest, CarriesEveryFieldOfSection10_2) {
  binding.display_name = "Alice";
  route.routes = {"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"};
  const sip::Message m = built();
  EXPECT_EQ(m.start_line(), "REGISTER sip:sipline.test SIP/2.0");
  EXPECT_EQ(m.max_forwards(), 70u);
  EXPECT_EQ(value(m, sip::HeaderId::from), "\"Alice\" <sip:alice@sipline.test>;tag=tag-1");
  EXPECT_EQ(value(m, sip::HeaderId::to), "<sip:alice@sipline.test>");
  EXPECT_EQ(m.call_id(), "call-1@sipline");
  EXPECT_EQ(value(m, sip::HeaderId::cseq), "7 REGISTER");
  EXPECT_EQ(value(m, sip::HeaderId::contact), "<sip:alice@192.0.2.10:5060>;expires=600");
  EXPECT_EQ(value(m, sip::HeaderId::expires), "600");
  EXPECT_EQ(value(m, sip::HeaderId::supported), "path");
  EXPECT_EQ(value(m, sip::HeaderId::allow), std::string(kAllowedMethods));
  EXPECT_EQ(value(m, sip::HeaderId::user_agent), "sipline");
  auto routes = m.name_addrs(sip::HeaderId::route);
  ASSERT_TRUE(routes.has_value());
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:p1.example.net;lr");
  EXPECT_EQ((*routes)[1].uri.raw, "sip:p2.example.net;lr");
  EXPECT_FALSE(m.header(sip::HeaderId::authorization).has_value());
}

TEST_F(RegisterRequestTest, OutboundContactCarriesInstanceAndRegId) {
  binding.instance_id = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
  binding.reg_id = 2;
  const sip::Message m = built();
  EXPECT_EQ(value(m, sip::HeaderId::contact),
            "<sip:alice@192.0.2.10:5060>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-"
            "00a0c91e6bf6>\";reg-id=2;expires=600");
  EXPECT_EQ(value(m, sip::HeaderId::supported), "path, outbound");

  binding.instance_id = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";  // bare is the same
  EXPECT_EQ(value(built(), sip::HeaderId::contact), value(m, sip::HeaderId::contact));
}

TEST_F(RegisterRequestTest, RetiredContactIsRemovedWithoutInstance) {
  binding.instance_id = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
  request.retired_contact = "sip:alice@192.0.2.10:5060";
  request.contact = "sip:alice@203.0.113.7:40000";
  const sip::Message m = built();
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.has_value());
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[1].address.uri.raw, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ((*contacts)[1].expires(), 0u);
  EXPECT_FALSE((*contacts)[1].instance().has_value());
}

TEST_F(RegisterRequestTest, UnregisterNamesOurContactNeverTheStar) {
  request.expires = 0;
  const sip::Message m = built();
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.has_value());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_FALSE((*contacts)[0].star);
  EXPECT_EQ((*contacts)[0].expires(), 0u);
  EXPECT_EQ(value(m, sip::HeaderId::expires), "0");
}

TEST_F(RegisterRequestTest, CredentialsGoIntoTheHeaderOfTheirChallenge) {
  const std::vector<auth::AuthorizationHeader> creds = {
      {auth::ChallengeOrigin::www_authenticate, "a", "Digest username=\"alice\""},
      {auth::ChallengeOrigin::proxy_authenticate, "b", "Digest username=\"alice2\""}};
  request.authorization = creds;
  const sip::Message m = built();
  EXPECT_EQ(value(m, sip::HeaderId::authorization), "Digest username=\"alice\"");
  EXPECT_EQ(value(m, sip::HeaderId::proxy_authorization), "Digest username=\"alice2\"");
}

TEST_F(RegisterRequestTest, DisplayNameIsQuoted) {
  binding.display_name = "A \"B\" \\C";
  EXPECT_EQ(value(built(), sip::HeaderId::from),
            "\"A \\\"B\\\" \\\\C\" <sip:alice@sipline.test>;tag=tag-1");
}

TEST_F(RegisterRequestTest, ValuesThatCannotBeWrittenFail) {
  auto fails = [this] { return !build_register(request).has_value(); };
  binding.display_name = "Alice\r\nX-Evil: 1";
  EXPECT_TRUE(fails());
  binding.display_name.clear();

  binding.aor = "tel:+15551234";
  EXPECT_TRUE(fails());
  binding.aor = "sip:alice:secret@sipline.test";
  EXPECT_TRUE(fails());
  binding.aor = "alice@sipline.test";
  EXPECT_TRUE(fails());
  binding.aor = "sip:alice@sipline.test";

  binding.call_id.clear();
  EXPECT_TRUE(fails());
  binding.call_id = "call-1@sipline";

  binding.instance_id = "urn:uuid:\"quoted\"";
  EXPECT_TRUE(fails());
  binding.instance_id.clear();

  request.contact = "";
  EXPECT_TRUE(fails());
  request.contact = "sip:alice@192.0.2.10:5060";

  request.route = nullptr;
  EXPECT_TRUE(fails());
}

TEST(ContactUri, FollowsTheLocalAddress) {
  EXPECT_EQ(contact_uri("alice", {"192.0.2.10", 5060, sip::TransportKind::udp}),
            "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(contact_uri("alice", {"192.0.2.10", 5061, sip::TransportKind::tls}),
            "sip:alice@192.0.2.10:5061;transport=tls");
  EXPECT_EQ(contact_uri("alice", {"2001:db8::1", 5060, sip::TransportKind::tcp}),
            "sip:alice@[2001:db8::1]:5060;transport=tcp");
  EXPECT_EQ(contact_uri("", {"192.0.2.10", 5060, sip::TransportKind::udp}), "sip:192.0.2.10:5060");
}

}  // namespace
}  // namespace sipline::reg
