#pragma once
// Checks shared by the TOML and Yealink loaders: text that will end up in
// SIP headers, host names, cross-field rules, and the final normalize() of
// each account with its error placed at the account's line.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "config/settings.hpp"

namespace sipline::config {

struct Range {
  long long lo;
  long long hi;
};

// Smallest registration expiry accepted from a native file (0 = default).
// Yealink's own minimum (30 s) is applied by its loader.
inline constexpr long long min_expires = 10;

// SIP timers in milliseconds (RFC 3261 §17.1.1.1 defaults 500/4000/5000).
// The bounds are Yealink's (T1 0.5-10 s, T2 2-40 s, T4 2.5-60 s), widened
// downwards so tests can run fast retransmission on loopback.
inline constexpr Range t1_range{10, 10000};
inline constexpr Range t2_range{100, 40000};
inline constexpr Range t4_range{100, 60000};

using LineOf = std::function<std::uint32_t(std::string_view key)>;

// A reason when `text` cannot be used in a SIP message (CR, LF, NUL or other
// control bytes, which would let a value inject header lines).
std::optional<std::string> text_problem(std::string_view text);

// A reason when `host` is not a plausible host name or IP literal.
std::optional<std::string> host_problem(std::string_view host);

// A reason when `text` is not "host", "host:port" or "[v6]:port".
std::optional<std::string> host_port_problem(std::string_view text);

// Cross-field rules on the global settings (T2 >= T1). Keys are the native
// ones; `line_of` finds where they were set.
Result<void> check_globals(const Settings& settings, std::string_view file, const LineOf& line_of,
                           std::string_view t1_key = "sip.timer_t1_ms",
                           std::string_view t2_key = "sip.timer_t2_ms");

// Two accounts with the same name could not be told apart in status and
// events.
Result<void> check_account_names(const Settings& settings, std::string_view file,
                                 const LineOf& line_of, std::string_view name_key = "name");

// Applies config::normalize() and reports what it rejects as
// "file:line: account_key: reason", `line` being the account's own line.
Result<void> finish_account(Account& account, Dialect dialect, std::string_view file,
                            std::string_view account_key, std::uint32_t line);

}  // namespace sipline::config
