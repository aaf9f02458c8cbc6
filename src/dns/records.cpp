#include "dns/records.hpp"

namespace sipline::dns {

std::string_view to_string(Transport transport) noexcept {
  switch (transport) {
    case Transport::udp:
      return "udp";
    case Transport::tcp:
      return "tcp";
    case Transport::tls:
      return "tls";
  }
  return "udp";
}

std::string_view to_string(Family family) noexcept {
  return family == Family::ipv6 ? "ipv6" : "ipv4";
}

std::string_view to_string(RecordType type) noexcept {
  switch (type) {
    case RecordType::a:
      return "A";
    case RecordType::aaaa:
      return "AAAA";
    case RecordType::srv:
      return "SRV";
    case RecordType::naptr:
      return "NAPTR";
  }
  return "A";
}

std::uint16_t type_code(RecordType type) noexcept {
  switch (type) {
    case RecordType::a:
      return 1;
    case RecordType::aaaa:
      return 28;
    case RecordType::srv:
      return 33;
    case RecordType::naptr:
      return 35;
  }
  return 1;
}

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_valid_domain_name(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label != 0;
}

}  // namespace sipline::dns
