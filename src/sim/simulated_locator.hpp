#pragma once
// Server location in the simulation: no DNS is asked. An IP literal stands
// for itself; each distinct host name gets its own address from the
// documentation range 198.51.100.0/24 (RFC 5737), in the order the names are
// first met, and its A record a TTL of `name_ttl` (what the DNSTTL failback
// mode keys on). The transport is the configured one (UDP when unset, TLS for
// SIPS) and the port the configured one or the transport's default: NAPTR
// and SRV are not simulated, so every server is exactly one target.

#include <cstdint>
#include <map>
#include <string>

#include "dns/locator.hpp"
#include "runtime/clock.hpp"

namespace sipline::sim {

class SimulatedLocator final : public dns::Locator {
 public:
  explicit SimulatedLocator(runtime::TimerService& timers, std::uint32_t name_ttl = 300)
      : timers_(timers), name_ttl_(name_ttl) {}
  ~SimulatedLocator() override = default;
  SimulatedLocator(const SimulatedLocator&) = delete;
  SimulatedLocator& operator=(const SimulatedLocator&) = delete;

  // The one target `spec` resolves to, computed at once (and the same every
  // time). Fails only when the address range is exhausted (254 names).
  Result<dns::ResolvedTarget> resolve(const dns::ServerSpec& spec);

  // Answers on the next instant, never inside locate() (dns/locator.hpp).
  [[nodiscard]] dns::Lookup locate(const dns::ServerSpec& spec, Callback callback) override;

 private:
  void cancel_operation(std::uint64_t id) noexcept override { pending_.erase(id); }
  bool operation_pending(std::uint64_t id) const noexcept override { return pending_.contains(id); }

  runtime::TimerService& timers_;
  std::uint32_t name_ttl_;
  std::map<std::string, std::string> names_;  // lower-case host name -> address
  std::map<std::uint64_t, runtime::Timer> pending_;
  std::uint64_t next_id_ = 1;
};

}  // namespace sipline::sim
