#pragma once
// From an account's configuration to the ordered list of places it can
// register with. Each entry ("hop") is one configured server (Yealink
// sip_server.Y, FLX Registrar / Backup Registrar), or one outbound proxy of a
// Yealink failover pair (outbound_proxy.Y, with -1 inherited from
// sip_server.Y): what DNS is asked about, the Request-URI of its REGISTERs,
// the preloaded Route set, and the per-entry policy (retry_counts,
// failback...). Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/account.hpp"
#include "dns/locator.hpp"
#include "reg/target_health.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

struct Hop {
  std::size_t index = 0;               // position in the list (0 = primary)
  config::ServerEntry policy;          // retry_counts, failback..., proxy values already inherited
  std::string uri;                     // for events and status, e.g. "sip:pbx1:5060;transport=udp"
  std::string registrar_uri;           // REGISTER Request-URI, "sip:host[:port]"
  dns::ServerSpec locate;              // the first hop to resolve (the server or its proxy)
  std::vector<std::string> route_set;  // Route for REGISTER (use proxy for registration)
  std::vector<std::string> request_route_set;  // Route for other out-of-dialog requests
};

// The hops of an account, primary first.
//  - No proxies, or "use proxy for registration" off: one hop per server.
//  - ProxyMode::chained: one hop per server; every hop resolves the first
//    proxy and preloads the whole proxy list as Route (FLX).
//  - ProxyMode::failover: one hop per proxy, its policy from
//    config::resolve_proxy (unset values inherit the server at the same
//    position, or the last server), REGISTER Request-URI of that server.
std::vector<Hop> build_hops(const config::Account& account);

// A proxy as phones write it ("10.1.2.3;lr", "proxy.example.com:5070",
// "sip:p.example.com;lr") as a SIP URI string; nullopt when it is not one.
std::optional<std::string> proxy_uri(const std::string& address, std::uint16_t port);

// The retransmission budget of an entry's REGISTERs: retry_counts N is
// "N attempts", the first send and N-1 retransmissions, so that the default
// 3 gives up on a blackholed UDP server after 0.5 + 1 + 2 = 3.5 s.
int register_budget(int retry_counts) noexcept;

sip::Target to_sip_target(const dns::ResolvedTarget& resolved);
// "192.0.2.1:5060/udp", "[2001:db8::1]:5061/tls".
std::string describe(const sip::Target& target);

// The resolved targets of a hop that the health table allows now, in order.
std::vector<dns::ResolvedTarget> usable_targets(const std::vector<dns::ResolvedTarget>& targets,
                                                const HealthTable& health, runtime::TimePoint now);

}  // namespace sipline::reg
