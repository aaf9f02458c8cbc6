#include "config/account.hpp"

#include <string>

namespace sipline::config {
namespace {

Result<void> check_range(const std::string& key, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    return fail(Errc::out_of_range, key + ": " + std::to_string(value) + " is outside " +
                                        std::to_string(lo) + "-" + std::to_string(hi));
  }
  return ok();
}

// Yealink/Polycom: 0 disables failback; 1-59 is raised to the minimum of 60.
std::uint32_t clamp_failback_timeout(std::uint32_t seconds) {
  return (seconds > 0 && seconds < 60) ? 60 : seconds;
}

}  // namespace

std::uint32_t default_expires(Dialect dialect) noexcept {
  return dialect == Dialect::flx ? 55 : 3600;
}

Result<void> normalize(Account& account, Dialect dialect) {
  if (account.registration_timeout == 0) account.registration_timeout = default_expires(dialect);
  SIPLINE_TRY(check_range("surge_prevention", account.surge_prevention, 0, 60));
  if (account.servers.empty()) {
    return fail(Errc::missing, "servers: at least one registrar is required");
  }
  for (std::size_t i = 0; i < account.servers.size(); ++i) {
    auto& server = account.servers[i];
    const std::string prefix = "servers[" + std::to_string(i) + "].";
    if (server.address.empty()) return fail(Errc::missing, prefix + "address: must not be empty");
    SIPLINE_TRY(check_range(prefix + "retry_counts", server.retry_counts, 0, 20));
    SIPLINE_TRY(check_range(prefix + "invite_retry_counts", server.invite_retry_counts, 1, 10));
    if (server.expires == 0) server.expires = account.registration_timeout;
    server.failback_timeout = clamp_failback_timeout(server.failback_timeout);
  }
  for (std::size_t i = 0; i < account.proxies.size(); ++i) {
    auto& proxy = account.proxies[i];
    const std::string prefix = "proxies[" + std::to_string(i) + "].";
    if (proxy.address.empty()) return fail(Errc::missing, prefix + "address: must not be empty");
    if (proxy.retry_counts) {
      SIPLINE_TRY(check_range(prefix + "retry_counts", *proxy.retry_counts, 0, 20));
    }
    if (proxy.invite_retry_counts) {
      SIPLINE_TRY(check_range(prefix + "invite_retry_counts", *proxy.invite_retry_counts, 1, 10));
    }
    if (proxy.failback_timeout) {
      *proxy.failback_timeout = clamp_failback_timeout(*proxy.failback_timeout);
    }
  }
  SIPLINE_TRY(check_range("failback.good_probes", account.failback.good_probes, 1, 100));
  if (account.failback.probe_interval == 0) {
    return fail(Errc::out_of_range, "failback.probe_interval: must be at least 1 s");
  }
  if (account.fallback_timeout < 10) account.fallback_timeout = 10;  // Yealink range 10-2^31-1
  if (account.domain.empty()) account.domain = account.servers.front().address;
  return ok();
}

ServerEntry resolve_proxy(const Account& account, std::size_t proxy_index) {
  const OutboundProxy& proxy = account.proxies.at(proxy_index);
  ServerEntry base;
  if (!account.servers.empty()) {
    base = account.servers[std::min(proxy_index, account.servers.size() - 1)];
  }
  ServerEntry out = base;
  out.address = proxy.address;
  out.port = proxy.port;
  out.transport = proxy.transport.value_or(base.transport);
  out.retry_counts = proxy.retry_counts.value_or(base.retry_counts);
  out.invite_retry_counts = proxy.invite_retry_counts.value_or(base.invite_retry_counts);
  out.register_on_enable = proxy.register_on_enable.value_or(base.register_on_enable);
  out.only_signal_with_registered =
      proxy.only_signal_with_registered.value_or(base.only_signal_with_registered);
  out.failback_mode = proxy.failback_mode.value_or(base.failback_mode);
  out.failback_timeout = proxy.failback_timeout.value_or(base.failback_timeout);
  return out;
}

}  // namespace sipline::config
