#pragma once
// Rendering of registration events and account status: JSON for scripts (the
// `--events json` and `status --json` contracts), text for people.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "call/call_types.hpp"
#include "reg/events.hpp"
#include "reg/redundancy_engine.hpp"
#include "runtime/clock.hpp"

namespace sipline::app {

// RFC 3339, UTC, milliseconds: "2026-12-01T23:22:10.123Z".
std::string rfc3339(runtime::SystemTime t);

// An engine (monotonic) time as wall-clock time, by its distance from now.
runtime::SystemTime wall_time(runtime::TimePoint t, const runtime::TimerService& clock);

// {"time", "account", "type", "server", "reason", "failure", "previous_server",
//  "status_code", "next_attempt", "expires", "call", "peer"}; absent values
// are null ("call" and "peer" are set for call events).
nlohmann::json event_json(const reg::Event& event, const runtime::TimerService& clock);

// One line for people: "TIME ACCOUNT TYPE on SERVER (from PREVIOUS): REASON ...".
std::string event_text(const reg::Event& event, const runtime::TimerService& clock);

// One account's status; durations are also given in seconds from now
// ("since_seconds", "expires_in", "next_attempt_in") so that clients need no
// clock of their own.
nlohmann::json status_json(const reg::AccountStatus& status, const runtime::TimerService& clock);

// One live call: {"call", "account", "direction", "state", "peer", "server",
// "since", "since_seconds"}.
nlohmann::json call_json(const call::CallInfo& info, const runtime::TimerService& clock);

// The `sipline status` table from the "accounts" array of a status response;
// the calls listed in each account's "calls" array follow in a second table.
std::string status_table(const nlohmann::json& accounts);

// "45s", "3m05s", "2h07m", "3d04h".
std::string short_duration(std::int64_t seconds);

}  // namespace sipline::app
