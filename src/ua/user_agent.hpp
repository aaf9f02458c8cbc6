#pragma once
// The user agent: the whole stack for one configuration. It owns the event
// loop, the socket transport, the transaction layer, server location and one
// RedundancyEngine per enabled account; it answers the out-of-dialog requests
// that reach us, publishes every registration event to its subscribers and
// applies configuration reloads account by account.
//
// Threading: construct, use and destroy it on one thread, the one that runs
// loop(); other threads hand work over with loop().post().

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "call/call_types.hpp"
#include "common/result.hpp"
#include "config/settings.hpp"
#include "dns/locator.hpp"
#include "reg/events.hpp"
#include "reg/redundancy_engine.hpp"
#include "runtime/event_loop.hpp"
#include "sip/target.hpp"
#include "ua/account_diff.hpp"

namespace sipline::ua {

struct UserAgentOptions {
  // Server location for the accounts. Empty: LiteralLocator (IP literals
  // only). The locator is destroyed before the loop.
  std::function<std::unique_ptr<dns::Locator>(runtime::EventLoop&)> make_locator;
  // Diagnostics (never a password).
  std::function<void(config::LogLevel, std::string_view)> log;
};

class UserAgent {
 public:
  using EventSink = std::function<void(const reg::Event&)>;

  // Nothing is bound or sent before start().
  explicit UserAgent(config::Settings settings, UserAgentOptions options = {});
  ~UserAgent();
  UserAgent(const UserAgent&) = delete;
  UserAgent& operator=(const UserAgent&) = delete;

  runtime::EventLoop& loop() noexcept;

  // Binds the local SIP address (UDP and TCP on settings.listen_address and
  // listen_port; port 0 = ephemeral) and starts registering every enabled
  // account. On error nothing stays bound and no account is started.
  Result<void> start();

  // Unregisters every account; `done` runs once nothing is in flight any more
  // (never from inside stop()). Calling it again only replaces `done`.
  void stop(std::function<void()> done);
  bool stopping() const noexcept;

  // Events of every account, in order. A sink may subscribe or unsubscribe
  // (itself included) while being called, but must not destroy the agent.
  std::uint64_t subscribe(EventSink sink);
  void unsubscribe(std::uint64_t id);

  // One entry per enabled account, in configuration order.
  std::vector<reg::AccountStatus> status() const;

  // Applies a new configuration: unchanged accounts keep running untouched,
  // removed ones unregister, changed ones unregister and then register with
  // the new settings, added ones start. A changed listen address or port or
  // TLS setting binds new sockets first (make before break): if that fails
  // (a port in use, an unreadable certificate) the old sockets and the
  // whole old configuration stay in force and the error is returned; on
  // success the old sockets close and every running account unregisters
  // and registers again, since its Contact names the old address. Calls in
  // progress keep their dialog and send a re-INVITE moving their Contact
  // (and SDP address) to the new sockets (RFC 3261 §14.1).
  // Errc::invalid_state while stopping.
  Result<AccountDiff> reload(config::Settings settings);

  // Starts (again) / stops the registration of one account. Errc::not_found
  // for a name that is not an enabled account.
  Result<void> register_account(std::string_view name);
  Result<void> unregister_account(std::string_view name);

  // Calls (RFC 3261 §13), through the server the account's redundancy
  // policy says is active. `account` empty: the first enabled account. The
  // call id ("c1"...) is returned at once; call_ringing, call_answered and
  // call_ended events follow. Errc::not_found for an unknown account or
  // call, Errc::invalid_argument for a URI that is not SIP.
  Result<std::string> place_call(std::string_view account, std::string_view uri);
  Result<void> answer(std::string_view call_id);
  Result<void> hangup(std::string_view call_id);
  // Live calls of every account, oldest first.
  std::vector<call::CallInfo> calls() const;

  // The host's addresses or routes changed. start() watches them itself
  // when settings.network.watch is on (rtnetlink, coalesced for
  // settle_ms) and calls this; an application with its own view of
  // connectivity may call it too. TCP/TLS connections from addresses the
  // host no longer has are closed, and every account whose requests now
  // leave from another local address re-registers on the server it is on,
  // moving its Contact there (a `network_changed` event, then `registered`).
  // Established calls whose Contact or SDP address moved send a re-INVITE
  // (RFC 3261 §14.1); a peer that no longer knows the dialog (481, 408)
  // ends the call (`call_ended`).
  void network_changed();

  // The bound local addresses, with their actual ports.
  std::vector<sip::Target> local_addresses() const;
  const config::Settings& settings() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::ua
