#include "reg/candidates.hpp"

#include <algorithm>

#include "sip/uri.hpp"

namespace sipline::reg {
namespace {

std::optional<dns::Transport> dns_transport(config::ServerTransport transport) {
  switch (transport) {
    case config::ServerTransport::udp:
      return dns::Transport::udp;
    case config::ServerTransport::tcp:
      return dns::Transport::tcp;
    case config::ServerTransport::tls:
      return dns::Transport::tls;
    case config::ServerTransport::dns_naptr:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string bracket(std::string_view host) {
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    return "[" + std::string(host) + "]";
  }
  return std::string(host);
}

std::string unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

std::string host_port(const std::string& host, std::uint16_t port) {
  std::string out = bracket(host);
  if (port != 0) out += ":" + std::to_string(port);
  return out;
}

std::string entry_uri(const config::ServerEntry& entry) {
  std::string out = "sip:" + host_port(entry.address, entry.port);
  switch (entry.transport) {
    case config::ServerTransport::udp:
      out += ";transport=udp";
      break;
    case config::ServerTransport::tcp:
      out += ";transport=tcp";
      break;
    case config::ServerTransport::tls:
      out += ";transport=tls";
      break;
    case config::ServerTransport::dns_naptr:
      break;
  }
  return out;
}

dns::ServerSpec spec_of(const std::string& host, std::uint16_t port,
                        config::ServerTransport transport, bool sips) {
  dns::ServerSpec spec;
  spec.host = unbracket(host);
  if (port != 0) spec.port = port;
  spec.transport = dns_transport(transport);
  spec.force_naptr = transport == config::ServerTransport::dns_naptr;
  spec.sips = sips;
  return spec;
}

// Where to send for a proxy URI: its host, port and transport parameter; the
// entry's transport when the URI names none.
dns::ServerSpec proxy_spec(const std::string& uri_text, config::ServerTransport fallback) {
  auto uri = sip::parse_uri(uri_text);
  if (!uri) return spec_of(uri_text, 0, fallback, false);
  config::ServerTransport transport = fallback;
  const std::string param = uri->transport();
  if (param == "udp") transport = config::ServerTransport::udp;
  if (param == "tcp") transport = config::ServerTransport::tcp;
  if (param == "tls") transport = config::ServerTransport::tls;
  const bool sips = uri->scheme == sip::UriScheme::sips;
  if (sips) transport = config::ServerTransport::tls;
  return spec_of(std::string(uri->host()), uri->port().value_or(0), transport, sips);
}

}  // namespace

std::optional<std::string> proxy_uri(const std::string& address, std::uint16_t port) {
  std::string text = address;
  const auto trim = [](std::string& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  };
  trim(text);
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.rfind("sip:", 0) != 0 && text.rfind("sips:", 0) != 0) text = "sip:" + text;
  auto parsed = sip::parse_uri(text);
  if (!parsed || parsed->host().empty()) return std::nullopt;
  if (port != 0 && !parsed->port()) {
    // Insert the configured port after the host.
    const std::size_t scheme_end = text.find(':') + 1;
    const std::size_t params = text.find(';', scheme_end);
    const std::size_t host_end = params == std::string::npos ? text.size() : params;
    text.insert(host_end, ":" + std::to_string(port));
    if (!sip::parse_uri(text)) return std::nullopt;
  }
  return text;
}

int register_budget(int retry_counts) noexcept {
  return std::max(retry_counts - 1, 0);
}

std::vector<Hop> build_hops(const config::Account& account) {
  std::vector<Hop> hops;
  std::vector<std::string> proxies;
  for (const config::OutboundProxy& proxy : account.proxies) {
    if (auto uri = proxy_uri(proxy.address, proxy.port)) proxies.push_back(*uri);
  }
  const bool failover_pair = account.proxy_mode == config::ProxyMode::failover && !proxies.empty();
  if (failover_pair && account.use_proxy_for_registration) {
    for (std::size_t i = 0; i < account.proxies.size(); ++i) {
      auto uri = proxy_uri(account.proxies[i].address, account.proxies[i].port);
      if (!uri) continue;
      Hop hop;
      hop.index = hops.size();
      hop.policy = config::resolve_proxy(account, i);
      const config::ServerEntry& server = account.servers[std::min(i, account.servers.size() - 1)];
      hop.policy.expires = server.expires;
      hop.uri = *uri;
      hop.registrar_uri = "sip:" + host_port(server.address, server.port);
      hop.locate = proxy_spec(*uri, hop.policy.transport);
      hop.route_set = {*uri};
      hop.request_route_set = {*uri};
      hops.push_back(std::move(hop));
    }
    for (Hop& hop : hops) hop.locate.srv_udp_only = !account.srv_all_transports;
    return hops;
  }
  for (const config::ServerEntry& server : account.servers) {
    Hop hop;
    hop.index = hops.size();
    hop.policy = server;
    hop.uri = entry_uri(server);
    hop.registrar_uri = "sip:" + host_port(server.address, server.port);
    if (failover_pair) {
      hop.request_route_set = {proxies[std::min(hop.index, proxies.size() - 1)]};
    } else {
      hop.request_route_set = proxies;
    }
    if (!proxies.empty() && account.use_proxy_for_registration) {
      hop.route_set = proxies;
      hop.locate = proxy_spec(proxies.front(), server.transport);
    } else {
      hop.locate = spec_of(server.address, server.port, server.transport, false);
    }
    hops.push_back(std::move(hop));
  }
  for (Hop& hop : hops) hop.locate.srv_udp_only = !account.srv_all_transports;
  return hops;
}

sip::Target to_sip_target(const dns::ResolvedTarget& resolved) {
  sip::Target target;
  switch (resolved.transport) {
    case dns::Transport::udp:
      target.transport = sip::TransportKind::udp;
      break;
    case dns::Transport::tcp:
      target.transport = sip::TransportKind::tcp;
      break;
    case dns::Transport::tls:
      target.transport = sip::TransportKind::tls;
      break;
  }
  target.address = resolved.address;
  target.port = resolved.port;
  // RFC 5922 §4: the certificate names the configured domain, not the SRV target.
  if (resolved.transport == dns::Transport::tls) {
    target.server_name = resolved.domain.empty() ? resolved.host : resolved.domain;
  }
  return target;
}

std::string describe(const sip::Target& target) {
  std::string out = host_port(target.address, target.port) + "/";
  switch (target.transport) {
    case sip::TransportKind::udp:
      out += "udp";
      break;
    case sip::TransportKind::tcp:
      out += "tcp";
      break;
    case sip::TransportKind::tls:
      out += "tls";
      break;
  }
  return out;
}

std::vector<dns::ResolvedTarget> usable_targets(const std::vector<dns::ResolvedTarget>& targets,
                                                const HealthTable& health, runtime::TimePoint now) {
  std::vector<dns::ResolvedTarget> out;
  for (const dns::ResolvedTarget& t : targets) {
    if (health.usable(to_sip_target(t), now)) out.push_back(t);
  }
  return out;
}

}  // namespace sipline::reg
