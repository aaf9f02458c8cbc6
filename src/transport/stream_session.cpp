#include "transport/stream_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace sipline::transport {
namespace {

constexpr std::string_view ping_bytes = "\r\n\r\n";  // RFC 5626 §3.5.1
constexpr std::string_view pong_bytes = "\r\n";

std::string seconds_text(runtime::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

StreamSession::StreamSession(runtime::TimerService& timers, Sink& sink, Settings settings,
                             std::uint32_t jitter_seed)
    : timers_(timers),
      sink_(sink),
      settings_(settings),
      framer_(settings_.limits),
      rng_(jitter_seed) {}

void StreamSession::received(std::string_view bytes) {
  if (closed_) return;
  const Result<void> fed = framer_.feed(bytes);
  bool progressed = false;
  sip::StreamFrame frame;
  // Frames completed before a framing error are still delivered.
  while (!closed_ && framer_.next(frame)) {
    switch (frame.kind) {
      case sip::StreamFrame::Kind::message: {
        progressed = true;
        Result<sip::Message> message =
            sip::Message::parse(frame.bytes, settings_.limits);
        if (message) {
          sink_.message(std::move(message).value());
        } else {
          ++dropped_;
        }
        break;
      }
      case sip::StreamFrame::Kind::crlf:
      case sip::StreamFrame::Kind::double_crlf:
        // While our ping is outstanding any CRLF is its pong. That includes
        // a "double" one: the framer pairs a pong with the previous pong
        // when nothing came between them. Otherwise a lone CRLF may be the
        // first half of the peer's ping, and the second half completes it.
        if (pong_timer_.armed()) {
          pong_timer_.cancel();
          sink_.pong();
        } else if (frame.kind == sip::StreamFrame::Kind::double_crlf) {
          sink_.write(pong_bytes);
        }
        break;
    }
  }
  if (closed_) return;
  if (!fed) {
    fail({sip::TransportError::reset, "framing error: " + fed.error().message});
    return;
  }
  // The slow-loris timer runs while a partial message sits in the buffer and
  // restarts whenever a message completes.
  if (progressed || framer_.buffered() == 0) incomplete_timer_.cancel();
  if (framer_.buffered() > 0 && !incomplete_timer_.armed() &&
      settings_.incomplete_message_timeout > runtime::Duration::zero()) {
    incomplete_timer_ = timers_.start(settings_.incomplete_message_timeout, [this] {
      fail({sip::TransportError::timeout,
            "incomplete message for " + seconds_text(settings_.incomplete_message_timeout)});
    });
  }
}

void StreamSession::start_keepalive(runtime::Duration interval) {
  if (closed_ || interval <= runtime::Duration::zero()) return;
  keepalive_interval_ = interval;
  schedule_ping();
}

void StreamSession::stop_keepalive() {
  keepalive_interval_ = runtime::Duration::zero();
  ping_timer_.cancel();
  pong_timer_.cancel();
}

void StreamSession::close() noexcept {
  closed_ = true;
  keepalive_interval_ = runtime::Duration::zero();
  ping_timer_.cancel();
  pong_timer_.cancel();
  incomplete_timer_.cancel();
}

void StreamSession::fail(TransportFailure failure) {
  close();
  sink_.failed(std::move(failure));
}

void StreamSession::schedule_ping() {
  ping_timer_ = timers_.start(jittered(keepalive_interval_), [this] { send_ping(); });
}

void StreamSession::send_ping() {
  if (closed_ || !keepalive_active()) return;
  // An outstanding ping keeps its own deadline: a new ping does not extend it.
  if (!pong_timer_.armed()) {
    pong_timer_ = timers_.start(settings_.pong_timeout, [this] {
      fail({sip::TransportError::timeout,
            "keep-alive: no pong within " + seconds_text(settings_.pong_timeout)});
    });
  }
  schedule_ping();
  sink_.write(ping_bytes);
}

runtime::Duration StreamSession::jittered(runtime::Duration interval) {
  const double low = std::clamp(settings_.keepalive_min_fraction, 0.0, 1.0);
  if (low >= 1.0) return interval;
  std::uniform_real_distribution<double> fraction(low, 1.0);
  const auto scaled = std::chrono::duration<double, runtime::Duration::period>(
      static_cast<double>(interval.count()) * fraction(rng_));
  return std::max(std::chrono::duration_cast<runtime::Duration>(scaled),
                  runtime::Duration(std::chrono::milliseconds(1)));
}

}  // namespace sipline::transport
