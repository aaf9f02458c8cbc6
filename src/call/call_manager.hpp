#pragma once
// Every call of a user agent: creates outgoing and incoming sessions, routes
// in-dialog requests, ACKs and CANCELs to them (RFC 3261 §12.2.2, §9.2),
// answers what belongs to no dialog with 481, and forgets calls once ended.
// Which account an incoming INVITE is for, and whether its source is
// trusted, is decided above (ua/).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "call/call_types.hpp"
#include "call/incoming_call.hpp"
#include "call/outgoing_call.hpp"

namespace sipline::call {

class CallManager {
 public:
  using EventSink = std::function<void(const CallEvent&)>;

  CallManager(CallEnv env, EventSink sink, CallLimits limits = {});
  ~CallManager();
  CallManager(const CallManager&) = delete;
  CallManager& operator=(const CallManager&) = delete;

  // Starts a call from `party` to `uri` (a SIP or SIPS URI) through `routes`.
  // The call id is returned even when the call ends at once (no route):
  // its call_ended event has been published by then.
  Result<std::string> place(LocalParty party, std::string uri,
                            std::shared_ptr<RouteProvider> routes);
  Result<void> answer(const std::string& id);
  Result<void> hangup(const std::string& id);
  // Hangs up every call of `account` (it is being removed or stopped).
  void hangup_account(const std::string& account);

  // True for requests that are the calls' business whoever sent them:
  // anything with a To tag (in a dialog), CANCEL, and ACK.
  static bool in_dialog(const sip::Message& request);
  // A request in_dialog() said is ours, except ACK: routed to its call or
  // answered 481 (§12.2.2). A CANCEL gets 200 whenever it matches an INVITE
  // server transaction, whatever became of the call, else 481 (§9.2).
  void on_request(txn::TransactionId id, const sip::Message& request);
  // An INVITE without To tag for `party`, from a trusted `source`. False
  // when it was refused at once (IncomingCall::start(), or 486 when the
  // account has max_calls_per_account live calls: `party.limits`, else
  // limits()) and no call exists.
  bool on_invite(txn::TransactionId id, const sip::Message& invite, const sip::Target& source,
                 LocalParty party, std::string server);
  // An ACK outside any transaction: for a 2xx we sent.
  void on_ack(const sip::Message& ack);
  // A server transaction has ended (ServerHandler::on_terminated): an
  // incoming call whose INVITE it was ends if it still rings.
  void on_server_terminated(txn::TransactionId id, txn::EndReason reason);
  // The host's addresses changed, or the listening sockets moved: every
  // live call whose Contact no longer names where we are sends a re-INVITE
  // once it can (Session::refresh_if_moved(), RFC 3261 §14.1).
  // `sockets_replaced`: the listening sockets were bound anew, which closed
  // every connection (calls over TCP/TLS move whatever their address).
  void network_changed(bool sockets_replaced = false);

  // The defaults, for parties without limits of their own.
  const CallLimits& limits() const noexcept { return limits_; }

  std::vector<CallInfo> calls() const;
  std::size_t size() const noexcept { return calls_.size(); }

 private:
  CallLimits limits_for(const LocalParty& party) const;
  std::string next_id();
  void publish(const CallEvent& event);
  std::shared_ptr<Session> find_dialog(const sip::Message& request) const;

  CallEnv env_;
  EventSink sink_;
  CallLimits limits_;
  std::map<std::string, std::shared_ptr<Session>> calls_;
  struct Lingering {
    std::shared_ptr<Session> session;
    runtime::Timer timer;
  };
  std::map<std::string, Lingering> lingering_;  // ended, kept for late 2xx
  // Server transaction of each incoming call's INVITE, for CANCEL.
  std::map<txn::TransactionId, std::string> invites_;
  std::uint64_t next_ = 1;
};

}  // namespace sipline::call
