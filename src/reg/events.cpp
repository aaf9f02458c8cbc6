#include "reg/events.hpp"

namespace sipline::reg {

std::string_view to_string(EventType type) noexcept {
  switch (type) {
    case EventType::registering:
      return "registering";
    case EventType::registered:
      return "registered";
    case EventType::registration_failed:
      return "registration_failed";
    case EventType::failover:
      return "failover";
    case EventType::failback:
      return "failback";
    case EventType::unregistered:
      return "unregistered";
    case EventType::alarm:
      return "alarm";
    case EventType::network_changed:
      return "network_changed";
    case EventType::call_incoming:
      return "call_incoming";
    case EventType::call_ringing:
      return "call_ringing";
    case EventType::call_answered:
      return "call_answered";
    case EventType::call_updated:
      return "call_updated";
    case EventType::call_ended:
      return "call_ended";
  }
  return "unknown";
}

std::string_view to_string(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::none:
      return "none";
    case FailureKind::timeout:
      return "timeout";
    case FailureKind::refused:
      return "refused";
    case FailureKind::unreachable:
      return "unreachable";
    case FailureKind::connection_reset:
      return "connection reset";
    case FailureKind::tls_failure:
      return "tls failure";
    case FailureKind::service_unavailable:
      return "service unavailable";
    case FailureKind::server_error:
      return "server error";
    case FailureKind::auth_rejected:
      return "authentication rejected";
    case FailureKind::not_found:
      return "not found";
    case FailureKind::keepalive_lost:
      return "keep-alive lost";
    case FailureKind::dns_failure:
      return "dns failure";
  }
  return "unknown";
}

FailureKind failure_kind_of(sip::TransportError error) noexcept {
  switch (error) {
    case sip::TransportError::refused:
      return FailureKind::refused;
    case sip::TransportError::unreachable:
      return FailureKind::unreachable;
    case sip::TransportError::reset:
      return FailureKind::connection_reset;
    case sip::TransportError::tls_failure:
      return FailureKind::tls_failure;
    case sip::TransportError::timeout:
      return FailureKind::timeout;
  }
  return FailureKind::unreachable;
}

}  // namespace sipline::reg
