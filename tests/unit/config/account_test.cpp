#include "config/account.hpp"

#include <gtest/gtest.h>

namespace sipline::config {
namespace {

Account two_server_account() {
  Account a;
  a.username = "1001";
  a.servers = {ServerEntry{.address = "pbx1.example.com"},
               ServerEntry{.address = "pbx2.example.com"}};
  return a;
}

TEST(Account, BlankIdentityFieldsFallBackToUsername) {
  Account a = two_server_account();
  EXPECT_EQ(a.effective_id(), "1001");
  EXPECT_EQ(a.effective_display_name(), "1001");
  EXPECT_EQ(a.effective_auth_name(), "1001");
  a.id = "alice";
  a.display_name = "Alice";
  a.auth_name = "auth-1001";
  EXPECT_EQ(a.effective_id(), "alice");
  EXPECT_EQ(a.effective_display_name(), "Alice");
  EXPECT_EQ(a.effective_auth_name(), "auth-1001");
}

TEST(Account, RegistrationTimeoutZeroMeansTheDialectDefault) {
  Account flx = two_server_account();
  ASSERT_TRUE(normalize(flx, Dialect::flx));
  EXPECT_EQ(flx.registration_timeout, 55u);
  EXPECT_EQ(flx.servers[1].expires, 55u);

  Account yealink = two_server_account();
  ASSERT_TRUE(normalize(yealink, Dialect::yealink));
  EXPECT_EQ(yealink.registration_timeout, 3600u);
  EXPECT_EQ(yealink.domain, "pbx1.example.com");
}

TEST(Account, FailbackTimeoutBelowSixtyIsRaisedAndZeroMeansNever) {
  Account a = two_server_account();
  a.servers[0].failback_timeout = 1;
  a.servers[1].failback_timeout = 0;
  ASSERT_TRUE(normalize(a, Dialect::yealink));
  EXPECT_EQ(a.servers[0].failback_timeout, 60u);
  EXPECT_EQ(a.servers[1].failback_timeout, 0u);
}

TEST(Account, OutOfRangeRetryCountsNamesTheKey) {
  Account a = two_server_account();
  a.servers[1].retry_counts = 21;
  auto r = normalize(a, Dialect::yealink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::out_of_range);
  EXPECT_EQ(r.error().message, "servers[1].retry_counts: 21 is outside 0-20");
}

TEST(Account, ProxyInheritsUnsetFieldsFromTheServerAtTheSamePosition) {
  Account a = two_server_account();
  a.servers[1].retry_counts = 7;
  a.servers[1].failback_mode = FailbackMode::duration;
  a.proxies = {OutboundProxy{.address = "op1"}, OutboundProxy{.address = "op2", .retry_counts = 1}};
  ASSERT_TRUE(normalize(a, Dialect::yealink));
  ServerEntry p1 = resolve_proxy(a, 0);
  ServerEntry p2 = resolve_proxy(a, 1);
  EXPECT_EQ(p1.address, "op1");
  EXPECT_EQ(p1.retry_counts, 3);
  EXPECT_EQ(p2.retry_counts, 1);                        // own value wins
  EXPECT_EQ(p2.failback_mode, FailbackMode::duration);  // inherited from sip_server.2
}

}  // namespace
}  // namespace sipline::config
