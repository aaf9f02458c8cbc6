#pragma once
// The fault script of `sipline simulate`: what happens to the simulated
// servers, and when calls are made, one step per line:
//
//   # comment
//   10s   primary refuse          ICMP port unreachable / TCP RST: fails at once
//   40s   primary restore         answers again
//   1m    backup blackhole        silence: the transaction times out
//   2m    server 2 503 retry-after 60
//   2m30s pbx1.example.com:5060 reject 403
//   3m    call 90s alice          a call of 90 s on account alice (default: the first)
//   5m    address 192.0.2.77      the host's own address changes (DHCP, Wi-Fi, VPN)
//   10m   end                     stop the simulation here
//
// Times are offsets from the start: "1500ms", "10s", "2m", "1h30m" (units in
// decreasing order, each at most once). Steps must not go back in time.
// Pure: the server names are checked against the configuration later
// (sim::Simulator), with the same "SCRIPT:LINE: reason" errors.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "runtime/clock.hpp"

namespace sipline::sim {

// What a simulated server does with the requests it receives from now on.
struct Fault {
  enum class Kind : std::uint8_t {
    restore,      // answers normally (200 to REGISTER and OPTIONS)
    refuse,       // nothing listens: ICMP port unreachable (UDP) or RST (TCP)
    blackhole,    // requests vanish: no answer, no error
    unavailable,  // 503 Service Unavailable, with Retry-After when given
    reject,       // a fixed final status (e.g. 403, 404, 500)
  };
  Kind kind = Kind::restore;
  int status_code = 0;                       // unavailable: 503; reject: the code
  std::optional<std::uint32_t> retry_after;  // unavailable only
  bool operator==(const Fault&) const = default;
};

// "refuse", "503 retry-after 60", "reject 403"...
std::string to_string(const Fault& fault);

// A server as the script names it.
struct ServerRef {
  enum class Kind : std::uint8_t {
    primary,  // the first server of the first account
    backup,   // its second server
    ordinal,  // "server N": the Nth simulated server (1-based)
    host,     // a configured host name or address, with an optional port
  };
  Kind kind = Kind::primary;
  std::size_t ordinal = 0;
  std::string host;  // IPv6 without brackets
  std::optional<std::uint16_t> port;
  std::string text;  // as written, for messages
};

struct Step {
  enum class Kind : std::uint8_t { fault, call, address, end };
  Kind kind = Kind::fault;
  runtime::Duration at{};             // offset from the start of the simulation
  std::size_t line = 0;               // 1-based line in the script
  ServerRef server;                   // fault
  Fault fault;                        // fault
  runtime::Duration call_duration{};  // call
  std::string account;                // call; empty = the first enabled account
  std::string address;                // address: the new local IP address (IPv6 unbracketed)
};

struct FaultScript {
  std::string file_name;
  std::vector<Step> steps;  // in script order, times non-decreasing; `end` last if present
  // Where the script's `end` step is, if it has one.
  std::optional<runtime::Duration> end() const;
  // The time of the last step (zero for an empty script).
  runtime::Duration last_step() const;
};

// Longest accepted offset or duration: a week of virtual time.
inline constexpr runtime::Duration max_script_time = std::chrono::hours(24 * 7);

// "1500ms", "10s", "2m", "1h30m", "1h2m3s500ms". Errors name the problem
// without a location; the script parser adds "SCRIPT:LINE: ".
Result<runtime::Duration> parse_duration(std::string_view text);

// Parses the whole script. Errors (Errc::invalid_argument): "FILE:LINE: reason".
Result<FaultScript> parse_fault_script(std::string_view text, std::string_view file_name);

}  // namespace sipline::sim
