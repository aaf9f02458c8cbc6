#pragma once
// What outgoing and incoming calls have in common once a dialog exists:
// in-dialog requests we receive (BYE, re-INVITE, INFO...), BYE we send, the
// 2xx retransmission of RFC 3261 §13.3.1.4, the re-INVITE that follows a
// moved local address (target_refresh.hpp) and the call's events. The two
// directions add their INVITE transaction handling (outgoing_call.hpp,
// incoming_call.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "call/call_types.hpp"
#include "call/dialog.hpp"
#include "call/sdp.hpp"
#include "call/target_refresh.hpp"
#include "sip/builder.hpp"

namespace sipline::call {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using EventSink = std::function<void(const CallEvent&)>;

  Session(CallEnv& env, std::string id, LocalParty party, Direction direction, EventSink sink);
  virtual ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The user hangs up (or rejects, or cancels): what that means depends on
  // the direction and the state.
  virtual void hangup() = 0;
  // A request inside our dialog (To tag = ours), other than ACK and CANCEL.
  void on_in_dialog_request(txn::TransactionId id, const sip::Message& request);
  // An ACK for a 2xx we sent (it belongs to no transaction, §17.2.1).
  virtual void on_ack(const sip::Message& ack);
  // The host's addresses changed (or the listening sockets moved). An
  // established call whose Contact would now name another host (over UDP,
  // or port) than the one it last sent in the dialog, or whose SDP names an
  // address we no longer use, sends a re-INVITE (§14.1) with the new Contact
  // and an offer for the same media from the new address, o= version + 1
  // (RFC 3264 §8). A call not yet established, or with an INVITE
  // transaction in progress either way, is checked again once it is
  // established / the transaction is done; one answered 491 after the
  // random delay of §14.1. The outcomes are in target_refresh.cpp.
  // `sockets_replaced`: the listening sockets were bound anew (a reload),
  // which closed every connection, so a call over TCP or TLS moves too: its
  // Contact named a port of the old sockets.
  void refresh_if_moved(bool sockets_replaced = false);

  bool matches(const sip::Message& request) const;
  bool ended() const noexcept { return state_ == CallState::ended; }
  const std::string& id() const noexcept { return id_; }
  const std::string& account() const noexcept { return party_.account; }
  CallState state() const noexcept { return state_; }
  Direction direction() const noexcept { return direction_; }
  const std::optional<Dialog>& dialog() const noexcept { return dialog_; }
  CallInfo info() const;
  void set_limits(const CallLimits& limits) { limits_ = limits; }

 protected:
  void emit(CallEventType type, int code = 0, std::string reason = {});
  // Ends the call once: state ended and the call_ended event.
  void end(int code, std::string reason);
  // Sends BYE in the dialog (§15.1.1). Its outcome does not matter to us,
  // except a 401/407, answered once with credentials (§22.2).
  void send_bye();
  // The peer's BYE has been answered 200 (§15.1.2).
  virtual void on_remote_bye();

  // Completes `request` for the wire (top Via with a new branch, ;rport,
  // Max-Forwards) and starts its client transaction to `target`.
  Result<txn::TransactionId> send_request(sip::MessageBuilder request, const sip::Target& target,
                                          txn::ClientCallbacks callbacks,
                                          std::optional<int> retransmit_budget = std::nullopt);
  // Completes an ACK for a 2xx the same way and hands it straight to the
  // transport (§13.2.2.4: it belongs to no transaction). Returns it, for
  // sending again when the 2xx is retransmitted; nullopt if it could not be
  // built or there is no local address toward `target`.
  std::optional<sip::Message> send_ack_for_2xx(sip::MessageBuilder ack, const sip::Target& target);
  // Our Contact for messages to or from `peer`: our address on that path,
  // remembered as the one the dialog last advertised (refresh_if_moved()).
  // The media address is fixed by the first SDP (RFC 3264 §8: later o=
  // lines differ only in the version) until a target refresh moves it.
  std::string contact_value(const sip::Target& peer);
  // Where in-dialog requests go: the next hop of the dialog when it is an
  // IP address, else the first hop the INVITE used.
  sip::Target in_dialog_target() const;
  LocalMedia media_for(const sip::Target& peer);
  void respond(txn::TransactionId id, const sip::MessageBuilder& response);
  // Runs the refresh_if_moved() that had to wait, if any: called when the
  // call becomes established and when an INVITE transaction is done.
  void recheck_target();

  // §13.3.1.4: `response` (a 2xx to the INVITE on `id`) is sent again at T1,
  // 2T1... capped at T2, until its ACK arrives, over any transport (a later
  // hop may be UDP); after 64*T1 `give_up` runs.
  void retransmit_2xx(txn::TransactionId id, sip::Message response, std::function<void()> give_up);
  // True (and retransmission stops) when `ack` acknowledges the pending 2xx.
  bool ack_stops_2xx(const sip::Message& ack);

  CallEnv& env_;
  std::string id_;
  LocalParty party_;
  Direction direction_;
  CallState state_;
  EventSink sink_;
  std::optional<Dialog> dialog_;
  sip::Target first_hop_;  // where the INVITE went / came from
  std::string server_;     // the server URI, when the call goes through one
  std::string peer_;       // the remote party's URI
  LocalMedia local_media_;
  std::string local_sdp_;  // our current session description
  runtime::TimePoint since_;
  CallLimits limits_;

 private:
  // The request with our top Via (new branch, ;rport) and Max-Forwards.
  Result<sip::Message> complete_for_wire(sip::MessageBuilder request, const sip::Target& target);
  void answer_reinvite(txn::TransactionId id, const sip::Message& request);
  void send_bye_in(std::shared_ptr<Dialog> dialog,
                   const std::vector<auth::AuthorizationHeader>& credentials);
  void on_bye_response(std::shared_ptr<Dialog> dialog, const sip::Message& response);
  void on_2xx_timer();

  // target_refresh.cpp
  bool address_moved() const;
  void start_reinvite();
  void send_reinvite(const std::shared_ptr<ReInvite>& attempt);
  void on_reinvite_response(const std::shared_ptr<ReInvite>& attempt, const sip::Message& response);
  void on_reinvite_ended(const std::shared_ptr<ReInvite>& attempt, txn::EndReason reason);
  bool retry_reinvite_with_credentials(const ReInvite& attempt, const sip::Message& response);
  void ack_reinvite(ReInvite& attempt);
  // A non-2xx outcome: the session as before the re-INVITE (§14.1).
  void reinvite_failed();
  // 481, 408 or no response: the dialog is gone (§12.2.1.2): BYE and end.
  void dialog_gone(int code, std::string reason);

  struct Pending2xx {
    txn::TransactionId txn{};
    sip::Message response;
    runtime::Duration interval{};
    std::function<void()> give_up;
  };
  std::optional<Pending2xx> pending_2xx_;
  runtime::Timer retransmit_timer_;
  runtime::Timer give_up_timer_;
  TargetRefresh refresh_;
  std::optional<sip::Target> contact_local_;  // the address of the Contact last sent
};

// "SIP/2.0/UDP host:port;branch=...;rport" (RFC 3261 §18.1.1, RFC 3581).
std::string via_value(const sip::Target& local, std::string_view branch);
// A numeric-host URI as a target; empty for a host name.
std::optional<sip::Target> literal_target(std::string_view uri, sip::TransportKind fallback);
// The WWW-/Proxy-Authenticate challenges of a 401/407 (§22.2).
std::vector<auth::ChallengeValue> challenges_in(const sip::Message& response);
// The address our SDP advertises for local address `address`: a wildcard
// or unknown one becomes 127.0.0.1 (RFC 4566 §5.7 needs a unicast address).
std::string media_address(std::string address);

}  // namespace sipline::call
