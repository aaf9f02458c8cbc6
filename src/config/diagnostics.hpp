#pragma once
// Error and warning text shared by the loaders. Every message about a file
// starts with "file:line: key: " so editors and scripts can jump to it; a
// value is quoted unless it is a password, which is never shown.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace sipline::config {

// "file:line: key: reason" as an Errc::invalid_argument error.
Error config_error(std::string_view file, std::uint32_t line, std::string_view key,
                   std::string_view reason);

// "file:line: key: ignored (why)".
std::string ignored_warning(std::string_view file, std::uint32_t line, std::string_view key,
                            std::string_view why);

// "file:line: key: text" for other warnings (clamped values, duplicates).
std::string config_warning(std::string_view file, std::uint32_t line, std::string_view key,
                           std::string_view text);

// "value 25 is outside 0-20".
std::string range_reason(long long value, long long lo, long long hi);

// The candidate closest to `word` by edit distance, if it is close enough to
// be a likely typo (at most a third of the word's length, and at most 3).
std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates);

// A decimal integer with an optional leading '-', nothing else; nullopt on
// anything else or on overflow of 64 bits.
std::optional<long long> parse_integer(std::string_view text) noexcept;

// A decimal number of seconds with up to three decimals ("0.5", "4",
// "2.5"), as milliseconds; nullopt on anything else.
std::optional<long long> parse_seconds_as_ms(std::string_view text) noexcept;

// Quotes a value for a message: "..." with control bytes escaped, cut at 64
// bytes so that a hostile file cannot flood the terminal.
std::string quote(std::string_view value);

}  // namespace sipline::config
