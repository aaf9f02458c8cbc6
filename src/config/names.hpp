#pragma once
// The spellings of the configuration's enumerations in the native TOML
// dialect, shared by the loader and the writer so that what `sipline config
// check` prints can be read back.

#include <optional>
#include <string_view>

#include "config/account.hpp"
#include "config/settings.hpp"

namespace sipline::config {

std::string_view name_of(Dialect value) noexcept;
std::string_view name_of(ServerTransport value) noexcept;
std::string_view name_of(FailbackMode value) noexcept;
std::string_view name_of(RedundancyType value) noexcept;
std::string_view name_of(KeepAliveKind value) noexcept;
std::string_view name_of(ProxyMode value) noexcept;
std::string_view name_of(LogLevel value) noexcept;

std::optional<Dialect> parse_dialect(std::string_view text) noexcept;
std::optional<ServerTransport> parse_transport(std::string_view text) noexcept;
std::optional<FailbackMode> parse_failback_mode(std::string_view text) noexcept;
std::optional<RedundancyType> parse_redundancy(std::string_view text) noexcept;
std::optional<KeepAliveKind> parse_keepalive_kind(std::string_view text) noexcept;
std::optional<ProxyMode> parse_proxy_mode(std::string_view text) noexcept;
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

// "a, b or c": the accepted spellings of an enumeration, for error messages.
template <class E>
std::string_view choices() noexcept;
template <>
std::string_view choices<Dialect>() noexcept;
template <>
std::string_view choices<ServerTransport>() noexcept;
template <>
std::string_view choices<FailbackMode>() noexcept;
template <>
std::string_view choices<RedundancyType>() noexcept;
template <>
std::string_view choices<KeepAliveKind>() noexcept;
template <>
std::string_view choices<ProxyMode>() noexcept;
template <>
std::string_view choices<LogLevel>() noexcept;

}  // namespace sipline::config
