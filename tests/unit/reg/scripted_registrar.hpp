#pragma once
// An in-process registrar for scenario tests: a RequestSender over a
// ManualClock whose targets each follow a script. A target can behave as a
// real registrar (bindings with lifetimes, digest authentication checked
// against the configured password, Min-Expires, Service-Route, Path, a NAT
// in front of it) or fail in the ways redundancy has to cope with: refuse
// (transport error after 1 ms), blackhole (timeout when the transaction
// would give up), answer with any status (503 + Retry-After, 500, 403...).
//
// Behaviour changes take effect for the requests sent afterwards, so a
// scenario reads like a trace:
//
//   ScriptedRegistrar registrar(clock);
//   registrar.at(primary).refuse();
//   registrar.at(backup).answer_ok().require_digest({.username = "alice", .password = "pw"});
//   ... client.start(); clock.advance(1s); ...
//   registrar.at(primary).answer_ok();                          // the primary is back
//   registrar.change_at(start + 10min, [&] { registrar.at(backup).blackhole(); });
//
// Every REGISTER is recorded with its time, target, the parsed request (with
// the Via this sender added) and what the registrar did with it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/algorithm.hpp"
#include "reg/request_sender.hpp"
#include "runtime/manual_clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/timer_config.hpp"

namespace sipline::reg::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// When a client transaction to `transport` with a retransmission budget
// ends without a response, the way txn/ does it (timer_config.hpp): over UDP
// after budget+1 intervals that start at T1 and double up to T2, never later
// than Timer F; over TCP/TLS at Timer F.
runtime::Duration transaction_timeout(const txn::TimerConfig& timers, sip::TransportKind transport,
                                      int retransmit_budget);

// What a target does with one REGISTER.
struct Reply {
  enum class Kind : std::uint8_t {
    registrar,  // process the bindings and answer 200 with them
    status,     // answer with a fixed status and header fields
    refuse,     // transport error after 1 ms
    blackhole,  // no response: timeout
  };
  Kind kind = Kind::registrar;
  int status_code = 200;
  Headers headers;
  sip::TransportError error = sip::TransportError::refused;

  static Reply ok() { return {}; }
  static Reply status(int code, Headers headers = {}) {
    return {Kind::status, code, std::move(headers), sip::TransportError::refused};
  }
  static Reply unavailable(std::uint32_t retry_after) {
    return status(503, {{"Retry-After", std::to_string(retry_after)}});
  }
  static Reply interval_too_brief(std::uint32_t min_expires) {
    return status(423, {{"Min-Expires", std::to_string(min_expires)}});
  }
  static Reply refuse(sip::TransportError error = sip::TransportError::refused) {
    return {Kind::refuse, 0, {}, error};
  }
  static Reply blackhole() { return {Kind::blackhole, 0, {}, sip::TransportError::refused}; }
};

// Digest authentication the target demands (RFC 3261 §22.4, checked for real).
struct DigestAccount {
  std::string username;
  std::string password;
  std::string realm = "sipline.test";
  auth::Algorithm algorithm = auth::Algorithm::md5;
  bool proxy = false;  // 407 with Proxy-Authenticate instead of 401
};

// A binding held by a target.
struct Binding {
  std::string contact;   // the Contact URI as registered
  std::string instance;  // +sip.instance, quotes removed
  std::string call_id;
  std::uint32_t cseq = 0;
  runtime::TimePoint expires_at;
};

// One REGISTER as a target saw it.
struct Exchange {
  runtime::TimePoint at;
  sip::Target target;
  sip::Message request;  // with the Via the sender added
  Reply::Kind handled_as = Reply::Kind::registrar;
  std::optional<sip::Message> response;  // what was (or will be) answered
};

class TargetScript {
 public:
  TargetScript(runtime::ManualClock& clock, std::size_t index);

  // --- Behaviour from now on (replaces the previous one) ---
  TargetScript& answer_ok() { return always(Reply::ok()); }
  TargetScript& respond(int code, Headers headers = {}) {
    return always(Reply::status(code, std::move(headers)));
  }
  TargetScript& unavailable(std::uint32_t retry_after) {
    return always(Reply::unavailable(retry_after));
  }
  TargetScript& refuse(sip::TransportError error = sip::TransportError::refused) {
    return always(Reply::refuse(error));
  }
  TargetScript& blackhole() { return always(Reply::blackhole()); }
  TargetScript& always(Reply reply);
  // One-shot replies, used in order for the next requests (those that pass
  // authentication, for the registrar and status kinds) before the
  // persistent behaviour applies again.
  TargetScript& next(Reply reply);

  // --- Registrar knobs ---
  TargetScript& delay(runtime::Duration d);                    // response delay, default 10 ms
  TargetScript& max_expires(std::uint32_t seconds);            // grant at most this
  TargetScript& min_expires(std::uint32_t seconds);            // 423 below this
  TargetScript& contact_expires(bool in_contact);              // false: Expires header only
  TargetScript& service_route(std::vector<std::string> uris);  // on each 200; {} = none
  TargetScript& path(std::vector<std::string> uris);           // as if proxies added it
  // The address the target sees requests come from (a NAT before it); it
  // goes into the response's top Via as received/rport (RFC 3581). Default:
  // the Via sent-by, i.e. no NAT.
  TargetScript& source(std::string host, std::uint16_t port);
  TargetScript& require_digest(DigestAccount account);
  TargetScript& no_digest();
  // The current nonce expires: credentials with it get 401 stale=true and a
  // new nonce (RFC 7616 §3.3).
  TargetScript& expire_nonce();
  // Every challenge carries a new nonce, even after a wrong answer (servers
  // that never repeat a nonce). Default: a wrong answer is challenged again
  // with the same nonce.
  TargetScript& fresh_nonce_per_challenge(bool on);
  // Keep-alive negotiation in the 200: a Flow-Timer header (RFC 5626 §5.2)
  // and, for a request that offered `keep`, keep=N in its Via (RFC 6223).
  TargetScript& flow_timer(std::optional<std::uint32_t> seconds);
  TargetScript& keep_answer(std::optional<std::uint32_t> seconds);

  // --- State ---
  const std::vector<Binding>& bindings() const { return bindings_; }
  std::size_t challenges_sent() const { return challenges_; }

 private:
  friend class ScriptedRegistrar;
  struct Decision {
    Reply::Kind kind = Reply::Kind::registrar;
    sip::TransportError error = sip::TransportError::refused;
    std::optional<sip::MessageBuilder> response;
  };

  Decision handle(const sip::Message& request);
  const Reply& peek() const { return queued_.empty() ? always_ : queued_.front(); }
  std::optional<sip::MessageBuilder> check_digest(const sip::Message& request);
  sip::MessageBuilder challenge(const sip::Message& request, bool stale);
  sip::MessageBuilder registrar_reply(const sip::Message& request);
  sip::MessageBuilder base_response(const sip::Message& request, int code);
  void expire_bindings();
  std::string new_nonce();

  runtime::ManualClock& clock_;
  std::size_t index_;
  Reply always_;
  std::vector<Reply> queued_;
  runtime::Duration delay_ = std::chrono::milliseconds(10);
  std::uint32_t max_expires_ = 7200;
  std::uint32_t min_expires_ = 0;
  bool contact_expires_ = true;
  std::vector<std::string> service_route_;
  std::vector<std::string> path_;
  std::optional<std::pair<std::string, std::uint16_t>> source_;
  std::optional<DigestAccount> digest_;
  bool fresh_nonces_ = false;
  std::optional<std::uint32_t> flow_timer_;
  std::optional<std::uint32_t> keep_answer_;
  std::string nonce_;
  std::vector<std::string> stale_nonces_;
  std::map<std::string, std::uint32_t> last_nc_;
  std::size_t nonces_ = 0;
  std::size_t challenges_ = 0;
  std::size_t responses_ = 0;
  std::vector<Binding> bindings_;
};

class ScriptedRegistrar final : public RequestSender {
 public:
  explicit ScriptedRegistrar(runtime::ManualClock& clock, txn::TimerConfig timers = {});
  ~ScriptedRegistrar() override;
  ScriptedRegistrar(const ScriptedRegistrar&) = delete;
  ScriptedRegistrar& operator=(const ScriptedRegistrar&) = delete;

  // The script of a target, created (answering as a registrar) on first use.
  TargetScript& at(const sip::Target& target);
  // Runs `change` at `when` on the clock (e.g. a server coming back).
  void change_at(runtime::TimePoint when, std::function<void()> change);

  // Our address as the client advertises it (default 192.0.2.10:5060; the
  // transport follows the target).
  void set_local_address(std::string host, std::uint16_t port);
  // A sloppy stack: a request's response is delivered even after its handle
  // was destroyed. Lets a test check that the client ignores stale callbacks.
  void deliver_after_abandon(bool on) { deliver_after_abandon_ = on; }

  // --- History ---
  const std::vector<Exchange>& exchanges() const { return exchanges_; }
  std::vector<const Exchange*> exchanges_to(const sip::Target& target) const;
  const Exchange& last() const { return exchanges_.back(); }
  std::size_t pending_count() const { return in_flight_.size(); }

  // --- Flow watches (RequestSender::watch_flow) ---
  struct FlowWatchRecord {
    sip::Target target;
    FlowKeepAlive keepalive;
    std::function<void(FlowLoss)> lost;
    bool active = true;  // the handle still exists
  };
  const std::vector<std::shared_ptr<FlowWatchRecord>>& watches() const { return watches_; }
  // Watches whose handle is still alive, for `target`.
  std::vector<const FlowWatchRecord*> active_watches(const sip::Target& target) const;
  // The transport reports the flow to `target` lost: every live watch hears it.
  void lose_flow(const sip::Target& target, const FlowLoss& loss);

  // --- RequestSender ---
  LocalAddress local_address(const sip::Target& target) override;
  std::unique_ptr<PendingRequest> send(sip::MessageBuilder request, const sip::Target& target,
                                       int retransmit_budget,
                                       std::function<void(RequestOutcome)> done) override;
  std::unique_ptr<PendingRequest> send_with_options(
      sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
      const SendOptions& options, std::function<void(RequestOutcome)> done) override;
  std::unique_ptr<FlowWatch> watch_flow(const sip::Target& target, const FlowKeepAlive& keepalive,
                                        std::function<void(FlowLoss)> lost) override;

 private:
  class Handle;
  struct InFlight {
    runtime::Timer timer;
    std::function<void(RequestOutcome)> done;
    RequestOutcome outcome;
  };

  void deliver(std::uint64_t id);
  void forget(std::uint64_t id);

  runtime::ManualClock& clock_;
  txn::TimerConfig timers_;
  std::string local_host_ = "192.0.2.10";
  std::uint16_t local_port_ = 5060;
  std::vector<std::pair<sip::Target, std::unique_ptr<TargetScript>>> scripts_;
  std::vector<Exchange> exchanges_;
  std::map<std::uint64_t, InFlight> in_flight_;
  std::vector<runtime::Timer> changes_;
  std::uint64_t next_id_ = 1;
  std::uint64_t branches_ = 0;
  bool deliver_after_abandon_ = false;
  bool offer_keep_ = false;  // the request being sent offers `keep`
  std::vector<std::shared_ptr<FlowWatchRecord>> watches_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sipline::reg::testing
