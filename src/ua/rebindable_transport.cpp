#include "ua/rebindable_transport.hpp"

#include <utility>

namespace sipline::ua {

RebindableTransport::RebindableTransport(runtime::EventLoop& loop,
                                         transport::TransportOptions options)
    : loop_(loop),
      current_(std::make_unique<transport::SocketTransport>(loop, options)),
      options_(std::move(options)) {}

RebindableTransport::~RebindableTransport() {
  reaper_.cancel();
  retired_.clear();
  current_->set_events(nullptr);
  current_->set_stun_handler(nullptr);
}

Result<void> RebindableTransport::start() {
  return current_->start();
}

void RebindableTransport::reset_options(transport::TransportOptions options) {
  current_->set_events(nullptr);
  current_->set_stun_handler(nullptr);
  current_ = std::make_unique<transport::SocketTransport>(loop_, options);
  options_ = std::move(options);
  current_->set_events(events_);
  current_->set_stun_handler(stun_);
}

namespace {

// True when a fixed port of `listen` is one the running transport holds:
// the new sockets cannot be bound beside the old ones (no SO_REUSEPORT).
bool shares_a_port(const std::vector<sip::Target>& listen, const std::vector<sip::Target>& bound) {
  for (const auto& wanted : listen) {
    if (wanted.port == 0) continue;
    for (const auto& held : bound) {
      if (held.port == wanted.port && held.transport == wanted.transport) return true;
    }
  }
  return false;
}

}  // namespace

Result<void> RebindableTransport::rebind(transport::TransportOptions options) {
  auto next = std::make_unique<transport::SocketTransport>(loop_, options);
  auto bound = next->start();
  if (!bound) {
    const std::vector<sip::Target> held = current_->local_addresses();
    if (!shares_a_port(options.listen, held)) return bound;  // nothing was switched
    // The same fixed port (only the address or TLS changed): break before
    // make, and bind the old addresses, with their actual ports, again if
    // the new ones still fail.
    current_->stop();
    next = std::make_unique<transport::SocketTransport>(loop_, options);
    if (auto again = next->start(); !again) {
      transport::TransportOptions previous = options_;
      previous.listen = held;
      auto restored = std::make_unique<transport::SocketTransport>(loop_, previous);
      if (auto back = restored->start(); !back) {
        return fail(again.error().code,
                    again.error().message +
                        "; the previous sockets could not be bound again: " + back.error().message);
      }
      switch_to(std::move(restored), std::move(previous));
      return again;
    }
  }
  switch_to(std::move(next), std::move(options));
  return ok();
}

void RebindableTransport::switch_to(std::unique_ptr<transport::SocketTransport> next,
                                    transport::TransportOptions options) {
  next->set_events(events_);
  next->set_stun_handler(stun_);
  current_->set_events(nullptr);
  current_->set_stun_handler(nullptr);
  current_->stop();
  retired_.push_back(std::exchange(current_, std::move(next)));
  options_ = std::move(options);
  reaper_ = loop_.start(runtime::Duration::zero(), [this] { retired_.clear(); });
}

void RebindableTransport::set_events(transport::TransportEvents* events) {
  events_ = events;
  current_->set_events(events);
}

void RebindableTransport::set_stun_handler(transport::StunHandler* handler) {
  stun_ = handler;
  current_->set_stun_handler(handler);
}

transport::SendOutcome RebindableTransport::send_bytes(std::string_view bytes,
                                                       const sip::Target& to) {
  return current_->send_bytes(bytes, to);
}

Result<void> RebindableTransport::start_keepalive(const sip::Target& flow,
                                                  runtime::Duration interval) {
  return current_->start_keepalive(flow, interval);
}

void RebindableTransport::stop_keepalive(const sip::Target& flow) {
  current_->stop_keepalive(flow);
}

void RebindableTransport::close_flow(const sip::Target& flow) {
  current_->close_flow(flow);
}

Result<sip::Target> RebindableTransport::local_address_for(const sip::Target& to) const {
  return current_->local_address_for(to);
}

std::vector<sip::Target> RebindableTransport::local_addresses() const {
  return current_->local_addresses();
}

std::size_t RebindableTransport::close_flows_not_from(const std::vector<std::string>& addresses) {
  return current_->close_flows_not_from(addresses);
}

}  // namespace sipline::ua
