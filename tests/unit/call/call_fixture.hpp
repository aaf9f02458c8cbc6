#pragma once
// A call manager over the real transaction layer, a FakeTransport and a
// ManualClock, with a scripted route provider standing for the redundancy
// policy. Tests read like traces: what we sent, what the peer answers.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "call/call_manager.hpp"
#include "runtime/manual_clock.hpp"
#include "sip/builder.hpp"
#include "sip/header_id.hpp"
#include "txn/testing/fake_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::call::test {

using namespace std::chrono_literals;
using sip::Target;
using sip::TransportKind;

inline const Target primary{TransportKind::udp, "192.0.2.10", 5060, {}};
inline const Target backup{TransportKind::udp, "192.0.2.20", 5060, {}};
inline const Target local{TransportKind::udp, "198.51.100.7", 5062, {}};

inline const std::string peer_offer =
    "v=0\r\no=peer 7 7 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
inline const std::string g729_only =
    "v=0\r\no=peer 7 7 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";

inline sip::Message parse_or_throw(std::string_view text) {
  auto message = sip::Message::parse(text);
  if (!message) throw std::runtime_error("does not parse: " + message.error().message);
  return std::move(*message);
}

// Routes in configuration order, skipping the targets the call asks to
// avoid, like the engine's route_for_new_request(exclude). `ignore_avoid`
// stands for a policy that keeps offering the failed server.
class ScriptedRoutes final : public RouteProvider {
 public:
  std::vector<OutboundRoute> routes;
  std::vector<std::pair<Target, RouteFailure>> failures;
  std::vector<std::uint32_t> retry_afters;
  std::vector<std::vector<Target>> asked;  // the `avoid` list of every question
  bool ignore_avoid = false;

  std::optional<OutboundRoute> route(const std::vector<Target>& avoid) override {
    asked.push_back(avoid);
    for (const auto& r : routes) {
      if (ignore_avoid || std::find(avoid.begin(), avoid.end(), r.target) == avoid.end()) return r;
    }
    return std::nullopt;
  }
  void report_failure(const Target& target, RouteFailure failure,
                      std::uint32_t retry_after) override {
    failures.emplace_back(target, failure);
    retry_afters.push_back(retry_after);
  }
  std::size_t max_attempts() const override { return routes.size(); }
};

inline OutboundRoute route_to(const Target& target, std::string server, int budget = 1) {
  OutboundRoute r;
  r.target = target;
  r.server_uri = std::move(server);
  r.route_set = {"<sip:" + target.address + ":" + std::to_string(target.port) + ";lr>"};
  r.retransmit_budget = budget;
  return r;
}

inline LocalParty alice() {
  LocalParty p;
  p.account = "alice";
  p.display_name = "Alice";
  p.user = "alice";
  p.domain = "example.com";
  p.credentials.set_default(auth::UserCredential{"alice", auth::Secret("secret")});
  return p;
}

class CallTest : public ::testing::Test {
 protected:
  CallTest()
      : wire(clock),
        layer(clock, wire, [this] { return ++random; }),
        manager(CallEnv{layer, wire, clock, txn::TimerConfig{},
                        [this](const Target& to) -> std::optional<Target> {
                          Target t = local_address;
                          t.transport = to.transport;
                          return t;
                        },
                        [this] { return "call-" + std::to_string(++random) + "@test"; },
                        [] { return std::string("0a4f113b"); }, 40000},
                [this](const CallEvent& e) { events.push_back(e); }) {
    wire.on_receive = [this](sip::Message m, const Target& source) {
      layer.on_message(std::move(m), source);
    };
    wire.on_error = [this](const Target& t, sip::TransportError e) {
      layer.on_transport_error(t, e);
    };
    txn::ServerHandler handler;
    handler.on_request = [this](txn::TransactionId id, const sip::Message& request,
                                const Target& source) {
      if (CallManager::in_dialog(request)) {
        manager.on_request(id, request);
      } else if (request.method() == sip::Method::invite) {
        manager.on_invite(id, request, source, callee, "sip:192.0.2.10");
      }
    };
    handler.on_ack = [this](const sip::Message& ack, const Target&) { manager.on_ack(ack); };
    handler.on_terminated = [this](txn::TransactionId id, txn::EndReason reason) {
      manager.on_server_terminated(id, reason);
    };
    layer.set_server_handler(std::move(handler));
    routes->routes = {route_to(primary, "sip:192.0.2.10"), route_to(backup, "sip:192.0.2.20")};
  }

  // Every request (or response, method empty) with that method we sent.
  std::vector<txn::testing::FakeTransport::Sent> sent(std::string_view method) const {
    std::vector<txn::testing::FakeTransport::Sent> out;
    for (const auto& s : wire.sent()) {
      if (s.message.is_request() && s.message.method_text() == method) out.push_back(s);
    }
    return out;
  }
  std::vector<sip::Message> responses(int code) const {
    std::vector<sip::Message> out;
    for (const auto& s : wire.sent()) {
      if (s.message.is_response() && s.message.status_code() == code) out.push_back(s.message);
    }
    return out;
  }
  const sip::Message& last(std::string_view method) const {
    for (auto it = wire.sent().rbegin(); it != wire.sent().rend(); ++it) {
      if (it->message.is_request() && it->message.method_text() == method) return it->message;
    }
    throw std::runtime_error("nothing sent with method " + std::string(method));
  }

  // The peer answers `request` from `from`.
  void reply(const sip::Message& request, int code, const Target& from = primary,
             std::string body = {}, std::string extra_headers = {}, std::string tag = "bob-1") {
    auto b = sip::response_to(request, code, {}, tag);
    if (code > 100 && code < 300) b.add(sip::HeaderId::contact, "<sip:bob@192.0.2.99:5070>");
    if (code < 300 && code > 100) b.add(sip::HeaderId::record_route, "<sip:192.0.2.10;lr>");
    for (std::size_t start = 0; start < extra_headers.size();) {
      const auto end = extra_headers.find("\r\n", start);
      const std::string line = extra_headers.substr(start, end - start);
      const auto colon = line.find(':');
      b.add(line.substr(0, colon), line.substr(colon + 2));
      start = end + 2;
    }
    if (!body.empty()) b.body("application/sdp", body);
    auto message = b.build();
    if (!message) throw std::runtime_error("bad reply: " + message.error().message);
    wire.deliver(*message, from);
    clock.run_due();
  }

  std::vector<CallEventType> types() const {
    std::vector<CallEventType> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
  }

  Target local_address = local;  // what CallEnv::local_address answers
  runtime::ManualClock clock;
  txn::testing::FakeTransport wire;
  std::uint64_t random = 0;
  txn::TransactionLayer layer;
  std::vector<CallEvent> events;
  LocalParty callee = alice();  // who incoming INVITEs are for
  std::shared_ptr<ScriptedRoutes> routes = std::make_shared<ScriptedRoutes>();
  CallManager manager;
};

}  // namespace sipline::call::test
