// RegistrationClient scenarios, part 1: the REGISTER itself, refresh timing,
// routing, authentication, Min-Expires and the routes a 2xx hands back.
// Each test reads as a trace on the manual clock: the registrar answers
// 10 ms after a request, a refused request fails after 1 ms.

#include "client_fixture.hpp"
#include "reg/timing.hpp"

namespace sipline::reg::testing {
namespace {

using Kind = ClientEvent::Kind;

// ---------------------------------------------------------------------------
// RFC 3261 §10.2: the REGISTER

TEST_F(ClientTest, FirstRegisterFollowsRfc3261Section10_2) {
  config.display_name = "Alice \"A\" Smith";
  config.instance_id = "urn:uuid:00000000-0000-1000-8000-000A95A0E128";
  config.reg_id = 1;
  config.user_agent = "sipline/1.0";
  make();

  client->start();
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(client->state(), ClientState::registering);
  EXPECT_TRUE(events.empty()) << "nothing is reported from inside start()";

  const sip::Message& r = request(0);
  EXPECT_EQ(r.method(), sip::Method::register_);
  EXPECT_EQ(r.request_uri().raw, "sip:sipline.test");  // no user part
  EXPECT_EQ(r.to().uri.raw, "sip:alice@sipline.test");
  EXPECT_EQ(r.from().uri.raw, "sip:alice@sipline.test");
  EXPECT_EQ(r.from().display_name, "Alice \\\"A\\\" Smith");
  EXPECT_FALSE(r.from_tag().empty());
  EXPECT_TRUE(r.to_tag().empty());
  EXPECT_EQ(r.call_id(), "c8e1f0a2-reg@sipline");
  EXPECT_EQ(r.cseq().number, 1u);
  EXPECT_EQ(r.cseq().method, sip::Method::register_);
  EXPECT_EQ(r.max_forwards(), 70u);
  EXPECT_EQ(value(r, sip::HeaderId::expires), "3600");
  EXPECT_EQ(value(r, sip::HeaderId::user_agent), "sipline/1.0");
  EXPECT_EQ(value(r, sip::HeaderId::supported), "path, outbound");
  EXPECT_EQ(r.count(sip::HeaderId::route), 0u);
  auto c = contacts(r);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].star);
  EXPECT_EQ(c[0].address.uri.raw, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(c[0].instance(), "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
  EXPECT_EQ(c[0].reg_id(), 1u);
  EXPECT_EQ(c[0].expires(), 3600u);

  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);
  EXPECT_EQ(events[0].status_code, 200);
  EXPECT_EQ(events[0].granted_expires, 3600u);
  EXPECT_FALSE(events[0].refresh);
  EXPECT_EQ(client->state(), ClientState::registered);
  EXPECT_EQ(client->expires_at(), t0 + 10ms + 3600s);
  ASSERT_EQ(server().bindings().size(), 1u);
  EXPECT_EQ(server().bindings()[0].contact, "sip:alice@192.0.2.10:5060");
}

TEST_F(ClientTest, WithoutInstanceOrRegIdTheContactCarriesNeither) {
  make();
  client->start();
  auto c = contacts(request(0));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].instance().has_value());
  EXPECT_FALSE(c[0].reg_id().has_value());
  EXPECT_EQ(value(request(0), sip::HeaderId::supported), "path");
  EXPECT_EQ(request(0).from().display_name, "");
}

TEST_F(ClientTest, StreamTransportsAdvertiseTheirTransportInContact) {
  target = sip::Target{sip::TransportKind::tcp, "192.0.2.50", 5060, ""};
  config.target = target;
  make();
  client->start();
  EXPECT_EQ(contact_uri_of(request(0)), "sip:alice@192.0.2.10:5060;transport=tcp");
}

TEST_F(ClientTest, CallIdStaysAndCSeqGrowsAcrossRefreshesAndReRegistrations) {
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(client->state(), ClientState::registered);
  // Three refreshes of a one-hour binding.
  run_for(3h);
  ASSERT_EQ(count(Kind::registered), 4u);
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_TRUE(events[i].refresh);

  // A failed refresh, then the policy starts the same binding again.
  server().refuse();
  client->refresh_now();
  run_for(1ms);
  ASSERT_EQ(client->state(), ClientState::failed);
  server().answer_ok();
  client->start();
  run_for(10ms);
  ASSERT_EQ(client->state(), ClientState::registered);

  // Unregister and register again: a new binding, but the same Call-ID.
  client->stop();
  run_for(10ms);
  ASSERT_EQ(client->state(), ClientState::idle);
  client->start();
  run_for(10ms);
  ASSERT_EQ(client->state(), ClientState::registered);

  const std::string first_tag(request(0).from_tag());
  std::uint32_t previous = 0;
  for (std::size_t i = 0; i < sent().size(); ++i) {
    const sip::Message& r = request(i);
    EXPECT_EQ(r.call_id(), config.call_id) << "request " << i;
    EXPECT_GT(r.cseq().number, previous) << "request " << i;
    previous = r.cseq().number;
    if (i + 1 < sent().size()) {
      EXPECT_EQ(r.from_tag(), first_tag) << "request " << i << " belongs to the first binding";
    }
  }
  EXPECT_NE(last_request().from_tag(), first_tag) << "a new binding gets a new From tag";
  EXPECT_EQ(server().bindings().size(), 1u);
}

TEST_F(ClientTest, TwoHoursAtADigestRegistrarWithMinExpiresReadAsATrace) {
  config.expires = 600;
  server().require_digest(account()).min_expires(1800);
  make();
  client->start();
  run_for(2h);
  client->stop();
  run_for(1s);
  const std::vector<std::string> expected = {
      "+0.000 REGISTER cseq=1 expires=600 -> 401",
      "+0.010 REGISTER cseq=2 expires=600 auth -> 423",
      "+0.020 REGISTER cseq=3 expires=1800 auth -> 200",     // Min-Expires adopted
      "+1740.030 REGISTER cseq=4 expires=1800 auth -> 200",  // 60 s margin
      "+3480.040 REGISTER cseq=5 expires=1800 auth -> 200",
      "+5220.050 REGISTER cseq=6 expires=1800 auth -> 200",
      "+6960.060 REGISTER cseq=7 expires=1800 auth -> 200",
      "+7200.000 REGISTER cseq=8 expires=0 auth -> 200",  // stop()
  };
  EXPECT_EQ(trace(), expected);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events.back().kind, Kind::unregistered);
  EXPECT_EQ(server().challenges_sent(), 1u);
  EXPECT_TRUE(server().bindings().empty());
}

TEST_F(ClientTest, OurBindingIsFoundByInstanceWhenTheRegistrarRewroteItsUri) {
  config.instance_id = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
  config.reg_id = 1;
  make();
  server().next(Reply::status(
      200, {{"Contact",
             "<sip:alice@198.51.100.1:7777>;+sip.instance="
             "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1;expires=500"},
            {"Expires", "3600"}}));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].granted_expires, 500u);
}

// ---------------------------------------------------------------------------
// Refresh timing (reg/timing.hpp), exact on the manual clock

TEST_F(ClientTest, OneHourBindingRefreshesAtTheMarginExactly) {
  make();
  client->start();
  run_for(10ms);
  const runtime::TimePoint granted_at = clock.now();
  ASSERT_EQ(client->next_refresh(), granted_at + 3540s);  // margin 60 s, no jitter drawn

  clock.advance_to(granted_at + 3540s - 1ns);
  EXPECT_EQ(sent().size(), 1u);
  clock.advance(1ns);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[1].at, granted_at + 3540s);
  EXPECT_EQ(client->state(), ClientState::refreshing);
  EXPECT_EQ(client->expires_at(), granted_at + 3600s) << "still valid while refreshing";
  EXPECT_FALSE(client->next_refresh().has_value());
  run_for(10ms);
  EXPECT_EQ(client->state(), ClientState::registered);
  EXPECT_EQ(client->expires_at(), granted_at + 3540s + 10ms + 3600s);
}

TEST_F(ClientTest, RefreshJitterComesFromTheRandomSource) {
  random = 0.5;
  make();
  client->start();
  run_for(10ms);
  // margin 60 s + jitter 0.5 * 30 s.
  EXPECT_EQ(client->next_refresh(), clock.now() + 3525s);
}

TEST_F(ClientTest, ConfiguredOverlapRefreshesThatMuchEarly) {
  config.overlap = 30;
  make();
  client->start();
  run_for(10ms);
  EXPECT_EQ(client->next_refresh(), clock.now() + 3570s);
}

TEST_F(ClientTest, ServerShorteningTheLifetimeIsHonouredAndRefreshedBeforeItRunsOut) {
  server().max_expires(60);
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].granted_expires, 60u);
  const runtime::TimePoint t1 = clock.now();
  EXPECT_EQ(client->expires_at(), t1 + 60s);
  EXPECT_EQ(client->next_refresh(), t1 + 54s);  // a tenth of 60 s early

  // An hour on the manual clock: the binding never lapses at the registrar.
  for (int step = 0; step < 3600; ++step) {
    clock.advance(1s);
    ASSERT_EQ(server().bindings().size(), 1u);
    ASSERT_GT(server().bindings()[0].expires_at, clock.now()) << "lapsed after " << step << " s";
  }
  EXPECT_EQ(count(Kind::failed), 0u);
  EXPECT_GE(count(Kind::registered), 3600u / 54u);
  for (std::size_t i = 1; i < sent().size(); ++i) {
    EXPECT_EQ(sent()[i].at - sent()[i - 1].at, 54s + 10ms) << "request " << i;
    EXPECT_EQ(value(request(i), sip::HeaderId::expires), "3600") << "asks for what it wants";
  }
}

TEST_F(ClientTest, LifetimeFromTheExpiresHeaderWhenContactHasNone) {
  server().contact_expires(false).max_expires(120);
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].granted_expires, 120u);
  EXPECT_EQ(client->next_refresh(), clock.now() + 108s);
}

TEST_F(ClientTest, OurContactsExpiresWinsOverOtherBindingsAndTheHeader) {
  make();
  server().next(Reply::status(200, {{"Contact", "<sip:bob-phone@192.0.2.99>;expires=3000"},
                                    {"Contact", "<sip:alice@192.0.2.10:5060>;expires=900"},
                                    {"Expires", "1200"}}));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].granted_expires, 900u);
}

TEST_F(ClientTest, TwoHundredGrantingNothingIsAFailure) {
  make();
  server().next(Reply::status(200, {{"Contact", "<sip:alice@192.0.2.10:5060>;expires=0"}}));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  EXPECT_EQ(events[0].failure, FailureKind::server_error);
  EXPECT_FALSE(client->expires_at().has_value());
}

TEST_F(ClientTest, RefreshNowRefreshesEarlyOnlyWhenRegistered) {
  make();
  client->refresh_now();
  EXPECT_TRUE(sent().empty());
  client->start();
  client->refresh_now();  // in flight: nothing more
  EXPECT_EQ(sent().size(), 1u);
  run_for(10ms);
  run_for(100s);
  client->refresh_now();
  ASSERT_EQ(sent().size(), 2u);
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[1].refresh);
  EXPECT_EQ(client->next_refresh(), clock.now() + 3540s);
}

// ---------------------------------------------------------------------------
// Routing: RFC 3261 §8.1.2, §12.2.1.1, §16.12

TEST_F(ClientTest, LooseRouteSetGoesIntoRouteWithLr) {
  config.route_set = {"proxy.example.net:5070", "<sip:edge.example.net;lr>"};
  make();
  client->start();
  const sip::Message& r = request(0);
  EXPECT_EQ(r.request_uri().raw, "sip:sipline.test");
  auto routes = r.name_addrs(sip::HeaderId::route);
  ASSERT_TRUE(routes.has_value());
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:proxy.example.net:5070;lr");
  EXPECT_EQ((*routes)[1].uri.raw, "sip:edge.example.net;lr");
}

TEST_F(ClientTest, StrictRouterBecomesTheRequestUriAndTheRegistrarTheLastRoute) {
  config.route_set = {"sip:strict.example.net", "sip:edge.example.net;lr"};
  config.strict_routing = true;
  server().require_digest(account());
  make();
  client->start();
  const sip::Message& r = request(0);
  EXPECT_EQ(r.request_uri().raw, "sip:strict.example.net");
  auto routes = r.name_addrs(sip::HeaderId::route);
  ASSERT_TRUE(routes.has_value());
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:edge.example.net;lr");
  EXPECT_EQ((*routes)[1].uri.raw, "sip:sipline.test");
  // The digest uri follows the Request-URI as sent (the registrar checks it).
  run_for(20ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);
}

TEST_F(ClientTest, UnusableRouteIsReportedFromATimerNotFromStart) {
  config.route_set = {"tel:+15551234"};
  make();
  client->start();
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(sent().empty());
  clock.run_due();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  EXPECT_NE(events[0].reason.find("route"), std::string::npos) << events[0].reason;
  EXPECT_EQ(client->state(), ClientState::failed);
}

TEST_F(ClientTest, UnusableAorIsReportedFromATimer) {
  config.aor = "tel:+15551234";
  make();
  client->start();
  EXPECT_TRUE(events.empty());
  clock.run_due();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  EXPECT_NE(events[0].reason.find("AOR"), std::string::npos) << events[0].reason;
}

// ---------------------------------------------------------------------------
// Authentication: RFC 3261 §22, RFC 7616

TEST_F(ClientTest, ChallengeIsAnsweredOnceAndRefreshesArePreemptive) {
  server().require_digest(account());
  make();
  client->start();
  run_for(10ms);  // 401
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[0].response->status_code(), 401);
  EXPECT_FALSE(request(0).header(sip::HeaderId::authorization).has_value());
  EXPECT_TRUE(request(1).header(sip::HeaderId::authorization).has_value());
  EXPECT_EQ(request(1).cseq().number, request(0).cseq().number + 1);
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);

  run_for(3540s);  // the refresh re-uses the nonce with the next nc
  ASSERT_EQ(sent().size(), 3u);
  EXPECT_TRUE(request(2).header(sip::HeaderId::authorization).has_value());
  run_for(10ms);
  EXPECT_EQ(server().challenges_sent(), 1u);
  EXPECT_EQ(count(Kind::registered), 2u);
}

TEST_F(ClientTest, ProxyChallengeIsAnsweredInProxyAuthorization) {
  DigestAccount a = account();
  a.proxy = true;
  server().require_digest(a);
  make();
  client->start();
  run_for(20ms);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[0].response->status_code(), 407);
  EXPECT_TRUE(request(1).header(sip::HeaderId::proxy_authorization).has_value());
  EXPECT_FALSE(request(1).header(sip::HeaderId::authorization).has_value());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);
}

TEST_F(ClientTest, RepeatedIdenticalChallengeStopsWithAuthRejected) {
  server().require_digest(account());
  make("wrong-password");
  client->start();
  run_for(1h);
  ASSERT_EQ(sent().size(), 2u) << "one answer per nonce, no loop";
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::failed);
  EXPECT_EQ(events[0].failure, FailureKind::auth_rejected);
  EXPECT_EQ(events[0].status_code, 401);
  EXPECT_EQ(client->state(), ClientState::failed);
  expect_no_password_in_events();
}

TEST_F(ClientTest, ServerWithAFreshNonceEveryTimeIsStillBounded) {
  server().require_digest(account()).fresh_nonce_per_challenge(true);
  make("wrong-password");
  client->start();
  run_for(1h);
  EXPECT_LE(sent().size(), 4u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::auth_rejected);
  expect_no_password_in_events();
}

TEST_F(ClientTest, StaleNonceIsAnsweredAgain) {
  server().require_digest(account());
  make();
  client->start();
  run_for(20ms);
  ASSERT_EQ(client->state(), ClientState::registered);
  server().expire_nonce();
  client->refresh_now();
  run_for(10ms);  // 401 stale=true
  ASSERT_EQ(sent().size(), 4u);
  EXPECT_NE(value(*sent()[2].response, sip::HeaderId::www_authenticate).find("stale=true"),
            std::string::npos);
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::registered);
  EXPECT_TRUE(events[1].refresh);
}

TEST_F(ClientTest, ChallengeForAnUnknownRealmFailsWithoutSending) {
  DigestAccount a = account();
  a.realm = "other.test";
  server().require_digest(a);
  auth::CredentialSet set;
  set.add("sipline.test", auth::UserCredential{"alice", auth::Secret(std::string(kPassword))});
  client = std::make_unique<RegistrationClient>(
      config, auth::DigestClient(std::move(set), [] { return std::string("abc123"); }), registrar,
      clock, [] { return 0.0; }, [this](const ClientEvent& e) { events.push_back(e); });
  client->start();
  run_for(1h);
  EXPECT_EQ(sent().size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::auth_rejected);
  expect_no_password_in_events();
}

TEST_F(ClientTest, ForbiddenAndNotFoundNeedAnAdministrator) {
  make();
  server().respond(403);
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::auth_rejected);
  EXPECT_EQ(events[0].status_code, 403);

  server().respond(404);
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].failure, FailureKind::not_found);
  EXPECT_EQ(events[1].status_code, 404);
  EXPECT_EQ(sent().size(), 2u);
}

// ---------------------------------------------------------------------------
// 423 Interval Too Brief: RFC 3261 §10.2.8

TEST_F(ClientTest, MinExpiresIsAdoptedAndSentAtOnce) {
  config.expires = 600;
  server().min_expires(1800);
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[0].response->status_code(), 423);
  EXPECT_EQ(sent()[1].at, sent()[0].at + 10ms) << "re-sent as the 423 arrives";
  EXPECT_EQ(value(request(1), sip::HeaderId::expires), "1800");
  EXPECT_EQ(contacts(request(1))[0].expires(), 1800u);
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::registered);
  EXPECT_EQ(events[0].granted_expires, 1800u);

  run_for(1800s);  // the refresh keeps asking for the adopted value
  ASSERT_EQ(sent().size(), 3u);
  EXPECT_EQ(value(request(2), sip::HeaderId::expires), "1800");
}

TEST_F(ClientTest, SecondIntervalTooBriefFails) {
  make();
  server().next(Reply::interval_too_brief(4000)).next(Reply::interval_too_brief(5000));
  client->start();
  run_for(1h);
  EXPECT_EQ(sent().size(), 2u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::server_error);
  EXPECT_EQ(events[0].status_code, 423);
}

TEST_F(ClientTest, MinExpiresNotAboveWhatWeAskedOrAbsurdFails) {
  make();
  server().next(Reply::interval_too_brief(60));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].failure, FailureKind::server_error);

  server().next(Reply::interval_too_brief(10'000'000));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].failure, FailureKind::server_error);

  server().next(Reply::status(423));
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].failure, FailureKind::server_error);
  EXPECT_EQ(sent().size(), 3u);
}

// ---------------------------------------------------------------------------
// Service-Route (RFC 3608 §6) and Path (RFC 3327)

TEST_F(ClientTest, ServiceRouteIsReplacedByEachTwoHundredAndClearedWhenAbsent) {
  server().service_route({"sip:orig@scscf.example.net;lr", "sip:pcscf.example.net;lr"});
  server().path({"sip:edge.example.net;lr"});
  make();
  client->start();
  run_for(10ms);
  ASSERT_EQ(events.size(), 1u);
  const std::vector<std::string> first = {"sip:orig@scscf.example.net;lr",
                                          "sip:pcscf.example.net;lr"};
  EXPECT_EQ(events[0].service_route, first);
  EXPECT_EQ(client->service_route(), first);
  EXPECT_EQ(events[0].path, std::vector<std::string>{"sip:edge.example.net;lr"});
  EXPECT_EQ(client->path(), std::vector<std::string>{"sip:edge.example.net;lr"});

  server().service_route({"sip:other.example.net;lr"}).path({});
  client->refresh_now();
  run_for(10ms);
  EXPECT_EQ(client->service_route(), std::vector<std::string>{"sip:other.example.net;lr"});
  EXPECT_TRUE(client->path().empty());

  server().service_route({});
  client->refresh_now();
  run_for(10ms);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(events[2].service_route.empty());
  EXPECT_TRUE(client->service_route().empty());
}

}  // namespace
}  // namespace sipline::reg::testing
