#pragma once
// The UAC side of a call (RFC 3261 §13.2, §9.1): the INVITE with our SDP
// offer through the route the account's policy gives, ringing on 180/183,
// the ACK for every 2xx (§13.2.2.4), one digest retry on 401/407, a retry on
// the next server after a timeout, a transport error or a 503, and CANCEL
// only once a provisional response has arrived.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "call/session.hpp"

namespace sipline::call {

class OutgoingCall final : public Session {
 public:
  OutgoingCall(CallEnv& env, std::string id, LocalParty party, std::string callee,
               std::shared_ptr<RouteProvider> routes, EventSink sink);
  ~OutgoingCall() override;

  // Sends the first INVITE. Ends the call (with its event) when there is no
  // route; never calls back otherwise from inside.
  void start();
  void hangup() override;

  // The INVITE on the wire now (for tests and status), if any.
  const std::optional<sip::Message>& invite() const noexcept { return invite_; }
  std::size_t attempts() const noexcept { return tried_.size(); }

 private:
  void try_next_route(int code, std::string reason);
  bool send_invite(const OutboundRoute& route, const std::vector<auth::AuthorizationHeader>& auth);
  void on_response(txn::TransactionId id, const sip::Message& response);
  void on_terminated(txn::TransactionId id, txn::EndReason reason);
  void on_provisional(const sip::Message& response);
  void on_success(const sip::Message& response);
  void on_failure(const sip::Message& response);
  bool retry_with_credentials(const sip::Message& response);
  // `main`: the call's own dialog, whose ACK is kept for retransmitted 2xx.
  void send_ack(const Dialog& dialog, const sip::Message& response, bool main);
  // ACK and BYE for a 2xx of a dialog the call does not keep (a fork, an
  // earlier attempt); its retransmissions are only ACKed again.
  void kill_dialog(const sip::Message& response);
  void on_ring_timeout();
  void send_cancel();
  void cancel_expired();

  std::string callee_;
  std::shared_ptr<RouteProvider> routes_;
  std::string call_id_;
  std::string local_tag_;
  std::uint32_t cseq_ = 0;
  auth::DigestClient digest_;
  bool auth_retried_ = false;
  std::optional<OutboundRoute> route_;
  std::vector<sip::Target> tried_;
  std::optional<sip::Message> invite_;
  std::optional<txn::TransactionId> invite_txn_;
  bool provisional_ = false;
  bool final_ = false;
  bool ringing_emitted_ = false;
  bool cancel_wanted_ = false;
  bool cancel_sent_ = false;
  runtime::Timer cancel_guard_;
  std::optional<sip::Message> ack_;  // re-sent for a retransmitted 2xx
  std::optional<sip::Target> ack_target_;
  std::vector<std::string> killed_;  // To tag + CSeq of dialogs ended by kill_dialog
  runtime::Timer ring_timer_;        // CallLimits::ring_timeout after each server's first 1xx
  bool ring_timed_out_ = false;
};

}  // namespace sipline::call
