#include "sim/simulated_network.hpp"

#include <utility>

#include "sip/builder.hpp"
#include "sip/header_id.hpp"

namespace sipline::sim {

namespace {

// A registrar's default lifetime when the request names none (RFC 3261
// §10.3 step 7 lets the registrar choose; 3600 is the common choice).
constexpr std::uint32_t default_lifetime = 3600;

}  // namespace

SimulatedNetwork::SimulatedNetwork(runtime::TimerService& timers, std::string local_address,
                                   std::uint16_t local_port, runtime::Duration latency)
    : timers_(timers),
      local_address_(std::move(local_address)),
      local_port_(local_port),
      latency_(latency) {}

SimulatedNetwork::~SimulatedNetwork() = default;

std::size_t SimulatedNetwork::add_server(const sip::Target& target) {
  sip::Target key{target.transport, target.address, target.port, {}};
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].target == key) return i;
  }
  servers_.push_back(Server{key, Fault{}, {}, 0});
  return servers_.size() - 1;
}

std::size_t SimulatedNetwork::received(std::size_t index, std::string_view method) const {
  const auto& counts = servers_.at(index).received;
  auto it = counts.find(method);
  return it == counts.end() ? 0 : it->second;
}

SimulatedNetwork::Server* SimulatedNetwork::find(const sip::Target& to) {
  for (Server& s : servers_) {
    // The TLS server name is not part of where the packets go.
    if (s.target.transport == to.transport && s.target.address == to.address &&
        s.target.port == to.port) {
      return &s;
    }
  }
  return nullptr;
}

void SimulatedNetwork::later(std::function<void()> fn) {
  const std::uint64_t id = next_delivery_++;
  deliveries_.emplace(id, timers_.start(latency_, [this, id, fn = std::move(fn)] {
    // Keeps this timer (and `fn`) alive while it runs.
    auto node = deliveries_.extract(id);
    fn();
  }));
}

transport::SendOutcome SimulatedNetwork::send_bytes(std::string_view bytes, const sip::Target& to) {
  // Raw bytes are keep-alives (CRLF) or STUN, which no simulated server
  // answers; a SIP message goes through send() instead.
  if (find(to) == nullptr) {
    transport::TransportFailure failure{sip::TransportError::refused, "nothing listens there"};
    later([this, to, failure] {
      if (events_ != nullptr) events_->on_transport_error(to, failure);
    });
  }
  (void)bytes;
  return {};
}

sip::SendResult SimulatedNetwork::send(const sip::Message& message, const sip::Target& to) {
  Server* server = find(to);
  if (server == nullptr || server->fault.kind == Fault::Kind::refuse) {
    // UDP: the datagram leaves and ICMP port unreachable comes back; TCP: the
    // connect is answered by RST. Either way the sender hears it at once.
    if (server != nullptr && message.is_request()) {
      ++server->received[std::string(message.method_text())];
    }
    transport::TransportFailure failure{sip::TransportError::refused, "connection refused"};
    later([this, to, failure] {
      if (events_ != nullptr) events_->on_transport_error(to, failure);
    });
    return {};
  }
  if (message.is_request()) handle(*server, message);
  return {};
}

void SimulatedNetwork::handle(Server& server, const sip::Message& request) {
  ++server.received[std::string(request.method_text())];
  if (request.method() == sip::Method::ack) return;  // not answered (§17.1.1.3)
  std::optional<sip::MessageBuilder> response;
  switch (server.fault.kind) {
    case Fault::Kind::blackhole:
    case Fault::Kind::refuse:
      return;
    case Fault::Kind::unavailable:
    case Fault::Kind::reject: {
      const int code =
          server.fault.kind == Fault::Kind::unavailable ? 503 : server.fault.status_code;
      response = sip::response_to(request, code, {}, "sim" + std::to_string(++server.responses));
      if (server.fault.retry_after) {
        response->add(sip::HeaderId::retry_after, std::to_string(*server.fault.retry_after));
      }
      break;
    }
    case Fault::Kind::restore:
      if (request.method() == sip::Method::register_) {
        response = registrar_reply(server, request);
      } else {
        response = sip::response_to(request, 200, {}, "sim" + std::to_string(++server.responses));
      }
      break;
  }
  auto built = response->build();
  if (!built) return;  // cannot happen for a response to a parsed request
  const sip::Target source = server.target;
  later([this, message = std::move(*built), source]() mutable {
    if (events_ == nullptr) return;
    auto local = local_address_for(source);
    events_->on_message(std::move(message), source, local ? *local : sip::Target{});
  });
}

sip::MessageBuilder SimulatedNetwork::registrar_reply(Server& server, const sip::Message& request) {
  auto contacts = request.contacts();
  if (!contacts) {
    return sip::response_to(request, 400, {}, "sim" + std::to_string(++server.responses));
  }
  auto header_expires = request.expires();
  const std::uint32_t requested = header_expires ? *header_expires : default_lifetime;
  sip::MessageBuilder response =
      sip::response_to(request, 200, {}, "sim" + std::to_string(++server.responses));
  // Every binding granted as asked; those asked with 0 (and "*") are removed
  // and so not listed (RFC 3261 §10.3 step 8).
  for (const sip::ContactValue& c : *contacts) {
    if (c.star) continue;
    const std::uint32_t expires = c.expires().value_or(requested);
    if (expires == 0) continue;
    std::string value = "<" + std::string(c.address.uri.raw) + ">";
    if (auto instance = c.instance()) value += ";+sip.instance=\"" + std::string(*instance) + "\"";
    if (auto reg_id = c.reg_id()) value += ";reg-id=" + std::to_string(*reg_id);
    value += ";expires=" + std::to_string(expires);
    response.add(sip::HeaderId::contact, value);
  }
  return response;
}

Result<void> SimulatedNetwork::start_keepalive(const sip::Target& flow,
                                               runtime::Duration interval) {
  (void)flow;
  (void)interval;
  return fail(Errc::unsupported, "no CRLF keep-alives in the simulation");
}

Result<sip::Target> SimulatedNetwork::local_address_for(const sip::Target& to) const {
  return sip::Target{to.transport, local_address_, local_port_, {}};
}

}  // namespace sipline::sim
