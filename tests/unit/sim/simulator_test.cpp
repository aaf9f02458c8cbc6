// sim::Simulator: the real engines against scripted faults on virtual time.
// The failover times asserted here are the transaction layer's own (T1 =
// 500 ms, retry_counts 3: 0.5 + 1 + 2 s), not a model of them.

#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.hpp"

namespace sipline::sim {
namespace {

using namespace std::chrono_literals;

constexpr const char* two_servers = R"(
[sip]
listen_address = "127.0.0.1"
listen_port = 5060

[[account]]
name = "alice"
username = "alice"
password = "pw"
domain = "sipline.test"
registration_timeout = 300

[account.retry]
interval = 30

[account.failback]
probe_interval = 10
good_probes = 1
min_dwell = 0

[[account.server]]
address = "10.0.0.1"
port = 5060
transport = "udp"
retry_counts = 3
failback_mode = "monitor"

[[account.server]]
address = "pbx2.example.com"
port = 5070
transport = "udp"
failback_mode = "monitor"
)";

constexpr const char* primary_uri = "sip:10.0.0.1:5060;transport=udp";
constexpr const char* backup_uri = "sip:pbx2.example.com:5070;transport=udp";

config::Settings settings(const char* toml = two_servers) {
  auto loaded = config::load_config(toml, "test.toml");
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
  return loaded->settings;
}

Result<std::unique_ptr<Simulator>> make(const std::string& script_text, SimulationOptions o = {}) {
  auto script = parse_fault_script(script_text, "faults.txt");
  EXPECT_TRUE(script) << (script ? "" : script.error().message);
  return Simulator::create(settings(), *script, o);
}

std::vector<TimelineEntry> run(Simulator& sim) {
  std::vector<TimelineEntry> entries;
  sim.run([&](const TimelineEntry& e) { entries.push_back(e); });
  return entries;
}

const TimelineEntry* first_event(const std::vector<TimelineEntry>& entries, reg::EventType type) {
  for (const auto& e : entries) {
    if (e.kind == TimelineEntry::Kind::event && e.event.type == type) return &e;
  }
  return nullptr;
}

// "type server" per entry: the sequence an operator reads.
std::vector<std::string> sequence(const std::vector<TimelineEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    switch (e.kind) {
      case TimelineEntry::Kind::event:
        out.push_back(std::string(reg::to_string(e.event.type)) + " " + e.event.server);
        break;
      case TimelineEntry::Kind::fault:
        out.push_back("fault " + e.server + " " + e.detail);
        break;
      case TimelineEntry::Kind::call_started:
        out.push_back("call_started " + e.server);
        break;
      case TimelineEntry::Kind::call_ended:
        out.push_back("call_ended " + e.server);
        break;
      case TimelineEntry::Kind::address_changed:
        out.push_back("address_changed");
        break;
    }
  }
  return out;
}

TEST(Simulator, ListsEveryServerWithItsSimulatedAddress) {
  auto sim = make("");
  ASSERT_TRUE(sim) << sim.error().message;
  const auto& servers = (*sim)->servers();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].uri, primary_uri);
  EXPECT_EQ(servers[0].target.address, "10.0.0.1");
  EXPECT_EQ(servers[1].uri, backup_uri);
  EXPECT_EQ(servers[1].target.address, "198.51.100.1");
  EXPECT_EQ(servers[1].target.port, 5070);
}

TEST(Simulator, RegistersWithThePrimaryWhenNothingFails) {
  auto sim = make("1m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  EXPECT_EQ(sequence(entries),
            (std::vector<std::string>{"registering " + std::string(primary_uri),
                                      "registered " + std::string(primary_uri)}));
  EXPECT_EQ(entries[1].offset, 0ms);
  EXPECT_EQ(entries[1].event.expires, std::optional<std::uint32_t>(300));
  EXPECT_EQ((*sim)->clock().now() - runtime::ManualClock::default_start, 1min);
}

TEST(Simulator, AnAddressChangeMovesTheContactOnTheSameServer) {
  auto sim = make("1m address 192.0.2.77\n2m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  EXPECT_EQ(sequence(entries),
            (std::vector<std::string>{"registering " + std::string(primary_uri),
                                      "registered " + std::string(primary_uri), "address_changed",
                                      "network_changed " + std::string(primary_uri),
                                      "registered " + std::string(primary_uri)}));
  const TimelineEntry* moved = first_event(entries, reg::EventType::network_changed);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->offset, 1min);
  EXPECT_NE(moved->event.reason.find("-> 192.0.2.77:"), std::string::npos) << moved->event.reason;
  EXPECT_EQ(first_event(entries, reg::EventType::failover), nullptr);
  bool announced = false;
  for (const auto& e : entries) {
    if (e.kind == TimelineEntry::Kind::address_changed) {
      announced = true;
      EXPECT_EQ(e.offset, 1min);
      EXPECT_EQ(e.detail, "local address now 192.0.2.77");
    }
  }
  EXPECT_TRUE(announced);
}

TEST(Simulator, ARefusedPrimaryFailsOverAtOnce) {
  auto sim = make("0s primary refuse\n1m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  const TimelineEntry* failover = first_event(entries, reg::EventType::failover);
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(failover->offset, 0ms);
  EXPECT_EQ(failover->event.failure, reg::FailureKind::refused);
  EXPECT_EQ(failover->event.server, backup_uri);
  EXPECT_EQ(failover->event.previous_server, primary_uri);
  const TimelineEntry* registered = first_event(entries, reg::EventType::registered);
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(registered->event.server, backup_uri);
}

TEST(Simulator, ABlackholedPrimaryFailsOverAfterTheRealRetransmissionBudget) {
  auto sim = make("0s primary blackhole\n1m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  const TimelineEntry* failover = first_event(entries, reg::EventType::failover);
  ASSERT_NE(failover, nullptr);
  // retry_counts 3 = the first send and two retransmissions: 0.5 + 1 + 2 s.
  EXPECT_EQ(failover->offset, 3500ms);
  EXPECT_EQ(failover->event.failure, reg::FailureKind::timeout);
  EXPECT_EQ((*sim)->network().received(0, "REGISTER"), 3u);
}

TEST(Simulator, A503WithRetryAfterMovesToTheBackup) {
  auto sim = make("0s primary 503 retry-after 60\n1m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  const TimelineEntry* failover = first_event(entries, reg::EventType::failover);
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(failover->offset, 0ms);
  EXPECT_EQ(failover->event.failure, reg::FailureKind::service_unavailable);
  EXPECT_EQ(failover->event.status_code, 503);
  EXPECT_NE(failover->event.reason.find("Retry-After 60"), std::string::npos)
      << failover->event.reason;
}

TEST(Simulator, FailsBackOnceThePrimaryIsRestored) {
  auto sim = make("0s primary refuse\n20s primary restore\n2m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  const TimelineEntry* failback = first_event(entries, reg::EventType::failback);
  ASSERT_NE(failback, nullptr);
  EXPECT_GE(failback->offset, 20s);
  EXPECT_LE(failback->offset, 30s);  // the next probe, every 10 s
  EXPECT_EQ(failback->event.server, primary_uri);
  EXPECT_EQ(failback->event.previous_server, backup_uri);
}

TEST(Simulator, ReportsWhereACallsInviteGoes) {
  auto sim = make("5s call 20s\n1m end\n");
  ASSERT_TRUE(sim);
  auto entries = run(**sim);
  std::vector<const TimelineEntry*> calls;
  for (const auto& e : entries) {
    if (e.kind != TimelineEntry::Kind::event) calls.push_back(&e);
  }
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]->kind, TimelineEntry::Kind::call_started);
  EXPECT_EQ(calls[0]->offset, 5s);
  EXPECT_EQ(calls[0]->account, "alice");
  EXPECT_EQ(calls[0]->server, primary_uri);
  EXPECT_EQ(calls[0]->detail, "INVITE via 10.0.0.1:5060/udp");
  EXPECT_EQ(calls[1]->kind, TimelineEntry::Kind::call_ended);
  EXPECT_EQ(calls[1]->offset, 25s);
}

TEST(Simulator, TheSameSeedGivesTheSameTimeline) {
  auto timeline = [](std::uint64_t seed) {
    auto sim = make("0s primary blackhole\n30s backup refuse\n45s primary restore\n", {seed, {}});
    std::vector<std::pair<runtime::Duration, std::string>> out;
    for (const auto& e : run(**sim)) out.emplace_back(e.offset, e.event.reason + e.detail);
    return out;
  };
  EXPECT_EQ(timeline(7), timeline(7));
  EXPECT_NE(timeline(7), timeline(8)) << "the seed drives the jitter";
}

TEST(Simulator, RunsForTheDefaultTailAfterTheLastStep) {
  auto sim = make("10s primary refuse\n");
  ASSERT_TRUE(sim);
  // The longest interval of this account: its 300 s registration lifetime.
  EXPECT_EQ(default_tail(settings()), 300s);
  EXPECT_EQ((*sim)->end(), 310s);
  auto with_end = make("10s primary refuse\n20s end\n");
  EXPECT_EQ((*with_end)->end(), 20s);
  auto long_call = make("10s call 1h\n");
  EXPECT_EQ((*long_call)->end(), 10s + 1h);
}

struct BadStep {
  const char* script;
  const char* error;
};

class SimulatorScriptErrors : public ::testing::TestWithParam<BadStep> {};

TEST_P(SimulatorScriptErrors, NameTheLineAndWhatTheConfigurationHas) {
  auto sim = make(GetParam().script);
  ASSERT_FALSE(sim);
  EXPECT_EQ(sim.error().code, Errc::invalid_argument);
  EXPECT_EQ(sim.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCheck, SimulatorScriptErrors,
    ::testing::Values(
        BadStep{"1s server 3 refuse\n", "faults.txt:1: server 3: the configuration has 2 servers"},
        BadStep{"\n1s pbx9.example.com refuse\n",
                "faults.txt:2: no server 'pbx9.example.com' in the configuration (servers: "
                "10.0.0.1:5060, pbx2.example.com:5070)"},
        BadStep{"1s pbx2.example.com:5060 refuse\n",
                "faults.txt:1: no server 'pbx2.example.com:5060' in the configuration (servers: "
                "10.0.0.1:5060, pbx2.example.com:5070)"},
        BadStep{"1s call 10s bob\n",
                "faults.txt:1: call: no enabled account 'bob' (accounts: alice)"}));

TEST(Simulator, NamesAServerByHostPortOrAddress) {
  for (const char* script :
       {"1s PBX2.example.com refuse\n", "1s pbx2.example.com:5070 refuse\n",
        "1s 198.51.100.1 refuse\n", "1s server 2 refuse\n", "1s backup refuse\n"}) {
    auto sim = make(script);
    ASSERT_TRUE(sim) << script << ": " << sim.error().message;
    auto entries = run(**sim);
    ASSERT_GE(entries.size(), 3u);
    EXPECT_EQ(entries[2].kind, TimelineEntry::Kind::fault) << script;
    EXPECT_EQ(entries[2].server, backup_uri) << script;
  }
}

TEST(Simulator, NeedsAnEnabledAccount) {
  auto loaded = config::load_config("[sip]\nlisten_port = 5060\n", "empty.toml");
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto script = parse_fault_script("", "f");
  auto sim = Simulator::create(loaded->settings, *script);
  ASSERT_FALSE(sim);
  EXPECT_EQ(sim.error().message, "no enabled account to simulate");
}

}  // namespace
}  // namespace sipline::sim
