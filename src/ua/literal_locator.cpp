#include "ua/literal_locator.hpp"

#include <utility>

#include "dns/ip_literal.hpp"

namespace sipline::ua {

Result<std::vector<dns::ResolvedTarget>> LiteralLocator::resolve(const dns::ServerSpec& spec) {
  auto ip = dns::parse_ip_literal(spec.host);
  if (!ip) {
    return fail(Errc::not_found,
                "cannot resolve host name '" + spec.host + "': no DNS resolver is configured");
  }
  dns::ResolvedTarget target;
  target.transport = spec.sips ? dns::Transport::tls : spec.transport.value_or(dns::Transport::udp);
  target.address = dns::to_string(*ip);
  target.family = ip->family;
  target.port = spec.port.value_or(dns::default_port(target.transport));
  target.host = spec.host;
  return std::vector<dns::ResolvedTarget>{std::move(target)};
}

dns::Lookup LiteralLocator::locate(const dns::ServerSpec& spec, Callback callback) {
  const std::uint64_t id = next_id_++;
  auto answer = resolve(spec);
  // The callback never runs inside locate() (dns/locator.hpp).
  pending_.emplace(
      id, timers_.start(runtime::Duration::zero(),
                        [this, id, cb = std::move(callback), answer = std::move(answer)]() mutable {
                          auto node = pending_.extract(id);
                          cb(std::move(answer));
                        }));
  return make_lookup(id);
}

}  // namespace sipline::ua
