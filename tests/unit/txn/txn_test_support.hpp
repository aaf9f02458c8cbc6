#pragma once
// Shared pieces of the transaction tests: message factories, a transaction
// environment over a ManualClock and a FakeTransport, and time helpers.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/manual_clock.hpp"
#include "sip/builder.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/testing/fake_transport.hpp"
#include "txn/transaction.hpp"

namespace sipline::txn::test {

using namespace std::chrono_literals;
using runtime::ManualClock;
using runtime::TimePoint;
using sip::Target;
using sip::TransportKind;
using testing::FakeTransport;

inline const Target registrar_udp{TransportKind::udp, "192.0.2.1", 5060};
inline const Target registrar_tcp{TransportKind::tcp, "192.0.2.1", 5060};
inline const Target phone_udp{TransportKind::udp, "198.51.100.7", 5062};
inline const Target phone_tcp{TransportKind::tcp, "198.51.100.7", 40001};

inline sip::Message parse_or_throw(std::string_view text) {
  auto message = sip::Message::parse(text);
  if (!message) throw std::runtime_error("test message does not parse: " + message.error().message);
  return std::move(*message);
}

// The fields of a request that matching looks at, with ordinary values.
struct RequestSpec {
  std::string method = "REGISTER";
  std::string uri = "sip:example.com";
  std::string transport = "UDP";
  std::string sent_by = "198.51.100.7:5062";
  std::string branch = "z9hG4bK-first";
  bool rport = false;
  std::string from_tag = "from-1";
  std::string to_tag;
  std::string call_id = "call-1@198.51.100.7";
  std::uint32_t cseq = 1;
  std::string extra;  // further header lines, each ending in CRLF
};

inline std::string request_text(const RequestSpec& s) {
  std::string via = "SIP/2.0/" + s.transport + " " + s.sent_by;
  if (!s.branch.empty()) via += ";branch=" + s.branch;
  if (s.rport) via += ";rport";
  std::string to = "<sip:alice@example.com>";
  if (!s.to_tag.empty()) to += ";tag=" + s.to_tag;
  std::string from = "\"Alice\" <sip:alice@example.com>";
  if (!s.from_tag.empty()) from += ";tag=" + s.from_tag;
  return s.method + " " + s.uri + " SIP/2.0\r\n" + "Via: " + via + "\r\n" + "Max-Forwards: 70\r\n" +
         "From: " + from + "\r\n" + "To: " + to + "\r\n" + "Call-ID: " + s.call_id + "\r\n" +
         "CSeq: " + std::to_string(s.cseq) + " " + s.method + "\r\n" + s.extra +
         "Content-Length: 0\r\n\r\n";
}

inline sip::Message request(const RequestSpec& spec) {
  return parse_or_throw(request_text(spec));
}

inline sip::Message request(std::string method, std::string branch = "z9hG4bK-first") {
  RequestSpec spec;
  spec.method = std::move(method);
  spec.branch = std::move(branch);
  return request(spec);
}

inline sip::Message response(const sip::Message& to, int code, std::string_view to_tag = "uas-1") {
  auto built = sip::response_to(to, code, {}, code == 100 ? std::string_view{} : to_tag).build();
  if (!built) throw std::runtime_error("test response does not build: " + built.error().message);
  return std::move(*built);
}

// Runs transactions directly on a clock and a fake transport.
class TestEnv final : public TransactionEnv {
 public:
  TestEnv(ManualClock& clock, FakeTransport& transport) : clock_(clock), transport_(transport) {}

  runtime::Timer start_timer(Duration delay, std::function<void()> fn) override {
    return clock_.start(delay, std::move(fn));
  }
  sip::SendResult send(const sip::Message& message, const sip::Target& target) override {
    return transport_.send(message, target);
  }
  void ended(TransactionId id) override { ended_ids.push_back(id); }

  std::vector<TransactionId> ended_ids;

 private:
  ManualClock& clock_;
  FakeTransport& transport_;
};

// Common fixture: a clock, a transport, an environment, and a log of the
// callbacks with the time they came at.
class TxnFixture : public ::testing::Test {
 protected:
  long long ms() const { return ms_at(clock.now()); }
  long long ms_at(TimePoint t) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - origin).count();
  }

  // Times (ms) at which messages were handed to the transport, optionally
  // only requests with that method or responses with that status code.
  std::vector<long long> send_times() const {
    std::vector<long long> out;
    for (const auto& s : transport.sent()) out.push_back(ms_at(s.at));
    return out;
  }
  std::vector<long long> send_times(std::string_view method) const {
    std::vector<long long> out;
    for (const auto& s : transport.sent()) {
      if (s.message.is_request() && s.message.method_text() == method) out.push_back(ms_at(s.at));
    }
    return out;
  }
  std::vector<long long> send_times(int status) const {
    std::vector<long long> out;
    for (const auto& s : transport.sent()) {
      if (s.message.status_code() == status) out.push_back(ms_at(s.at));
    }
    return out;
  }

  ClientCallbacks client_callbacks() {
    return ClientCallbacks{[this](const sip::Message& r) { responses.push_back(r.status_code()); },
                           [this](EndReason reason) {
                             ends.push_back(reason);
                             end_ms.push_back(ms());
                           }};
  }
  ServerCallbacks server_callbacks() {
    return ServerCallbacks{
        [this](const sip::Message& ack) { acks.push_back(std::string(ack.method_text())); },
        [this](EndReason reason) {
          ends.push_back(reason);
          end_ms.push_back(ms());
        }};
  }

  ManualClock clock;
  TimePoint origin = clock.now();
  FakeTransport transport{clock};
  TestEnv env{clock, transport};
  std::vector<int> responses;
  std::vector<std::string> acks;
  std::vector<EndReason> ends;
  std::vector<long long> end_ms;
};

using Times = std::vector<long long>;

}  // namespace sipline::txn::test
