#pragma once
// What joins the call layer to the accounts: an account's identity as a
// call::LocalParty, its redundancy engine as the call::RouteProvider of
// outgoing INVITEs, call events as reg::Events for the subscribers, and
// which account an incoming INVITE is for.

#include <functional>
#include <memory>

#include "call/call_types.hpp"
#include "config/account.hpp"
#include "reg/events.hpp"
#include "reg/redundancy_engine.hpp"
#include "sip/message.hpp"

namespace sipline::ua {

call::LocalParty local_party(const config::Account& account);

// Routes from the engine `engine()` returns at the time of asking (the
// account may have been reloaded meanwhile; nullptr: no route).
std::shared_ptr<call::RouteProvider> engine_routes(std::function<reg::RedundancyEngine*()> engine,
                                                   std::size_t servers);

reg::Event to_reg_event(const call::CallEvent& event, runtime::TimePoint at);

// True when the INVITE's Request-URI user names the account (its AOR user,
// which is also the Contact user of its registrations).
bool invite_is_for(const config::Account& account, const sip::Message& invite);

}  // namespace sipline::ua
