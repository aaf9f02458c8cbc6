// Matching keys (RFC 3261 §17.1.3, §17.2.3), merged requests (§8.2.2.2),
// response destinations (§18.2.2, RFC 3581) and timer values.

#include "txn/matching.hpp"

#include "txn/timer_config.hpp"
#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

TEST(ClientKey, ResponseMatchesTheRequestByBranchAndCSeqMethod) {
  const sip::Message invite = request("INVITE", "z9hG4bK-a");
  EXPECT_EQ(client_key_of_response(response(invite, 180)), client_key_of_request(invite));
  // A CANCEL shares the INVITE's branch (§9.1) but not its key.
  const sip::Message cancel = request("CANCEL", "z9hG4bK-a");
  EXPECT_NE(client_key_of_request(cancel), client_key_of_request(invite));
  EXPECT_EQ(client_key_of_response(response(cancel, 200)), client_key_of_request(cancel));
  // Another branch, same method: another transaction.
  EXPECT_NE(client_key_of_request(request("INVITE", "z9hG4bK-b")), client_key_of_request(invite));
}

TEST(ClientKey, FieldsCannotBleedIntoEachOther) {
  EXPECT_NE(client_key("z9hG4bKab", "c"), client_key("z9hG4bKa", "bc"));
}

TEST(ServerMatch, Rfc3261KeyIsBranchSentByAndMethod) {
  RequestSpec spec;
  spec.method = "OPTIONS";
  const ServerMatch base = server_match(request(spec));
  EXPECT_FALSE(base.rfc2543);

  RequestSpec other_branch = spec;
  other_branch.branch = "z9hG4bK-second";
  EXPECT_NE(server_match(request(other_branch)).key, base.key);

  RequestSpec other_sent_by = spec;
  other_sent_by.sent_by = "198.51.100.8:5062";
  EXPECT_NE(server_match(request(other_sent_by)).key, base.key);

  RequestSpec other_port = spec;
  other_port.sent_by = "198.51.100.7";
  EXPECT_NE(server_match(request(other_port)).key, base.key);

  RequestSpec other_method = spec;
  other_method.method = "CANCEL";
  EXPECT_NE(server_match(request(other_method)).key, base.key);

  // Fields outside the key do not matter for RFC 3261 peers.
  RequestSpec other_call = spec;
  other_call.call_id = "different";
  other_call.from_tag = "different";
  EXPECT_EQ(server_match(request(other_call)).key, base.key);
}

TEST(ServerMatch, SentByHostIsCaseInsensitive) {
  RequestSpec lower;
  lower.sent_by = "phone.example.com:5062";
  RequestSpec upper = lower;
  upper.sent_by = "PHONE.Example.COM:5062";
  EXPECT_EQ(server_match(request(lower)).key, server_match(request(upper)).key);
}

TEST(ServerMatch, AckIsKeyedAsItsInvite) {
  RequestSpec invite;
  invite.method = "INVITE";
  RequestSpec ack = invite;
  ack.method = "ACK";
  ack.to_tag = "uas-1";
  EXPECT_EQ(server_match(request(ack)).key, server_match(request(invite)).key);
}

TEST(ServerMatch, CancelFindsItsInviteWithAMethodOverride) {
  RequestSpec invite;
  invite.method = "INVITE";
  RequestSpec cancel = invite;
  cancel.method = "CANCEL";
  EXPECT_EQ(server_match(request(cancel), "INVITE").key, server_match(request(invite)).key);
}

TEST(ServerMatch, Rfc2543FallbackUsesTheWholeRequestIdentity) {
  RequestSpec spec;
  spec.method = "INVITE";
  spec.branch = "";  // an RFC 2543 peer
  const ServerMatch base = server_match(request(spec));
  EXPECT_TRUE(base.rfc2543);

  RequestSpec old_branch = spec;
  old_branch.branch = "1234";  // a branch without the cookie is no better
  EXPECT_TRUE(server_match(request(old_branch)).rfc2543);

  for (auto change :
       {+[](RequestSpec& s) { s.uri = "sip:carol@example.com"; },
        +[](RequestSpec& s) { s.from_tag = "other"; }, +[](RequestSpec& s) { s.call_id = "other"; },
        +[](RequestSpec& s) { s.cseq = 2; },
        +[](RequestSpec& s) { s.sent_by = "198.51.100.7:5070"; }}) {
    RequestSpec changed = spec;
    change(changed);
    EXPECT_NE(server_match(request(changed)).key, base.key);
  }
  // The ACK for a non-2xx has the INVITE's identity with CSeq method ACK.
  RequestSpec ack = spec;
  ack.method = "ACK";
  ack.to_tag = "uas-1";
  EXPECT_EQ(server_match(request(ack)).key, base.key);
}

TEST(MergeKey, FromTagCallIdAndCSeqWithoutATag) {
  RequestSpec first;
  first.method = "INVITE";
  RequestSpec second = first;
  second.branch = "z9hG4bK-other-path";
  second.sent_by = "203.0.113.5:5060";
  EXPECT_FALSE(merge_key(request(first)).empty());
  EXPECT_EQ(merge_key(request(first)), merge_key(request(second)));

  RequestSpec next_cseq = first;
  next_cseq.cseq = 2;
  EXPECT_NE(merge_key(request(next_cseq)), merge_key(request(first)));

  RequestSpec cancel = first;
  cancel.method = "CANCEL";
  EXPECT_NE(merge_key(request(cancel)), merge_key(request(first)));
}

TEST(MergeKey, NotCheckedInDialogWithoutFromTagOrForAck) {
  RequestSpec in_dialog;
  in_dialog.to_tag = "uas-1";
  EXPECT_TRUE(merge_key(request(in_dialog)).empty());
  RequestSpec no_from_tag;
  no_from_tag.from_tag = "";
  EXPECT_TRUE(merge_key(request(no_from_tag)).empty());
  RequestSpec ack;
  ack.method = "ACK";
  EXPECT_TRUE(merge_key(request(ack)).empty());
}

TEST(ResponseTarget, UdpGoesToTheSourceAddressAtTheSentByPort) {
  RequestSpec spec;
  spec.sent_by = "10.0.0.5:5070";  // a private address behind NAT
  const Target source{TransportKind::udp, "203.0.113.9", 40123};
  const Target t = response_target(request(spec), source);
  EXPECT_EQ(t, (Target{TransportKind::udp, "203.0.113.9", 5070}));
  spec.sent_by = "10.0.0.5";
  EXPECT_EQ(response_target(request(spec), source).port, 5060);
}

TEST(ResponseTarget, UdpWithRportGoesBackToTheSourcePort) {
  RequestSpec spec;
  spec.sent_by = "10.0.0.5:5070";
  spec.rport = true;
  const Target source{TransportKind::udp, "203.0.113.9", 40123};
  EXPECT_EQ(response_target(request(spec), source), source);
}

TEST(ResponseTarget, ReliableTransportsAnswerOnTheConnection) {
  RequestSpec spec;
  spec.transport = "TCP";
  spec.sent_by = "10.0.0.5:5070";
  EXPECT_EQ(response_target(request(spec), phone_tcp), phone_tcp);
}

TEST(TimerConfig, DerivedValuesFollowTable4) {
  const TimerConfig c;
  EXPECT_EQ(c.timer_a(), 500ms);
  EXPECT_EQ(c.timer_b(), 32s);
  EXPECT_EQ(c.timer_d(false), 32s);
  EXPECT_EQ(c.timer_d(true), 0s);
  EXPECT_EQ(c.timer_e(), 500ms);
  EXPECT_EQ(c.timer_f(), 32s);
  EXPECT_EQ(c.timer_g(), 500ms);
  EXPECT_EQ(c.timer_h(), 32s);
  EXPECT_EQ(c.timer_i(false), 5s);
  EXPECT_EQ(c.timer_i(true), 0s);
  EXPECT_EQ(c.timer_j(false), 32s);
  EXPECT_EQ(c.timer_j(true), 0s);
  EXPECT_EQ(c.timer_k(false), 5s);
  EXPECT_EQ(c.timer_k(true), 0s);
  EXPECT_EQ(c.timer_l(), 32s);
  EXPECT_EQ(c.timer_m(), 32s);
}

TEST(TimerConfig, ScalesWithT1) {
  TimerConfig c;
  c.t1 = 1s;
  c.t2 = 8s;
  EXPECT_EQ(c.timer_b(), 64s);
  EXPECT_EQ(c.timer_f(), 64s);
  EXPECT_EQ(c.timer_j(false), 64s);
  EXPECT_EQ(next_interval(4s, c, true), 8s);
  EXPECT_EQ(next_interval(8s, c, true), 8s);
  EXPECT_EQ(next_interval(8s, c, false), 16s);
}

TEST(TimerConfig, ValidationRejectsUnusableValues) {
  EXPECT_TRUE(TimerConfig{}.validate());
  TimerConfig zero_t1;
  zero_t1.t1 = 0s;
  EXPECT_FALSE(zero_t1.validate());
  TimerConfig small_t2;
  small_t2.t2 = 100ms;
  EXPECT_FALSE(small_t2.validate());
  TimerConfig negative_t4;
  negative_t4.t4 = -1s;
  EXPECT_FALSE(negative_t4.validate());
  TimerConfig huge;
  huge.t1 = std::chrono::hours(2);
  huge.t2 = std::chrono::hours(2);
  EXPECT_FALSE(huge.validate());
  TimerConfig budget;
  budget.retransmit_budget = 20;
  EXPECT_TRUE(budget.validate());
  budget.retransmit_budget = 21;
  auto r = budget.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::out_of_range);
}

}  // namespace
}  // namespace sipline::txn::test
