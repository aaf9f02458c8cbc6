#include "reg/prober.hpp"

#include <algorithm>

#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace sipline::reg {
namespace {

std::string angle(const std::string& uri) {
  return (!uri.empty() && uri.front() == '<') ? uri : "<" + uri + ">";
}

}  // namespace

ProbeResult interpret_probe(const RequestOutcome& outcome) {
  ProbeResult result;
  if (outcome.response) {
    result.status_code = outcome.response->status_code();
    result.reason = "OPTIONS answered " + std::to_string(result.status_code);
    if (result.status_code == 503) {
      result.failure = FailureKind::service_unavailable;
      if (auto ra = outcome.response->retry_after()) {
        result.retry_after = std::min<std::uint32_t>(ra->seconds, 3600);
      }
      return result;
    }
    result.alive = true;
    return result;
  }
  if (outcome.transport_error) {
    result.failure = failure_kind_of(*outcome.transport_error);
    result.reason = "OPTIONS transport error: " + std::string(to_string(*outcome.transport_error));
    return result;
  }
  result.failure = FailureKind::timeout;
  result.reason = "no response to OPTIONS";
  return result;
}

std::unique_ptr<PendingRequest> send_probe(RequestSender& sender, const ProbeRequest& probe,
                                           const sip::Target& target, int retransmit_budget,
                                           std::function<void(ProbeResult)> done) {
  sip::MessageBuilder request =
      sip::MessageBuilder::request(sip::Method::options, probe.request_uri);
  request.add(sip::HeaderId::max_forwards, "70");
  for (const std::string& route : probe.route_set) {
    std::string value = angle(route);
    // Loose routing (RFC 3261 §16.12): a probe never relies on strict routers.
    if (value.find(";lr") == std::string::npos) value.insert(value.size() - 1, ";lr");
    request.add(sip::HeaderId::route, value);
  }
  request.add(sip::HeaderId::from, angle(probe.from_uri) + ";tag=" + probe.from_tag);
  request.add(sip::HeaderId::to, angle(probe.request_uri));
  request.add(sip::HeaderId::call_id, probe.call_id);
  request.add(sip::HeaderId::cseq, "1 OPTIONS");
  request.add(sip::HeaderId::accept, "application/sdp");
  request.add("User-Agent", probe.user_agent);
  // The sender adds the Via; check the rest parses with a placeholder one.
  sip::MessageBuilder check = request;
  check.prepend(sip::HeaderId::via, "SIP/2.0/UDP 192.0.2.255:5060;branch=z9hG4bKcheck");
  if (!check.build()) return nullptr;
  return sender.send(
      std::move(request), target, retransmit_budget,
      [done = std::move(done)](const RequestOutcome& outcome) { done(interpret_probe(outcome)); });
}

}  // namespace sipline::reg
