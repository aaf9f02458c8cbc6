#pragma once
// Shared set-up of the redundancy scenarios: a manual clock, the scripted
// registrar (every target a registrar unless told otherwise), a scripted
// locator, an engine for one account with a primary and a backup, and the
// list of events it reported.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_locator.hpp"
#include "reg/redundancy_engine.hpp"
#include "runtime/manual_clock.hpp"
#include "scripted_registrar.hpp"

namespace sipline::reg::testing {

using namespace std::chrono_literals;

inline sip::Target udp_target(const std::string& address, std::uint16_t port = 5060) {
  return sip::Target{sip::TransportKind::udp, address, port, {}};
}

// alice@example.com with a primary 192.0.2.1 and a backup 192.0.2.2, FLX
// style monitoring off (Yealink defaults) unless a test changes it.
inline config::Account two_server_account() {
  config::Account a;
  a.name = "alice";
  a.username = "alice";
  a.password.value = "secret-pw";
  a.domain = "example.com";
  config::ServerEntry primary;
  primary.address = "192.0.2.1";
  primary.port = 5060;
  config::ServerEntry backup = primary;
  backup.address = "192.0.2.2";
  a.servers = {primary, backup};
  a.retry.fixed_interval = 30;
  return a;
}

class EngineHarness : public ::testing::Test {
 protected:
  const sip::Target primary = udp_target("192.0.2.1");
  const sip::Target backup = udp_target("192.0.2.2");

  void start(config::Account account, config::Dialect dialect = config::Dialect::native) {
    ASSERT_TRUE(config::normalize(account, dialect));
    t0 = clock.now();
    EngineDeps deps{registrar, clock, locator, [this] { return random_value; },
                    [this] { return "tok" + std::to_string(++tokens); }};
    engine = std::make_unique<RedundancyEngine>(std::move(account), dialect, deps,
                                                [this](const Event& e) { events.push_back(e); });
    engine->start();
  }

  void run_for(runtime::Duration d) { clock.advance(d); }
  void run_until(runtime::Duration since_start) { clock.advance_to(t0 + since_start); }
  runtime::Duration elapsed(runtime::TimePoint t) const { return t - t0; }

  std::vector<const Event*> events_of(EventType type) const {
    std::vector<const Event*> out;
    for (const Event& e : events) {
      if (e.type == type) out.push_back(&e);
    }
    return out;
  }
  const Event* first(EventType type) const {
    auto v = events_of(type);
    return v.empty() ? nullptr : v.front();
  }
  std::size_t registers_to(const sip::Target& t) const {
    std::size_t n = 0;
    for (const Exchange* e : registrar.exchanges_to(t)) {
      if (e->request.method() == sip::Method::register_) ++n;
    }
    return n;
  }
  std::size_t options_to(const sip::Target& t) const {
    std::size_t n = 0;
    for (const Exchange* e : registrar.exchanges_to(t)) {
      if (e->request.method() == sip::Method::options) ++n;
    }
    return n;
  }
  std::optional<std::size_t> active() const { return engine->status().active_server; }

  runtime::ManualClock clock;
  ScriptedRegistrar registrar{clock};
  FakeLocator locator{clock};
  double random_value = 0.0;
  int tokens = 0;
  runtime::TimePoint t0{};
  std::vector<Event> events;
  std::unique_ptr<RedundancyEngine> engine;
};

}  // namespace sipline::reg::testing

namespace sipline::reg::testing {
// "12.345 failover sip:... <- sip:... (refused) reason": for failure messages.
inline std::string trace(const std::vector<Event>& events, runtime::TimePoint t0) {
  std::string out;
  for (const Event& e : events) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at - t0).count();
    out += std::to_string(ms) + "ms " + std::string(to_string(e.type)) + " " + e.server;
    if (!e.previous_server.empty()) out += " <- " + e.previous_server;
    if (e.failure != FailureKind::none) out += " (" + std::string(to_string(e.failure)) + ")";
    out += " " + e.reason + "\n";
  }
  return out;
}
}  // namespace sipline::reg::testing
