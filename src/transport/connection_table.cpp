#include "transport/connection_table.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace sipline::transport {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

}  // namespace

std::size_t ConnectionKeyHash::operator()(const ConnectionKey& key) const noexcept {
  std::size_t h = std::hash<std::string>{}(key.address);
  const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(std::hash<std::string>{}(key.server_name));
  mix(static_cast<std::size_t>(key.port));
  mix(static_cast<std::size_t>(key.transport));
  return h;
}

std::string canonical_address(std::string_view address) {
  // inet_pton needs a terminated string; longer text cannot be an address.
  std::array<char, INET6_ADDRSTRLEN + 1> text{};
  if (address.empty() || address.size() >= text.size()) return lower(address);
  std::memcpy(text.data(), address.data(), address.size());

  in_addr v4{};
  if (::inet_pton(AF_INET, text.data(), &v4) == 1) {
    std::array<char, INET_ADDRSTRLEN> out{};
    if (::inet_ntop(AF_INET, &v4, out.data(), out.size()) != nullptr) return out.data();
    return lower(address);
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.data(), &v6) == 1) {
    std::array<char, INET6_ADDRSTRLEN> out{};
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      in_addr mapped{};
      std::memcpy(&mapped, &v6.s6_addr[12], sizeof mapped);
      if (::inet_ntop(AF_INET, &mapped, out.data(), out.size()) != nullptr) return out.data();
    } else if (::inet_ntop(AF_INET6, &v6, out.data(), out.size()) != nullptr) {
      return out.data();
    }
  }
  return lower(address);
}

ConnectionKey key_for(const sip::Target& target) {
  ConnectionKey key;
  key.transport = target.transport;
  key.address = canonical_address(target.address);
  key.port = target.port;
  if (target.transport == sip::TransportKind::tls) key.server_name = lower(target.server_name);
  return key;
}

ConnectionKey inbound_key(sip::TransportKind transport, std::string_view address,
                          std::uint16_t port) {
  return ConnectionKey{transport, canonical_address(address), port, {}};
}

}  // namespace sipline::transport
