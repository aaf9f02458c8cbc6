// RFC 3263 §4 selection over recorded answers, without a resolver: each test
// records the DNS data, runs select_targets() until it asks nothing more,
// and checks the list.
#include "dns/selection.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace sipline::dns {
namespace {

class Zone {
 public:
  void naptr(const std::string& name, std::vector<NaptrRecord> records) {
    Answer a{Answer::Status::ok, RecordType::naptr, 300, {}, {}, std::move(records)};
    set({name, RecordType::naptr}, std::move(a));
  }
  void srv(const std::string& name, std::vector<SrvRecord> records) {
    Answer a{Answer::Status::ok, RecordType::srv, 300, {}, std::move(records), {}};
    set({name, RecordType::srv}, std::move(a));
  }
  void a(const std::string& name, std::vector<std::string> addresses, std::uint32_t ttl = 60) {
    Answer ans{Answer::Status::ok, RecordType::a, ttl, {}, {}, {}};
    for (auto& s : addresses) ans.addresses.push_back({s, Family::ipv4, ttl});
    set({name, RecordType::a}, std::move(ans));
  }
  void aaaa(const std::string& name, std::vector<std::string> addresses, std::uint32_t ttl = 60) {
    Answer ans{Answer::Status::ok, RecordType::aaaa, ttl, {}, {}, {}};
    for (auto& s : addresses) ans.addresses.push_back({s, Family::ipv6, ttl});
    set({name, RecordType::aaaa}, std::move(ans));
  }
  void fail_query(const Query& q) { failed_.push_back(q); }

  // Runs the selection round after round, like the locator; records what
  // each round asked. Unrecorded questions get NXDOMAIN.
  Result<std::vector<ResolvedTarget>> run(const ServerSpec& spec,
                                          const SelectionOptions& options = {},
                                          std::uint64_t seed = 1) {
    std::map<std::pair<std::string, RecordType>, bool> known;
    rounds.clear();
    for (int round = 0; round < 8; ++round) {
      const AnswerSource source = [&](const Query& q) {
        AnswerView v;
        if (!known.count({q.name, q.type})) return v;
        for (const Query& f : failed_) {
          if (f == q) {
            v.state = AnswerView::State::failed;
            return v;
          }
        }
        v.state = AnswerView::State::answered;
        const auto it = answers_.find({q.name, q.type});
        v.answer = it != answers_.end() ? &it->second : &nxdomain_;
        v.remaining_ttl = v.answer->ttl;
        return v;
      };
      SelectionOutcome out = select_targets(spec, options, source, seed);
      if (out.missing.empty()) return finish(out, spec);
      rounds.push_back(out.missing);
      for (const Query& q : out.missing) known[{q.name, q.type}] = true;
    }
    return fail(Errc::invalid_state, "did not converge");
  }

  std::vector<std::vector<Query>> rounds;

 private:
  void set(const Query& q, Answer a) { answers_[{q.name, q.type}] = std::move(a); }
  std::map<std::pair<std::string, RecordType>, Answer> answers_;
  std::vector<Query> failed_;
  Answer nxdomain_{Answer::Status::nxdomain, RecordType::a, 60, {}, {}, {}};
};

NaptrRecord naptr(std::uint16_t order, std::uint16_t pref, std::string service,
                  std::string replacement, std::string flags = "s") {
  return {order, pref, std::move(flags), std::move(service), "", std::move(replacement)};
}

std::vector<std::string> endpoints(const std::vector<ResolvedTarget>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) {
    out.push_back(std::string(to_string(t.transport)) + ":" + t.address + ":" +
                  std::to_string(t.port));
  }
  return out;
}

ServerSpec domain(std::string host) {
  ServerSpec s;
  s.host = std::move(host);
  return s;
}

TEST(Selection, NaptrOrderThenPreferenceThenSrvPriority) {
  Zone z;
  z.naptr("example.com", {naptr(20, 10, "SIP+D2U", "_sip._udp.example.com"),
                          naptr(10, 50, "SIP+D2T", "_sip._tcp.example.com"),
                          naptr(10, 20, "SIPS+D2T", "_sips._tcp.example.com")});
  z.srv("_sip._udp.example.com", {{20, 0, 5070, "b.example.com"}, {10, 0, 5060, "a.example.com"}});
  z.srv("_sip._tcp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.srv("_sips._tcp.example.com", {{10, 0, 5061, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  z.a("b.example.com", {"192.0.2.2"});
  const auto r = z.run(domain("example.com"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tls:192.0.2.1:5061", "tcp:192.0.2.1:5060",
                                                     "udp:192.0.2.1:5060", "udp:192.0.2.2:5070"}));
  // NAPTR, then both SRV names in one round, then the addresses in one round.
  ASSERT_EQ(z.rounds.size(), 3u);
  EXPECT_EQ(z.rounds[0], (std::vector<Query>{{"example.com", RecordType::naptr}}));
  EXPECT_EQ(z.rounds[1].size(), 3u);
  EXPECT_EQ((*r)[3].priority, 20);
  EXPECT_EQ((*r)[3].host, "b.example.com");
  EXPECT_EQ((*r)[3].domain, "example.com");
  EXPECT_EQ((*r)[3].address_ttl, 60u);
}

TEST(Selection, NaptrRecordsWeDoNotUnderstandAreSkipped) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2U", "_sip._udp.example.com", "a"),
                          naptr(10, 20, "E2U+sip", "_x.example.com"),
                          naptr(10, 30, "SIP+D2S", "_sip._sctp.example.com"),
                          naptr(20, 10, "sip+d2t", "_sip._tcp.example.com", "S")});
  z.srv("_sip._tcp.example.com", {{10, 0, 5080, "a.example.com"}});
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  const auto r = z.run(domain("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.1:5080"}));
}

TEST(Selection, SipsUsesOnlyTlsServices) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2U", "_sip._udp.example.com"),
                          naptr(20, 10, "SIPS+D2T", "_sips._tcp.example.com")});
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.srv("_sips._tcp.example.com", {{10, 0, 5061, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  ServerSpec s = domain("example.com");
  s.sips = true;
  const auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tls:192.0.2.1:5061"}));
}

TEST(Selection, WithoutNaptrSrvForEachTransportInOrder) {
  Zone z;
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.srv("_sip._tcp.example.com", {{10, 0, 5062, "a.example.com"}});
  z.srv("_sips._tcp.example.com", {{10, 0, 5061, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  auto r = z.run(domain("Example.COM."));
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.1:5060", "tcp:192.0.2.1:5062",
                                                     "tls:192.0.2.1:5061"}));
  SelectionOptions tcp_first;
  tcp_first.transports = {Transport::tcp, Transport::udp};
  r = z.run(domain("example.com"), tcp_first);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.1:5062", "udp:192.0.2.1:5060"}));
}

TEST(Selection, YealinkNaptrBuildZeroAsksUdpSrvOnly) {
  Zone z;
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.srv("_sip._tcp.example.com", {{10, 0, 5062, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  ServerSpec s = domain("example.com");
  s.srv_udp_only = true;
  const auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.1:5060"}));
}

TEST(Selection, NoSrvFallsBackToAddressesOnTheDefaultPort) {
  Zone z;
  z.a("example.com", {"192.0.2.7", "192.0.2.8"});
  auto r = z.run(domain("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.7:5060", "udp:192.0.2.8:5060"}));
  ServerSpec s = domain("example.com");
  s.sips = true;
  r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tls:192.0.2.7:5061", "tls:192.0.2.8:5061"}));
}

TEST(Selection, NaptrTransportCarriesToTheAddressFallback) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2T", "_sip._tcp.example.com")});
  z.a("example.com", {"192.0.2.7"});
  const auto r = z.run(domain("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.7:5060"}));
}

TEST(Selection, DotTargetMeansNoServiceAndNoAddressFallback) {
  Zone z;
  z.srv("_sip._udp.example.com", {{0, 0, 0, "."}});
  z.a("example.com", {"192.0.2.7"});
  SelectionOptions udp;
  udp.transports = {Transport::udp};
  const auto r = z.run(domain("example.com"), udp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST(Selection, DotForOneTransportLeavesTheOthers) {
  Zone z;
  z.srv("_sip._udp.example.com", {{0, 0, 0, "."}});
  z.srv("_sip._tcp.example.com", {{10, 0, 5060, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  const auto r = z.run(domain("example.com"));
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.1:5060"}));
}

TEST(Selection, ExplicitPortSkipsNaptrAndSrv) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2T", "_sip._tcp.example.com")});
  z.srv("_sip._tcp.example.com", {{10, 0, 5062, "a.example.com"}});
  z.a("example.com", {"192.0.2.7"});
  ServerSpec s = domain("example.com");
  s.port = 5099;
  const auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.7:5099"}));
  for (const auto& round : z.rounds) {
    for (const Query& q : round) EXPECT_TRUE(q.type == RecordType::a || q.type == RecordType::aaaa);
  }
}

TEST(Selection, ExplicitTransportSkipsNaptrButUsesItsSrv) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2U", "_sip._udp.example.com")});
  z.srv("_sip._tcp.example.com", {{10, 0, 5062, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  ServerSpec s = domain("example.com");
  s.transport = Transport::tcp;
  const auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.1:5062"}));
  EXPECT_EQ(z.rounds[0], (std::vector<Query>{{"_sip._tcp.example.com", RecordType::srv}}));
}

TEST(Selection, ForceNaptrIgnoresThePort) {
  Zone z;
  z.naptr("example.com", {naptr(10, 10, "SIP+D2T", "_sip._tcp.example.com")});
  z.srv("_sip._tcp.example.com", {{10, 0, 5062, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  ServerSpec s = domain("example.com");
  s.port = 5060;
  s.force_naptr = true;
  const auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:192.0.2.1:5062"}));
}

TEST(Selection, IpLiteralsNeedNoDns) {
  Zone z;
  ServerSpec s = domain("192.0.2.9");
  auto r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.9:5060"}));
  EXPECT_TRUE(z.rounds.empty());
  EXPECT_EQ((*r)[0].address_ttl, 0u);

  s = domain("[2001:DB8::0:1]");
  s.port = 5080;
  s.transport = Transport::tcp;
  r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tcp:2001:db8::1:5080"}));
  EXPECT_EQ((*r)[0].family, Family::ipv6);

  s = domain("192.0.2.9");
  s.sips = true;
  r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"tls:192.0.2.9:5061"}));
  // Yealink: DNS-NAPTR with an IP address is plain UDP to it.
  s = domain("192.0.2.9");
  s.force_naptr = true;
  r = z.run(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.9:5060"}));
}

TEST(Selection, FamilyPreferencePutsTheOtherFamilyAfterPerHost) {
  Zone z;
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}, {20, 0, 5060, "b.example.com"}});
  z.a("a.example.com", {"192.0.2.1"});
  z.aaaa("a.example.com", {"2001:db8::1"});
  z.aaaa("b.example.com", {"2001:db8::2"});
  SelectionOptions o;
  o.transports = {Transport::udp};
  o.families = FamilyPolicy::prefer_ipv6;
  auto r = z.run(domain("example.com"), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:2001:db8::1:5060", "udp:192.0.2.1:5060",
                                                     "udp:2001:db8::2:5060"}));
  o.families = FamilyPolicy::prefer_ipv4;
  r = z.run(domain("example.com"), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.1:5060", "udp:2001:db8::1:5060",
                                                     "udp:2001:db8::2:5060"}));
  o.families = FamilyPolicy::ipv4_only;
  r = z.run(domain("example.com"), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.1:5060"}));
}

TEST(Selection, FailuresReadAsIoErrorsWhenNothingIsLeft) {
  Zone z;
  z.fail_query({"example.com", RecordType::naptr});
  z.fail_query({"_sip._udp.example.com", RecordType::srv});
  z.fail_query({"example.com", RecordType::a});
  z.fail_query({"example.com", RecordType::aaaa});
  SelectionOptions udp;
  udp.transports = {Transport::udp};
  auto r = z.run(domain("example.com"), udp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);

  Zone nothing;  // every question NXDOMAIN
  r = nothing.run(domain("example.com"), udp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST(Selection, BadNamesAreRefusedWithoutAsking) {
  Zone z;
  const auto r = z.run(domain("bad name.example"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_TRUE(z.rounds.empty());
}

TEST(Selection, SrvTargetThatIsAnAddressIsUsedAsIs) {
  Zone z;
  z.srv("_sip._udp.example.com", {{10, 0, 5070, "192.0.2.44"}});
  SelectionOptions udp;
  udp.transports = {Transport::udp};
  const auto r = z.run(domain("example.com"), udp);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.44:5070"}));
}

TEST(Selection, DuplicateTargetsAppearOnce) {
  Zone z;
  z.srv("_sip._udp.example.com", {{10, 0, 5060, "a.example.com"}, {20, 0, 5060, "a.example.com"}});
  z.a("a.example.com", {"192.0.2.1", "192.0.2.1"});
  SelectionOptions udp;
  udp.transports = {Transport::udp};
  const auto r = z.run(domain("example.com"), udp);
  ASSERT_TRUE(r);
  EXPECT_EQ(endpoints(*r), (std::vector<std::string>{"udp:192.0.2.1:5060"}));
}

TEST(SrvOrder, PriorityFirstAndSameSeedSameOrder) {
  const std::vector<SrvRecord> records{
      {20, 50, 1, "c"}, {10, 10, 1, "a"}, {10, 90, 1, "b"}, {30, 0, 1, "d"}};
  SeededRandom r1(42), r2(42);
  const auto first = order_srv(records, r1);
  const auto second = order_srv(records, r2);
  EXPECT_EQ(first, second);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[0].priority, 10);
  EXPECT_EQ(first[1].priority, 10);
  EXPECT_EQ(first[2].target, "c");
  EXPECT_EQ(first[3].target, "d");
}

// RFC 2782: within a priority, a record is first with probability
// weight / sum. 20 000 draws with a fixed seed; the bounds are ~6 standard
// deviations wide, so the test is stable yet catches a wrong algorithm (for
// instance a uniform choice, or weights applied backwards).
TEST(SrvOrder, WeightsGiveTheRfc2782Distribution) {
  const std::vector<SrvRecord> records{
      {10, 60, 1, "a"}, {10, 30, 1, "b"}, {10, 10, 1, "c"}, {10, 0, 1, "z"}};
  SeededRandom random(20260101);
  std::map<std::string, int> first;
  std::map<std::string, int> second_after_a;
  constexpr int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const auto order = order_srv(records, random);
    ++first[order[0].target];
    if (order[0].target == "a") ++second_after_a[order[1].target];
  }
  // Sum 100: a 60 %, b 30 %, c 10 %, z (weight 0) ~1/101.
  EXPECT_NEAR(first["a"] / double(draws), 60.0 / 101, 0.021);
  EXPECT_NEAR(first["b"] / double(draws), 30.0 / 101, 0.020);
  EXPECT_NEAR(first["c"] / double(draws), 10.0 / 101, 0.013);
  EXPECT_GT(first["z"], 0);
  EXPECT_LT(first["z"], draws / 40);
  // Once a is taken, b leads with probability 30/41.
  const int after_a = first["a"];
  EXPECT_NEAR(second_after_a["b"] / double(after_a), 30.0 / 41, 0.03);
}

TEST(SrvOrder, AllZeroWeightsKeepEveryRecord) {
  const std::vector<SrvRecord> records{{10, 0, 1, "a"}, {10, 0, 1, "b"}, {10, 0, 1, "c"}};
  SeededRandom random(7);
  const auto order = order_srv(records, random);
  ASSERT_EQ(order.size(), 3u);
}

TEST(Services, NamesAndNaptrFiltering) {
  EXPECT_EQ(service_name(Transport::tls, "Example.com."), "_sips._tcp.example.com");
  const std::vector<Transport> udp_only{Transport::udp};
  const std::vector<NaptrRecord> records{naptr(10, 10, "SIP+D2T", "_sip._tcp.x"),
                                         naptr(5, 10, "SIP+D2U", "_sip._udp.x"),
                                         naptr(6, 10, "SIP+D2U", "_sip._udp.x")};
  EXPECT_EQ(services_from_naptr(records, false, udp_only, 16),
            (std::vector<ServiceQuery>{{Transport::udp, "_sip._udp.x"}}));
  const std::vector<NaptrRecord> with_regexp{
      {10, 10, "s", "SIP+D2U", "!^.*$!sip:x!", "_sip._udp.x"}};
  EXPECT_TRUE(services_from_naptr(with_regexp, false, udp_only, 16).empty());
}

}  // namespace
}  // namespace sipline::dns
