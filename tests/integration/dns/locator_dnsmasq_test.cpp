// RFC 3263 location end to end: CachingLocator over CaresResolver on the real
// event loop, against a dnsmasq the test starts on 127.0.0.1 and an
// ephemeral port. dnsmasq serves example.test authoritatively (so negative
// answers carry an SOA, RFC 2308) with 1 s TTLs, to keep the suite short:
//
//   example.test NAPTR 10 10 "S" "SIP+D2U" _sip._udp.example.test
//                NAPTR 20 10 "S" "SIP+D2T" _sip._tcp.example.test
//   _sip._udp / _sip._tcp SRV 10 pbx1:5060, SRV 20 pbx2:5062
//   pbx1 A 127.0.0.2, pbx2 A 127.0.0.3
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dns/caching_locator.hpp"
#include "runtime/event_loop.hpp"
#include "support.hpp"
#include "transport/cares_resolver.hpp"

namespace sipline::testing {
namespace {

using dns::ResolvedTarget;
using dns::ServerSpec;

constexpr int ttl_seconds = 1;

std::vector<std::string> zone(const std::string& pbx1 = "127.0.0.2") {
  return {
      "--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test",
      "--naptr-record=example.test,20,10,S,SIP+D2T,,_sip._tcp.example.test",
      "--srv-host=_sip._udp.example.test,pbx1.example.test,5060,10,0",
      "--srv-host=_sip._udp.example.test,pbx2.example.test,5062,20,0",
      "--srv-host=_sip._tcp.example.test,pbx1.example.test,5060,10,0",
      "--srv-host=_sip._tcp.example.test,pbx2.example.test,5062,20,0",
      "--host-record=pbx1.example.test," + pbx1,
      "--host-record=pbx2.example.test,127.0.0.3",
  };
}

// dnsmasq on 127.0.0.1:port, killed with the object.
class Dnsmasq {
 public:
  explicit Dnsmasq(const TempDir& dir) : dir_(dir) {}

  // With `authoritative` false the zone is not served at all: every
  // question is REFUSED, as from a broken server.
  bool start(std::uint16_t port, const std::vector<std::string>& records,
             bool authoritative = true) {
    stop();
    std::vector<std::string> argv{program(),
                                  "--keep-in-foreground",
                                  "--no-daemon",
                                  "--port=" + std::to_string(port),
                                  "--listen-address=127.0.0.1",
                                  "--bind-interfaces",
                                  "--no-resolv",
                                  "--no-hosts",
                                  "--conf-file=/dev/null",
                                  "--log-queries",
                                  "--user=" + user(),
                                  "--pid-file=",
                                  "--cache-size=0",
                                  "--local-ttl=" + std::to_string(ttl_seconds)};
    if (authoritative) {
      argv.push_back("--auth-zone=example.test");
      argv.push_back("--auth-server=ns.example.test,127.0.0.1");
      argv.push_back("--auth-ttl=" + std::to_string(ttl_seconds));
      argv.push_back("--auth-soa=1,hostmaster.example.test,1200,120,1209600");
      argv.insert(argv.end(), records.begin(), records.end());
    }
    auto started = ChildProcess::start(argv, dir_.path() / "dnsmasq.log");
    if (!started) return false;
    process_.emplace(std::move(*started));
    // Ready once it holds the port (bounded: 5 s). The port may be held by
    // another process instead, when dnsmasq then fails to bind it at once:
    // it must still be running a moment later.
    for (int i = 0; i < 500; ++i) {
      if (port_taken(sip::TransportKind::udp, port)) {
        process_->wait_exit(50ms);
        return process_->running();
      }
      if (!process_->running()) return false;
      process_->wait_exit(10ms);
    }
    return false;
  }
  void stop() { process_.reset(); }

  static std::string program() {
    const std::string found = find_program("dnsmasq");
    return !found.empty()
               ? found
               : std::string(std::filesystem::exists("/usr/sbin/dnsmasq") ? "/usr/sbin/dnsmasq"
                                                                          : "");
  }

 private:
  static std::string user() {
    // dnsmasq drops to "nobody" when root; staying the same user lets it run
    // unprivileged as well.
    const char* u = std::getenv("USER");
    return u != nullptr && *u != '\0' ? u : "root";
  }
  const TempDir& dir_;
  std::optional<ChildProcess> process_;
};

class LocatorDnsmasq : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Dnsmasq::program().empty()) GTEST_SKIP() << "dnsmasq is not installed (dnsmasq-base)";
    // The port is free a moment before dnsmasq binds it; when another
    // process (a test running alongside) takes it first, dnsmasq starts again
    // on another one, five attempts in all.
    bool started = false;
    for (int attempt = 0; attempt < 5 && !started; ++attempt) {
      port_ = free_port(sip::TransportKind::udp);
      started = dnsmasq_.start(port_, zone());
    }
    ASSERT_TRUE(started) << "dnsmasq did not start; see its log";
    transport::CaresOptions options;
    options.servers = {"127.0.0.1:" + std::to_string(port_)};
    options.timeout = 500ms;
    options.tries = 2;
    auto resolver = transport::CaresResolver::create(loop_, options);
    ASSERT_TRUE(resolver) << resolver.error().message;
    resolver_ = std::move(*resolver);
    dns::LocatorOptions lo;
    lo.selection.families = dns::FamilyPolicy::ipv4_only;
    locator_.emplace(*resolver_, loop_, lo);
  }
  void TearDown() override {
    locator_.reset();
    resolver_.reset();
  }

  Result<std::vector<ResolvedTarget>> locate(const ServerSpec& spec) {
    std::optional<Result<std::vector<ResolvedTarget>>> out;
    dns::Lookup lookup = locator_->locate(
        spec, [&](Result<std::vector<ResolvedTarget>> r) { out.emplace(std::move(r)); });
    loop_.run_until([&] { return out.has_value(); }, 5s);
    if (!out) return fail(Errc::invalid_state, "no answer within 5 s");
    return std::move(*out);
  }

  static ServerSpec domain(std::string host) {
    ServerSpec s;
    s.host = std::move(host);
    return s;
  }

  static std::vector<std::string> endpoints(const std::vector<ResolvedTarget>& targets) {
    std::vector<std::string> out;
    for (const auto& t : targets) {
      out.push_back(std::string(dns::to_string(t.transport)) + ":" + t.address + ":" +
                    std::to_string(t.port));
    }
    return out;
  }

  void wait_past_ttl() { loop_.run_for(std::chrono::milliseconds(ttl_seconds * 1000 + 150)); }

  runtime::EventLoop loop_;
  TempDir dir_;
  Dnsmasq dnsmasq_{dir_};
  std::uint16_t port_ = 0;
  std::unique_ptr<transport::CaresResolver> resolver_;
  std::optional<dns::CachingLocator> locator_;
};

const std::vector<std::string> expected_order{"udp:127.0.0.2:5060", "udp:127.0.0.3:5062",
                                              "tcp:127.0.0.2:5060", "tcp:127.0.0.3:5062"};

TEST_F(LocatorDnsmasq, NaptrSrvAddressesInRfc3263Order) {
  const auto r = locate(domain("example.test"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(endpoints(*r), expected_order);
  EXPECT_EQ((*r)[0].priority, 10);
  EXPECT_EQ((*r)[1].priority, 20);
  EXPECT_EQ((*r)[0].host, "pbx1.example.test");
  EXPECT_LE((*r)[0].address_ttl, static_cast<std::uint32_t>(ttl_seconds));
  // NAPTR, two SRV, two A: the address questions are shared by both services.
  EXPECT_EQ(locator_->stats().resolver_queries, 5u);
}

TEST_F(LocatorDnsmasq, ExplicitPortAndTransport) {
  ServerSpec s = domain("pbx2.example.test");
  s.port = 5070;
  s.transport = dns::Transport::tcp;
  const auto r = locate(s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(endpoints(*r), std::vector<std::string>{"tcp:127.0.0.3:5070"});
}

TEST_F(LocatorDnsmasq, ChangedRecordIsSeenAfterItsTtl) {
  const auto resolved_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(locate(domain("example.test")));
  ASSERT_TRUE(dnsmasq_.start(port_, zone("127.0.0.4")));
  auto r = locate(domain("example.test"));
  ASSERT_TRUE(r);
  // Still the cached address while its TTL runs (checked only when the
  // restart was quick enough for that to be true on a loaded machine).
  if (std::chrono::steady_clock::now() - resolved_at <
      std::chrono::milliseconds(ttl_seconds * 800)) {
    EXPECT_EQ((*r)[0].address, "127.0.0.2");
  }
  wait_past_ttl();
  r = locate(domain("example.test"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].address, "127.0.0.4");
}

TEST_F(LocatorDnsmasq, StoppedServerFallsBackToTheStaleAnswer) {
  ASSERT_TRUE(locate(domain("example.test")));
  dnsmasq_.stop();
  wait_past_ttl();
  const auto r = locate(domain("example.test"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(endpoints(*r), expected_order);
  EXPECT_GT(locator_->stats().stale_served, 0u);
}

TEST_F(LocatorDnsmasq, RefusingServerFallsBackToTheStaleAnswer) {
  ASSERT_TRUE(locate(domain("example.test")));
  ASSERT_TRUE(dnsmasq_.start(port_, {}, /*authoritative=*/false));
  wait_past_ttl();
  const auto r = locate(domain("example.test"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(endpoints(*r), expected_order);
  EXPECT_GT(locator_->stats().stale_served, 0u);
}

TEST_F(LocatorDnsmasq, NothingCachedAndServerDownIsAnIoError) {
  dnsmasq_.stop();
  const auto r = locate(domain("example.test"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
}

TEST_F(LocatorDnsmasq, NxdomainIsCachedNegatively) {
  ServerSpec s = domain("nowhere.example.test");
  s.port = 5060;
  auto r = locate(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  const auto asked = locator_->stats().resolver_queries;
  EXPECT_GE(asked, 1u);
  // Within the negative TTL the answer comes from the cache: the server is
  // not asked, and even a stopped server does not turn it into an error.
  dnsmasq_.stop();
  r = locate(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(locator_->stats().resolver_queries, asked);
}

TEST_F(LocatorDnsmasq, ResolverHandlesManyQueriesAndReleasesItsSockets) {
  int done = 0;
  std::vector<dns::Lookup> lookups;
  for (int i = 0; i < 20; ++i) {
    dns::Query q{i % 2 == 0 ? "pbx1.example.test" : "pbx2.example.test", dns::RecordType::a};
    lookups.push_back(resolver_->resolve(q, [&](Result<dns::Answer> a) {
      EXPECT_TRUE(a);
      if (a) {
        EXPECT_EQ(a->addresses.size(), 1u);
      }
      ++done;
    }));
  }
  loop_.run_until([&] { return done == 20; }, 5s);
  EXPECT_EQ(done, 20);
  // A cancelled query never calls back.
  bool called = false;
  {
    dns::Lookup l =
        resolver_->resolve({"pbx1.example.test", dns::RecordType::a}, [&](auto) { called = true; });
  }
  loop_.run_for(100ms);
  EXPECT_FALSE(called);
}

// Resolution latency against the local dnsmasq, printed for
// docs/performance.md: "cold" is the whole NAPTR -> SRV -> A chain through
// c-ares with an empty cache; "cached" is a locate() answered from the cache
// (one pass through the event loop).
TEST_F(LocatorDnsmasq, LatencyColdAndCached) {
  auto measure = [&](int runs, bool cold) {
    std::vector<double> us;
    for (int i = 0; i < runs; ++i) {
      if (cold) locator_->cache().clear();
      const auto start = std::chrono::steady_clock::now();
      const auto r = locate(domain("example.test"));
      const auto end = std::chrono::steady_clock::now();
      EXPECT_TRUE(r);
      us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::sort(us.begin(), us.end());
    return std::pair{us[us.size() / 2], us[us.size() * 99 / 100]};
  };
  const auto [cold_median, cold_p99] = measure(200, true);
  const auto [cached_median, cached_p99] = measure(2000, false);
  std::printf(
      "DNS locate example.test (5 questions cold): cold median %.0f us p99 %.0f us; "
      "cached median %.1f us p99 %.1f us\n",
      cold_median, cold_p99, cached_median, cached_p99);
  EXPECT_LT(cached_median, cold_median);
}

}  // namespace
}  // namespace sipline::testing
