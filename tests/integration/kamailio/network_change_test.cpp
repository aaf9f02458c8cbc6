// End to end: the UA host's address changes under a registered `sipline run`
// and the daemon re-registers on the same server with its new address.
//
// Two network namespaces made by the test (the host's own is never touched),
// joined by a veth pair: Kamailio in one on 10.77.<n>.1, the daemon in the
// other listening on 0.0.0.0:0, so that its Contact follows the route's
// source address. The UE side first has 10.77.<n>.2; the test adds .3 (the
// route source stays .2: nothing may happen), then deletes .2 (the kernel
// promotes .3 and the route source becomes .3). The daemon, watching its
// addresses over rtnetlink, must report `network_changed` after the settle
// time and send one REGISTER that binds the new Contact and removes the old
// one (RFC 3261 §10.2.2, expires=0), on the same server: no failover.
//
// The time from the address deletion to `registered` is printed; with
// SIPLINE_IT_VERBOSE=1 the events, bindings and logs of a passing run too.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>
#include <tuple>

#include "daemon.hpp"
#include "harness.hpp"

#ifndef SIPLINE_BINARY
#error "SIPLINE_BINARY must name the sipline program"
#endif

namespace sipline::testing::kamailio {
namespace {

constexpr std::uint32_t kSettleMs = 300;

// A pair of network namespaces joined by a veth pair, deleted (with the
// veth, which dies with its namespace) when the object goes away.
class NamespacePair {
 public:
  // nullptr with `error` set when `ip netns add` is refused (not root):
  // the caller skips. Both names are made from the process id.
  static std::unique_ptr<NamespacePair> create(std::string& error) {
    const std::string ip = find_program("ip");
    if (ip.empty()) {
      error = "iproute2 (`ip`) is not installed";
      return nullptr;
    }
    const std::string pid = std::to_string(::getpid());
    std::unique_ptr<NamespacePair> pair(new NamespacePair(ip, "sl-srv-" + pid, "sl-ue-" + pid));
    for (const auto& name : {pair->server_, pair->ue_}) {
      if (!run_capture({ip, "netns", "add", name})) {
        error = "`ip netns add " + name + "` failed (needs root / CAP_SYS_ADMIN)";
        return nullptr;  // the destructor deletes the one that was made
      }
      pair->made_.push_back(name);
    }
    return pair;
  }

  ~NamespacePair() {
    // Processes still inside keep a namespace alive; the fixture stops them
    // first. Deleting only unmounts /run/netns/NAME.
    for (const auto& name : made_) run_capture({ip_, "netns", "del", name});
  }
  NamespacePair(const NamespacePair&) = delete;
  NamespacePair& operator=(const NamespacePair&) = delete;

  // `ip -n NAME args...`; its stdout, or nullopt when it failed.
  std::optional<std::string> ip_in(const std::string& name, std::vector<std::string> args) const {
    args.insert(args.begin(), {ip_, "-n", name});
    return run_capture(args);
  }

  const std::string& server() const { return server_; }
  const std::string& ue() const { return ue_; }
  const std::string& ip() const { return ip_; }

 private:
  NamespacePair(std::string ip, std::string server, std::string ue)
      : ip_(std::move(ip)), server_(std::move(server)), ue_(std::move(ue)) {}
  std::string ip_;
  std::string server_;
  std::string ue_;
  std::vector<std::string> made_;
};

class NetworkChange : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    const std::string binary = SIPLINE_BINARY;
    const auto help = run_capture({binary, "run", "--help"}, 10s);
    if (!help || help->find("--control") == std::string::npos) {
      GTEST_SKIP() << binary << " has no `run` command in this build";
    }
    std::string error;
    namespaces_ = NamespacePair::create(error);
    if (!namespaces_) GTEST_SKIP() << error;
    // The namespaces are private, so any /24 would do; the pid varies it
    // only to tell runs apart in logs.
    const std::string net = "10.77." + std::to_string(1 + ::getpid() % 250) + ".";
    server_address_ = net + "1";
    old_address_ = net + "2";
    new_address_ = net + "3";
    const auto& ns = *namespaces_;
    ASSERT_TRUE(ns.ip_in(ns.ue(), {"link", "add", "veth-ue", "type", "veth", "peer", "name",
                                   "veth-srv", "netns", ns.server()}))
        << "cannot create the veth pair";
    // Without promote_secondaries the kernel deletes every address of the
    // subnet with the primary one; the test needs .3 to survive .2.
    ASSERT_TRUE(run_capture({ns.ip(), "netns", "exec", ns.ue(), find_program("sysctl"), "-qw",
                             "net.ipv4.conf.veth-ue.promote_secondaries=1"}))
        << "cannot set promote_secondaries in " << ns.ue();
    for (const auto& [name, dev, address] : {std::tuple{ns.server(), "veth-srv", server_address_},
                                             std::tuple{ns.ue(), "veth-ue", old_address_}}) {
      ASSERT_TRUE(ns.ip_in(name, {"addr", "add", address + "/24", "dev", dev})) << name;
      ASSERT_TRUE(ns.ip_in(name, {"link", "set", "lo", "up"})) << name;
      ASSERT_TRUE(ns.ip_in(name, {"link", "set", dev, "up"})) << name;
    }
    ASSERT_NE(route_source().find("src " + old_address_), std::string::npos) << route_source();

    const std::string password = random_alnum(16);
    registrar_ = Registrar::start({.name = "registrar",
                                   .address = server_address_,
                                   .subscribers = {{"alice", password}},
                                   .netns = ns.server()},
                                  dir_.path() / "registrar", error);
    ASSERT_NE(registrar_, nullptr) << error;

    spec_.password = password;
    spec_.servers = {{registrar_->address(), registrar_->port(), GetParam()}};
    spec_.network_settle_ms = kSettleMs;
    daemon_ = Daemon::start(binary, render_toml(spec_), dir_.path(), error,
                            {.listen = "0.0.0.0:0", .netns = ns.ue()});
    ASSERT_NE(daemon_, nullptr) << error;
    ASSERT_TRUE(daemon_->wait_for(is_event_at("registered", registrar_->hostport()), 15s))
        << "not registered; events:\n"
        << daemon_->timeline() << "daemon log:\n"
        << daemon_->log_tail();
  }

  void TearDown() override {
    if (daemon_ && (HasFailure() || verbose_requested())) {
      std::cerr << "events:\n" << daemon_->timeline() << "daemon log:\n" << daemon_->log_tail();
    }
    if (registrar_ && (HasFailure() || verbose_requested())) {
      const auto all = registrar_->bindings();
      std::cerr << "kamailio bindings:\n"
                << (all ? describe(*all) : "  (kamcmd failed)\n") << "kamailio log:\n"
                << registrar_->log_tail(15);
    }
    // Processes first: a namespace lives on while anything runs inside.
    daemon_.reset();
    registrar_.reset();
    namespaces_.reset();
  }

  // `ip route get` toward the registrar from the UE namespace.
  std::string route_source() const {
    return namespaces_->ip_in(namespaces_->ue(), {"route", "get", server_address_})
        .value_or("(ip route get failed)");
  }

  std::string server_address_;
  std::string old_address_;
  std::string new_address_;
  AccountSpec spec_;
  // Destroyed last (members go in reverse order), after the processes.
  std::unique_ptr<NamespacePair> namespaces_;
  TempDir dir_{"sipline-netchange"};
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_P(NetworkChange, NewLocalAddressReRegistersOnTheSameServer) {
  const auto& ns = *namespaces_;
  const std::string hostport = registrar_->hostport();
  {
    const auto live = registrar_->live_bindings_of("alice");
    ASSERT_TRUE(live.has_value()) << "kamcmd ul.dump failed";
    ASSERT_EQ(live->size(), 1u) << describe(*live);
    EXPECT_NE(live->front().contact.find(old_address_), std::string::npos) << describe(*live);
  }

  // A second address on the same subnet: the route source stays .2, so
  // nothing the daemon uses has changed.
  const std::size_t before_add = daemon_->event_count();
  ASSERT_TRUE(ns.ip_in(ns.ue(), {"addr", "add", new_address_ + "/24", "dev", "veth-ue"}));
  ASSERT_NE(route_source().find("src " + old_address_), std::string::npos) << route_source();
  // Longer than the settle time: the daemon has looked, and must stay quiet.
  std::this_thread::sleep_for(std::chrono::milliseconds(kSettleMs + 700));
  EXPECT_FALSE(daemon_->wait_for(is_event("network_changed"), 0ms, before_add).has_value())
      << "an added address that is not the route source changed nothing; events:\n"
      << daemon_->timeline();

  // The old address goes; .3 is promoted and becomes the route source.
  const std::size_t from = daemon_->event_count();
  const WallTime change_at = std::chrono::system_clock::now();
  ASSERT_TRUE(ns.ip_in(ns.ue(), {"addr", "del", old_address_ + "/24", "dev", "veth-ue"}));
  ASSERT_NE(route_source().find("src " + new_address_), std::string::npos) << route_source();

  std::size_t changed_index = 0;
  const auto changed = daemon_->wait_for(is_event("network_changed"), 5s, from, &changed_index);
  ASSERT_TRUE(changed.has_value()) << "no network_changed within 5 s; events:\n"
                                   << daemon_->timeline();
  EXPECT_EQ(changed->account, spec_.name);
  EXPECT_NE(changed->server.find(hostport), std::string::npos) << changed->json.dump();
  EXPECT_NE(changed->reason.find(old_address_), std::string::npos) << changed->json.dump();
  EXPECT_NE(changed->reason.find(new_address_), std::string::npos) << changed->json.dump();

  const auto deadline = change_at + 5s;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::system_clock::now());
  const auto registered = daemon_->wait_for(is_event_at("registered", hostport),
                                            std::max(left, 0ms), changed_index + 1);
  ASSERT_TRUE(registered.has_value()) << "no registered after network_changed within 5 s; events:\n"
                                      << daemon_->timeline();
  const double settle_to_event = ms_between(change_at, changed->time);
  const double ms = ms_between(change_at, registered->time);
  std::cout << "[ measured ] " << to_string(GetParam()) << " address change: -> network_changed "
            << settle_to_event << " ms, -> registered " << ms << " ms (settle_ms " << kSettleMs
            << ")\n";
  // The daemon waits for the addresses to settle before it acts.
  EXPECT_GE(settle_to_event, kSettleMs - 20.0);
  EXPECT_LE(ms, 5000.0);

  for (const auto& e : daemon_->events()) {
    EXPECT_NE(e.type, "failover") << "an address change is not a server failure: " << e.json.dump();
  }
  // The same REGISTER bound .3 and removed .2: exactly one live binding.
  const auto live = registrar_->live_bindings_of("alice");
  ASSERT_TRUE(live.has_value()) << "kamcmd ul.dump failed";
  ASSERT_EQ(live->size(), 1u) << describe(*live);
  EXPECT_NE(live->front().contact.find(new_address_), std::string::npos) << describe(*live);
  if (verbose_requested())
    std::cerr << "kamailio live bindings after the change:\n" << describe(*live);
  // `sipline status --json` names the Contact the account is registered with.
  std::string raw;
  const auto status = daemon_->status_json(&raw);
  ASSERT_TRUE(status.has_value()) << raw;
  const auto& accounts = status->contains("accounts") ? (*status)["accounts"] : *status;
  ASSERT_TRUE(accounts.is_array() && !accounts.empty()) << raw;
  const auto& contact = accounts[0]["contact"];
  ASSERT_TRUE(contact.is_string()) << raw;
  EXPECT_NE(contact.get<std::string>().find(new_address_), std::string::npos) << raw;

  // And the daemon still unregisters cleanly from its new address.
  const std::size_t before_stop = daemon_->event_count();
  ASSERT_EQ(daemon_->terminate(40s), std::optional<int>(0)) << daemon_->log_tail();
  EXPECT_TRUE(daemon_->wait_for(is_event_at("unregistered", hostport), 1s, before_stop))
      << daemon_->timeline();
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(0));
}

// A call in progress moves too: SIPp, the far end, must receive a re-INVITE
// whose Contact and SDP name the new address (RFC 3261 §14.1, RFC 3264 §8),
// answer it, and then get the BYE; otherwise it exits non-zero.
TEST_P(NetworkChange, EstablishedCallSendsAReInviteFromTheNewAddress) {
  const auto& ns = *namespaces_;
  // The scenario, with the new address as the regular expression it checks.
  std::ifstream in(SIPLINE_KAMAILIO_REINVITE_SCENARIO);
  std::string scenario((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(scenario.empty()) << "cannot read " << SIPLINE_KAMAILIO_REINVITE_SCENARIO;
  std::string pattern;
  for (char c : new_address_) pattern += c == '.' ? std::string("\\.") : std::string(1, c);
  for (std::size_t at; (at = scenario.find("[new_address]")) != std::string::npos;) {
    scenario.replace(at, 13, pattern);
  }
  const auto scenario_path = dir_.path() / "uas_reinvite.xml";
  std::ofstream(scenario_path) << scenario;

  std::optional<std::uint16_t> sipp_port;
  ASSERT_TRUE(run_in_netns(ns.server(), [&] { sipp_port = free_port(server_address_); }));
  ASSERT_TRUE(sipp_port.has_value());
  auto uas = Process::start(
      {ns.ip(), "netns", "exec", ns.server(), find_program("sipp"), "-sf", scenario_path.string(),
       "-i", server_address_, "-p", std::to_string(*sipp_port), "-m", "1", "-nostdin"},
      dir_.path() / "sipp-uas.log", dir_.path());
  ASSERT_TRUE(uas.has_value());
  std::this_thread::sleep_for(300ms);  // SIPp binds its socket

  const std::string callee = "sip:service@" + server_address_ + ":" + std::to_string(*sipp_port);
  ASSERT_TRUE(run_capture({SIPLINE_BINARY, "call", "--account", spec_.name, callee, "--control",
                           daemon_->control().string()}));
  ASSERT_TRUE(daemon_->wait_for(is_event("call_answered"), 10s)) << daemon_->timeline();

  const std::size_t from = daemon_->event_count();
  ASSERT_TRUE(ns.ip_in(ns.ue(), {"addr", "add", new_address_ + "/24", "dev", "veth-ue"}));
  ASSERT_TRUE(ns.ip_in(ns.ue(), {"addr", "del", old_address_ + "/24", "dev", "veth-ue"}));
  ASSERT_TRUE(daemon_->wait_for(is_event("network_changed"), 5s, from)) << daemon_->timeline();
  ASSERT_TRUE(daemon_->wait_for(is_event("registered"), 5s, from)) << daemon_->timeline();
  // The re-INVITE goes out with the registration; once its 2xx is in
  // (call_updated), hang up: the BYE must reach SIPp after the refresh.
  const auto updated = daemon_->wait_for(is_event("call_updated"), 5s, from);
  ASSERT_TRUE(updated.has_value()) << "no call_updated after the move; events:\n"
                                   << daemon_->timeline();
  EXPECT_NE(updated->reason.find("moved to " + new_address_), std::string::npos)
      << updated->json.dump();
  for (const auto& e : daemon_->events()) {
    EXPECT_NE(e.type, "call_ended") << "the call must survive the move: " << e.json.dump();
  }
  ASSERT_TRUE(run_capture({SIPLINE_BINARY, "hangup", "--control", daemon_->control().string()}));
  ASSERT_TRUE(daemon_->wait_for(is_event("call_ended"), 10s, from)) << daemon_->timeline();
  EXPECT_EQ(uas->wait_exit(20s), std::optional<int>(0))
      << "SIPp did not see the re-INVITE from " << new_address_ << " (or the BYE); its log:\n"
      << run_capture({"tail", "-n", "40", (dir_.path() / "sipp-uas.log").string()}).value_or("");
}

std::string transport_name(const ::testing::TestParamInfo<Transport>& param) {
  return std::string(to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(Kamailio, NetworkChange, ::testing::Values(Transport::udp, Transport::tcp),
                         transport_name);

}  // namespace
}  // namespace sipline::testing::kamailio
