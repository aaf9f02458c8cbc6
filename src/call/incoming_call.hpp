#pragma once
// The UAS side of a call (RFC 3261 §13.3, §9.2): 180 Ringing at once, 200
// with our SDP answer on answer(), retransmitted until the ACK (§13.3.1.4,
// BYE after 64*T1 without one), 486 when rejected before answering, 487 to
// the INVITE when the caller cancels.

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
  // a request we cannot take (no Contact, no common codec) the INVITE is
  // answered with the error (400, 488) and false is returned: no call.
  bool start();
  // Sends 200 with the answer (or our offer when the INVITE had none).
  Result<void> answer();
  void hangup() override;
  // A CANCEL matching our INVITE (already answered 200 by the manager).
  void on_cancel();
  void on_ack(const sip::Message& ack) override;

 protected:
  void on_remote_bye() override;

 private:
  txn::TransactionId txn_;
  sip::Message invite_;
  bool offer_in_invite_ = false;
};

}  // namespace sipline::call
