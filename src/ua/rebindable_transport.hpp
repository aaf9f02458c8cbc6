#pragma once
// The user agent's socket transport, replaceable while everything above it
// keeps its reference: a configuration reload that changes the listen
// address or the TLS files binds a new SocketTransport beside the running
// one and switches to it only once it is bound (make before break), so a
// port already in use leaves the old sockets and settings in force.
//
// Threading: on the loop thread, like the SocketTransport it forwards to.

#include <memory>
#include <vector>

#include "runtime/event_loop.hpp"
#include "transport/options.hpp"
#include "transport/socket_transport.hpp"
#include "transport/transport.hpp"

namespace sipline::ua {

class RebindableTransport final : public transport::Transport {
 public:
  RebindableTransport(runtime::EventLoop& loop, transport::TransportOptions options);
  ~RebindableTransport() override;
  RebindableTransport(const RebindableTransport&) = delete;
  RebindableTransport& operator=(const RebindableTransport&) = delete;

  // Binds the sockets of the options given at construction (or to
  // reset_options(), which replaces them as long as nothing is bound).
  Result<void> start();
  void reset_options(transport::TransportOptions options);
  // Binds sockets for `options` and, on success only, closes the old ones
  // (their connections and keep-alives go with them) and sends through the
  // new. On error the transport in use is untouched. A fixed port the
  // running sockets hold (the address or only TLS changed) cannot be bound
  // beside them: then the old sockets close first and, should the new ones
  // still fail, the old addresses with their actual ports are bound again.
  Result<void> rebind(transport::TransportOptions options);

  void set_events(transport::TransportEvents* events) override;
  void set_stun_handler(transport::StunHandler* handler);
  transport::SendOutcome send_bytes(std::string_view bytes, const sip::Target& to) override;
  Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval) override;
  void stop_keepalive(const sip::Target& flow) override;
  void close_flow(const sip::Target& flow) override;
  Result<sip::Target> local_address_for(const sip::Target& to) const override;
  std::vector<sip::Target> local_addresses() const;
  std::size_t close_flows_not_from(const std::vector<std::string>& addresses);

 private:
  void switch_to(std::unique_ptr<transport::SocketTransport> next,
                 transport::TransportOptions options);

  runtime::EventLoop& loop_;
  std::unique_ptr<transport::SocketTransport> current_;
  transport::TransportOptions options_;  // those of current_
  transport::TransportEvents* events_ = nullptr;
  transport::StunHandler* stun_ = nullptr;
  // Replaced transports, destroyed from the loop: rebind() may run inside a
  // handler of the one it replaces.
  std::vector<std::unique_ptr<transport::SocketTransport>> retired_;
  runtime::Timer reaper_;
};

}  // namespace sipline::ua
