#pragma once
// The UAS side of a call (RFC 3261 §13.3, §9.2): the INVITE's checks in the
// order of §8.2 (420, 415, 400, 488), 180 Ringing at once, 200 with our SDP
// answer on answer(), retransmitted until the ACK (§13.3.1.4, BYE after
// 64*T1 without one), 486 when rejected before answering, 487 to the INVITE
// when the caller cancels or its Expires runs out (§13.3.1), 480 after the
// ring timeout, and the end of the call when its INVITE transaction dies.

#include <optional>
#include <string>

#include "call/session.hpp"

namespace sipline::call {

class IncomingCall final : public Session {
 public:
  // `invite` arrived on server transaction `txn` from `source`.
  IncomingCall(CallEnv& env, std::string id, LocalParty party, txn::TransactionId txn,
               const sip::Message& invite, const sip::Target& source, std::string server,
               EventSink sink);

  // Builds the dialog and our SDP, sends 180 and reports call_incoming. On
  // a request we cannot take (an unsupported Require: 420, a body that is
  // not SDP: 415, no Contact or malformed SDP: 400, no common codec: 488)
  // the INVITE is answered with the error and false is returned: no call.
  bool start();
  // Sends 200 with the answer (or our offer when the INVITE had none).
  Result<void> answer();
  void hangup() override;
  // A CANCEL matching our INVITE (already answered 200 by the manager).
  void on_cancel();
  // The INVITE's server transaction has ended (e.g. its connection failed):
  // a call still ringing can no longer be answered.
  void on_invite_terminated(txn::EndReason reason);
  void on_ack(const sip::Message& ack) override;

 protected:
  void on_remote_bye() override;

 private:
  // §8.2.2-§8.2.3: the final response refusing the INVITE, if any.
  std::optional<sip::MessageBuilder> refusal() const;
  // The INVITE is answered `code` and the call ends, while it still rings.
  void stop_ringing(int code, std::string reason);

  txn::TransactionId txn_;
  sip::Message invite_;
  bool offer_in_invite_ = false;
  bool hangup_pending_ = false;  // hung up between our 2xx and its ACK
  runtime::Timer expires_timer_;
  runtime::Timer ring_timer_;
};

}  // namespace sipline::call
