// Drives a TransactionLayer with a fuzz-chosen sequence of events: raw
// datagrams (parsed by the message parser), responses and retransmissions
// derived from the requests in flight, TU actions (new requests, CANCELs,
// responses, abandoning), transport errors and faults, and clock advances on
// a ManualClock. At the end the peer and the TU give every transaction its
// final answer and all timers run; then no transaction may be left, and each
// one the TU knew about must have ended exactly once.

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/manual_clock.hpp"
#include "sip/builder.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/client_invite.hpp"
#include "txn/testing/fake_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace {

using namespace sipline;
using sip::Target;
using sip::TransportKind;
using txn::TransactionId;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

const Target targets[] = {
    {TransportKind::udp, "192.0.2.1", 5060, ""},
    {TransportKind::tcp, "192.0.2.1", 5060, ""},
    {TransportKind::tls, "192.0.2.2", 5061, "example.com"},
    {TransportKind::udp, "198.51.100.7", 5062, ""},
};

const char* const methods[] = {"REGISTER", "OPTIONS", "INVITE", "BYE", "MESSAGE", "INVITE"};
const char* const to_tags[] = {"", "uas-1", "uas-2", "z"};
const sip::TransportError errors[] = {
    sip::TransportError::refused, sip::TransportError::unreachable, sip::TransportError::reset,
    sip::TransportError::tls_failure, sip::TransportError::timeout};

// Values drawn from small pools, so that peer requests collide: the same
// transaction again, merged requests, RFC 2543 peers, CANCEL and ACK.
const char* const peer_methods[] = {"INVITE", "OPTIONS", "REGISTER", "BYE", "CANCEL", "ACK"};
const char* const peer_branches[] = {"z9hG4bK-p1", "z9hG4bK-p2", "z9hG4bK-p3", "", "old-1"};
const char* const peer_sent_by[] = {"198.51.100.7:5062", "203.0.113.5", "PEER.example.com:5062"};
const char* const peer_from_tags[] = {"f1", "f2", ""};
const char* const peer_call_ids[] = {"c1", "c2"};

struct RequestFields {
  std::string_view method;
  std::string_view branch;
  std::string_view via_transport = "UDP";
  std::string_view sent_by = "198.51.100.7:5062";
  std::string_view from_tag = "a1";
  std::string_view to_tag;
  std::uint32_t cseq = 1;
  std::string_view call_id = "fuzz-call";
  bool rport = true;
};

std::string request_text(const RequestFields& f) {
  std::string text;
  text.append(f.method).append(" sip:bob@example.com SIP/2.0\r\n");
  text.append("Via: SIP/2.0/").append(f.via_transport).append(" ").append(f.sent_by);
  if (!f.branch.empty()) text.append(";branch=").append(f.branch);
  if (f.rport) text.append(";rport");
  text.append("\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>");
  if (!f.from_tag.empty()) text.append(";tag=").append(f.from_tag);
  text.append("\r\nTo: <sip:bob@example.com>");
  if (!f.to_tag.empty()) text.append(";tag=").append(f.to_tag);
  text.append("\r\nCall-ID: ").append(f.call_id).append("\r\n");
  text.append("CSeq: ").append(std::to_string(f.cseq)).append(" ").append(f.method).append("\r\n");
  text.append("Content-Length: 0\r\n\r\n");
  return text;
}

template <class T, std::size_t N>
const T& pick(FuzzedDataProvider& in, const T (&array)[N]) {
  return array[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

template <class T>
const T& pick(FuzzedDataProvider& in, const std::vector<T>& v) {
  return v[in.ConsumeIntegralInRange<std::size_t>(0, v.size() - 1)];
}

class Harness {
 public:
  explicit Harness(FuzzedDataProvider& in)
      : in_(in),
        layer_(
            clock_, transport_, [this] { return ++random_; }, config()) {
    transport_.on_receive = [this](sip::Message m, const Target& s) {
      layer_.on_message(std::move(m), s);
    };
    transport_.on_error = [this](const Target& t, sip::TransportError e) {
      layer_.on_transport_error(t, e);
    };
    answer_inline_ = in_.ConsumeBool();
    retry_inline_ = in_.ConsumeBool();
    layer_.set_server_handler(txn::ServerHandler{
        [this](TransactionId id, const sip::Message& r, const Target& source) {
          ++server_seen_;
          server_.push_back(Server{id, r, source});
          if (answer_inline_ && r.method() != sip::Method::invite) {
            (void)layer_.respond(id, *sip::response_to(r, 200, {}, "uas-1").build());
          }
        },
        [](const sip::Message&, const Target&) {},
        [this](TransactionId, txn::EndReason) { ++server_ended_; }});
  }

  void run() {
    for (int step = 0; step < 300 && in_.remaining_bytes() > 0; ++step) one_step();
    finish();
  }

 private:
  struct Client {
    TransactionId id;
    sip::Message request;
  };
  struct Server {
    TransactionId id;
    sip::Message request;
    Target source;
  };

  static txn::LayerConfig config() {
    txn::LayerConfig c;
    c.max_transactions = 64;
    return c;
  }

  void one_step() {
    switch (in_.ConsumeIntegralInRange<int>(0, 11)) {
      case 0:
        inbound_raw();
        break;
      case 1:
        inbound_response();
        break;
      case 2:
        inbound_copy();
        break;
      case 3:
        inbound_ack();
        break;
      case 4:
        start_request();
        break;
      case 5:
        start_cancel();
        break;
      case 6:
        respond();
        break;
      case 7:
        abandon();
        break;
      case 8:
        clock_.advance(std::chrono::milliseconds(in_.ConsumeIntegralInRange<int>(0, 40000)));
        break;
      case 9:
        layer_.on_transport_error(any_target(), any_error());
        break;
      case 10:
        peer_request();
        break;
      default:
        knob();
        break;
    }
  }

  const Target& any_target() { return pick(in_, targets); }
  sip::TransportError any_error() { return pick(in_, errors); }
  std::string_view any_to_tag() { return pick(in_, to_tags); }

  // Arbitrary bytes, where "$b" becomes the branch of a request in flight so
  // that mutated messages can reach live transactions.
  void inbound_raw() {
    std::string text = in_.ConsumeRandomLengthString(4096);
    if (!clients_.empty()) {
      const std::string branch(pick(in_, clients_).request.top_via().branch);
      for (std::size_t at = text.find("$b"); at != std::string::npos; at = text.find("$b", at)) {
        text.replace(at, 2, branch);
        at += branch.size();
      }
    }
    transport_.deliver(std::move(text), any_target());
  }

  void peer_request() {
    RequestFields f;
    f.method = pick(in_, peer_methods);
    f.branch = pick(in_, peer_branches);
    f.sent_by = pick(in_, peer_sent_by);
    f.from_tag = pick(in_, peer_from_tags);
    f.to_tag = pick(in_, to_tags);
    f.call_id = pick(in_, peer_call_ids);
    f.cseq = in_.ConsumeIntegralInRange<std::uint32_t>(1, 2);
    f.rport = in_.ConsumeBool();
    transport_.deliver(request_text(f), any_target());
  }

  void inbound_response() {
    if (clients_.empty()) return;
    const sip::Message& request = pick(in_, clients_).request;
    const int code = in_.ConsumeIntegralInRange<int>(100, 699);
    auto response = sip::response_to(request, code, {}, any_to_tag()).build();
    if (response) transport_.deliver(*response, any_target());
  }

  void inbound_copy() {
    if (server_.empty()) return;
    const Server& s = pick(in_, server_);
    transport_.deliver(s.request, in_.ConsumeBool() ? s.source : any_target());
  }

  void inbound_ack() {
    if (server_.empty()) return;
    const Server& s = pick(in_, server_);
    auto response =
        sip::response_to(s.request, in_.ConsumeIntegralInRange<int>(200, 699), {}, any_to_tag())
            .build();
    if (!response) return;
    auto ack = txn::build_non2xx_ack(s.request, *response);
    if (ack) transport_.deliver(*ack, s.source);
  }

  void start_request(std::string_view method, const std::string& branch, const Target& target) {
    RequestFields f;
    f.method = method;
    f.branch = branch;
    f.via_transport = sip::to_string(target.transport);
    f.cseq = ++cseq_;
    auto request = sip::Message::parse(request_text(f));
    if (!request) return;
    txn::TimerConfig timers;
    if (in_.ConsumeBool())
      timers.retransmit_budget = in_.ConsumeIntegralInRange<std::uint8_t>(0, 20);
    sip::Message copy = *request;
    auto id = layer_.send_request(std::move(*request), target, callbacks(), timers);
    if (!id) return;
    ++client_started_;
    clients_.push_back(Client{*id, std::move(copy)});
  }

  void start_request() { start_request(pick(in_, methods), layer_.new_branch(), any_target()); }

  // §9.1: a CANCEL reuses the INVITE's branch.
  void start_cancel() {
    for (const Client& c : clients_) {
      if (c.request.method() != sip::Method::invite || in_.ConsumeBool()) continue;
      const auto* txn = layer_.client(c.id);
      if (txn == nullptr) continue;
      start_request("CANCEL", std::string(c.request.top_via().branch), txn->target());
      return;
    }
  }

  txn::ClientCallbacks callbacks() {
    return txn::ClientCallbacks{
        [this](const sip::Message& response) {
          // A TU that answers a challenge at once, from inside the callback.
          if (retry_inline_ && response.status_code() == 401 && clients_.size() < 40) {
            start_request("REGISTER", layer_.new_branch(), targets[0]);
          }
        },
        [this](txn::EndReason) { ++client_ended_; }};
  }

  void respond() {
    if (server_.empty()) return;
    const Server& s = pick(in_, server_);
    auto response =
        sip::response_to(s.request, in_.ConsumeIntegralInRange<int>(100, 699), {}, any_to_tag())
            .build();
    if (response) (void)layer_.respond(s.id, std::move(*response));
  }

  void abandon() {
    if (in_.ConsumeBool()) {
      if (clients_.empty()) return;
      if (layer_.abandon(pick(in_, clients_).id)) ++client_abandoned_;
    } else {
      if (server_.empty()) return;
      if (layer_.abandon(pick(in_, server_).id)) ++server_abandoned_;
    }
  }

  void knob() {
    const Target& target = any_target();
    switch (in_.ConsumeIntegralInRange<int>(0, 6)) {
      case 0:
        transport_.refuse(target, any_error(), FakeTransport::Mode::synchronous);
        break;
      case 1:
        transport_.refuse(target, any_error(), FakeTransport::Mode::asynchronous);
        break;
      case 2:
        transport_.allow(target);
        break;
      case 3:
        transport_.drop_next(in_.ConsumeIntegralInRange<std::size_t>(1, 5));
        break;
      case 4:
        transport_.duplicate_next();
        break;
      case 5:
        transport_.reorder_next();
        break;
      default:
        transport_.partial_write_next(in_.ConsumeIntegralInRange<std::size_t>(0, 200));
        break;
    }
  }

  // The peer and the TU do their part, then time runs out.
  void finish() {
    for (const Target& t : targets) transport_.allow(t);
    // A request odd enough that no response to it can be built is given up.
    for (const Server& s : server_) {
      if (layer_.server(s.id) == nullptr) continue;
      auto final_response = sip::response_to(s.request, 486, {}, "uas-1").build();
      if (final_response) {
        (void)layer_.respond(s.id, std::move(*final_response));
      } else if (layer_.abandon(s.id)) {
        ++server_abandoned_;
      }
    }
    for (const Client& c : clients_) {
      const auto* txn = layer_.client(c.id);
      if (txn == nullptr) continue;
      auto final_response = sip::response_to(c.request, 487, {}, "uas-1").build();
      if (final_response) {
        layer_.on_message(std::move(*final_response), txn->target());
      } else if (layer_.abandon(c.id)) {
        ++client_abandoned_;
      }
    }
    // Every timer has run out: none may be left behind by a transaction that
    // is gone, and no transaction may be left.
    check(clock_.run_until_idle(std::chrono::hours(2)));
    check(clock_.pending_count() == 0);
    check(layer_.size() == 0);
    check(client_started_ == client_ended_ + client_abandoned_);
    check(server_seen_ == server_ended_ + server_abandoned_);
  }

  using FakeTransport = txn::testing::FakeTransport;

  FuzzedDataProvider& in_;
  runtime::ManualClock clock_;
  FakeTransport transport_{clock_};
  std::uint64_t random_ = 0;
  txn::TransactionLayer layer_;
  std::vector<Client> clients_;
  std::vector<Server> server_;
  std::uint32_t cseq_ = 0;
  bool answer_inline_ = false;
  bool retry_inline_ = false;
  std::size_t client_started_ = 0, client_ended_ = 0, client_abandoned_ = 0;
  std::size_t server_seen_ = 0, server_ended_ = 0, server_abandoned_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Harness harness(in);
  harness.run();
  return 0;
}
