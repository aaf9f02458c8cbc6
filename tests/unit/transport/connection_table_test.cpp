#include "transport/connection_table.hpp"

#include <gtest/gtest.h>

#include <string>

#include "transport/transport.hpp"

namespace sipline::transport {
namespace {

using sip::Target;
using sip::TransportKind;

TEST(CanonicalAddress, OneSpellingPerAddress) {
  EXPECT_EQ(canonical_address("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonical_address("2001:DB8:0::1"), "2001:db8::1");
  EXPECT_EQ(canonical_address("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(canonical_address("192.0.2.7"), "192.0.2.7");
}

TEST(CanonicalAddress, NonNumericTextIsOnlyLowerCased) {
  EXPECT_EQ(canonical_address("Sip.Example.COM"), "sip.example.com");
  EXPECT_EQ(canonical_address(""), "");
  EXPECT_EQ(canonical_address(std::string(200, 'A')), std::string(200, 'a'));
}

TEST(ConnectionKey, SameAddressDifferentSpellingIsOneKey) {
  const Target a{TransportKind::tcp, "0:0::1", 5060, {}};
  const Target b{TransportKind::tcp, "::1", 5060, {}};
  EXPECT_EQ(key_for(a), key_for(b));
}

TEST(ConnectionKey, TransportAndPortDistinguish) {
  const Target tcp{TransportKind::tcp, "192.0.2.1", 5060, {}};
  Target tls = tcp;
  tls.transport = TransportKind::tls;
  Target other_port = tcp;
  other_port.port = 5062;
  EXPECT_FALSE(key_for(tcp) == key_for(tls));
  EXPECT_FALSE(key_for(tcp) == key_for(other_port));
}

TEST(ConnectionKey, ServerNameSeparatesTlsFlowsOnOneAddress) {
  // Two domains hosted on one address must not share a TLS connection that
  // was verified for only one of them.
  const Target foo{TransportKind::tls, "192.0.2.1", 5061, "sip.foo.example"};
  const Target bar{TransportKind::tls, "192.0.2.1", 5061, "sip.bar.example"};
  const Target foo_upper{TransportKind::tls, "192.0.2.1", 5061, "SIP.Foo.Example"};
  EXPECT_FALSE(key_for(foo) == key_for(bar));
  EXPECT_EQ(key_for(foo), key_for(foo_upper));
}

TEST(ConnectionKey, ServerNameIsIgnoredForTcp) {
  const Target named{TransportKind::tcp, "192.0.2.1", 5060, "sip.foo.example"};
  const Target bare{TransportKind::tcp, "192.0.2.1", 5060, {}};
  EXPECT_EQ(key_for(named), key_for(bare));
}

TEST(ConnectionKey, InboundMatchesTheSourceTarget) {
  const Target source{TransportKind::tls, "::ffff:198.51.100.4", 40000, {}};
  EXPECT_EQ(inbound_key(TransportKind::tls, "198.51.100.4", 40000), key_for(source));
  Target named = source;
  named.server_name = "sip.example";
  EXPECT_FALSE(inbound_key(TransportKind::tls, "198.51.100.4", 40000) == key_for(named));
}

TEST(ConnectionKeyHash, EqualKeysHashEqual) {
  const ConnectionKeyHash hash;
  EXPECT_EQ(hash(key_for({TransportKind::tcp, "0:0::1", 5060, {}})),
            hash(key_for({TransportKind::tcp, "::1", 5060, {}})));
}

TEST(ConnectionTable, FindAddRemove) {
  ConnectionTable<std::string> table;
  const auto key = key_for({TransportKind::tcp, "192.0.2.1", 5060, {}});
  EXPECT_EQ(table.find(key), nullptr);
  const auto id = table.add(key, "first");
  ASSERT_NE(table.find(key), nullptr);
  EXPECT_EQ(*table.find(key), "first");
  EXPECT_EQ(*table.get(id), "first");
  ASSERT_NE(table.key_of(id), nullptr);
  EXPECT_EQ(*table.key_of(id), key);
  EXPECT_EQ(table.size(), 1u);

  EXPECT_TRUE(table.remove(id));
  EXPECT_FALSE(table.remove(id));
  EXPECT_EQ(table.find(key), nullptr);
  EXPECT_EQ(table.get(id), nullptr);
  EXPECT_TRUE(table.empty());
}

TEST(ConnectionTable, NewerConnectionTakesOverTheKey) {
  ConnectionTable<std::string> table;
  const auto key = key_for({TransportKind::tcp, "192.0.2.1", 5060, {}});
  const auto old_id = table.add(key, "old");
  const auto new_id = table.add(key, "new");
  EXPECT_NE(old_id, new_id);
  EXPECT_EQ(*table.find(key), "new");
  EXPECT_EQ(table.size(), 2u);

  // Removing the superseded one leaves the index alone.
  table.remove(old_id);
  ASSERT_NE(table.find(key), nullptr);
  EXPECT_EQ(*table.find(key), "new");

  table.remove(new_id);
  EXPECT_EQ(table.find(key), nullptr);
}

TEST(ConnectionTable, RemovingTheIndexedOneDoesNotResurrectTheOlder) {
  ConnectionTable<std::string> table;
  const auto key = key_for({TransportKind::tcp, "192.0.2.1", 5060, {}});
  const auto old_id = table.add(key, "old");
  const auto new_id = table.add(key, "new");
  table.remove(new_id);
  EXPECT_EQ(table.find(key), nullptr);
  EXPECT_NE(table.get(old_id), nullptr);
}

TEST(ConnectionTable, ForEachVisitsEveryEntry) {
  ConnectionTable<int> table;
  table.add(key_for({TransportKind::tcp, "192.0.2.1", 1, {}}), 1);
  table.add(key_for({TransportKind::tcp, "192.0.2.1", 2, {}}), 2);
  table.add(key_for({TransportKind::tls, "192.0.2.1", 2, "a"}), 4);
  int sum = 0;
  table.for_each([&sum](ConnectionTable<int>::Id, int& v) { sum += v; });
  EXPECT_EQ(sum, 7);
}

TEST(TransportFailure, DescribeNamesReasonAndDetail) {
  EXPECT_EQ(
      describe({sip::TransportError::tls_failure, "certificate verify failed: hostname mismatch"}),
      "tls_failure: certificate verify failed: hostname mismatch");
  EXPECT_EQ(describe({sip::TransportError::refused, ""}), "refused");
}

}  // namespace
}  // namespace sipline::transport
