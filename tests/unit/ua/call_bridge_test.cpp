// The glue between accounts and calls: identity, events, INVITE matching.

#include "ua/call_bridge.hpp"

#include <gtest/gtest.h>

namespace sipline::ua {
namespace {

config::Account account() {
  config::Account a;
  a.name = "office";
  a.username = "1001";
  a.id = "alice";
  a.password.value = "s3cret";
  config::ServerEntry server;
  server.address = "pbx.example.com";
  a.servers.push_back(server);
  return a;
}

sip::Message invite_to(std::string uri) {
  auto m =
      sip::Message::parse("INVITE " + uri +
                          " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                          "From: <sip:bob@example.com>;tag=1\r\nTo: <" +
                          uri + ">\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(m.has_value());
  return std::move(*m);
}

TEST(CallBridge, LocalPartyUsesTheAorIdentityAndAuthName) {
  const call::LocalParty p = local_party(account());
  EXPECT_EQ(p.account, "office");
  EXPECT_EQ(p.user, "alice");
  EXPECT_EQ(p.domain, "pbx.example.com");  // blank domain: the first server
  EXPECT_EQ(p.aor(), "sip:alice@pbx.example.com");
  const auto* credential = p.credentials.find("any realm");
  ASSERT_NE(credential, nullptr);
  EXPECT_EQ(credential->username, "1001");
}

TEST(CallBridge, LocalPartyCarriesTheAccountsCallLimits) {
  config::Account a = account();
  a.calls.ring_timeout = 45;
  a.calls.max_calls = 2;
  const call::LocalParty p = local_party(a);
  ASSERT_TRUE(p.limits.has_value());
  EXPECT_EQ(p.limits->ring_timeout, std::chrono::seconds(45));
  EXPECT_EQ(p.limits->max_calls_per_account, 2U);
}

TEST(CallBridge, InviteMatchesTheAccountByIdOrUsername) {
  EXPECT_TRUE(invite_is_for(account(), invite_to("sip:alice@192.0.2.9:5060")));
  EXPECT_TRUE(invite_is_for(account(), invite_to("sip:1001@192.0.2.9")));
  EXPECT_FALSE(invite_is_for(account(), invite_to("sip:bob@192.0.2.9")));
  EXPECT_FALSE(invite_is_for(account(), invite_to("sip:192.0.2.9")));
}

TEST(CallBridge, CallEventsKeepTheContractFields) {
  call::CallEvent e{call::CallEventType::ended, "c3", "office",       "sip:pbx.example.com",
                    "sip:bob@example.com",      486,  "486 Busy Here"};
  const reg::Event r = to_reg_event(e, runtime::TimePoint(std::chrono::seconds(5)));
  EXPECT_EQ(r.type, reg::EventType::call_ended);
  EXPECT_EQ(reg::to_string(r.type), "call_ended");
  EXPECT_EQ(r.account, "office");
  EXPECT_EQ(r.server, "sip:pbx.example.com");
  EXPECT_EQ(r.status_code, 486);
  EXPECT_EQ(r.reason, "486 Busy Here");
  EXPECT_EQ(r.call_id, "c3");
  EXPECT_EQ(r.peer, "sip:bob@example.com");
}

TEST(CallBridge, EveryCallEventHasItsOwnEventName) {
  const std::pair<call::CallEventType, std::string_view> names[] = {
      {call::CallEventType::incoming, "call_incoming"},
      {call::CallEventType::ringing, "call_ringing"},
      {call::CallEventType::answered, "call_answered"},
      {call::CallEventType::updated, "call_updated"},
      {call::CallEventType::ended, "call_ended"},
  };
  for (const auto& [type, name] : names) {
    call::CallEvent e;
    e.type = type;
    EXPECT_EQ(reg::to_string(to_reg_event(e, runtime::TimePoint{}).type), name);
  }
}

}  // namespace
}  // namespace sipline::ua
