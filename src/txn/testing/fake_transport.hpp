#pragma once
// An in-memory transport for tests and fuzzers of the transaction layer and
// the layers above it. It records everything it is asked to send, and puts
// it "on the wire" (a callback standing for the peer) through a set of fault
// knobs: drop, delay, duplicate, reorder, partial write and refuse.
//
// Time comes from the TimerService it is given (a ManualClock in tests). Like
// a real transport it never calls back from inside send(): delayed delivery
// and asynchronous errors go through zero-or-more-delay timers.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"

namespace sipline::txn::testing {

class FakeTransport final : public sip::TransportSink {
 public:
  // One call to send().
  struct Sent {
    runtime::TimePoint at;
    sip::Target target;
    sip::Message message;
  };
  // What reached the peer after the knobs.
  struct Delivery {
    runtime::TimePoint at;
    sip::Target target;
    std::string bytes;
  };
  enum class Mode : std::uint8_t {
    synchronous,  // send() returns the error
    asynchronous  // send() succeeds; the error arrives through on_error later
  };

  explicit FakeTransport(runtime::TimerService& timers) : timers_(timers) {}

  // The peer: receives every delivery.
  std::function<void(const Delivery&)> on_wire;
  // Asynchronous transport errors, for TransactionLayer::on_transport_error.
  std::function<void(const sip::Target&, sip::TransportError)> on_error;
  // Inbound messages, for TransactionLayer::on_message.
  std::function<void(sip::Message, const sip::Target&)> on_receive;

  // --- Knobs (each applies to what send() is handed from now on) ---
  // The next `n` messages are lost.
  void drop_next(std::size_t n = 1) { drop_ += n; }
  // Every message is lost until reset.
  void drop_all(bool on) { drop_all_ = on; }
  // Every message reaches the wire `d` after it was sent.
  void delay(runtime::Duration d) { delay_ = d; }
  // The next `n` messages reach the wire twice.
  void duplicate_next(std::size_t n = 1) { duplicate_ += n; }
  // The next message is held back and reaches the wire right after the one
  // that follows it.
  void reorder_next() { reorder_ = true; }
  // Only the first `bytes` of the next message reach the wire, and the
  // connection then fails with `reset` (asynchronously).
  void partial_write_next(std::size_t bytes) { partial_ = bytes; }
  // Sends to `target` fail with `error` until allow() is called.
  void refuse(const sip::Target& target, sip::TransportError error, Mode mode = Mode::synchronous) {
    allow(target);
    refused_.push_back(Refusal{target, error, mode});
  }
  void allow(const sip::Target& target) {
    std::erase_if(refused_, [&](const Refusal& r) { return r.target == target; });
  }

  // --- sip::TransportSink ---
  sip::SendResult send(const sip::Message& message, const sip::Target& target) override {
    sent_.push_back(Sent{timers_.now(), target, message});
    for (const Refusal& r : refused_) {
      if (r.target != target) continue;
      if (r.mode == Mode::synchronous) return sip::SendResult{r.error};
      report_later(target, r.error);
      return {};
    }
    if (drop_all_) return {};
    if (drop_ > 0) {
      --drop_;
      return {};
    }
    std::string bytes(message.bytes());
    if (partial_) {
      bytes.resize(std::min(bytes.size(), *partial_));
      partial_.reset();
      report_later(target, sip::TransportError::reset);
    }
    const int copies = duplicate_ > 0 ? 2 : 1;
    if (duplicate_ > 0) --duplicate_;
    for (int i = 0; i < copies; ++i) put_on_wire(Delivery{timers_.now(), target, bytes});
    return {};
  }

  // --- Inbound ---
  // Parses `bytes` as a datagram from `source` and hands it up; unparsable
  // bytes are dropped, as a transport would.
  bool deliver(std::string_view bytes, const sip::Target& source) {
    auto message = sip::Message::parse(bytes);
    if (!message) return false;
    if (on_receive) on_receive(std::move(*message), source);
    return true;
  }
  void deliver(const sip::Message& message, const sip::Target& source) {
    if (on_receive) on_receive(message, source);
  }
  // The same, `d` from now.
  void deliver_after(runtime::Duration d, sip::Message message, sip::Target source) {
    later(d, [this, m = std::move(message), s = std::move(source)] { deliver(m, s); });
  }

  // --- Inspection ---
  const std::vector<Sent>& sent() const noexcept { return sent_; }
  const std::vector<Delivery>& wire() const noexcept { return wire_; }
  void clear() {
    sent_.clear();
    wire_.clear();
  }

 private:
  struct Refusal {
    sip::Target target;
    sip::TransportError error;
    Mode mode;
  };

  void later(runtime::Duration d, std::function<void()> fn) {
    std::erase_if(pending_, [](const runtime::Timer& t) { return !t.armed(); });
    pending_.push_back(timers_.start(d, std::move(fn)));
  }

  void report_later(const sip::Target& target, sip::TransportError error) {
    later(runtime::Duration::zero(), [this, target, error] {
      if (on_error) on_error(target, error);
    });
  }

  void put_on_wire(Delivery delivery) {
    if (reorder_ && !held_) {
      reorder_ = false;
      held_ = std::move(delivery);
      return;
    }
    arrive(std::move(delivery));
    if (held_) {
      Delivery held = std::move(*held_);
      held_.reset();
      arrive(std::move(held));
    }
  }

  // Without a delay the delivery is logged at once; the peer hears of it on
  // the next turn of the loop all the same, never from inside send().
  void arrive(Delivery delivery) {
    if (delay_ <= runtime::Duration::zero()) {
      wire_.push_back(delivery);
      notify_peer(std::move(delivery));
      return;
    }
    later(delay_, [this, d = std::move(delivery)]() mutable {
      d.at = timers_.now();
      wire_.push_back(d);
      if (on_wire) on_wire(d);
    });
  }

  void notify_peer(Delivery delivery) {
    if (!on_wire) return;
    later(runtime::Duration::zero(), [this, d = std::move(delivery)] {
      if (on_wire) on_wire(d);
    });
  }

  runtime::TimerService& timers_;
  std::vector<Sent> sent_;
  std::vector<Delivery> wire_;
  std::vector<Refusal> refused_;
  std::vector<runtime::Timer> pending_;
  std::optional<Delivery> held_;
  std::optional<std::size_t> partial_;
  runtime::Duration delay_{};
  std::size_t drop_ = 0;
  std::size_t duplicate_ = 0;
  bool drop_all_ = false;
  bool reorder_ = false;
};

}  // namespace sipline::txn::testing
