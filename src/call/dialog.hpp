#pragma once
// The dialog state of RFC 3261 §12: Call-ID, both tags, both CSeq spaces,
// the route set, the remote target and the secure flag, established from the
// INVITE and its response (UAC, §12.1.2) or from the INVITE (UAS, §12.1.1),
// and the in-dialog requests built from it (§12.2.1.1).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace sipline::call {

struct Dialog {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string local_uri;                     // our From (UAC) / To (UAS) URI
  std::string remote_uri;                    // the peer's
  std::uint32_t local_cseq = 0;              // the last CSeq we sent
  std::optional<std::uint32_t> remote_cseq;  // the last CSeq the peer sent
  std::string remote_target;                 // the peer's Contact URI
  std::vector<std::string> route_set;        // Route values ("<uri;lr>"), first hop first
  bool secure = false;                       // sips Request-URI over TLS (§12.1)
  bool early = true;                         // from a 1xx; confirmed by a 2xx

  // §12.1.2: from the INVITE we sent and a 1xx (with a To tag) or 2xx
  // answering it. The route set is the Record-Route list reversed. Fails
  // when the response has no To tag or its Contact is unusable.
  static Result<Dialog> as_uac(const sip::Message& invite, const sip::Message& response);
  // §12.1.1: from the INVITE we received and the tag we put in our To.
  static Result<Dialog> as_uas(const sip::Message& invite, std::string local_tag);

  // The identity of the dialog a request belongs to, seen from our side:
  // the request's To tag is our tag, its From tag the peer's.
  bool matches_request(const sip::Message& request) const;

  // A new in-dialog request with the next local CSeq (or `cseq` for an ACK
  // or CANCEL that reuses one), §12.2.1.1: Request-URI = remote target and
  // Route = the route set when the first route is a loose router; the strict
  // router rewrite otherwise. No Via: the sender adds it.
  sip::MessageBuilder request(sip::Method method);
  sip::MessageBuilder request_with_cseq(sip::Method method, std::uint32_t cseq) const;
  // The Request-URI of those requests (the digest-uri of their credentials).
  std::string request_uri() const;

  // §12.2.2: a request whose CSeq is lower than the last one seen is out of
  // order (answered 500); otherwise the new value is remembered.
  bool accept_remote_cseq(std::uint32_t cseq);

  // A target refresh (re-INVITE, its 2xx) replaces the remote target with
  // its Contact (§12.2.1.2, §12.2.2).
  void refresh_target(const sip::Message& message);

  // The URI of the next hop for in-dialog requests: the first route, or the
  // remote target without a route set (§12.2.1.1, then RFC 3263).
  std::string next_hop_uri() const;
};

// The Contact URI of a message, or empty.
std::string contact_uri(const sip::Message& message);

}  // namespace sipline::call
