#pragma once
// RFC 3263 server location as the registration policy sees it: a server as
// the user configured it in, an ordered list of transport addresses out.
// Production: dns::CachingLocator over a Resolver (NAPTR -> SRV -> A/AAAA with
// a TTL cache); tests: a fake that returns scripted lists.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dns/records.hpp"
#include "dns/resolver.hpp"

namespace sipline::dns {

// One configured server entry (Yealink sip_server.Y.address/port/
// transport_type, a TOML [[account.server]]).
struct ServerSpec {
  std::string host;                    // domain name or IP literal (IPv6 without brackets)
  std::optional<std::uint16_t> port;   // explicit port: SRV is skipped (RFC 3263 §4.2)
  std::optional<Transport> transport;  // explicit transport; empty = NAPTR/SRV decide (§4.1)
  bool sips = false;                   // a SIPS URI: TLS only (§4.1)
  // Yealink transport_type = DNS-NAPTR: always ask NAPTR, even with a port
  // (then the port is ignored, as the phone does when port is 0).
  bool force_naptr = false;
  // Yealink account.X.naptr_build = 0: when NAPTR gives nothing usable, ask
  // SRV for UDP only (_sip._udp) instead of every supported transport.
  bool srv_udp_only = false;
};

// One place to send to, in the order to try.
struct ResolvedTarget {
  Transport transport = Transport::udp;
  std::string address;  // numeric; IPv6 without brackets
  Family family = Family::ipv4;
  std::uint16_t port = 5060;
  std::string host;            // the name this came from (TLS server name, display)
  std::uint16_t priority = 0;  // SRV priority (0 when SRV was not used)
  // Seconds the A/AAAA record that produced this address may be used, as
  // the DNS said when it was resolved (0 for an IP literal or a hosts
  // override). The DNSTTL failback mode keys on it.
  std::uint32_t address_ttl = 0;
  // The configured domain the target was located from (empty for an IP
  // literal): the identity a TLS certificate is checked against (RFC 5922
  // §4), which is not the SRV target's name.
  std::string domain;
  bool operator==(const ResolvedTarget&) const = default;
};

class Locator : public Cancellable {
 public:
  using Callback = std::function<void(Result<std::vector<ResolvedTarget>>)>;
  ~Locator() override = default;
  // Resolves `spec` into targets in the order RFC 3263 gives (NAPTR order and
  // preference, SRV priority then weighted random, then every address of a
  // host). An empty list is an error (Errc::not_found) rather than a value.
  // The callback runs exactly once, never from inside locate(), unless the
  // Lookup is cancelled first.
  [[nodiscard]] virtual Lookup locate(const ServerSpec& spec, Callback callback) = 0;
};

}  // namespace sipline::dns
