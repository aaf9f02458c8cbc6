// RegistrationClient scenarios, part 2: NAT rewrite, failures, stop(),
// abandon() and re-entrant event handlers.

#include "client_fixture.hpp"

namespace sipline::reg::testing {
namespace {

using Kind = ClientEvent::Kind;

// ---------------------------------------------------------------------------
// RFC 3581: the registrar saw us at another address

TEST_F(ClientTest, NatAddressIsRegisteredOnceAndTheOldContactRemoved) {
  config.instance_id = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
  server().source("203.0.113.7", 40000);
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_TRUE(events.empty()) << "registered only once the reachable Contact is bound";
  auto c = contacts(request(1));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].address.uri.raw, "sip:alice@203.0.113.7:40000");
  EXPECT_EQ(c[0].expires(), 3600u);
  EXPECT_TRUE(c[0].instance().has_value());
  EXPECT_EQ(c[1].address.uri.raw, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(c[1].expires(), 0u);
  EXPECT_FALSE(c[1].instance().has_value());
  EXPECT_EQ(request(1).from_tag(), request(0).from_tag());

  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);
  ASSERT_EQ(server().bindings().size(), 1u);
  EXPECT_EQ(server().bindings()[0].contact, "sip:alice@203.0.113.7:40000");

  // The refresh uses the rewritten Contact and causes nothing more.
  run_for(3600s);
  ASSERT_EQ(sent().size(), 3u);
  EXPECT_EQ(contact_uri_of(request(2)), "sip:alice@203.0.113.7:40000");
  EXPECT_EQ(contacts(request(2)).size(), 1u);
  EXPECT_EQ(count(Kind::registered), 2u);

  // Unregistering removes the rewritten Contact.
  client->stop();
  run_for(10ms);
  EXPECT_EQ(contact_uri_of(last_request()), "sip:alice@203.0.113.7:40000");
  EXPECT_TRUE(server().bindings().empty());
}

TEST_F(ClientTest, FailedNatRewriteRetiresTheOldContactOnTheNextAttempt) {
  server().source("203.0.113.7", 40000).next(Reply::ok()).next(Reply::refuse());
  make();
  client->start();
  run_for(11ms);  // 200 from behind the NAT, then the rewrite is refused
  ASSERT_EQ(sent().size(), 2u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::refused);
  ASSERT_EQ(server().bindings().size(), 1u);
  EXPECT_EQ(server().bindings()[0].contact, "sip:alice@192.0.2.10:5060");

  client->start();
  run_for(10ms);
  auto c = contacts(request(2));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].address.uri.raw, "sip:alice@203.0.113.7:40000");
  EXPECT_EQ(c[1].address.uri.raw, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(c[1].expires(), 0u);
  EXPECT_EQ(client->state(), ClientState::registered);
  ASSERT_EQ(server().bindings().size(), 1u);
  EXPECT_EQ(server().bindings()[0].contact, "sip:alice@203.0.113.7:40000");

  client->refresh_now();  // confirmed removed: not retired again
  EXPECT_EQ(contacts(last_request()).size(), 1u);
}

TEST_F(ClientTest, NatRewritesAreCappedPerBinding) {
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(sent().size(), 1u);
  // The NAT mapping changes before every refresh: at most four rewrites.
  for (int i = 0; i < 8; ++i) {
    server().source("203.0.113." + std::to_string(i + 1), static_cast<std::uint16_t>(40000 + i));
    client->refresh_now();
    run_for(30ms);
    ASSERT_EQ(client->state(), ClientState::registered);
  }
  EXPECT_EQ(sent().size(), 1u + 8u + 4u);
  EXPECT_EQ(contact_uri_of(last_request()), "sip:alice@203.0.113.4:40003");
}

TEST_F(ClientTest, NatRewriteCanBeSwitchedOff) {
  config.rewrite_contact_on_nat = false;
  server().source("203.0.113.7", 40000);
  make();
  client->start();
  run_for(1s);
  EXPECT_EQ(sent().size(), 1u);
  EXPECT_EQ(client->state(), ClientState::registered);
}

// ---------------------------------------------------------------------------
// Failures: the mechanism reports, the policy decides

struct TransportCase {
  sip::TransportError error;
  FailureKind expected;
};

class TransportFailureTest : public ClientTest,
                             public ::testing::WithParamInterface<TransportCase> {};

TEST_P(TransportFailureTest, IsReportedWithItsKind) {
  server().refuse(GetParam().error);
  make();
  client->start();
  run_for(1ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  EXPECT_EQ(events[0].failure, GetParam().expected);
  EXPECT_EQ(events[0].status_code, 0);
  EXPECT_EQ(client->state(), ClientState::failed);
  run_for(1h);
  EXPECT_EQ(sent().size(), 1u) << "no retry of its own";
}

INSTANTIATE_TEST_SUITE_P(
    Errors, TransportFailureTest,
    ::testing::Values(TransportCase{sip::TransportError::refused, FailureKind::refused},
                      TransportCase{sip::TransportError::reset, FailureKind::connection_reset},
                      TransportCase{sip::TransportError::tls_failure, FailureKind::tls_failure},
                      TransportCase{sip::TransportError::unreachable, FailureKind::unreachable},
                      TransportCase{sip::TransportError::timeout, FailureKind::timeout}));

TEST_F(ClientTest, UnansweredRequestTimesOutWhenTheTransactionGivesUp) {
  server().blackhole();
  make();
  client->start();
  const runtime::Duration budget =
      transaction_timeout(txn::TimerConfig{}, sip::TransportKind::udp, config.retransmit_budget);
  clock.advance(budget - 1ns);
  EXPECT_TRUE(events.empty());
  clock.advance(1ns);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::timeout);
  EXPECT_NE(events[0].reason.find("3 retransmissions"), std::string::npos) << events[0].reason;
}

TEST_F(ClientTest, ServiceUnavailableCarriesRetryAfter) {
  server().unavailable(120);
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::service_unavailable);
  EXPECT_EQ(events[0].status_code, 503);
  EXPECT_EQ(events[0].retry_after, 120u);
  EXPECT_NE(events[0].reason.find("Retry-After 120"), std::string::npos) << events[0].reason;

  server().unavailable(4294967295U);  // capped, so a target is not parked for ever
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].retry_after, 3600u);

  server().respond(500);
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].failure, FailureKind::server_error);
  EXPECT_EQ(events[2].retry_after, 0u);
}

TEST_F(ClientTest, FailedRefreshKeepsExpiresAtAndTheSameBinding) {
  make();
  client->start();
  run_for(10ms);
  const auto expires_at = client->expires_at();
  ASSERT_TRUE(expires_at.has_value());

  server().blackhole();
  run_for(3540s + 8s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::failed);
  EXPECT_TRUE(events[1].refresh);
  EXPECT_EQ(events[1].failure, FailureKind::timeout);
  EXPECT_EQ(client->state(), ClientState::failed);
  EXPECT_EQ(client->expires_at(), expires_at);
  EXPECT_FALSE(client->next_refresh().has_value());
  run_for(1h);
  EXPECT_EQ(sent().size(), 2u) << "a failed client waits for the policy";

  server().answer_ok();
  client->start();
  run_for(10ms);
  EXPECT_EQ(client->state(), ClientState::registered);
  EXPECT_EQ(request(2).from_tag(), request(0).from_tag());
  EXPECT_EQ(contact_uri_of(request(2)), contact_uri_of(request(0)));
}

// ---------------------------------------------------------------------------
// stop(): RFC 3261 §10.2.2

TEST_F(ClientTest, StopRemovesOnlyOurContact) {
  // Another device of the same AOR at the same registrar.
  BindingConfig other = config;
  other.contact_user = "alice-desk";
  other.call_id = "other-device@sipline";
  RegistrationClient desk(
      other, digest(), registrar, clock, [] { return 0.0; }, nullptr);
  desk.start();
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(server().bindings().size(), 2u);

  client->stop();
  EXPECT_EQ(client->state(), ClientState::unregistering);
  EXPECT_FALSE(client->next_refresh().has_value());
  const sip::Message& r = last_request();
  EXPECT_EQ(value(r, sip::HeaderId::expires), "0");
  auto c = contacts(r);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].star);
  EXPECT_EQ(c[0].address.uri.raw, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(c[0].expires(), 0u);

  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_EQ(events[1].failure, FailureKind::none);
  EXPECT_EQ(client->state(), ClientState::idle);
  EXPECT_FALSE(client->expires_at().has_value());
  ASSERT_EQ(server().bindings().size(), 1u);
  EXPECT_EQ(server().bindings()[0].contact, "sip:alice-desk@192.0.2.10:5060");
  run_for(2h);
  EXPECT_EQ(events.size(), 2u) << "no refresh after stop";
}

TEST_F(ClientTest, UnregisterIsAuthenticatedLikeTheRegister) {
  server().require_digest(account());
  make();
  client->start();
  run_for(20ms);
  client->stop();
  run_for(10ms);
  EXPECT_TRUE(last_request().header(sip::HeaderId::authorization).has_value());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_EQ(server().challenges_sent(), 1u);
  EXPECT_TRUE(server().bindings().empty());
}

TEST_F(ClientTest, FailedUnregisterStillEndsIdle) {
  make();
  client->start();
  run_for(10ms);
  server().refuse();
  client->stop();
  run_for(1ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_EQ(events[1].failure, FailureKind::refused);
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, StopWhileTheFirstRegisterIsInFlightUnregistersAfterIt) {
  make();
  client->start();
  client->stop();
  EXPECT_EQ(client->state(), ClientState::registering);
  run_for(10ms);  // the 200 arrives: the binding exists, so remove it
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(value(request(1), sip::HeaderId::expires), "0");
  EXPECT_TRUE(events.empty()) << "no registered event for a binding being removed";
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::unregistered);
  EXPECT_TRUE(server().bindings().empty());
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, StopWhileAFailingRegisterIsInFlightSendsNothingMore) {
  server().refuse();
  make();
  client->start();
  client->stop();
  run_for(1h);
  EXPECT_EQ(sent().size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::unregistered);
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, StartAfterStopInFlightCancelsTheStop) {
  make();
  client->start();
  client->stop();
  client->start();
  run_for(1h);
  EXPECT_EQ(client->state(), ClientState::registered);
  EXPECT_EQ(count(Kind::unregistered), 0u);
}

TEST_F(ClientTest, StopDuringAChallengedRefreshUnregistersWithTheAnswer) {
  server().require_digest(account());
  make();
  client->start();
  run_for(20ms);
  server().expire_nonce();
  client->refresh_now();
  client->stop();
  run_for(10ms);  // 401 stale=true: answered by the unregister itself
  ASSERT_EQ(sent().size(), 4u);
  EXPECT_EQ(value(request(3), sip::HeaderId::expires), "0");
  EXPECT_TRUE(request(3).header(sip::HeaderId::authorization).has_value());
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_EQ(events[1].failure, FailureKind::none);
  EXPECT_TRUE(server().bindings().empty());
}

TEST_F(ClientTest, StopDuringARefreshThatTimesOutStillTriesToUnregister) {
  make();
  client->start();
  run_for(10ms);
  server().blackhole();
  client->refresh_now();
  client->stop();
  run_for(8s);  // the binding may still exist: try to remove it
  ASSERT_EQ(sent().size(), 3u);
  EXPECT_EQ(value(request(2), sip::HeaderId::expires), "0");
  EXPECT_EQ(events.size(), 1u);
  run_for(8s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_EQ(events[1].failure, FailureKind::timeout);
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, StopWhenFailedWithoutABindingGoesIdleSilently) {
  server().refuse();
  make();
  client->start();
  run_for(1ms);
  client->stop();
  EXPECT_EQ(client->state(), ClientState::idle);
  run_for(1h);
  EXPECT_EQ(sent().size(), 1u);
  EXPECT_EQ(events.size(), 1u);
}

TEST_F(ClientTest, StopWhenFailedWithALiveBindingUnregisters) {
  make();
  client->start();
  run_for(10ms);
  server().refuse();
  client->refresh_now();
  run_for(1ms);
  ASSERT_EQ(client->state(), ClientState::failed);
  server().answer_ok();
  client->stop();
  EXPECT_EQ(client->state(), ClientState::unregistering);
  run_for(10ms);
  EXPECT_EQ(value(last_request(), sip::HeaderId::expires), "0");
  EXPECT_EQ(events.back().kind, Kind::unregistered);
}

TEST_F(ClientTest, StartWhileUnregisteringRegistersAfresh) {
  make();
  client->start();
  run_for(10ms);
  client->stop();
  client->start();
  EXPECT_EQ(client->state(), ClientState::unregistering);
  EXPECT_EQ(sent().size(), 2u);
  run_for(10ms);  // the unregister completes, then a new binding starts
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  ASSERT_EQ(sent().size(), 3u);
  EXPECT_NE(request(2).from_tag(), request(0).from_tag());
  EXPECT_EQ(value(request(2), sip::HeaderId::expires), "3600");
  run_for(10ms);
  EXPECT_EQ(events.back().kind, Kind::registered);
  EXPECT_EQ(client->state(), ClientState::registered);
}

TEST_F(ClientTest, StopCancelsAStartQueuedWhileUnregistering) {
  make();
  client->start();
  run_for(10ms);
  client->stop();
  client->start();
  client->stop();
  run_for(1h);
  EXPECT_EQ(sent().size(), 2u);
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, PasswordInTheAorIsRefusedWithoutBeingRepeated) {
  config.aor = "sip:alice:" + std::string(kPassword) + "@sipline.test";
  make();
  client->start();
  clock.run_due();
  EXPECT_TRUE(sent().empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  expect_no_password_in_events();
}

// ---------------------------------------------------------------------------
// abandon(): the server is known dead, forget it

TEST_F(ClientTest, AbandonSilencesARequestInFlight) {
  registrar.deliver_after_abandon(true);  // even a sloppy stack's late answer
  make();
  client->start();
  client->abandon();
  EXPECT_EQ(client->state(), ClientState::idle);
  run_for(1h);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(sent().size(), 1u);
  EXPECT_EQ(client->state(), ClientState::idle);
}

TEST_F(ClientTest, AbandonSilencesTheRefreshTimer) {
  make();
  client->start();
  run_for(10ms);
  client->abandon();
  EXPECT_FALSE(client->expires_at().has_value());
  run_for(3h);
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(sent().size(), 1u);
}

TEST_F(ClientTest, AbandonSilencesAPendingConfigurationError) {
  config.aor = "tel:+15551234";
  make();
  client->start();
  client->abandon();
  run_for(1s);
  EXPECT_TRUE(events.empty());
}

TEST_F(ClientTest, StartAfterAbandonIsANewBindingWithNewCredentialsState) {
  // A new nonce per challenge: the forgotten client starts again at nc=1.
  server().require_digest(account()).fresh_nonce_per_challenge(true);
  make();
  client->start();
  run_for(20ms);
  client->abandon();
  client->start();
  run_for(10ms);
  // Digest state was forgotten: no pre-emptive credentials.
  EXPECT_FALSE(request(2).header(sip::HeaderId::authorization).has_value());
  EXPECT_NE(request(2).from_tag(), request(0).from_tag());
  EXPECT_GT(request(2).cseq().number, request(1).cseq().number);
  run_for(10ms);
  EXPECT_EQ(client->state(), ClientState::registered);
}

// ---------------------------------------------------------------------------
// Re-entrancy: the handler may call anything, or destroy the client

TEST_F(ClientTest, HandlerMayDestroyTheClientOnRegistered) {
  make();
  hook = [this](const ClientEvent&) { client.reset(); };
  client->start();
  run_for(10ms);
  EXPECT_EQ(client, nullptr);
  run_for(2h);
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(sent().size(), 1u);
}

TEST_F(ClientTest, HandlerMayDestroyTheClientOnFailure) {
  server().refuse();
  make();
  hook = [this](const ClientEvent&) { client.reset(); };
  client->start();
  run_for(1ms);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(events.size(), 1u);
}

TEST_F(ClientTest, HandlerMayDestroyTheClientOnAConfigurationError) {
  config.aor = "tel:+15551234";
  make();
  hook = [this](const ClientEvent&) { client.reset(); };
  client->start();
  run_for(1ms);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(events.size(), 1u);
}

TEST_F(ClientTest, HandlerMayDestroyTheClientOnUnregisteredWithAStartQueued) {
  make();
  client->start();
  run_for(10ms);
  hook = [this](const ClientEvent& e) {
    if (e.kind == Kind::unregistered) client.reset();
  };
  client->stop();
  client->start();  // queued; must not run on a destroyed client
  run_for(10ms);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(sent().size(), 2u);
}

TEST_F(ClientTest, HandlerMayRestartAfterAFailure) {
  server().next(Reply::refuse());
  make();
  int restarts = 0;
  hook = [&](const ClientEvent& e) {
    if (e.kind == Kind::failed && restarts++ == 0) client->start();
  };
  client->start();
  run_for(1ms);
  ASSERT_EQ(sent().size(), 2u);
  run_for(10ms);
  EXPECT_EQ(events.back().kind, Kind::registered);
  EXPECT_EQ(client->state(), ClientState::registered);
}

TEST_F(ClientTest, HandlerMayStopOnRegistered) {
  make();
  hook = [this](const ClientEvent& e) {
    if (e.kind == Kind::registered) client->stop();
  };
  client->start();
  run_for(20ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::unregistered);
  EXPECT_TRUE(server().bindings().empty());
}

TEST_F(ClientTest, DestroyingTheClientWithARequestInFlightIsSilent) {
  make();
  client->start();
  client.reset();
  run_for(1h);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(registrar.pending_count(), 0u);
}

}  // namespace
}  // namespace sipline::reg::testing
