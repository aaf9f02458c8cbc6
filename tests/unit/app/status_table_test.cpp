// The `sipline status` text table, accounts then calls, from the JSON the
// daemon answers with.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "render.hpp"

namespace sipline::app {
namespace {

using nlohmann::json;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

json account(const std::string& name, json calls) {
  return json{
      {"account", name},         {"state", "registered"},          {"server", "sip:192.0.2.1:5060"},
      {"role", "primary"},       {"since_seconds", 125},           {"expires_in", 3600},
      {"last_failure", nullptr}, {"last_failure_reason", nullptr}, {"calls", std::move(calls)}};
}

json a_call(const std::string& id, const std::string& account, const std::string& direction,
            const std::string& state, int since, const std::string& peer) {
  return json{{"call", id},     {"account", account},     {"direction", direction},
              {"state", state}, {"since_seconds", since}, {"peer", peer}};
}

TEST(StatusTable, WithoutCallsThereIsNoCallTable) {
  const auto out = lines(status_table(json::array({account("office", json::array())})));
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[1].rfind("office", 0), 0U);
  EXPECT_NE(out[1].find("2m05s ago"), std::string::npos);
  EXPECT_NE(out[1].find("1h00m"), std::string::npos);
  EXPECT_EQ(status_table(json::array()).find("CALL"), std::string::npos);
}

TEST(StatusTable, CallsFollowInTheirOwnTableInAccountOrder) {
  const json accounts = json::array(
      {account("office",
               json::array(
                   {a_call("c1", "office", "outgoing", "established", 75, "sip:bob@example.com"),
                    a_call("c3", "office", "incoming", "ringing", 2, "sip:carol@example.com")})),
       account("home", json::array({a_call("c2", "home", "incoming", "answering", 0,
                                           "sip:dave@example.com")}))});
  const auto out = lines(status_table(accounts));
  // Header, two accounts, a blank line, the calls header, three calls.
  ASSERT_EQ(out.size(), 8U) << status_table(accounts);
  EXPECT_EQ(out[3], "");
  EXPECT_EQ(out[4].rfind("CALL  ACCOUNT     DIRECTION STATE        FOR     PEER", 0), 0U) << out[4];
  EXPECT_EQ(out[5], "c1    office      outgoing  established  1m15s   sip:bob@example.com");
  EXPECT_EQ(out[6], "c3    office      incoming  ringing      2s      sip:carol@example.com");
  EXPECT_EQ(out[7], "c2    home        incoming  answering    0s      sip:dave@example.com");
}

TEST(StatusTable, MalformedCallEntriesAreSkipped) {
  json broken =
      account("office",
              json::array({42, "c1", a_call("c4", "office", "outgoing", "calling", 1, "sip:x@y")}));
  broken["calls"].push_back(json{{"call", "c5"}});  // no since: "-"
  const auto out = lines(status_table(json::array({broken, account("home", "not a list")})));
  // Header, two accounts, a blank line, the calls header, two calls.
  ASSERT_EQ(out.size(), 7U) << status_table(json::array({broken}));
  EXPECT_EQ(out[5].rfind("c4    office", 0), 0U);
  EXPECT_EQ(out[6].rfind("c5", 0), 0U);
  EXPECT_NE(out[6].find(" - "), std::string::npos) << out[6];
}

}  // namespace
}  // namespace sipline::app
