// A changed local address (DHCP, Wi-Fi, VPN): the binding moves its Contact
// on the server it is on, removing the old Contact in the same REGISTER, and
// nothing fails over. The scripted registrar keeps the location table, so
// the tests check what a registrar would end up holding.

#include <gtest/gtest.h>

#include <string>

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

class RedundancyNetworkChange : public EngineHarness {
 protected:
  std::vector<std::string> live_contacts(const sip::Target& t) {
    std::vector<std::string> out;
    for (const Binding& b : registrar.at(t).bindings()) {
      if (b.expires_at > clock.now()) out.push_back(b.contact);
    }
    return out;
  }
  const Exchange* last_register_to(const sip::Target& t) const {
    const Exchange* last = nullptr;
    for (const Exchange* e : registrar.exchanges_to(t)) {
      if (e->request.method() == sip::Method::register_) last = e;
    }
    return last;
  }
  static bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
  }
  // The registrar at `t` holds exactly one live binding, naming `hostport`.
  void expect_only_contact(const sip::Target& t, std::string_view hostport) {
    const auto contacts_now = live_contacts(t);
    ASSERT_EQ(contacts_now.size(), 1U) << trace(events, t0);
    EXPECT_TRUE(contains(contacts_now.front(), hostport)) << contacts_now.front();
  }
  // Registered on the primary, the sender now reports `host`:`port` toward
  // it (empty host: no route) and the host's addresses changed: no REGISTER
  // and no network_changed may follow.
  void expect_no_move_to(const std::string& host, std::uint16_t port) {
    start(two_server_account());
    run_for(1s);
    const std::size_t registers_before = registers_to(primary);
    const std::size_t events_before = events.size();
    registrar.set_local_address(host, port);
    engine->network_changed();
    run_for(1s);
    EXPECT_EQ(registers_to(primary), registers_before);
    EXPECT_EQ(events.size(), events_before) << trace(events, t0);
  }
};

TEST_F(RedundancyNetworkChange, RegisteredBindingMovesItsContactOnTheSameServer) {
  start(two_server_account());
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  ASSERT_EQ(live_contacts(primary).size(), 1U);
  EXPECT_TRUE(contains(live_contacts(primary).front(), "192.0.2.10:5060"));
  const std::size_t registers_before = registers_to(primary);

  registrar.set_local_address("198.51.100.7", 5060);
  engine->network_changed();
  run_for(1s);

  const Event* moved = first(EventType::network_changed);
  ASSERT_NE(moved, nullptr) << trace(events, t0);
  EXPECT_EQ(moved->server, "sip:192.0.2.1:5060;transport=udp");
  EXPECT_TRUE(contains(moved->reason, "192.0.2.10:5060 -> 198.51.100.7:5060")) << moved->reason;
  // One REGISTER, to the same server: new Contact added, old one removed
  // (RFC 3261 §10.2.1, §10.2.2), so the registrar holds only the new one.
  EXPECT_EQ(registers_to(primary), registers_before + 1);
  EXPECT_EQ(registers_to(backup), 0U);
  const Exchange* move = last_register_to(primary);
  ASSERT_NE(move, nullptr);
  auto contacts = move->request.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 2U);
  expect_only_contact(primary, "198.51.100.7:5060");
  // Still registered on the primary; the server did not fail. The status
  // names the new Contact.
  EXPECT_EQ(active(), 0U);
  EXPECT_TRUE(contains(engine->status().contact, "198.51.100.7:5060")) << engine->status().contact;
  EXPECT_EQ(first(EventType::failover), nullptr) << trace(events, t0);
  EXPECT_EQ(events.back().type, EventType::registered) << trace(events, t0);
  // The next refresh keeps the new Contact.
  run_for(2h);
  expect_only_contact(primary, "198.51.100.7:5060");
}

TEST_F(RedundancyNetworkChange, AnUnchangedAddressSendsNothing) {
  expect_no_move_to("192.0.2.10", 5060);
}

TEST_F(RedundancyNetworkChange, ChangeDuringTheFirstRegisterMovesOnItsOutcome) {
  registrar.at(primary).delay(2s);
  start(two_server_account());
  run_for(500ms);  // the first REGISTER is in flight, with the old Contact
  registrar.set_local_address("198.51.100.7", 5060);
  engine->network_changed();
  EXPECT_NE(first(EventType::network_changed), nullptr) << trace(events, t0);
  run_for(10s);
  EXPECT_EQ(registers_to(primary), 2U);
  expect_only_contact(primary, "198.51.100.7:5060");
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(events.back().type, EventType::registered) << trace(events, t0);
}

TEST_F(RedundancyNetworkChange, ChangeWhileEveryServerIsDownIsCarriedByTheNextAttempt) {
  registrar.at(primary).refuse();
  registrar.at(backup).refuse();
  start(two_server_account());
  run_for(1s);
  ASSERT_NE(first(EventType::registration_failed), nullptr) << trace(events, t0);
  registrar.set_local_address("198.51.100.7", 5060);
  engine->network_changed();
  registrar.at(primary).answer_ok();
  run_for(2min);
  ASSERT_EQ(active(), 0U) << trace(events, t0);
  expect_only_contact(primary, "198.51.100.7:5060");
}

TEST_F(RedundancyNetworkChange, ConcurrentModeMovesEveryBinding) {
  auto account = two_server_account();
  account.redundancy = config::RedundancyType::concurrent;
  start(account);
  run_for(1s);
  ASSERT_EQ(live_contacts(primary).size(), 1U);
  ASSERT_EQ(live_contacts(backup).size(), 1U);
  registrar.set_local_address("198.51.100.7", 5060);
  engine->network_changed();
  run_for(1s);
  EXPECT_EQ(events_of(EventType::network_changed).size(), 2U) << trace(events, t0);
  for (const sip::Target& t : {primary, backup}) expect_only_contact(t, "198.51.100.7:5060");
  EXPECT_EQ(first(EventType::failover), nullptr) << trace(events, t0);
}

TEST_F(RedundancyNetworkChange, NoSourceAddressMeansNothingToMoveTo) {
  expect_no_move_to("", 5060);  // no route to the server now
}

TEST_F(RedundancyNetworkChange, APortChangeAloneIsNoMove) {
  // Over TCP the sender reports a connection's ephemeral local port once it
  // is connected; only the host says whether the address moved.
  expect_no_move_to("192.0.2.10", 47454);
}

TEST_F(RedundancyNetworkChange, TheMovedContactKeepsItsPort) {
  start(two_server_account());
  run_for(1s);
  const std::size_t exchanges_before = registrar.exchanges_to(primary).size();
  registrar.set_local_address("198.51.100.7", 47454);
  engine->network_changed();
  run_for(1s);
  // The REGISTER that moved the binding: the new host with the old port.
  const auto exchanges = registrar.exchanges_to(primary);
  ASSERT_GT(exchanges.size(), exchanges_before);
  auto contacts = exchanges[exchanges_before]->request.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_FALSE(contacts->empty());
  EXPECT_EQ(contacts->front().address.uri.host(), "198.51.100.7");
  EXPECT_EQ(contacts->front().address.uri.port(), 5060);
}

TEST_F(RedundancyNetworkChange, TcpKeepAliveWatchesTheNewFlowAfterTheMove) {
  auto account = two_server_account();
  for (auto& server : account.servers) server.transport = config::ServerTransport::tcp;
  start(account);
  run_for(1s);
  const sip::Target tcp_primary{sip::TransportKind::tcp, "192.0.2.1", 5060, {}};
  ASSERT_EQ(registrar.active_watches(tcp_primary).size(), 1U);
  const std::size_t watches_before = registrar.watches().size();
  registrar.set_local_address("198.51.100.7", 5060);
  engine->network_changed();
  run_for(1s);
  ASSERT_NE(first(EventType::network_changed), nullptr) << trace(events, t0);
  // The old watch ended and a new one started with the move's 2xx.
  EXPECT_EQ(registrar.watches().size(), watches_before + 1);
  EXPECT_EQ(registrar.active_watches(tcp_primary).size(), 1U);
  EXPECT_EQ(active(), 0U);
}

}  // namespace
}  // namespace sipline::reg::testing
