#pragma once
// An OPTIONS probe (RFC 3261 §11) of one target through the RequestSender:
// the keep-alive of an idle UDP account and the monitor of a primary that
// failed. Any final response but a 503 means the server is alive (a 404 or
// 405 still proves it processes requests); a timeout, a transport error or a
// 503 means it is not.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reg/events.hpp"
#include "reg/request_sender.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

struct ProbeResult {
  bool alive = false;
  FailureKind failure = FailureKind::none;
  int status_code = 0;
  std::uint32_t retry_after = 0;
  std::string reason;
};

struct ProbeRequest {
  std::string request_uri;             // the server, "sip:host[:port]"
  std::string from_uri;                // our AOR
  std::vector<std::string> route_set;  // Route URIs (loose), may be empty
  std::string call_id;
  std::string from_tag;
  std::string user_agent = "sipline";
};

// Sends the probe; `done` runs exactly once unless the handle is destroyed.
// Returns null (and never calls `done`) when the request cannot be built.
std::unique_ptr<PendingRequest> send_probe(RequestSender& sender, const ProbeRequest& probe,
                                           const sip::Target& target, int retransmit_budget,
                                           std::function<void(ProbeResult)> done);

// What a probe outcome says (split out so it can be tested alone).
ProbeResult interpret_probe(const RequestOutcome& outcome);

}  // namespace sipline::reg
