#include "config/toml_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/loader.hpp"

namespace sipline::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Every key of the native dialect, each set to a value that differs from
// its default, so that a key that is read into the wrong field or not at
// all shows up.
constexpr const char* every_key = R"(dialect = "flx"

[sip]
listen_address = "127.0.0.1"
listen_port = 5070
timer_t1_ms = 250
timer_t2_ms = 2000
timer_t4_ms = 3000
surge_prevention = 7

[dns]
servers = ["127.0.0.1:5353", "[::1]:53", "192.0.2.53"]

[tls]
ca_file = "ca.pem"
ca_dir = "/certs"
verify_peer = false
client_cert = "me.pem"
client_key = "me.key"

[log]
level = "debug"

[keepalive]
kind = "options"
interval = 25

[network]
watch = false
settle_ms = 1500

[[account]]
name = "office"
enabled = false
id = "alice"
display_name = "Alice"
username = "1001"
auth_name = "auth1001"
password = "s3cret"
domain = "example.com"
registration_timeout = 120
expires_overlap = 20
surge_prevention = 9
redundancy = "concurrent"
fallback_timeout = 90
redundancy_with_reg_fail = true
proxy_mode = "failover"
use_proxy_for_registration = false
strict_routing = true
proxy_fallback_interval = 600
accept_only_from_registered = false
instance_id = "urn:uuid:00000000-0000-1000-8000-000000000001"
reg_id = 2
srv_all_transports = true

[account.retry]
interval = 45
base_time = 30
max_time = 900
permanent_error_interval = 3600

[account.failback]
probe_interval = 15
good_probes = 3
min_dwell = 40

[account.keepalive]
kind = "stun"
interval = 20

[[account.server]]
address = "pbx1.example.com"
port = 5080
transport = "tcp"
expires = 300
retry_counts = 5
invite_retry_counts = 4
register_on_enable = false
only_signal_with_registered = true
failback_mode = "duration"
failback_timeout = 600

[[account.server]]
address = "pbx2.example.com"
transport = "dns_naptr"

[[account.proxy]]
address = "sbc1.example.com"
port = 5062
transport = "tls"
retry_counts = 6
invite_retry_counts = 2
register_on_enable = true
only_signal_with_registered = true
failback_mode = "registration"
failback_timeout = 700

[[account.proxy]]
address = "sbc2.example.com"

[account.calls]
ring_timeout = 60
max_calls = 3
)";

LoadResult load_ok(const std::string& text) {
  auto r = load_toml(text, "t.toml");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(*r) : LoadResult{};
}

std::string load_error(const std::string& text) {
  auto r = load_toml(text, "t.toml");
  EXPECT_FALSE(r) << "loaded although invalid:\n" << text;
  if (r) return {};
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  return r.error().message;
}

const char* minimal = R"([[account]]
username = "1001"
[[account.server]]
address = "pbx1.example.com"
)";

TEST(TomlLoader, EveryGlobalKeyReachesTheSettings) {
  const Settings s = load_ok(every_key).settings;
  EXPECT_EQ(s.dialect, Dialect::flx);
  EXPECT_EQ(s.listen_address, "127.0.0.1");
  EXPECT_EQ(s.listen_port, 5070);
  EXPECT_EQ(s.timers.t1_ms, 250u);
  EXPECT_EQ(s.timers.t2_ms, 2000u);
  EXPECT_EQ(s.timers.t4_ms, 3000u);
  EXPECT_EQ(s.surge_prevention, 7u);
  EXPECT_THAT(s.dns_servers, ElementsAre("127.0.0.1:5353", "[::1]:53", "192.0.2.53"));
  EXPECT_EQ(s.tls.ca_file, "ca.pem");
  EXPECT_EQ(s.tls.ca_dir, "/certs");
  EXPECT_FALSE(s.tls.verify_peer);
  EXPECT_EQ(s.tls.client_cert, "me.pem");
  EXPECT_EQ(s.tls.client_key, "me.key");
  EXPECT_EQ(s.log_level, LogLevel::debug);
  EXPECT_EQ(s.keepalive.kind, KeepAliveKind::options);
  EXPECT_EQ(s.keepalive.interval, 25u);
  EXPECT_FALSE(s.network.watch);
  EXPECT_EQ(s.network.settle_ms, 1500u);
}

TEST(TomlLoader, EveryAccountKeyReachesTheAccount) {
  const Settings s = load_ok(every_key).settings;
  ASSERT_EQ(s.accounts.size(), 1u);
  const Account& a = s.accounts[0];
  EXPECT_EQ(a.name, "office");
  EXPECT_FALSE(a.enabled);
  EXPECT_EQ(a.id, "alice");
  EXPECT_EQ(a.display_name, "Alice");
  EXPECT_EQ(a.username, "1001");
  EXPECT_EQ(a.auth_name, "auth1001");
  EXPECT_EQ(a.password.value, "s3cret");
  EXPECT_EQ(a.domain, "example.com");
  EXPECT_EQ(a.registration_timeout, 120u);
  EXPECT_EQ(a.expires_overlap, 20u);
  EXPECT_EQ(a.surge_prevention, 9u);
  EXPECT_EQ(a.redundancy, RedundancyType::concurrent);
  EXPECT_EQ(a.fallback_timeout, 90u);
  EXPECT_TRUE(a.redundancy_with_reg_fail);
  EXPECT_EQ(a.proxy_mode, ProxyMode::failover);
  EXPECT_FALSE(a.use_proxy_for_registration);
  EXPECT_TRUE(a.strict_routing);
  EXPECT_EQ(a.proxy_fallback_interval, 600u);
  EXPECT_FALSE(a.accept_only_from_registered);
  EXPECT_EQ(a.instance_id, "urn:uuid:00000000-0000-1000-8000-000000000001");
  EXPECT_EQ(a.reg_id, 2u);
  EXPECT_TRUE(a.srv_all_transports);
  EXPECT_EQ(a.retry.fixed_interval, 45u);
  EXPECT_EQ(a.retry.base_time, 30u);
  EXPECT_EQ(a.retry.max_time, 900u);
  EXPECT_EQ(a.retry.permanent_error_interval, 3600u);
  EXPECT_EQ(a.failback.probe_interval, 15u);
  EXPECT_EQ(a.failback.good_probes, 3);
  EXPECT_EQ(a.failback.min_dwell, 40u);
  EXPECT_EQ(a.keepalive.kind, KeepAliveKind::stun);
  EXPECT_EQ(a.keepalive.interval, 20u);
  EXPECT_EQ(a.calls.ring_timeout, 60u);
  EXPECT_EQ(a.calls.max_calls, 3u);
}

TEST(TomlLoader, EveryServerAndProxyKeyReachesItsEntry) {
  const Account a = load_ok(every_key).settings.accounts.at(0);
  ASSERT_EQ(a.servers.size(), 2u);
  const ServerEntry& s = a.servers[0];
  EXPECT_EQ(s.address, "pbx1.example.com");
  EXPECT_EQ(s.port, 5080);
  EXPECT_EQ(s.transport, ServerTransport::tcp);
  EXPECT_EQ(s.expires, 300u);
  EXPECT_EQ(s.retry_counts, 5);
  EXPECT_EQ(s.invite_retry_counts, 4);
  EXPECT_FALSE(s.register_on_enable);
  EXPECT_TRUE(s.only_signal_with_registered);
  EXPECT_EQ(s.failback_mode, FailbackMode::duration);
  EXPECT_EQ(s.failback_timeout, 600u);
  EXPECT_EQ(a.servers[1].transport, ServerTransport::dns_naptr);
  EXPECT_EQ(a.servers[1].expires, 120u) << "server expires 0 takes the account's timeout";

  ASSERT_EQ(a.proxies.size(), 2u);
  const OutboundProxy& p = a.proxies[0];
  EXPECT_EQ(p.address, "sbc1.example.com");
  EXPECT_EQ(p.port, 5062);
  EXPECT_EQ(p.transport, ServerTransport::tls);
  EXPECT_EQ(p.retry_counts, 6);
  EXPECT_EQ(p.invite_retry_counts, 2);
  EXPECT_EQ(p.register_on_enable, true);
  EXPECT_EQ(p.only_signal_with_registered, true);
  EXPECT_EQ(p.failback_mode, FailbackMode::registration);
  EXPECT_EQ(p.failback_timeout, 700u);
}

TEST(TomlLoader, UnsetProxyFieldsInheritFromTheServerAtTheSamePosition) {
  const Account a = load_ok(every_key).settings.accounts.at(0);
  const OutboundProxy& p = a.proxies[1];
  EXPECT_FALSE(p.retry_counts.has_value());
  EXPECT_FALSE(p.failback_mode.has_value());
  const ServerEntry resolved = resolve_proxy(a, 1);
  EXPECT_EQ(resolved.address, "sbc2.example.com");
  EXPECT_EQ(resolved.transport, ServerTransport::dns_naptr);  // from server 2
  EXPECT_EQ(resolved.retry_counts, 3);                        // server 2's default
}

TEST(TomlLoader, DefaultsApplyToAMinimalAccount) {
  const LoadResult r = load_ok(minimal);
  EXPECT_THAT(r.warnings, IsEmpty());
  const Settings& s = r.settings;
  EXPECT_EQ(s.dialect, Dialect::native);
  EXPECT_EQ(s.listen_address, "0.0.0.0");
  EXPECT_EQ(s.listen_port, 5060);
  EXPECT_EQ(s.timers.t1_ms, 500u);
  EXPECT_TRUE(s.tls.verify_peer);
  EXPECT_EQ(s.log_level, LogLevel::info);
  ASSERT_EQ(s.accounts.size(), 1u);
  const Account& a = s.accounts[0];
  EXPECT_EQ(a.name, "account1");
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.registration_timeout, 3600u);
  EXPECT_EQ(a.domain, "pbx1.example.com");
  EXPECT_EQ(a.redundancy, RedundancyType::successive);
  EXPECT_EQ(a.servers.at(0).port, 0);
  EXPECT_EQ(a.servers.at(0).expires, 3600u);
  EXPECT_EQ(a.keepalive.kind, KeepAliveKind::automatic);
  EXPECT_EQ(a.keepalive.interval, 30u);
  EXPECT_EQ(a.keepalive.pong_timeout, 10u);
  EXPECT_EQ(a.calls.ring_timeout, 180u);
  EXPECT_EQ(a.calls.max_calls, 8u);
}

TEST(TomlLoader, KeepAliveKindsOffAutoAndPongTimeout) {
  const Settings off = load_ok(std::string("[keepalive]\nkind = \"off\"\n") + minimal).settings;
  EXPECT_EQ(off.accounts.at(0).keepalive.kind, KeepAliveKind::none);
  const Settings automatic =
      load_ok(std::string("[keepalive]\nkind = \"auto\"\npong_timeout = 4\n") + minimal).settings;
  EXPECT_EQ(automatic.accounts.at(0).keepalive.kind, KeepAliveKind::automatic);
  EXPECT_EQ(automatic.accounts.at(0).keepalive.pong_timeout, 4u);
}

TEST(TomlLoader, TheFlxDialectDefaultsTheExpiryTo55Seconds) {
  const Settings s = load_ok(std::string("dialect = \"flx\"\n") + minimal).settings;
  EXPECT_EQ(s.accounts.at(0).registration_timeout, 55u);
}

TEST(TomlLoader, GlobalKeepAliveAndSurgeAreTheAccountDefaults) {
  const Settings s =
      load_ok(std::string("[sip]\nsurge_prevention = 12\n[keepalive]\nkind = \"none\"\n") + minimal)
          .settings;
  EXPECT_EQ(s.accounts.at(0).keepalive.kind, KeepAliveKind::none);
  EXPECT_EQ(s.accounts.at(0).surge_prevention, 12u);
}

TEST(TomlLoader, SourceLocationsAreRecordedPerKey) {
  const Settings s = load_ok(every_key).settings;
  ASSERT_TRUE(s.sources.contains("sip.listen_port"));
  EXPECT_EQ(s.sources.at("sip.listen_port").line, 5u);
  EXPECT_EQ(s.sources.at("sip.listen_port").file, "t.toml");
  ASSERT_TRUE(s.sources.contains("account[1].server[2].transport"));
  EXPECT_EQ(s.sources.at("account[1].server[2].transport").line, 85u);
  EXPECT_EQ(s.sources.at("network.settle_ms").line, 30u);
}

TEST(TomlLoader, FailbackTimeoutBelowSixtyIsRaisedWithAWarning) {
  std::string text = std::string(minimal) + "failback_timeout = 30\n";
  const LoadResult r = load_ok(text);
  EXPECT_EQ(r.settings.accounts.at(0).servers.at(0).failback_timeout, 60u);
  EXPECT_THAT(
      r.warnings,
      ElementsAre("t.toml:5: account[1].server[1].failback_timeout: value 30 raised to 60"));
  EXPECT_EQ(load_ok(std::string(minimal) + "failback_timeout = 0\n")
                .settings.accounts.at(0)
                .servers.at(0)
                .failback_timeout,
            0u);
}

struct ErrorCase {
  const char* name;
  std::string text;
  const char* message;  // the whole expected message
};

class TomlErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TomlErrors, NameFileLineKeyAndReason) {
  EXPECT_EQ(load_error(GetParam().text), GetParam().message);
}

const std::string acct = "[[account]]\nusername = \"1001\"\n";
const std::string server = "[[account.server]]\naddress = \"pbx1.example.com\"\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, TomlErrors,
    ::testing::Values(
        ErrorCase{"syntax", "[sip\n",
                  "t.toml:1: syntax: Error while parsing table header: expected ']', saw '\\n'"},
        ErrorCase{"unknown_top", "dialekt = \"flx\"\n",
                  "t.toml:1: dialekt: unknown key (did you mean \"dialect\"?)"},
        ErrorCase{"unknown_server_key", acct + server + "adress = \"x\"\n",
                  "t.toml:5: account[1].server[1].adress: unknown key (did you mean \"address\"?)"},
        ErrorCase{"unknown_no_guess", "[sip]\ncodec = 1\n", "t.toml:2: sip.codec: unknown key"},
        ErrorCase{"wrong_type", "[sip]\nlisten_port = \"5060\"\n",
                  "t.toml:2: sip.listen_port: expected an integer"},
        ErrorCase{"port_range", "[sip]\nlisten_port = 70000\n",
                  "t.toml:2: sip.listen_port: value 70000 is outside 0-65535"},
        ErrorCase{"settle_range", "[network]\nsettle_ms = 60001\n",
                  "t.toml:2: network.settle_ms: value 60001 is outside 0-60000"},
        ErrorCase{"retry_counts", acct + server + "retry_counts = 25\n",
                  "t.toml:5: account[1].server[1].retry_counts: value 25 is outside 0-20"},
        ErrorCase{"invite_retry_counts", acct + server + "invite_retry_counts = 0\n",
                  "t.toml:5: account[1].server[1].invite_retry_counts: value 0 is outside 1-10"},
        ErrorCase{
            "failback_timeout", acct + server + "failback_timeout = 70000\n",
            "t.toml:5: account[1].server[1].failback_timeout: value 70000 is outside 0-65535"},
        ErrorCase{"proxy_retry_counts",
                  acct + server + "[[account.proxy]]\naddress = \"sbc\"\nretry_counts = -1\n",
                  "t.toml:7: account[1].proxy[1].retry_counts: value -1 is outside 0-20"},
        ErrorCase{"ring_timeout", acct + server + "[account.calls]\nring_timeout = 0\n",
                  "t.toml:6: account[1].calls.ring_timeout: value 0 is outside 1-3600"},
        ErrorCase{"max_calls", acct + server + "[account.calls]\nmax_calls = 101\n",
                  "t.toml:6: account[1].calls.max_calls: value 101 is outside 1-100"},
        ErrorCase{"surge", "[sip]\nsurge_prevention = 61\n",
                  "t.toml:2: sip.surge_prevention: value 61 is outside 0-60"},
        ErrorCase{
            "enum", acct + server + "transport = \"sctp\"\n",
            "t.toml:5: account[1].server[1].transport: \"sctp\" is not one of udp, tcp, tls or "
            "dns_naptr"},
        ErrorCase{"enum_type", "[log]\nlevel = 3\n",
                  "t.toml:2: log.level: expected one of trace, debug, info, warning or error"},
        ErrorCase{"bool", acct + "enabled = 1\n" + server,
                  "t.toml:3: account[1].enabled: expected true or false"},
        ErrorCase{
            "expires_low", acct + "registration_timeout = 5\n" + server,
            "t.toml:3: account[1].registration_timeout: value 5 is below the minimum of 10 (0 = "
            "default)"},
        ErrorCase{"no_server", acct,
                  "t.toml:1: account[1].server: at least one [[account.server]] is required"},
        ErrorCase{"server_no_address", acct + "[[account.server]]\nport = 5060\n",
                  "t.toml:3: account[1].server[1].address: required"},
        ErrorCase{
            "server_bad_host", acct + "[[account.server]]\naddress = \"pbx one\"\n",
            "t.toml:4: account[1].server[1].address: \"pbx one\": not a host name or IP address"},
        ErrorCase{"proxy_no_address", acct + server + "[[account.proxy]]\nport = 5060\n",
                  "t.toml:5: account[1].proxy[1].address: required"},
        ErrorCase{"server_not_array", acct + "[account.server]\naddress = \"x\"\n",
                  "t.toml:3: account[1].server: expected an array of tables ([[account.server]])"},
        ErrorCase{"sip_not_table", "sip = 1\n", "t.toml:1: sip: expected a table ([sip])"},
        ErrorCase{"control_char", acct + "display_name = \"a\\r\\nVia: x\"\n" + server,
                  "t.toml:3: account[1].display_name: \"a\\x0d\\x0aVia: x\": contains a control "
                  "character"},
        ErrorCase{
            "retry_pair", acct + server + "[account.retry]\nbase_time = 30\n",
            "t.toml:6: account[1].retry.base_time: retry.base_time and retry.max_time must be set "
            "together (both 0 = fixed interval)"},
        ErrorCase{
            "retry_order", acct + server + "[account.retry]\nbase_time = 300\nmax_time = 30\n",
            "t.toml:6: account[1].retry.base_time: value 300 is outside 1-30 (must not exceed "
            "retry.max_time)"},
        ErrorCase{
            "t2_below_t1", "[sip]\ntimer_t1_ms = 2000\ntimer_t2_ms = 1000\n",
            "t.toml:3: sip.timer_t2_ms: T2 (1000 ms) is below sip.timer_t1_ms (2000 ms); RFC 3261 "
            "§17.1.2.2 caps retransmission at T2 >= T1"},
        ErrorCase{"dns_server", "[dns]\nservers = [\"127.0.0.1:0\"]\n",
                  "t.toml:2: dns.servers[1]: \"127.0.0.1:0\": port must be 1-65535"},
        ErrorCase{"listen_address", "[sip]\nlisten_address = \"\"\n",
                  "t.toml:2: sip.listen_address: \"\": must not be empty"},
        ErrorCase{"duplicate_name",
                  acct + "name = \"a\"\n" + server + acct + "name = \"a\"\n" + server,
                  "t.toml:8: account[2].name: \"a\": already the name of account 1"},
        ErrorCase{"good_probes", acct + server + "[account.failback]\ngood_probes = 0\n",
                  "t.toml:6: account[1].failback.good_probes: value 0 is outside 1-100"},
        ErrorCase{"enabled_without_username", "[[account]]\n" + server,
                  "t.toml:1: account[1].username: required for an enabled account"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(TomlLoader, APasswordIsNeverQuotedInAnError) {
  const std::string message = load_error(acct + "password = 12345678\n" + server);
  EXPECT_EQ(message, "t.toml:3: account[1].password: expected a string (the value is not shown)");
  EXPECT_THAT(message, ::testing::Not(HasSubstr("12345678")));
}

TEST(TomlLoader, ThePrintedPlaceholderPasswordIsFlagged) {
  const LoadResult r = load_ok(acct + "password = \"***\"\n" + server);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("t.toml:3: account[1].password: is the placeholder"));
}

TEST(TomlLoader, NothingIsReturnedWhenALaterAccountIsInvalid) {
  auto r = load_toml(std::string(minimal) + acct + server + "retry_counts = 99\n", "t.toml");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("account[2].server[1].retry_counts"));
}

TEST(Loader, DispatchesOnTheFileName) {
  auto toml = load_config(minimal, "x.toml");
  ASSERT_TRUE(toml);
  EXPECT_EQ(toml->settings.dialect, Dialect::native);
  auto cfg = load_config(
      "account.1.enable = 1\naccount.1.user_name = 1\n"
      "account.1.sip_server.1.address = pbx\n",
      "x.cfg");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->settings.dialect, Dialect::yealink);
  // A .cfg text given a TOML name is parsed as TOML, and fails as such.
  EXPECT_FALSE(load_config("account.1.enable = 1\n", "x.conf"));
}

TEST(Loader, RefusesAnOversizedText) {
  const std::string huge(std::size_t{2} << 20, '#');
  auto r = load_config(huge, "big.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "big.toml:1: file: larger than 1 MiB; not a configuration file");
}

}  // namespace
}  // namespace sipline::config
