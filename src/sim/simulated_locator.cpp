#include "sim/simulated_locator.hpp"

#include <cctype>
#include <utility>
#include <vector>

#include "dns/ip_literal.hpp"

namespace sipline::sim {

Result<dns::ResolvedTarget> SimulatedLocator::resolve(const dns::ServerSpec& spec) {
  dns::ResolvedTarget target;
  target.transport = spec.sips ? dns::Transport::tls : spec.transport.value_or(dns::Transport::udp);
  target.port = spec.port.value_or(dns::default_port(target.transport));
  target.host = spec.host;
  if (auto ip = dns::parse_ip_literal(spec.host)) {
    target.address = dns::to_string(*ip);
    target.family = ip->family;
    return target;
  }
  std::string name;
  for (char c : spec.host) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = names_.find(name);
  if (it == names_.end()) {
    if (names_.size() >= 254) {
      return fail(Errc::limit_exceeded, "more than 254 host names in the simulation");
    }
    it = names_.emplace(name, "198.51.100." + std::to_string(names_.size() + 1)).first;
  }
  target.address = it->second;
  target.family = dns::Family::ipv4;
  target.address_ttl = name_ttl_;
  target.domain = spec.host;
  return target;
}

dns::Lookup SimulatedLocator::locate(const dns::ServerSpec& spec, Callback callback) {
  const std::uint64_t id = next_id_++;
  Result<std::vector<dns::ResolvedTarget>> answer =
      [&]() -> Result<std::vector<dns::ResolvedTarget>> {
    auto target = resolve(spec);
    if (!target) return Unexpected{target.error()};
    return std::vector<dns::ResolvedTarget>{std::move(*target)};
  }();
  pending_.emplace(
      id, timers_.start(runtime::Duration::zero(),
                        [this, id, cb = std::move(callback), answer = std::move(answer)]() mutable {
                          auto node = pending_.extract(id);
                          cb(std::move(answer));
                        }));
  return make_lookup(id);
}

}  // namespace sipline::sim
