#pragma once
// `sipline msg check FILE...`: parses each file as one SIP message with
// datagram semantics and prints a verdict per file.

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>

namespace sipline::app {

// Files larger than this are not read to the end and are reported invalid;
// far above any SIP size limit, it only bounds memory for hostile input.
inline constexpr std::size_t msg_check_max_file_size = std::size_t{16} << 20;

// Writes "FILE: ok request METHOD", "FILE: ok response CODE" or
// "FILE: invalid: REASON" to `out` and "FILE: error: REASON" to `err` for a
// file that cannot be read. Returns exit_ok, exit_failure if any message is
// invalid, or exit_usage if any file could not be read.
int msg_check(std::span<const std::string> files, std::ostream& out, std::ostream& err);

}  // namespace sipline::app
