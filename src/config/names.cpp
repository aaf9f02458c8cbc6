#include "config/names.hpp"

#include <array>
#include <utility>

namespace sipline::config {
namespace {

template <class E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<Dialect, 3> dialects{
    {{Dialect::native, "native"}, {Dialect::yealink, "yealink"}, {Dialect::flx, "flx"}}};
constexpr Table<ServerTransport, 4> transports{{{ServerTransport::udp, "udp"},
                                                {ServerTransport::tcp, "tcp"},
                                                {ServerTransport::tls, "tls"},
                                                {ServerTransport::dns_naptr, "dns_naptr"}}};
constexpr Table<FailbackMode, 5> failback_modes{{{FailbackMode::new_requests, "new_requests"},
                                                 {FailbackMode::dns_ttl, "dns_ttl"},
                                                 {FailbackMode::registration, "registration"},
                                                 {FailbackMode::duration, "duration"},
                                                 {FailbackMode::monitor, "monitor"}}};
constexpr Table<RedundancyType, 2> redundancies{
    {{RedundancyType::concurrent, "concurrent"}, {RedundancyType::successive, "successive"}}};
constexpr Table<KeepAliveKind, 6> keepalive_kinds{{{KeepAliveKind::none, "off"},
                                                   {KeepAliveKind::automatic, "auto"},
                                                   {KeepAliveKind::crlf, "crlf"},
                                                   {KeepAliveKind::options, "options"},
                                                   {KeepAliveKind::stun, "stun"},
                                                   // Accepted as before, written as "off".
                                                   {KeepAliveKind::none, "none"}}};
constexpr Table<ProxyMode, 2> proxy_modes{
    {{ProxyMode::chained, "chained"}, {ProxyMode::failover, "failover"}}};
constexpr Table<LogLevel, 5> log_levels{{{LogLevel::trace, "trace"},
                                         {LogLevel::debug, "debug"},
                                         {LogLevel::info, "info"},
                                         {LogLevel::warning, "warning"},
                                         {LogLevel::error, "error"}}};

template <class E, std::size_t N>
std::string_view lookup(const Table<E, N>& table, E value) noexcept {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <class E, std::size_t N>
std::optional<E> lookup(const Table<E, N>& table, std::string_view text) noexcept {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view name_of(Dialect value) noexcept {
  return lookup(dialects, value);
}
std::string_view name_of(ServerTransport value) noexcept {
  return lookup(transports, value);
}
std::string_view name_of(FailbackMode value) noexcept {
  return lookup(failback_modes, value);
}
std::string_view name_of(RedundancyType value) noexcept {
  return lookup(redundancies, value);
}
std::string_view name_of(KeepAliveKind value) noexcept {
  return lookup(keepalive_kinds, value);
}
std::string_view name_of(ProxyMode value) noexcept {
  return lookup(proxy_modes, value);
}
std::string_view name_of(LogLevel value) noexcept {
  return lookup(log_levels, value);
}

std::optional<Dialect> parse_dialect(std::string_view t) noexcept {
  return lookup(dialects, t);
}
std::optional<ServerTransport> parse_transport(std::string_view t) noexcept {
  return lookup(transports, t);
}
std::optional<FailbackMode> parse_failback_mode(std::string_view t) noexcept {
  return lookup(failback_modes, t);
}
std::optional<RedundancyType> parse_redundancy(std::string_view t) noexcept {
  return lookup(redundancies, t);
}
std::optional<KeepAliveKind> parse_keepalive_kind(std::string_view t) noexcept {
  return lookup(keepalive_kinds, t);
}
std::optional<ProxyMode> parse_proxy_mode(std::string_view t) noexcept {
  return lookup(proxy_modes, t);
}
std::optional<LogLevel> parse_log_level(std::string_view t) noexcept {
  return lookup(log_levels, t);
}

template <>
std::string_view choices<Dialect>() noexcept {
  return "native, yealink or flx";
}
template <>
std::string_view choices<ServerTransport>() noexcept {
  return "udp, tcp, tls or dns_naptr";
}
template <>
std::string_view choices<FailbackMode>() noexcept {
  return "new_requests, dns_ttl, registration, duration or monitor";
}
template <>
std::string_view choices<RedundancyType>() noexcept {
  return "concurrent or successive";
}
template <>
std::string_view choices<KeepAliveKind>() noexcept {
  return "off, auto, crlf, options or stun";
}
template <>
std::string_view choices<ProxyMode>() noexcept {
  return "chained or failover";
}
template <>
std::string_view choices<LogLevel>() noexcept {
  return "trace, debug, info, warning or error";
}

}  // namespace sipline::config
