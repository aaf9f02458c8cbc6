// Acceptance test of `sipline simulate` (issue 6): the same configuration and
// the same scenario - a refused primary (Kamailio killed: ICMP port
// unreachable), then the primary restored - run once for real, `sipline run`
// against two Kamailio registrars, and once simulated, `sipline simulate`
// with a fault script at the instants the real faults happened. Both must
// give the same event sequence: types, order and servers.
//
// Times differ (the real run has DNS-free but real scheduling and digest
// round trips) and are not compared; the simulator's exact timing is checked
// by the unit and CLI tests.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "daemon.hpp"
#include "harness.hpp"

#ifndef SIPLINE_BINARY
#error "SIPLINE_BINARY must name the sipline program"
#endif

namespace sipline::testing::kamailio {
namespace {

// "type server" for each registration event; the simulator's own "fault"
// lines are left out.
std::vector<std::string> sequence(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    const std::string type = e.value("type", "");
    if (type == "fault") continue;
    const std::string server =
        e.contains("server") && e["server"].is_string() ? e["server"].get<std::string>() : "-";
    out.push_back(type + " " + server);
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

// Whole seconds from `from` to `to`, rounded to the nearest.
long seconds_between(WallTime from, WallTime to) {
  return static_cast<long>(ms_between(from, to) / 1000.0 + 0.5);
}

TEST(SimulateParity, RefusedThenRestoredPrimaryGivesTheSameEventsAsKamailio) {
  const std::string binary = SIPLINE_BINARY;
  const auto help = run_capture({binary, "simulate", "--help"}, 10s);
  if (!help || help->find("--faults") == std::string::npos) {
    GTEST_SKIP() << binary << " has no `simulate` command in this build";
  }
  TempDir dir("sipline-parity");
  std::string error;
  const std::string password = random_alnum(16);
  const std::vector<Subscriber> users{{"alice", password}};
  auto primary = Registrar::start({.name = "primary", .address = "127.0.0.1", .subscribers = users},
                                  dir.path() / "primary", error);
  ASSERT_NE(primary, nullptr) << error;
  auto backup = Registrar::start({.name = "backup", .address = "127.0.0.2", .subscribers = users},
                                 dir.path() / "backup", error);
  ASSERT_NE(backup, nullptr) << error;

  AccountSpec spec;
  spec.password = password;
  spec.servers = {{primary->address(), primary->port(), Transport::udp},
                  {backup->address(), backup->port(), Transport::udp}};
  const std::string config = render_toml(spec);

  // --- for real ---
  auto daemon = Daemon::start(binary, config, dir.path(), error);
  ASSERT_NE(daemon, nullptr) << error;
  auto first = daemon->wait_for(is_event_at("registered", primary->hostport()), 15s);
  ASSERT_TRUE(first) << "not registered on the primary; events:\n" << daemon->timeline();
  const WallTime started = daemon->events().front().time;
  // Past the first keep-alive, so that the fault is noticed by a later one,
  // as an operator's script would have it.
  std::this_thread::sleep_for(2s);

  primary->stop();
  const WallTime refused_at = std::chrono::system_clock::now();
  auto failover = daemon->wait_for(is_event_at("registered", backup->hostport()), 20s);
  ASSERT_TRUE(failover) << "no failover; events:\n" << daemon->timeline();
  std::this_thread::sleep_for(1s);

  ASSERT_TRUE(primary->restart(error)) << error;
  const WallTime restored_at = std::chrono::system_clock::now();
  std::size_t back_index = 0;
  auto back = daemon->wait_for(is_event_at("registered", primary->hostport()), 30s, 0, nullptr);
  ASSERT_TRUE(back) << "no failback; events:\n" << daemon->timeline();
  auto gone =
      daemon->wait_for(is_event_at("unregistered", backup->hostport()), 15s, 0, &back_index);
  ASSERT_TRUE(gone) << "the backup binding stayed; events:\n" << daemon->timeline();
  const WallTime finished = std::chrono::system_clock::now();
  std::vector<nlohmann::json> real;
  for (const auto& e : daemon->events()) real.push_back(e.json);
  real.resize(std::min(real.size(), back_index + 1));
  daemon.reset();  // before the daemon's own unregistration adds events

  // --- simulated, with the faults at the same offsets ---
  const long refuse_s = seconds_between(started, refused_at);
  const long restore_s = std::max(refuse_s + 1, seconds_between(started, restored_at));
  const long end_s = restore_s + std::max(5L, seconds_between(restored_at, finished) + 2);
  const auto config_path = dir.path() / "parity.toml";
  std::ofstream(config_path) << config;
  ::chmod(config_path.c_str(), 0600);
  const auto script_path = dir.path() / "parity.faults";
  std::ofstream(script_path) << refuse_s << "s primary refuse\n"
                             << restore_s << "s primary restore\n"
                             << end_s << "s end\n";
  const auto out = run_capture({binary, "simulate", "-c", config_path.string(), "--faults",
                                script_path.string(), "--events", "json"},
                               30s);
  ASSERT_TRUE(out) << "sipline simulate failed";
  std::vector<nlohmann::json> simulated;
  std::istringstream lines(*out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    simulated.push_back(std::move(j));
  }

  const auto want = sequence(real);
  const auto got = sequence(simulated);
  EXPECT_EQ(got, want) << "sipline run against Kamailio:\n"
                       << joined(want) << "sipline simulate (refuse at " << refuse_s
                       << " s, restore at " << restore_s << " s, end at " << end_s << " s):\n"
                       << joined(got);
  // SIPLINE_IT_VERBOSE=1 shows the compared sequence of a passing run too.
  if (verbose_requested()) {
    std::cerr << "event sequence of both runs:\n" << joined(got);
  }
  // The sequence holds what the scenario is about.
  const std::string text = joined(want);
  EXPECT_NE(text.find("failover"), std::string::npos) << text;
  EXPECT_NE(text.find("failback"), std::string::npos) << text;
}

}  // namespace
}  // namespace sipline::testing::kamailio
