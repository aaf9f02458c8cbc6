#pragma once
// The protocol side of one TCP/TLS connection, without the socket: turns the
// received byte stream into messages (sip::StreamFramer), answers CRLFCRLF
// pings with a CRLF pong and runs our own pings (RFC 5626 §4.4.1), and closes
// a connection whose partial message stops making progress. Driven by a
// TimerService, so it runs the same on a ManualClock as on the event loop.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "runtime/clock.hpp"
#include "sip/limits.hpp"
#include "sip/message.hpp"
#include "sip/stream_framer.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

class StreamSession {
 public:
  // Callbacks run synchronously from received() and from timers. They may
  // call close() on the session but must not destroy it.
  class Sink {
   public:
    virtual ~Sink() = default;
    // Bytes the session itself sends: pings and pongs.
    virtual void write(std::string_view bytes) = 0;
    virtual void message(sip::Message message) = 0;
    virtual void pong() = 0;
    // The connection must be closed; the session is already closed.
    virtual void failed(TransportFailure failure) = 0;
  };

  struct Settings {
    runtime::Duration incomplete_message_timeout = std::chrono::seconds(32);
    runtime::Duration pong_timeout = std::chrono::seconds(10);
    double keepalive_min_fraction = 0.8;
    sip::Limits limits;
  };

  StreamSession(runtime::TimerService& timers, Sink& sink, Settings settings,
                std::uint32_t jitter_seed);
  StreamSession(const StreamSession&) = delete;
  StreamSession& operator=(const StreamSession&) = delete;

  // Bytes read from the connection.
  void received(std::string_view bytes);

  // Pings every `interval` (jittered), expects a pong within pong_timeout.
  void start_keepalive(runtime::Duration interval);
  void stop_keepalive();
  bool keepalive_active() const noexcept { return keepalive_interval_ > runtime::Duration::zero(); }
  bool awaiting_pong() const noexcept { return pong_timer_.armed(); }

  // Stops every timer and ignores further input.
  void close() noexcept;
  bool closed() const noexcept { return closed_; }

  // Framed messages that failed to parse and were skipped (the framing itself
  // stayed intact, so the connection goes on).
  std::uint64_t dropped_messages() const noexcept { return dropped_; }
  std::size_t buffered() const noexcept { return framer_.buffered(); }

 private:
  void fail(TransportFailure failure);
  void schedule_ping();
  void send_ping();
  runtime::Duration jittered(runtime::Duration interval);

  runtime::TimerService& timers_;
  Sink& sink_;
  Settings settings_;
  sip::StreamFramer framer_;
  std::minstd_rand rng_;
  runtime::Duration keepalive_interval_ = runtime::Duration::zero();
  runtime::Timer ping_timer_;
  runtime::Timer pong_timer_;
  runtime::Timer incomplete_timer_;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace sipline::transport
