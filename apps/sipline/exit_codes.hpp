#pragma once
// Exit statuses shared by every sipline command (scripts depend on them).

namespace sipline::app {

inline constexpr int exit_ok = 0;
// Operational failure: the command ran but what it checked or did failed
// (an invalid message, a registration that never succeeded).
inline constexpr int exit_failure = 1;
// Bad usage, bad configuration, or a file that cannot be read.
inline constexpr int exit_usage = 2;

}  // namespace sipline::app
