// Reload planning: which accounts a new configuration adds, removes, changes
// or leaves alone.

#include "ua/account_diff.hpp"

#include <gtest/gtest.h>

namespace sipline::ua {
namespace {

using Names = std::vector<std::string>;

config::Account account(std::string name, std::string server = "192.0.2.1") {
  config::Account a;
  a.name = std::move(name);
  a.username = "alice";
  a.password.value = "secret";
  config::ServerEntry s;
  s.address = std::move(server);
  a.servers.push_back(s);
  return a;
}

TEST(AccountDiff, IdenticalSetIsAllUnchanged) {
  const std::vector<config::Account> set{account("a"), account("b")};
  const auto d = diff_accounts(set, set);
  EXPECT_EQ(d.unchanged, (Names{"a", "b"}));
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.removed.empty());
  EXPECT_TRUE(d.changed.empty());
}

TEST(AccountDiff, AddedRemovedAndChangedByName) {
  const std::vector<config::Account> before{account("a"), account("b"), account("c")};
  const std::vector<config::Account> after{account("a"), account("c", "192.0.2.2"), account("d")};
  const auto d = diff_accounts(before, after);
  EXPECT_EQ(d.unchanged, (Names{"a"}));
  EXPECT_EQ(d.changed, (Names{"c"}));
  EXPECT_EQ(d.added, (Names{"d"}));
  EXPECT_EQ(d.removed, (Names{"b"}));
}

TEST(AccountDiff, DisablingRemovesAndEnablingAdds) {
  auto off = account("a");
  off.enabled = false;
  EXPECT_EQ(diff_accounts({account("a")}, {off}).removed, (Names{"a"}));
  EXPECT_EQ(diff_accounts({off}, {account("a")}).added, (Names{"a"}));
}

TEST(AccountDiff, EverySettingCounts) {
  const auto base = account("a");
  std::vector<std::function<void(config::Account&)>> edits = {
      [](auto& a) { a.password.value = "other"; },
      [](auto& a) { a.registration_timeout = 120; },
      [](auto& a) { a.servers[0].port = 5080; },
      [](auto& a) { a.servers[0].failback_mode = config::FailbackMode::duration; },
      [](auto& a) { a.servers[0].retry_counts = 1; },
      [](auto& a) { a.servers.push_back(a.servers[0]); },
      [](auto& a) { a.proxies.push_back(config::OutboundProxy{}); },
      [](auto& a) { a.retry.max_time = 600; },
      [](auto& a) { a.failback.good_probes = 5; },
      [](auto& a) { a.keepalive.interval = 15; },
      [](auto& a) { a.accept_only_from_registered = false; },
      [](auto& a) { a.reg_id = 1; },
      [](auto& a) { a.surge_prevention = 10; },
      [](auto& a) { a.srv_all_transports = true; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto changed = base;
    edits[i](changed);
    EXPECT_FALSE(same_settings(base, changed)) << "edit " << i;
    EXPECT_EQ(diff_accounts({base}, {changed}).changed, (Names{"a"})) << "edit " << i;
  }
  auto proxied = base;
  proxied.proxies.push_back(config::OutboundProxy{});
  auto proxied2 = proxied;
  proxied2.proxies[0].retry_counts = 2;  // -1 inheritance replaced by a value
  EXPECT_FALSE(same_settings(proxied, proxied2));
}

}  // namespace
}  // namespace sipline::ua
