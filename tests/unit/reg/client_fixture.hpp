#pragma once
// Shared set-up of the RegistrationClient scenario tests: one client of
// alice@sipline.test against a ScriptedRegistrar on a ManualClock, with
// every ClientEvent recorded and an optional hook that runs inside the
// event handler (to call back into the client, or destroy it).

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_set.hpp"
#include "auth/digest_client.hpp"
#include "reg/registration_client.hpp"
#include "runtime/manual_clock.hpp"
#include "scripted_registrar.hpp"
#include "sip/message.hpp"

namespace sipline::reg::testing {

using namespace std::chrono_literals;

inline constexpr std::string_view kPassword = "pw-Zq81!secret";

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    config.account = "alice";
    config.aor = "sip:alice@sipline.test";
    config.registrar_uri = "sip:sipline.test";
    config.target = target;
    config.target_uri = "sip:sipline.test";
    config.call_id = "c8e1f0a2-reg@sipline";
    config.contact_user = "alice";
    config.expires = 3600;
  }

  // The digest account both the client and the registrar know.
  static DigestAccount account(std::string password = std::string(kPassword)) {
    DigestAccount a;
    a.username = "alice";
    a.password = std::move(password);
    return a;
  }

  auth::DigestClient digest(std::string password = std::string(kPassword)) {
    auth::CredentialSet set;
    set.set_default(auth::UserCredential{"alice", auth::Secret(std::move(password))});
    return auth::DigestClient(std::move(set),
                              [this] { return "0a4f113b" + std::to_string(++cnonces); });
  }

  void make(std::string password = std::string(kPassword)) {
    client = std::make_unique<RegistrationClient>(
        config, digest(std::move(password)), registrar, clock, [this] { return random; },
        [this](const ClientEvent& e) {
          events.push_back(e);
          if (hook) hook(e);
        });
  }

  TargetScript& server() { return registrar.at(target); }
  const std::vector<Exchange>& sent() const { return registrar.exchanges(); }
  const sip::Message& request(std::size_t i) const { return sent().at(i).request; }
  const sip::Message& last_request() const { return registrar.last().request; }

  // Advances in small steps so that each exchange is easy to follow.
  void run_for(runtime::Duration d) { clock.advance(d); }

  static std::string value(const sip::Message& m, sip::HeaderId id) {
    return std::string(m.header(id).value_or("<absent>"));
  }
  static sip::ContactList contacts(const sip::Message& m) {
    auto list = m.contacts();
    EXPECT_TRUE(list.has_value());
    return list ? *list : sip::ContactList{};
  }
  static std::string contact_uri_of(const sip::Message& m) {
    auto list = contacts(m);
    return list.empty() ? std::string() : std::string(list.front().address.uri.raw);
  }

  std::size_t count(ClientEvent::Kind kind) const {
    std::size_t n = 0;
    for (const ClientEvent& e : events) n += e.kind == kind ? 1 : 0;
    return n;
  }

  // The exchanges as one line each, times from the start of the test:
  //   "+0.010 REGISTER cseq=2 expires=600 auth -> 423"
  std::vector<std::string> trace() const {
    std::vector<std::string> out;
    for (const Exchange& e : sent()) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at - t0).count();
      std::string line = "+" + std::to_string(ms / 1000) + ".";
      const std::string frac = std::to_string(ms % 1000);
      line += std::string(3 - frac.size(), '0') + frac;
      line += " REGISTER cseq=" + std::to_string(e.request.cseq().number);
      line += " expires=" + value(e.request, sip::HeaderId::expires);
      if (e.request.header(sip::HeaderId::authorization)) line += " auth";
      line += " -> ";
      switch (e.handled_as) {
        case Reply::Kind::refuse:
          line += "refused";
          break;
        case Reply::Kind::blackhole:
          line += "timeout";
          break;
        default:
          line += e.response ? std::to_string(e.response->status_code()) : "?";
          break;
      }
      out.push_back(std::move(line));
    }
    return out;
  }

  // No reason text anywhere may carry the password.
  void expect_no_password_in_events() const {
    for (const ClientEvent& e : events) {
      EXPECT_EQ(e.reason.find(kPassword), std::string::npos) << e.reason;
      EXPECT_EQ(e.reason.find("wrong-password"), std::string::npos) << e.reason;
    }
  }

  runtime::ManualClock clock;
  ScriptedRegistrar registrar{clock};
  const runtime::TimePoint t0 = clock.now();
  sip::Target target{sip::TransportKind::udp, "192.0.2.50", 5060, ""};
  BindingConfig config;
  double random = 0.0;
  int cnonces = 0;
  std::vector<ClientEvent> events;
  std::function<void(const ClientEvent&)> hook;
  std::unique_ptr<RegistrationClient> client;
};

}  // namespace sipline::reg::testing
