#include "config/yealink_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipline::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Joins lines with CRLF, as provisioning servers often serve them.
std::string crlf(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\r\n";
  return out;
}

// Every implemented key, each with a value that differs from its default.
const std::vector<std::string> every_key = {
    "#!version:1.0.0.1",                                           // 1
    "# account 1",                                                 // 2
    "account.1.enable = 1",                                        // 3
    "account.1.label = Desk",                                      // 4
    "account.1.display_name = Front Desk",                         // 5
    "account.1.auth_name = auth1001",                              // 6
    "account.1.user_name = 1001",                                  // 7
    "account.1.password = p#ss word",                              // 8
    "account.1.sip_server.1.address = pbx1.example.com",           // 9
    "account.1.sip_server.1.port = 5080",                          // 10
    "account.1.sip_server.1.transport_type = 1",                   // 11
    "account.1.sip_server.1.expires = 600",                        // 12
    "account.1.sip_server.1.retry_counts = 5",                     // 13
    "account.1.sip_server.1.failback_mode = 3",                    // 14
    "account.1.sip_server.1.failback_timeout = 300",               // 15
    "account.1.sip_server.1.register_on_enable = 1",               // 16
    "account.1.sip_server.1.only_signal_with_registered = 1",      // 17
    "account.1.sip_server.1.invite_retry_counts = 7",              // 18
    "account.1.sip_server.2.address = pbx2.example.com",           // 19
    "account.1.sip_server.2.transport_type = 3",                   // 20
    "account.1.sip_server.2.port = 0",                             // 21
    "account.1.outbound_proxy_enable = 1",                         // 22
    "account.1.outbound_proxy.1.address = sbc1.example.com",       // 23
    "account.1.outbound_proxy.1.port = 5062",                      // 24
    "account.1.outbound_proxy.1.transport_type = 2",               // 25
    "account.1.outbound_proxy.1.retry_counts = 9",                 // 26
    "account.1.outbound_proxy.1.invite_retry_counts = 2",          // 27
    "account.1.outbound_proxy.1.register_on_enable = 0",           // 28
    "account.1.outbound_proxy.1.only_signal_with_registered = 0",  // 29
    "account.1.outbound_proxy.1.failback_mode = 2",                // 30
    "account.1.outbound_proxy.1.failback_timeout = 900",           // 31
    "account.1.outbound_proxy.2.address = sbc2.example.com",       // 32
    "account.1.outbound_proxy.2.port = 5060",                      // 33
    "account.1.outbound_proxy.2.retry_counts = -1",                // 34
    "account.1.outbound_proxy.2.failback_mode = -1",               // 35
    "account.1.outbound_proxy.2.register_on_enable = -1",          // 36
    "account.1.outbound_proxy_fallback_interval = 1200",           // 37
    "account.1.fallback.redundancy_type = 1",                      // 38
    "account.1.fallback.timeout = 240",                            // 39
    "account.1.redundancy_with_reg_fail.enable = 1",               // 40
    "account.1.reg_fail_retry_interval = 45",                      // 41
    "account.1.reg_failed_retry_min_time = 20",                    // 42
    "account.1.reg_failed_retry_max_time = 600",                   // 43
    "account.1.register_expires_overlap = 25",                     // 44
    "account.1.nat.udp_update_enable = 0",                         // 45
    "account.1.nat.udp_update_time = 40",                          // 46
    "account.1.naptr_build = 1",                                   // 47
    "sip.reg_surge_prevention = 11",                               // 48
    "sip.timer_t1 = 0.75",                                         // 49
    "sip.timer_t2 = 6",                                            // 50
    "sip.timer_t4 = 7.5",                                          // 51
    "sip.listen_port = 5070",                                      // 52
};

LoadResult load_ok(const std::string& text) {
  auto r = load_yealink(text, "p.cfg");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(*r) : LoadResult{};
}

std::string load_error(const std::string& text) {
  auto r = load_yealink(text, "p.cfg");
  EXPECT_FALSE(r) << "loaded although invalid:\n" << text;
  if (r) return {};
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  return r.error().message;
}

const std::vector<std::string> minimal = {"account.1.enable = 1", "account.1.user_name = 1001",
                                          "account.1.sip_server.1.address = pbx1.example.com"};

std::string with(std::vector<std::string> lines, const std::vector<std::string>& more) {
  lines.insert(lines.end(), more.begin(), more.end());
  return crlf(lines);
}

TEST(YealinkLoader, EveryGlobalKeyReachesTheSettings) {
  const LoadResult r = load_ok(crlf(every_key));
  EXPECT_THAT(r.warnings, IsEmpty());
  const Settings& s = r.settings;
  EXPECT_EQ(s.dialect, Dialect::yealink);
  EXPECT_EQ(s.surge_prevention, 11u);
  EXPECT_EQ(s.timers.t1_ms, 750u);
  EXPECT_EQ(s.timers.t2_ms, 6000u);
  EXPECT_EQ(s.timers.t4_ms, 7500u);
  EXPECT_EQ(s.listen_port, 5070);
}

TEST(YealinkLoader, EveryAccountKeyReachesTheAccount) {
  const Settings s = load_ok(crlf(every_key)).settings;
  ASSERT_EQ(s.accounts.size(), 1u);
  const Account& a = s.accounts[0];
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.name, "Desk");
  EXPECT_EQ(a.display_name, "Front Desk");
  EXPECT_EQ(a.auth_name, "auth1001");
  EXPECT_EQ(a.username, "1001");
  EXPECT_EQ(a.password.value, "p#ss word") << "'#' inside a value is not a comment";
  EXPECT_EQ(a.proxy_fallback_interval, 1200u);
  EXPECT_EQ(a.redundancy, RedundancyType::successive);
  EXPECT_EQ(a.fallback_timeout, 240u);
  EXPECT_TRUE(a.redundancy_with_reg_fail);
  EXPECT_EQ(a.retry.fixed_interval, 45u);
  EXPECT_EQ(a.retry.base_time, 20u);
  EXPECT_EQ(a.retry.max_time, 600u);
  EXPECT_EQ(a.expires_overlap, 25u);
  EXPECT_EQ(a.keepalive.kind, KeepAliveKind::none);
  EXPECT_EQ(a.keepalive.interval, 40u);
  EXPECT_TRUE(a.srv_all_transports);
  EXPECT_EQ(a.surge_prevention, 11u);
  EXPECT_EQ(a.proxy_mode, ProxyMode::failover);
}

TEST(YealinkLoader, EveryServerKeyReachesItsEntry) {
  const Account a = load_ok(crlf(every_key)).settings.accounts.at(0);
  ASSERT_EQ(a.servers.size(), 2u);
  const ServerEntry& s = a.servers[0];
  EXPECT_EQ(s.address, "pbx1.example.com");
  EXPECT_EQ(s.port, 5080);
  EXPECT_EQ(s.transport, ServerTransport::tcp);
  EXPECT_EQ(s.expires, 600u);
  EXPECT_EQ(s.retry_counts, 5);
  EXPECT_EQ(s.failback_mode, FailbackMode::duration);
  EXPECT_EQ(s.failback_timeout, 300u);
  EXPECT_TRUE(s.register_on_enable);
  EXPECT_TRUE(s.only_signal_with_registered);
  EXPECT_EQ(s.invite_retry_counts, 7);
  EXPECT_EQ(a.servers[1].transport, ServerTransport::dns_naptr);
  EXPECT_EQ(a.servers[1].port, 0);
}

TEST(YealinkLoader, EveryProxyKeyReachesItsEntry) {
  const Account a = load_ok(crlf(every_key)).settings.accounts.at(0);
  ASSERT_EQ(a.proxies.size(), 2u);
  const OutboundProxy& p = a.proxies[0];
  EXPECT_EQ(p.address, "sbc1.example.com");
  EXPECT_EQ(p.port, 5062);
  EXPECT_EQ(p.transport, ServerTransport::tls);
  EXPECT_EQ(p.retry_counts, 9);
  EXPECT_EQ(p.invite_retry_counts, 2);
  EXPECT_EQ(p.register_on_enable, false);
  EXPECT_EQ(p.only_signal_with_registered, false);
  EXPECT_EQ(p.failback_mode, FailbackMode::registration);
  EXPECT_EQ(p.failback_timeout, 900u);
}

TEST(YealinkLoader, MinusOneMakesAProxyInheritFromTheServerAtItsPosition) {
  const Account a = load_ok(crlf(every_key)).settings.accounts.at(0);
  const OutboundProxy& p = a.proxies[1];
  EXPECT_FALSE(p.retry_counts.has_value());
  EXPECT_FALSE(p.failback_mode.has_value());
  EXPECT_FALSE(p.register_on_enable.has_value());
  EXPECT_FALSE(p.transport.has_value()) << "never set: inherits too";
  const ServerEntry r = resolve_proxy(a, 1);
  EXPECT_EQ(r.address, "sbc2.example.com");
  EXPECT_EQ(r.port, 5060);
  EXPECT_EQ(r.transport, ServerTransport::dns_naptr);      // sip_server.2
  EXPECT_EQ(r.retry_counts, 3);                            // sip_server.2 default
  EXPECT_EQ(r.failback_mode, FailbackMode::new_requests);  // sip_server.2 default
  EXPECT_FALSE(r.register_on_enable);                      // Yealink default 0
  // The first proxy's own values win over sip_server.1's.
  EXPECT_EQ(resolve_proxy(a, 0).retry_counts, 9);
}

TEST(YealinkLoader, UdpUpdateEnableOneToThreeMeansAutomaticKeepAlives) {
  for (const char* value : {"1", "2", "3"}) {
    const auto file = with(minimal, {std::string("account.1.nat.udp_update_enable = ") + value});
    const Account a = load_ok(file).settings.accounts.at(0);
    EXPECT_EQ(a.keepalive.kind, KeepAliveKind::automatic) << value;
  }
}

TEST(YealinkLoader, YealinkDefaultsApplyWhereKeysAreAbsent) {
  const LoadResult r = load_ok(crlf(minimal));
  EXPECT_THAT(r.warnings, IsEmpty());
  const Settings& s = r.settings;
  EXPECT_EQ(s.timers.t1_ms, 500u);
  EXPECT_EQ(s.listen_port, 5060);
  const Account& a = s.accounts.at(0);
  EXPECT_EQ(a.name, "account1");
  EXPECT_EQ(a.redundancy, RedundancyType::concurrent);
  EXPECT_EQ(a.fallback_timeout, 120u);
  EXPECT_EQ(a.retry.fixed_interval, 30u);
  EXPECT_EQ(a.retry.max_time, 0u) << "min_time 0 means the fixed interval";
  EXPECT_EQ(a.registration_timeout, 3600u);
  EXPECT_TRUE(a.proxies.empty());
  const ServerEntry& server = a.servers.at(0);
  EXPECT_EQ(server.port, 5060);
  EXPECT_EQ(server.transport, ServerTransport::udp);
  EXPECT_EQ(server.expires, 3600u);
  EXPECT_EQ(server.retry_counts, 3);
  EXPECT_FALSE(server.register_on_enable);
  EXPECT_EQ(server.failback_timeout, 3600u);
  EXPECT_EQ(a.keepalive.kind, KeepAliveKind::automatic);
  EXPECT_EQ(a.keepalive.interval, 30u);
}

TEST(YealinkLoader, BlankValuesMeanTheDefault) {
  const Account a = load_ok(with(minimal, {"account.1.sip_server.1.port =", "sip.timer_t1 = ",
                                           "account.1.outbound_proxy.1.retry_counts ="}))
                        .settings.accounts.at(0);
  EXPECT_EQ(a.servers.at(0).port, 5060);
}

TEST(YealinkLoader, ProxiesAreUsedOnlyWhenEnabled) {
  const Account a =
      load_ok(with(minimal, {"account.1.outbound_proxy.1.address = sbc"})).settings.accounts.at(0);
  EXPECT_TRUE(a.proxies.empty());
}

TEST(YealinkLoader, UnknownKeysAreReportedOnceEachWithTheirLine) {
  const LoadResult r = load_ok(with(
      minimal, {"account.1.codec.pcmu.enable = 1", "phone_setting.backlight_time = 60",
                "account.1.sip_server.1.adress = x", "account.1.nat.rport = 1", "sip.timer_t3 = 1",
                "this line has no equals sign", "account.internal.flag = 1"}));
  EXPECT_THAT(
      r.warnings,
      ElementsAre("p.cfg:9: \"this line has no equals sign\": ignored (not a key = value line)",
                  "p.cfg:4: account.1.codec.pcmu.enable: ignored (not used by sipline)",
                  "p.cfg:5: phone_setting.backlight_time: ignored (not used by sipline)",
                  "p.cfg:6: account.1.sip_server.1.adress: ignored (unknown key; did you mean "
                  "account.1.sip_server.1.address?)",
                  "p.cfg:7: account.1.nat.rport: ignored (sipline always asks for rport, RFC 3581)",
                  "p.cfg:8: sip.timer_t3: ignored (unknown key; did you mean sip.timer_t1?)",
                  "p.cfg:10: account.internal.flag: ignored (not used by sipline)"));
}

TEST(YealinkLoader, ARepeatedKeyTakesTheLastValueAndSaysSo) {
  const LoadResult r = load_ok(
      with(minimal, {"account.1.sip_server.1.port = 5070", "account.1.sip_server.1.port = 5080"}));
  EXPECT_EQ(r.settings.accounts.at(0).servers.at(0).port, 5080);
  EXPECT_THAT(r.warnings,
              ElementsAre("p.cfg:5: account.1.sip_server.1.port: set again; overrides line 4"));
  EXPECT_EQ(r.settings.sources.at("account.1.sip_server.1.port").line, 5u);
}

TEST(YealinkLoader, LfCrlfCommentsAndBlankLinesAreAccepted) {
  const std::string lf =
      "#!version:1.0.0.1\n\n# c\naccount.1.enable=1\n  account.1.user_name\t=\t1001  \n"
      "account.1.sip_server.1.address = pbx\n";
  const LoadResult r = load_ok(lf);
  EXPECT_EQ(r.settings.accounts.at(0).username, "1001");
  EXPECT_EQ(r.settings.sources.at("account.1.sip_server.1.address").line, 6u);
}

TEST(YealinkLoader, FailbackTimeoutBelowSixtyIsRaisedWithAWarning) {
  const LoadResult r = load_ok(with(minimal, {"account.1.sip_server.1.failback_timeout = 1",
                                              "account.1.outbound_proxy.1.failback_timeout = 59"}));
  EXPECT_EQ(r.settings.accounts.at(0).servers.at(0).failback_timeout, 60u);
  EXPECT_THAT(
      r.warnings,
      ElementsAre("p.cfg:4: account.1.sip_server.1.failback_timeout: value 1 raised to 60",
                  "p.cfg:5: account.1.outbound_proxy.1.failback_timeout: value 59 raised to 60"));
}

TEST(YealinkLoader, ARetryIntervalOfZeroIsRaisedToOneSecond) {
  const LoadResult r = load_ok(with(minimal, {"account.1.reg_fail_retry_interval = 0"}));
  EXPECT_EQ(r.settings.accounts.at(0).retry.fixed_interval, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0],
              HasSubstr("p.cfg:4: account.1.reg_fail_retry_interval: value 0 raised"));
}

TEST(YealinkLoader, OverlapMinusOneIsAutomatic) {
  EXPECT_EQ(load_ok(with(minimal, {"account.1.register_expires_overlap = -1"}))
                .settings.accounts.at(0)
                .expires_overlap,
            0u);
}

TEST(YealinkLoader, DisabledAccountsWithoutServersAreSkippedWithANote) {
  const LoadResult r = load_ok(with(minimal, {"account.2.enable = 0", "account.2.label = Spare"}));
  EXPECT_EQ(r.settings.accounts.size(), 1u);
  EXPECT_THAT(r.warnings, ElementsAre("p.cfg:4: account.2: not loaded (disabled and without a "
                                      "sip_server address)"));
  // A disabled account that has a server is kept, disabled.
  const LoadResult kept = load_ok(with(minimal, {"account.2.sip_server.1.address = pbx3"}));
  ASSERT_EQ(kept.settings.accounts.size(), 2u);
  EXPECT_FALSE(kept.settings.accounts[1].enabled);
  EXPECT_EQ(kept.settings.accounts[1].name, "account2");
}

TEST(YealinkLoader, ADuplicateLabelFallsBackToTheAccountNumber) {
  const LoadResult r = load_ok(with(minimal, {"account.1.label = Desk", "account.2.label = Desk",
                                              "account.2.sip_server.1.address = pbx"}));
  ASSERT_EQ(r.settings.accounts.size(), 2u);
  EXPECT_EQ(r.settings.accounts[0].name, "Desk");
  EXPECT_EQ(r.settings.accounts[1].name, "account2");
  EXPECT_THAT(r.warnings, ElementsAre(HasSubstr("p.cfg:5: account.2.label: label already used")));
}

struct ErrorCase {
  const char* name;
  std::vector<std::string> extra;  // appended to `minimal` (lines 4...)
  const char* message;
};

class YealinkErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(YealinkErrors, NameFileLineKeyAndReason) {
  EXPECT_EQ(load_error(with(minimal, GetParam().extra)), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, YealinkErrors,
    ::testing::Values(
        ErrorCase{"retry_counts",
                  {"account.1.sip_server.1.retry_counts = 21"},
                  "p.cfg:4: account.1.sip_server.1.retry_counts: value 21 is outside 0-20"},
        ErrorCase{"invite_retry_counts",
                  {"account.1.sip_server.1.invite_retry_counts = 11"},
                  "p.cfg:4: account.1.sip_server.1.invite_retry_counts: value 11 is outside 1-10"},
        ErrorCase{"proxy_retry_counts",
                  {"account.1.outbound_proxy.1.retry_counts = -2"},
                  "p.cfg:4: account.1.outbound_proxy.1.retry_counts: value -2 is outside 0-20"},
        ErrorCase{"proxy_port_inherit",
                  {"account.1.outbound_proxy.1.port = -1"},
                  "p.cfg:4: account.1.outbound_proxy.1.port: a port does not inherit; set 0-65535"},
        ErrorCase{"not_integer",
                  {"account.1.sip_server.1.port = 50x"},
                  "p.cfg:4: account.1.sip_server.1.port: \"50x\" is not an integer"},
        ErrorCase{"flag",
                  {"account.1.sip_server.1.register_on_enable = yes"},
                  "p.cfg:4: account.1.sip_server.1.register_on_enable: \"yes\" is not 0 or 1"},
        ErrorCase{"transport",
                  {"account.1.sip_server.1.transport_type = 4"},
                  "p.cfg:4: account.1.sip_server.1.transport_type: value 4 is outside 0-3"},
        ErrorCase{"failback_mode",
                  {"account.1.sip_server.1.failback_mode = 4"},
                  "p.cfg:4: account.1.sip_server.1.failback_mode: value 4 is outside 0-3"},
        ErrorCase{
            "failback_timeout",
            {"account.1.sip_server.1.failback_timeout = 65536"},
            "p.cfg:4: account.1.sip_server.1.failback_timeout: value 65536 is outside 0-65535"},
        ErrorCase{"expires",
                  {"account.1.sip_server.1.expires = 29"},
                  "p.cfg:4: account.1.sip_server.1.expires: value 29 is outside 30-2147483647"},
        ErrorCase{"redundancy_type",
                  {"account.1.fallback.redundancy_type = 2"},
                  "p.cfg:4: account.1.fallback.redundancy_type: value 2 is outside 0-1"},
        ErrorCase{"fallback_timeout",
                  {"account.1.fallback.timeout = 9"},
                  "p.cfg:4: account.1.fallback.timeout: value 9 is outside 10-2147483647"},
        ErrorCase{"retry_interval",
                  {"account.1.reg_fail_retry_interval = 1801"},
                  "p.cfg:4: account.1.reg_fail_retry_interval: value 1801 is outside 0-1800"},
        ErrorCase{
            "retry_order",
            {"account.1.reg_failed_retry_min_time = 90",
             "account.1.reg_failed_retry_max_time = 60"},
            "p.cfg:4: account.1.reg_failed_retry_min_time: value 90 is outside 0-60 (must not "
            "exceed reg_failed_retry_max_time)"},
        ErrorCase{"overlap",
                  {"account.1.register_expires_overlap = -2"},
                  "p.cfg:4: account.1.register_expires_overlap: value -2 is outside -1-2147483647"},
        ErrorCase{"udp_update_time",
                  {"account.1.nat.udp_update_time = 14"},
                  "p.cfg:4: account.1.nat.udp_update_time: value 14 is outside 15-2147483647"},
        ErrorCase{"surge",
                  {"sip.reg_surge_prevention = 61"},
                  "p.cfg:4: sip.reg_surge_prevention: value 61 is outside 0-60"},
        ErrorCase{
            "t1", {"sip.timer_t1 = 0.4"}, "p.cfg:4: sip.timer_t1: value 0.4 s is outside 0.5-10 s"},
        ErrorCase{"t2_text",
                  {"sip.timer_t2 = four"},
                  "p.cfg:4: sip.timer_t2: \"four\" is not a number of seconds"},
        ErrorCase{"t2_below_t1",
                  {"sip.timer_t1 = 5", "sip.timer_t2 = 4"},
                  "p.cfg:5: sip.timer_t2: T2 (4000 ms) is below sip.timer_t1 (5000 ms); RFC 3261 "
                  "§17.1.2.2 caps retransmission at T2 >= T1"},
        ErrorCase{"t1_above_default_t2",
                  {"sip.timer_t1 = 5"},
                  "p.cfg:4: sip.timer_t1: T2 (4000 ms) is below sip.timer_t1 (5000 ms); RFC 3261 "
                  "§17.1.2.2 caps retransmission at T2 >= T1"},
        ErrorCase{"listen_port",
                  {"sip.listen_port = 1023"},
                  "p.cfg:4: sip.listen_port: value 1023 is outside 1024-65535 (0 = any)"},
        ErrorCase{"account_number",
                  {"account.0.enable = 1"},
                  "p.cfg:4: account.0.enable: account number \"0\" is not 1-16"},
        ErrorCase{"server_number",
                  {"account.1.sip_server.17.address = x"},
                  "p.cfg:4: account.1.sip_server.17.address: entry number \"17\" is not 1-16"},
        ErrorCase{
            "bad_host",
            {"account.1.sip_server.2.address = pbx/2"},
            "p.cfg:4: account.1.sip_server.2.address: \"pbx/2\": not a host name or IP address"},
        ErrorCase{"control_char",
                  {"account.1.display_name = a\x01z"},
                  "p.cfg:4: account.1.display_name: contains a control character"},
        ErrorCase{
            "bad_utf8", {"account.1.label = \xff"}, "p.cfg:4: account.1.label: is not valid UTF-8"},
        ErrorCase{"proxy_without_address",
                  {"account.1.outbound_proxy_enable = 1"},
                  "p.cfg:4: account.1.outbound_proxy.1.address: required when "
                  "account.1.outbound_proxy_enable = 1"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(YealinkLoader, AnEnabledAccountNeedsAServerAndAUserName) {
  EXPECT_EQ(load_error(crlf({"account.1.enable = 1", "account.1.user_name = 1"})),
            "p.cfg:1: account.1.sip_server.1.address: required when account.1.enable = 1");
  EXPECT_EQ(load_error(crlf({"account.3.enable = 1", "account.3.sip_server.1.address = pbx"})),
            "p.cfg:1: account.3.user_name: required when account.3.enable = 1");
}

TEST(YealinkLoader, APasswordIsNeverQuoted) {
  // Any bytes are a valid password; nothing about it reaches a message.
  const LoadResult r = load_ok(with(minimal, {"account.1.password = \x01secret"}));
  EXPECT_EQ(r.settings.accounts.at(0).password.value, "\x01secret");
  for (const auto& w : r.warnings) EXPECT_THAT(w, ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace sipline::config
