// The transaction layer: routing, absorption, strays, merged requests,
// transport errors and object lifetimes.

#include "txn/transaction_layer.hpp"

#include <memory>

#include "txn/client_invite.hpp"
#include "txn/server_invite.hpp"
#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

struct Incoming {
  TransactionId id;
  std::string method;
  Target source;
};

class LayerTest : public TxnFixture {
 protected:
  LayerTest() {
    transport.on_receive = [this](sip::Message m, const Target& s) {
      layer->on_message(std::move(m), s);
    };
    transport.on_error = [this](const Target& t, sip::TransportError e) {
      layer->on_transport_error(t, e);
    };
    layer->set_server_handler(handler());
  }

  ServerHandler handler() {
    return ServerHandler{[this](TransactionId id, const sip::Message& r, const Target& s) {
                           incoming.push_back(Incoming{id, std::string(r.method_text()), s});
                           if (on_request_hook) on_request_hook(id, r);
                         },
                         [this](const sip::Message& ack, const Target&) {
                           acks.push_back(std::string(ack.to_tag()));
                         },
                         [this](TransactionId id, EndReason reason) {
                           server_ends.emplace_back(id, reason);
                           server_end_ms.push_back(ms());
                         }};
  }

  RequestSpec spec(std::string method) {
    RequestSpec s;
    s.method = std::move(method);
    s.branch = layer->new_branch();
    return s;
  }
  TransactionId send(const sip::Message& req, const Target& target = registrar_udp) {
    auto id = layer->send_request(req, target, client_callbacks());
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    return id ? *id : TransactionId{};
  }
  // The last message handed to the transport.
  const sip::Message& last_sent() const { return transport.sent().back().message; }

  std::uint64_t counter = 0;
  std::unique_ptr<TransactionLayer> layer =
      std::make_unique<TransactionLayer>(clock, transport, [this] { return ++counter; });
  std::vector<Incoming> incoming;
  std::vector<std::pair<TransactionId, EndReason>> server_ends;
  Times server_end_ms;
  std::function<void(TransactionId, const sip::Message&)> on_request_hook;
};

TEST_F(LayerTest, BranchesCarryTheMagicCookieAndAreUnique) {
  const std::string a = layer->new_branch();
  const std::string b = layer->new_branch();
  EXPECT_EQ(a.rfind("z9hG4bK", 0), 0u);
  EXPECT_EQ(a.size(), 7u + 32u);
  EXPECT_EQ(a, "z9hG4bK00000000000000010000000000000002");  // from the injected source
  EXPECT_NE(a, b);
  EXPECT_EQ(layer->new_tag(), "0000000000000005");
}

TEST_F(LayerTest, SendRequestRefusesWhatCannotBeATransaction) {
  auto check = [&](const sip::Message& m, Errc code) {
    auto r = layer->send_request(m, registrar_udp, client_callbacks());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code);
  };
  const sip::Message ok_request = request(spec("REGISTER"));
  check(response(ok_request, 200), Errc::malformed);
  check(request(spec("ACK")), Errc::invalid_state);
  RequestSpec no_cookie = spec("REGISTER");
  no_cookie.branch = "1234";
  check(request(no_cookie), Errc::malformed);
  RequestSpec bare_cookie = spec("REGISTER");
  bare_cookie.branch = "z9hG4bK";
  check(request(bare_cookie), Errc::malformed);

  send(ok_request);
  check(ok_request, Errc::invalid_state);  // same branch and method still live

  TimerConfig bad;
  bad.t1 = 0ms;
  auto r = layer->send_request(request(spec("OPTIONS")), registrar_udp, client_callbacks(), bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::out_of_range);

  EXPECT_EQ(layer->client_count(), 1u);
  EXPECT_TRUE(ends.empty());  // refusals call nothing back
}

TEST_F(LayerTest, ResponsesReachTheirTransactionAndStraysAreDropped) {
  const sip::Message reg = request(spec("REGISTER"));
  const TransactionId id = send(reg);
  ASSERT_NE(layer->client(id), nullptr);
  EXPECT_EQ(layer->client(id)->state_name(), "Trying");

  transport.deliver(response(request(spec("REGISTER")), 200), registrar_udp);  // unknown branch
  RequestSpec other_method = spec("OPTIONS");
  other_method.branch = std::string(reg.top_via().branch);
  transport.deliver(response(request(other_method), 200),
                    registrar_udp);  // same branch, other method
  EXPECT_TRUE(responses.empty());
  EXPECT_EQ(layer->stats().stray_responses, 2u);

  transport.deliver(response(reg, 401), registrar_udp);
  EXPECT_EQ(responses, std::vector<int>{401});
  EXPECT_EQ(layer->client(id)->state_name(), "Completed");
}

TEST_F(LayerTest, CancelAndInviteShareABranchButNotATransaction) {
  RequestSpec invite_spec = spec("INVITE");
  const sip::Message invite = request(invite_spec);
  RequestSpec cancel_spec = invite_spec;
  cancel_spec.method = "CANCEL";
  const sip::Message cancel = request(cancel_spec);
  std::vector<std::string> log;
  auto cb = [&](std::string name) {
    return ClientCallbacks{[&log, name](const sip::Message& r) {
                             log.push_back(name + " " + std::to_string(r.status_code()));
                           },
                           {}};
  };
  ASSERT_TRUE(layer->send_request(invite, registrar_udp, cb("INVITE")));
  transport.deliver(response(invite, 180), registrar_udp);
  ASSERT_TRUE(layer->send_request(cancel, registrar_udp, cb("CANCEL")));
  transport.deliver(response(cancel, 200), registrar_udp);
  transport.deliver(response(invite, 487), registrar_udp);
  EXPECT_EQ(log, (std::vector<std::string>{"INVITE 180", "CANCEL 200", "INVITE 487"}));
}

TEST_F(LayerTest, NewRequestsCreateServerTransactionsAndRetransmissionsAreAbsorbed) {
  const sip::Message options = request(spec("OPTIONS"));
  transport.deliver(options, phone_udp);
  ASSERT_EQ(incoming.size(), 1u);
  EXPECT_EQ(incoming[0].method, "OPTIONS");
  EXPECT_EQ(incoming[0].source, phone_udp);
  const TransactionId id = incoming[0].id;
  ASSERT_NE(layer->server(id), nullptr);

  transport.deliver(options, phone_udp);  // before the answer: silently absorbed
  EXPECT_EQ(incoming.size(), 1u);
  EXPECT_TRUE(transport.sent().empty());

  ASSERT_TRUE(layer->respond(id, response(options, 200)));
  EXPECT_EQ(transport.sent().back().target, phone_udp);
  transport.deliver(options, phone_udp);  // after: the 200 again
  EXPECT_EQ(incoming.size(), 1u);
  EXPECT_EQ(send_times(200), (Times{0, 0}));
  EXPECT_EQ(layer->stats().absorbed_requests, 2u);

  clock.advance(100s);
  EXPECT_EQ(layer->server(id), nullptr);
  EXPECT_EQ(server_ends,
            (std::vector<std::pair<TransactionId, EndReason>>{{id, EndReason::completed}}));
  EXPECT_EQ(layer->size(), 0u);
}

TEST_F(LayerTest, RespondChecksTheTransactionAndTheResponse) {
  const sip::Message options = request(spec("OPTIONS"));
  transport.deliver(options, phone_udp);
  const TransactionId id = incoming.at(0).id;
  auto unknown = layer->respond(TransactionId{999}, response(options, 200));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  RequestSpec other = spec("OPTIONS");
  other.cseq = 9;
  auto wrong = layer->respond(id, response(request(other), 200));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::malformed);
  EXPECT_TRUE(transport.sent().empty());
}

TEST_F(LayerTest, AckForAFailureConfirmsTheInviteTransaction) {
  RequestSpec invite_spec = spec("INVITE");
  const sip::Message invite = request(invite_spec);
  transport.deliver(invite, phone_udp);
  const TransactionId id = incoming.at(0).id;
  ASSERT_TRUE(layer->respond(id, response(invite, 486, "uas-1")));
  RequestSpec ack = invite_spec;
  ack.method = "ACK";
  ack.to_tag = "uas-1";
  transport.deliver(request(ack), phone_udp);
  EXPECT_TRUE(acks.empty());  // consumed by the transaction
  EXPECT_EQ(layer->server(id)->state_name(), "Confirmed");
}

TEST_F(LayerTest, AckForA2xxBelongsToTheTu) {
  RequestSpec invite_spec = spec("INVITE");
  const sip::Message invite = request(invite_spec);
  transport.deliver(invite, phone_udp);
  const TransactionId id = incoming.at(0).id;
  ASSERT_TRUE(layer->respond(id, response(invite, 200, "uas-1")));
  // The ACK for a 2xx is its own transaction with a new branch (§13.2.2.4).
  RequestSpec ack = spec("ACK");
  ack.to_tag = "uas-1";
  transport.deliver(request(ack), phone_udp);
  EXPECT_EQ(acks, std::vector<std::string>{"uas-1"});
  EXPECT_EQ(layer->server(id)->state_name(), "Accepted");
  EXPECT_EQ(incoming.size(), 1u);  // an ACK never creates a transaction
}

TEST_F(LayerTest, Rfc2543PeersAreMatchedWithoutABranch) {
  RequestSpec old = spec("INVITE");
  old.branch = "";
  const sip::Message invite = request(old);
  transport.deliver(invite, phone_udp);
  transport.deliver(invite, phone_udp);  // retransmission
  ASSERT_EQ(incoming.size(), 1u);
  const TransactionId id = incoming[0].id;
  ASSERT_TRUE(layer->respond(id, response(invite, 404, "uas-7")));

  RequestSpec wrong_ack = old;
  wrong_ack.method = "ACK";
  wrong_ack.to_tag = "someone-else";
  transport.deliver(request(wrong_ack), phone_udp);
  EXPECT_EQ(acks, std::vector<std::string>{"someone-else"});  // not ours: up to the TU
  EXPECT_EQ(layer->server(id)->state_name(), "Completed");

  RequestSpec ack = old;
  ack.method = "ACK";
  ack.to_tag = "uas-7";
  transport.deliver(request(ack), phone_udp);
  EXPECT_EQ(layer->server(id)->state_name(), "Confirmed");
}

TEST_F(LayerTest, MergedRequestGets482AndNeverReachesTheTu) {
  on_request_hook = [&](TransactionId id, const sip::Message& r) {
    EXPECT_TRUE(layer->respond(id, response(r, 486)));
  };
  RequestSpec first = spec("INVITE");
  transport.deliver(request(first), phone_udp);
  ASSERT_EQ(incoming.size(), 1u);

  RequestSpec second = first;  // the same request, forked back to us by a proxy
  second.branch = layer->new_branch();
  second.sent_by = "203.0.113.5:5060";
  const Target proxy{TransportKind::udp, "203.0.113.5", 5060};
  transport.deliver(request(second), proxy);
  EXPECT_EQ(incoming.size(), 1u);
  EXPECT_EQ(layer->stats().merged_requests, 1u);
  ASSERT_EQ(send_times(482), Times{0});
  EXPECT_EQ(last_sent().status_code(), 482);
  EXPECT_EQ(transport.sent().back().target, proxy);
  EXPECT_FALSE(last_sent().to_tag().empty());

  transport.deliver(request(second), proxy);  // its retransmission: 482 again
  EXPECT_EQ(send_times(482), (Times{0, 0}));
  EXPECT_EQ(layer->stats().merged_requests, 1u);

  RequestSpec in_dialog = second;  // with a To tag it is not checked
  in_dialog.branch = layer->new_branch();
  in_dialog.to_tag = "dialog";
  transport.deliver(request(in_dialog), proxy);
  EXPECT_EQ(incoming.size(), 2u);

  clock.advance(100s);
  EXPECT_EQ(server_ends.size(), 2u);  // only the two the TU knew about
}

TEST_F(LayerTest, FindInviteLocatesTheTransactionACancelTargets) {
  RequestSpec invite = spec("INVITE");
  transport.deliver(request(invite), phone_udp);
  const TransactionId invite_id = incoming.at(0).id;
  RequestSpec cancel = invite;
  cancel.method = "CANCEL";
  transport.deliver(request(cancel), phone_udp);
  ASSERT_EQ(incoming.size(), 2u);
  EXPECT_EQ(incoming[1].method, "CANCEL");
  EXPECT_NE(incoming[1].id, invite_id);
  EXPECT_EQ(layer->find_invite(request(cancel)), invite_id);
  RequestSpec stray = cancel;
  stray.branch = layer->new_branch();
  EXPECT_EQ(layer->find_invite(request(stray)), std::nullopt);
}

TEST_F(LayerTest, ResponsesFollowRport) {
  RequestSpec with_rport = spec("OPTIONS");
  with_rport.rport = true;
  with_rport.sent_by = "10.1.1.1:5060";
  const Target nat{TransportKind::udp, "203.0.113.77", 31000};
  transport.deliver(request(with_rport), nat);
  ASSERT_TRUE(layer->respond(incoming.at(0).id, response(request(with_rport), 200)));
  EXPECT_EQ(transport.sent().back().target, nat);
  EXPECT_EQ(layer->server(incoming.at(0).id)->response_target(), nat);
}

TEST_F(LayerTest, AsyncTransportErrorEndsTheTransactionsSendingThere) {
  transport.refuse(registrar_udp, sip::TransportError::refused, FakeTransport::Mode::asynchronous);
  const TransactionId a = send(request(spec("REGISTER")), registrar_udp);
  const TransactionId b = send(request(spec("OPTIONS")), registrar_tcp);
  EXPECT_TRUE(ends.empty());
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::refused});
  EXPECT_EQ(layer->client(a), nullptr);
  EXPECT_NE(layer->client(b), nullptr);
  EXPECT_EQ(layer->size(), 1u);
}

TEST_F(LayerTest, SynchronousRefusalEndsOnTheNextTurnAndIsNotA503) {
  transport.refuse(registrar_tcp, sip::TransportError::refused);
  const TransactionId id = send(request(spec("REGISTER")), registrar_tcp);
  EXPECT_NE(layer->client(id), nullptr);
  clock.run_due();
  EXPECT_TRUE(responses.empty());  // no synthesised response
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::refused});
  EXPECT_EQ(layer->size(), 0u);
}

TEST_F(LayerTest, ServerTransactionsSeeErrorsForTheirResponseTarget) {
  const sip::Message options = request(spec("OPTIONS"));
  transport.deliver(options, phone_tcp);
  const TransactionId id = incoming.at(0).id;
  ASSERT_TRUE(layer->respond(id, response(options, 100)));
  layer->on_transport_error(phone_tcp, sip::TransportError::reset);
  EXPECT_EQ(server_ends,
            (std::vector<std::pair<TransactionId, EndReason>>{{id, EndReason::reset}}));
  EXPECT_EQ(layer->size(), 0u);
  EXPECT_FALSE(layer->respond(id, response(options, 200)));
}

TEST_F(LayerTest, KeysAreFreeAgainInsideOnTerminated) {
  // A TU that retries with the very same request when the first attempt
  // times out: the old transaction must be unlinked before it is told.
  const sip::Message reg = request(spec("REGISTER"));
  int attempts = 0;
  std::function<void(EndReason)> retry = [&](EndReason) {
    if (++attempts < 3) {
      auto r = layer->send_request(reg, registrar_tcp, ClientCallbacks{{}, retry});
      EXPECT_TRUE(r);
    }
  };
  ASSERT_TRUE(layer->send_request(reg, registrar_tcp, ClientCallbacks{{}, retry}));
  clock.advance(200s);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(send_times(), (Times{0, 32000, 64000}));
  EXPECT_EQ(layer->size(), 0u);
}

TEST_F(LayerTest, TuMayCallBackIntoTheLayerFromEveryCallback) {
  // 401 → resend with credentials from inside on_response; the server side
  // answers from inside on_request.
  on_request_hook = [&](TransactionId id, const sip::Message& r) {
    EXPECT_TRUE(layer->respond(id, response(r, 200)));
  };
  const sip::Message first = request(spec("REGISTER"));
  std::optional<TransactionId> second;
  ClientCallbacks cb{[&](const sip::Message& r) {
                       responses.push_back(r.status_code());
                       if (r.status_code() == 401) {
                         RequestSpec s = spec("REGISTER");
                         s.cseq = 2;
                         second =
                             *layer->send_request(request(s), registrar_udp, client_callbacks());
                       }
                     },
                     {}};
  ASSERT_TRUE(layer->send_request(first, registrar_udp, cb));
  transport.deliver(response(first, 401), registrar_udp);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(layer->client_count(), 2u);
  transport.deliver(request(spec("OPTIONS")), phone_udp);
  EXPECT_EQ(send_times(200), Times{0});
  EXPECT_TRUE(clock.run_until_idle());
  EXPECT_EQ(layer->size(), 0u);
}

TEST_F(LayerTest, EndedTransactionsAreGoneWhenTheCallReturns) {
  const sip::Message reg = request(spec("REGISTER"));
  const TransactionId id = send(reg, registrar_tcp);
  transport.deliver(response(reg, 200), registrar_tcp);
  EXPECT_NE(layer->client(id), nullptr);  // Completed until Timer K (zero) runs
  clock.run_due();
  EXPECT_EQ(layer->client(id), nullptr);
  EXPECT_EQ(layer->size(), 0u);
  transport.deliver(response(reg, 200), registrar_tcp);  // now a stray
  EXPECT_EQ(layer->stats().stray_responses, 1u);
}

TEST_F(LayerTest, AbandonRemovesAStuckInviteSilently) {
  const sip::Message invite = request(spec("INVITE"));
  const TransactionId id = send(invite);
  transport.deliver(response(invite, 180), registrar_udp);
  clock.advance(1h);  // Proceeding never ends by itself (§17.1.1.2)
  EXPECT_NE(layer->client(id), nullptr);
  ASSERT_TRUE(layer->abandon(id));
  EXPECT_EQ(layer->client(id), nullptr);
  EXPECT_EQ(layer->size(), 0u);
  EXPECT_TRUE(ends.empty());
  EXPECT_EQ(clock.pending_count(), 0u);
  auto again = layer->abandon(id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::not_found);
  transport.deliver(response(invite, 487), registrar_udp);
  EXPECT_EQ(responses, std::vector<int>{180});
}

TEST_F(LayerTest, AbandonFromInsideTheTransactionsOwnCallbackIsSafe) {
  const sip::Message invite = request(spec("INVITE"));
  TransactionId id{};
  ClientCallbacks cb{[&](const sip::Message&) { EXPECT_TRUE(layer->abandon(id)); }, {}};
  id = *layer->send_request(invite, registrar_udp, cb);
  transport.deliver(response(invite, 486), registrar_udp);  // abandons while sending the ACK
  EXPECT_EQ(layer->size(), 0u);
  EXPECT_EQ(send_times("ACK"), Times{0});
  clock.advance(1h);
  EXPECT_EQ(clock.pending_count(), 0u);
}

TEST_F(LayerTest, DestroyingTheLayerCallsNothingBack) {
  send(request(spec("INVITE")));
  send(request(spec("REGISTER")));
  transport.deliver(request(spec("OPTIONS")), phone_udp);
  EXPECT_EQ(layer->size(), 3u);
  layer.reset();
  clock.advance(100s);
  EXPECT_TRUE(ends.empty());
  EXPECT_TRUE(server_ends.empty());
  EXPECT_EQ(clock.pending_count(), 0u);
}

TEST_F(LayerTest, TableIsBounded) {
  LayerConfig config;
  config.max_transactions = 2;
  layer = std::make_unique<TransactionLayer>(
      clock, transport, [this] { return ++counter; }, config);
  layer->set_server_handler(handler());
  send(request(spec("REGISTER")));
  transport.deliver(request(spec("OPTIONS")), phone_udp);
  transport.deliver(request(spec("OPTIONS")), phone_udp);
  EXPECT_EQ(incoming.size(), 1u);
  EXPECT_EQ(layer->stats().dropped_requests, 1u);
  auto r = layer->send_request(request(spec("REGISTER")), registrar_udp, client_callbacks());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST_F(LayerTest, LayerTimersApplyToClientsWithoutTheirOwn) {
  LayerConfig config;
  config.timers.retransmit_budget = 3;
  layer = std::make_unique<TransactionLayer>(
      clock, transport, [this] { return ++counter; }, config);
  send(request(spec("REGISTER")));
  clock.advance(60s);
  EXPECT_EQ(send_times(), (Times{0, 500, 1500, 3500}));
  EXPECT_EQ(end_ms, Times{7500});
}

TEST_F(LayerTest, UnusableLayerTimersFallBackToTheDefaults) {
  LayerConfig config;
  config.timers.t1 = 0ms;
  layer = std::make_unique<TransactionLayer>(
      clock, transport, [this] { return ++counter; }, config);
  layer->set_server_handler(handler());
  const sip::Message options = request(spec("OPTIONS"));
  transport.deliver(options, phone_udp);
  ASSERT_TRUE(layer->respond(incoming.at(0).id, response(options, 200)));
  clock.advance(100s);
  EXPECT_EQ(server_end_ms, Times{32000});  // Timer J with the default T1
}

TEST_F(LayerTest, WithoutAServerHandlerRequestsAreDropped) {
  layer->set_server_handler({});
  transport.deliver(request(spec("OPTIONS")), phone_udp);
  EXPECT_EQ(layer->size(), 0u);
  EXPECT_EQ(layer->stats().dropped_requests, 1u);
}

// Two layers talking through lossy fake transports: a UAC registering with a
// UAS whose first answer is lost.
TEST(LayerPair, RetransmissionRecoversFromLossAndDuplicatesAreAbsorbed) {
  ManualClock clock;
  FakeTransport uac_net(clock), uas_net(clock);
  std::uint64_t n = 0;
  TransactionLayer uac(clock, uac_net, [&] { return ++n; });
  TransactionLayer uas(clock, uas_net, [&] { return ++n; });
  const Target uac_addr{TransportKind::udp, "198.51.100.7", 5062};
  const Target uas_addr{TransportKind::udp, "192.0.2.1", 5060};
  uac_net.on_wire = [&](const FakeTransport::Delivery& d) { uas_net.deliver(d.bytes, uac_addr); };
  uas_net.on_wire = [&](const FakeTransport::Delivery& d) { uac_net.deliver(d.bytes, uas_addr); };
  uac_net.on_receive = [&](sip::Message m, const Target& s) { uac.on_message(std::move(m), s); };
  uas_net.on_receive = [&](sip::Message m, const Target& s) { uas.on_message(std::move(m), s); };
  int requests_seen = 0;
  uas.set_server_handler(ServerHandler{[&](TransactionId id, const sip::Message& r, const Target&) {
                                         ++requests_seen;
                                         EXPECT_TRUE(uas.respond(id, response(r, 200)));
                                       },
                                       {},
                                       {}});
  std::vector<int> codes;
  EndReason end = EndReason::timeout;
  RequestSpec s;
  s.branch = uac.new_branch();
  uac_net.duplicate_next();  // the first REGISTER arrives twice...
  uas_net.drop_next(2);      // ...and both 200s answering it are lost
  uac_net.delay(50ms);
  ASSERT_TRUE(uac.send_request(
      request(s), uas_addr,
      ClientCallbacks{[&](const sip::Message& r) { codes.push_back(r.status_code()); },
                      [&](EndReason e) { end = e; }}));
  EXPECT_TRUE(clock.run_until_idle());
  EXPECT_EQ(requests_seen, 1);
  EXPECT_EQ(codes, std::vector<int>{200});
  EXPECT_EQ(end, EndReason::completed);
  EXPECT_EQ(uac_net.sent().size(), 2u);  // the REGISTER and one retransmission
  EXPECT_EQ(uas_net.sent().size(), 3u);  // 200, again for the copy, again for the retransmission
  EXPECT_EQ(uas.stats().absorbed_requests, 2u);
  EXPECT_EQ(uac.size(), 0u);
  EXPECT_EQ(uas.size(), 0u);
}

}  // namespace
}  // namespace sipline::txn::test
