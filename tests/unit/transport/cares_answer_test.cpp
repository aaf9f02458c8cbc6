// The resolver's conversion of DNS responses into dns::Answer, on responses
// recorded from dnsmasq (the seed corpus of the dns_answer fuzz target; the
// first byte of each file is the fuzzer's selector, the rest the response),
// and the DNS server option syntax.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "transport/cares_resolver.hpp"

namespace sipline::transport {
namespace {

constexpr int ares_success = 0;
constexpr int ares_enodata = 1;
constexpr int ares_enotfound = 4;

std::vector<std::uint8_t> recorded(const std::string& name) {
  std::ifstream in(std::string(SIPLINE_SOURCE_DIR) + "/fuzz/corpus/dns_answer_fuzz/" + name,
                   std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (!bytes.empty()) bytes.erase(bytes.begin());
  return bytes;
}

TEST(CaresAnswer, NaptrWithTtlFromTheFraming) {
  const auto bytes = recorded("naptr_two_services");
  ASSERT_FALSE(bytes.empty());
  const auto a = answer_from_response(ares_success, bytes, dns::RecordType::naptr);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->naptr.size(), 2u);
  EXPECT_EQ(a->ttl, 5u);
  std::vector<std::string> services{a->naptr[0].service, a->naptr[1].service};
  std::sort(services.begin(), services.end());
  EXPECT_EQ(services, (std::vector<std::string>{"SIP+D2T", "SIP+D2U"}));
  EXPECT_EQ(a->naptr[0].flags, "S");
}

TEST(CaresAnswer, SrvRecordsAndTheDotTarget) {
  auto a = answer_from_response(ares_success, recorded("srv_two_priorities"), dns::RecordType::srv);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->srv.size(), 2u);
  EXPECT_EQ(a->ttl, 5u);
  a = answer_from_response(ares_success, recorded("srv_dot_target"), dns::RecordType::srv);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->srv.size(), 1u);
  EXPECT_EQ(a->srv[0].target, ".");
}

TEST(CaresAnswer, AddressesInCanonicalForm) {
  auto a = answer_from_response(ares_success, recorded("a_one"), dns::RecordType::a);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->addresses.size(), 1u);
  EXPECT_EQ(a->addresses[0].address, "127.0.0.2");
  EXPECT_EQ(a->ttl, 5u);
  a = answer_from_response(ares_success, recorded("aaaa_one"), dns::RecordType::aaaa);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->addresses.size(), 1u);
  EXPECT_EQ(a->addresses[0].address, "::1");
  EXPECT_EQ(a->addresses[0].family, dns::Family::ipv6);
}

TEST(CaresAnswer, NegativeAnswersTakeTheSoaTtl) {
  auto a = answer_from_response(ares_enotfound, recorded("a_nxdomain_soa"), dns::RecordType::a);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, dns::Answer::Status::nxdomain);
  EXPECT_GT(a->ttl, 0u);
  a = answer_from_response(ares_enodata, recorded("aaaa_nodata_soa"), dns::RecordType::aaaa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, dns::Answer::Status::nodata);
  EXPECT_GT(a->ttl, 0u);
  // Without a response there is no SOA: not to be cached.
  a = answer_from_response(ares_enotfound, {}, dns::RecordType::a);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ttl, 0u);
}

TEST(CaresAnswer, GarbageIsAnErrorNotACrash) {
  const std::vector<std::uint8_t> junk{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  for (auto type :
       {dns::RecordType::a, dns::RecordType::aaaa, dns::RecordType::srv, dns::RecordType::naptr}) {
    EXPECT_FALSE(answer_from_response(ares_success, junk, type));
  }
  // A server failure status is an I/O error, whatever the bytes.
  const auto a =
      answer_from_response(3 /* ARES_ESERVFAIL */, recorded("a_one"), dns::RecordType::a);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::io);
}

TEST(CaresServerEntry, Syntax) {
  EXPECT_EQ(cares_server_entry("127.0.0.1").value_or(""), "127.0.0.1");
  EXPECT_EQ(cares_server_entry("127.0.0.1:5353").value_or(""), "127.0.0.1:5353");
  EXPECT_EQ(cares_server_entry("[::1]:5353").value_or(""), "[::1]:5353");
  EXPECT_EQ(cares_server_entry("2001:DB8::1").value_or(""), "[2001:db8::1]");
  EXPECT_FALSE(cares_server_entry("dns.example:53"));
  EXPECT_FALSE(cares_server_entry("127.0.0.1:0"));
  EXPECT_FALSE(cares_server_entry("127.0.0.1:99999"));
  EXPECT_FALSE(cares_server_entry("[::1"));
  EXPECT_FALSE(cares_server_entry("[::1]x"));
}

}  // namespace
}  // namespace sipline::transport
