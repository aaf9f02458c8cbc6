#pragma once
// The state of a target refresh (RFC 3261 §14.1, §12.2.1.2): when the
// host's local address moves under an established call, the session sends a
// re-INVITE with its new Contact and an SDP offer from the new address, so
// that the peer's in-dialog requests reach us again. The Session methods
// that drive it are in target_refresh.cpp; this header holds what they keep
// between a request and its responses.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/digest_client.hpp"
#include "call/sdp.hpp"
#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"

namespace sipline::call {

// One re-INVITE on the wire; its digest retry (§22.2) is another one.
struct ReInvite {
  std::uint32_t cseq = 0;
  std::string offer;  // the SDP it carries
  std::vector<auth::AuthorizationHeader> credentials;
  bool answered = false;            // its final response (or its end) has come
  std::optional<sip::Message> ack;  // for its 2xx, sent again for a retransmission
  sip::Target ack_target;
};

// Per dialog: at most one re-INVITE of ours in flight (§14.1).
struct TargetRefresh {
  std::shared_ptr<ReInvite> in_flight;  // awaiting its final response
  bool auth_retried = false;            // one digest retry per refresh
  // The address moved when no re-INVITE could go (an early call, an INVITE
  // transaction in progress either way): checked again once it can.
  bool recheck = false;
  // New listening sockets since the last re-INVITE went (see
  // Session::refresh_if_moved); restored with the rest when one fails.
  bool sockets_replaced = false;
  runtime::Timer retry;  // the delayed retry after a 491 (§14.1)
  // §14.1: after a non-2xx final response "the session parameters MUST
  // remain unchanged, as if no re-INVITE had been issued": what to restore.
  LocalMedia media_before;
  std::optional<sip::Target> contact_before;
  bool sockets_replaced_before = false;
};

// §14.1, after a 491: "a randomly chosen value of time between 2.1 and 4
// seconds in units of 10 ms" when we own the Call-ID (we sent the initial
// INVITE), "between 0 and 2 seconds in units of 10 ms" otherwise.
runtime::Duration glare_retry_delay(bool call_id_owner, std::uint64_t random) noexcept;

// The value of up to the last 16 hex digits of `hex` (the transaction
// layer's random tags); other characters are skipped.
std::uint64_t hex_value(std::string_view hex) noexcept;

}  // namespace sipline::call
