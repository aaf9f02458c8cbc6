#include "config/toml_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/toml_loader.hpp"
#include "config/yealink_loader.hpp"

namespace sipline::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string read(const std::string& relative) {
  std::ifstream in(std::string(SIPLINE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Settings must_load(Result<LoadResult> r) {
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(r->settings) : Settings{};
}

// The written TOML, read back, is the same configuration: every field,
// every account, every server and proxy (the password aside, which is
// never written).
void expect_same(const Settings& a, Settings b) {
  EXPECT_EQ(a.dialect, b.dialect);
  EXPECT_EQ(a.listen_address, b.listen_address);
  EXPECT_EQ(a.listen_port, b.listen_port);
  EXPECT_EQ(a.timers, b.timers);
  EXPECT_EQ(a.dns_servers, b.dns_servers);
  EXPECT_EQ(a.tls, b.tls);
  EXPECT_EQ(a.log_level, b.log_level);
  EXPECT_EQ(a.keepalive, b.keepalive);
  EXPECT_EQ(a.surge_prevention, b.surge_prevention);
  EXPECT_EQ(a.network, b.network);
  ASSERT_EQ(a.accounts.size(), b.accounts.size());
  for (std::size_t i = 0; i < a.accounts.size(); ++i) {
    EXPECT_EQ(b.accounts[i].password.value, a.accounts[i].password.empty() ? "" : "***");
    b.accounts[i].password = a.accounts[i].password;
    EXPECT_TRUE(a.accounts[i] == b.accounts[i])
        << "account " << i + 1 << " differs after the round trip";
  }
}

TEST(TomlWriter, TheExampleTomlRoundTrips) {
  const Settings original =
      must_load(load_toml(read("examples/config/two-servers.toml"), "a.toml"));
  ASSERT_FALSE(original.accounts.empty());
  WriteOptions convert;
  convert.resolve_inheritance = false;
  const std::string text = write_toml(original, convert);
  expect_same(original, must_load(load_toml(text, "b.toml")));
}

TEST(TomlWriter, AYealinkFileConvertsToEquivalentToml) {
  const Settings original = must_load(load_yealink(read("examples/config/yealink.cfg"), "a.cfg"));
  ASSERT_EQ(original.accounts.size(), 1u);
  ASSERT_EQ(original.accounts[0].proxies.size(), 2u);
  WriteOptions convert;
  convert.resolve_inheritance = false;
  const std::string text = write_toml(original, convert);
  const Settings back = must_load(load_toml(text, "b.toml"));
  expect_same(original, back);
  // Inheritance survives the conversion: the proxies still inherit.
  EXPECT_FALSE(back.accounts[0].proxies[0].retry_counts.has_value());
}

TEST(TomlWriter, TheEffectiveViewWritesInheritedValuesAndStillLoads) {
  const Settings original = must_load(load_yealink(read("examples/config/yealink.cfg"), "a.cfg"));
  const std::string text = write_toml(original);
  EXPECT_THAT(text, HasSubstr("retry_counts = 3  # inherited from server 1"));
  EXPECT_THAT(text, HasSubstr("failback_mode = \"duration\"  # inherited from server 2"));
  EXPECT_THAT(text, HasSubstr("id = \"1001\"  # blank: the username"));
  const Settings back = must_load(load_toml(text, "b.toml"));
  const Account& a = original.accounts[0];
  const Account& b = back.accounts.at(0);
  for (std::size_t i = 0; i < a.proxies.size(); ++i) {
    EXPECT_TRUE(resolve_proxy(a, i) == resolve_proxy(b, i)) << "proxy " << i + 1;
  }
}

TEST(TomlWriter, EveryNonDefaultValueRoundTrips) {
  Settings s;
  s.dialect = Dialect::flx;
  s.listen_address = "::1";
  s.listen_port = 0;
  s.timers = SipTimers{100, 400, 900};
  s.dns_servers = {"127.0.0.1:5353"};
  s.tls = TlsSettings{"ca \"1\".pem", "dir\\x", false, "c.pem", "k.pem"};
  s.log_level = LogLevel::trace;
  s.keepalive = KeepAlive{KeepAliveKind::options, 11};
  s.surge_prevention = 3;
  s.network = NetworkSettings{false, 2500};
  Account a;
  a.name = "n\u00e4me";
  a.enabled = false;
  a.id = "id";
  a.display_name = "Disp \"quoted\"";
  a.username = "u";
  a.auth_name = "au";
  a.password.value = "pw";
  a.domain = "d.example";
  a.registration_timeout = 77;
  a.expires_overlap = 7;
  a.surge_prevention = 4;
  a.redundancy = RedundancyType::concurrent;
  a.fallback_timeout = 33;
  a.redundancy_with_reg_fail = true;
  a.proxy_mode = ProxyMode::failover;
  a.use_proxy_for_registration = false;
  a.strict_routing = true;
  a.proxy_fallback_interval = 99;
  a.accept_only_from_registered = false;
  a.instance_id = "urn:uuid:1";
  a.reg_id = 5;
  a.srv_all_transports = true;
  a.retry = RetryPolicy{12, 5, 50, 600};
  a.failback = FailbackTuning{9, 4, 8};
  a.keepalive = KeepAlive{KeepAliveKind::stun, 19};
  a.calls = CallSettings{45, 2};
  a.servers = {
      ServerEntry{"h1", 1, ServerTransport::tls, 88, 2, 5, false, true, FailbackMode::dns_ttl, 61}};
  OutboundProxy p;
  p.address = "p1";
  p.port = 2;
  p.transport = ServerTransport::tcp;
  p.invite_retry_counts = 9;
  p.failback_mode = FailbackMode::monitor;
  a.proxies = {p};
  s.accounts = {a};
  WriteOptions convert;
  convert.resolve_inheritance = false;
  expect_same(s, must_load(load_toml(write_toml(s, convert), "b.toml")));
}

TEST(TomlWriter, APasswordIsNeverWritten) {
  Settings s;
  Account a;
  a.username = "u";
  a.password.value = "hunter2-secret";
  a.servers = {ServerEntry{.address = "h"}};
  s.accounts = {a};
  for (bool resolve : {true, false}) {
    WriteOptions options;
    options.resolve_inheritance = resolve;
    const std::string text = write_toml(s, options);
    EXPECT_THAT(text, Not(HasSubstr("hunter2")));
    EXPECT_THAT(text, HasSubstr("password = \"***\""));
  }
}

TEST(TomlWriter, StringsAreEscaped) {
  EXPECT_EQ(toml_string("a\"b\\c\td\x01"), "\"a\\\"b\\\\c\\td\\u0001\"");
}

}  // namespace
}  // namespace sipline::config
