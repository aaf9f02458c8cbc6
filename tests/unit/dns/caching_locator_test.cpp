// The caching locator and its cache on the manual clock with the fake
// resolver: TTLs, negative caching (RFC 2308), re-resolution on expiry,
// serve-stale (RFC 8767), static hosts, coalescing, cancellation.
#include "dns/caching_locator.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dns/testing/fake_resolver.hpp"
#include "runtime/manual_clock.hpp"

namespace sipline::dns {
namespace {

using namespace std::chrono_literals;
using testing::FakeResolver;

class LocatorTest : public ::testing::Test {
 protected:
  LocatorTest() : resolver(clock, 10ms), locator(resolver, clock, options()) {
    // example.com: NAPTR -> SRV UDP (two priorities) -> A.
    resolver.set_naptr("example.com", {{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"}}, 300);
    resolver.set_srv("_sip._udp.example.com",
                     {{10, 0, 5060, "a.example.com"}, {20, 0, 5060, "b.example.com"}}, 120);
    resolver.set_addresses("a.example.com", {"192.0.2.1"}, 30);
    resolver.set_addresses("b.example.com", {"192.0.2.2"}, 60);
  }

  static LocatorOptions options() {
    LocatorOptions o;
    o.selection.transports = {Transport::udp};
    o.selection.families = FamilyPolicy::ipv4_only;
    return o;
  }

  // Locates and runs the clock until the callback has run (bounded).
  Result<std::vector<ResolvedTarget>> locate(const ServerSpec& spec) {
    std::optional<Result<std::vector<ResolvedTarget>>> out;
    Lookup lookup = locator.locate(
        spec, [&](Result<std::vector<ResolvedTarget>> r) { out.emplace(std::move(r)); });
    for (int i = 0; i < 100 && !out; ++i) clock.advance(10ms);
    if (!out) return fail(Errc::invalid_state, "no callback");
    return std::move(*out);
  }

  static std::vector<std::string> addresses(const std::vector<ResolvedTarget>& targets) {
    std::vector<std::string> out;
    for (const auto& t : targets) out.push_back(t.address);
    return out;
  }

  static ServerSpec spec(std::string host) {
    ServerSpec s;
    s.host = std::move(host);
    return s;
  }

  runtime::ManualClock clock;
  FakeResolver resolver;
  CachingLocator locator;
};

TEST_F(LocatorTest, ResolvesInOrderAndCachesEveryRecord) {
  auto r = locate(spec("example.com"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(addresses(*r), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ((*r)[0].address_ttl, 30u);
  EXPECT_EQ((*r)[1].address_ttl, 60u);
  const std::size_t asked = resolver.log().size();
  EXPECT_EQ(asked, 4u);  // NAPTR, SRV, A a, A b

  clock.advance(10s);
  r = locate(spec("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(resolver.log().size(), asked);  // all from the cache
  // The TTL counts down while cached.
  EXPECT_EQ((*r)[0].address_ttl, 20u);
  EXPECT_EQ(locator.stats().cache_hits, 4u);
}

TEST_F(LocatorTest, CallsBackNeverFromInsideLocateEvenWhenCached) {
  ASSERT_TRUE(locate(spec("example.com")));
  bool called = false;
  Lookup l = locator.locate(spec("example.com"), [&](auto) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_TRUE(l.pending());
  clock.run_due();
  EXPECT_TRUE(called);
  EXPECT_FALSE(l.pending());
}

TEST_F(LocatorTest, ExpiredRecordIsAskedAgainAndTheChangeSeen) {
  ASSERT_TRUE(locate(spec("example.com")));
  resolver.set_addresses("a.example.com", {"192.0.2.11"}, 30);
  clock.advance(29s);
  auto r = locate(spec("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "192.0.2.1");  // still within its TTL
  clock.advance(2s);
  r = locate(spec("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "192.0.2.11");
  EXPECT_EQ(resolver.asked({"a.example.com", RecordType::a}), 2u);
  EXPECT_EQ(resolver.asked({"b.example.com", RecordType::a}), 1u);  // TTL 60: not yet
  EXPECT_EQ(resolver.asked({"example.com", RecordType::naptr}), 1u);
}

TEST_F(LocatorTest, StaleAnswerServedWhenTheResolverFails) {
  ASSERT_TRUE(locate(spec("example.com")));
  clock.advance(400s);  // everything expired
  resolver.fail_all(Error{Errc::io, "SERVFAIL"});
  auto r = locate(spec("example.com"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(addresses(*r), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ((*r)[0].address_ttl, 30u);  // RFC 8767 stale TTL
  EXPECT_EQ(locator.stats().stale_served, 4u);

  // Within the stale TTL the dead server is not asked again.
  const std::size_t asked = resolver.log().size();
  clock.advance(10s);
  ASSERT_TRUE(locate(spec("example.com")));
  EXPECT_EQ(resolver.log().size(), asked);

  // After it, it is asked again, and a recovered server's answer wins.
  clock.advance(25s);
  resolver.fail_all(std::nullopt);
  resolver.set_addresses("a.example.com", {"192.0.2.21"}, 30);
  r = locate(spec("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "192.0.2.21");
}

TEST_F(LocatorTest, NothingStaleMeansAnIoError) {
  resolver.fail_all(Error{Errc::io, "timeout"});
  const auto r = locate(spec("example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
}

TEST_F(LocatorTest, StaleAnswersAreDroppedAfterMaxStale) {
  ASSERT_TRUE(locate(spec("example.com")));
  clock.advance(25h);
  resolver.fail_all(Error{Errc::io, "timeout"});
  const auto r = locate(spec("example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
}

TEST_F(LocatorTest, NxdomainIsCachedForItsNegativeTtl) {
  resolver.set({"nowhere.example", RecordType::naptr},
               FakeResolver::negative(RecordType::naptr, Answer::Status::nxdomain, 60));
  auto r = locate(spec("nowhere.example"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  const std::size_t asked = resolver.log().size();
  EXPECT_GE(asked, 2u);  // NAPTR, SRV, A
  clock.advance(59s);
  r = locate(spec("nowhere.example"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(resolver.log().size(), asked);
  clock.advance(2s);
  resolver.set_addresses("nowhere.example", {"192.0.2.99"}, 30);
  resolver.erase({"nowhere.example", RecordType::naptr});
  resolver.set({"nowhere.example", RecordType::naptr},
               FakeResolver::negative(RecordType::naptr, Answer::Status::nodata, 60));
  r = locate(spec("nowhere.example"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "192.0.2.99");
}

TEST_F(LocatorTest, NxdomainOfANameAnswersItsOtherTypes) {
  resolver.set({"gone.example", RecordType::naptr},
               FakeResolver::negative(RecordType::naptr, Answer::Status::nxdomain, 60));
  ServerSpec s = spec("gone.example");
  ASSERT_FALSE(locate(s));
  // The A question was answered by the NAPTR's NXDOMAIN, never asked.
  EXPECT_EQ(resolver.asked({"gone.example", RecordType::a}), 0u);
}

TEST_F(LocatorTest, NegativeAnswerWithoutSoaIsNotCached) {
  resolver.set({"nosoa.example", RecordType::a},
               FakeResolver::negative(RecordType::a, Answer::Status::nodata, 0));
  ServerSpec s = spec("nosoa.example");
  s.port = 5060;
  ASSERT_FALSE(locate(s));
  ASSERT_FALSE(locate(s));
  EXPECT_EQ(resolver.asked({"nosoa.example", RecordType::a}), 2u);
}

TEST_F(LocatorTest, IdenticalQueriesInFlightAreCoalesced) {
  int done = 0;
  std::vector<Lookup> lookups;
  for (int i = 0; i < 5; ++i) {
    lookups.push_back(locator.locate(spec("example.com"), [&](auto r) {
      EXPECT_TRUE(r);
      ++done;
    }));
  }
  for (int i = 0; i < 20 && done < 5; ++i) clock.advance(10ms);
  EXPECT_EQ(done, 5);
  EXPECT_EQ(resolver.log().size(), 4u);
  EXPECT_EQ(locator.stats().coalesced, 16u);
}

TEST_F(LocatorTest, CancelledLocateNeverCallsBackAndStopsItsQueries) {
  bool called = false;
  {
    Lookup l = locator.locate(spec("example.com"), [&](auto) { called = true; });
    clock.run_due();
    EXPECT_EQ(resolver.in_flight(), 1u);
  }
  EXPECT_EQ(resolver.in_flight(), 0u);
  clock.advance(1s);
  EXPECT_FALSE(called);
  EXPECT_EQ(locator.pending_operations(), 0u);
}

TEST_F(LocatorTest, CancellingOneOfTwoKeepsTheSharedQuery) {
  bool first = false, second = false;
  Lookup a = locator.locate(spec("example.com"), [&](auto) { first = true; });
  Lookup b = locator.locate(spec("example.com"), [&](auto) { second = true; });
  clock.run_due();
  a.cancel();
  for (int i = 0; i < 10 && !second; ++i) clock.advance(10ms);
  EXPECT_FALSE(first);
  EXPECT_TRUE(second);
}

TEST_F(LocatorTest, StaticHostOverridesTheDns) {
  const std::vector<std::string> addrs{"198.51.100.5", "2001:db8::5"};
  ASSERT_TRUE(locator.add_host("a.example.com", addrs));
  const auto r = locate(spec("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(addresses(*r), (std::vector<std::string>{"198.51.100.5", "192.0.2.2"}));
  EXPECT_EQ((*r)[0].address_ttl, 0u);
  EXPECT_EQ(resolver.asked({"a.example.com", RecordType::a}), 0u);
  const std::vector<std::string> bad{"not-an-address"};
  EXPECT_FALSE(locator.add_host("x.example", bad));
}

TEST_F(LocatorTest, StaticFallbackOnlyWhenTheDnsFails) {
  const std::vector<std::string> addrs{"198.51.100.7"};
  ASSERT_TRUE(locator.add_host("pbx.example", addrs, CachingLocator::StaticMode::fallback));
  resolver.set_addresses("pbx.example", {"192.0.2.70"}, 30);
  ServerSpec s = spec("pbx.example");
  s.port = 5060;
  auto r = locate(s);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "192.0.2.70");
  locator.cache().clear();
  resolver.fail_all(Error{Errc::io, "timeout"});
  r = locate(s);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].address, "198.51.100.7");
}

TEST_F(LocatorTest, StaticSrvRecords) {
  Answer srv;
  srv.type = RecordType::srv;
  srv.srv = {{10, 0, 5090, "pbx.example"}};
  locator.add_static({"_sip._udp.static.example", RecordType::srv}, srv);
  resolver.set_addresses("pbx.example", {"192.0.2.90"}, 30);
  const auto r = locate(spec("static.example"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].port, 5090);
}

TEST_F(LocatorTest, SeedsMakeTheWeightedOrderRepeatable) {
  resolver.set_srv("_sip._udp.w.example",
                   {{10, 50, 5060, "a.example.com"}, {10, 50, 5060, "b.example.com"}}, 0);
  std::uint64_t seed = 0;
  CachingLocator seeded(resolver, clock, options(), [&] { return seed; });
  auto run = [&](std::uint64_t s) {
    seed = s;
    std::optional<std::string> first;
    Lookup l = seeded.locate(spec("w.example"), [&](auto r) {
      ASSERT_TRUE(r);
      first = (*r)[0].address;
    });
    for (int i = 0; i < 50 && !first; ++i) clock.advance(10ms);
    return first.value_or("");
  };
  std::set<std::string> seen;
  for (std::uint64_t s = 1; s <= 16; ++s) {
    const std::string a = run(s);
    EXPECT_EQ(run(s), a);
    seen.insert(a);
  }
  EXPECT_EQ(seen.size(), 2u);  // both orders happen across seeds
}

TEST(DnsCache, ClampsTtlsAndBoundsItsSize) {
  CacheOptions o;
  o.max_ttl = 100;
  o.max_entries = 3;
  DnsCache cache(o);
  const runtime::TimePoint t0 = runtime::ManualClock::default_start;
  Answer a{Answer::Status::ok,
           RecordType::a,
           1'000'000,
           {{"192.0.2.1", Family::ipv4, 1'000'000}},
           {},
           {}};
  cache.store({"x.example", RecordType::a}, a, t0);
  auto hit = cache.find({"X.Example.", RecordType::a}, t0 + 99s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->freshness, DnsCache::Freshness::fresh);
  EXPECT_EQ(hit->remaining_ttl, 1u);
  hit = cache.find({"x.example", RecordType::a}, t0 + 101s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->freshness, DnsCache::Freshness::stale);
  for (int i = 0; i < 10; ++i) {
    cache.store({"n" + std::to_string(i) + ".example", RecordType::a}, a, t0);
  }
  EXPECT_LE(cache.size(), 3u);
}

}  // namespace
}  // namespace sipline::dns
