#pragma once
// The DNS vocabulary of SIP server location (RFC 3263): the record types it
// asks for, their data, and one answer as the cache and the selection see it.
// Plain values; no I/O.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipline::dns {

// The SIP transports DNS can select (RFC 3263 §4.1). TLS here is TLS over
// TCP, the "SIPS+D2T" service.
enum class Transport : std::uint8_t { udp, tcp, tls };

enum class Family : std::uint8_t { ipv4, ipv6 };

enum class RecordType : std::uint8_t { a, aaaa, srv, naptr };

std::string_view to_string(Transport transport) noexcept;
std::string_view to_string(Family family) noexcept;
std::string_view to_string(RecordType type) noexcept;

// The DNS TYPE code (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 3403).
std::uint16_t type_code(RecordType type) noexcept;

// The default port of a transport (RFC 3261 §19.1.2).
constexpr std::uint16_t default_port(Transport transport) noexcept {
  return transport == Transport::tls ? 5061 : 5060;
}

struct AddressRecord {
  std::string address;  // numeric, IPv6 without brackets
  Family family = Family::ipv4;
  std::uint32_t ttl = 0;  // seconds, as received
  bool operator==(const AddressRecord&) const = default;
};

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // host name; "." means "no service here" (RFC 2782)
  bool operator==(const SrvRecord&) const = default;
};

struct NaptrRecord {
  std::uint16_t order = 0;
  std::uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;
  bool operator==(const NaptrRecord&) const = default;
};

// A question. `name` is compared case-insensitively and without a trailing
// dot; normalize_name() gives the canonical spelling used as a key.
struct Query {
  std::string name;
  RecordType type = RecordType::a;
  bool operator==(const Query&) const = default;
};

// What the DNS said about one question. A negative answer (RFC 2308) is an
// answer too, with its own lifetime; a resolver failure (timeout, SERVFAIL,
// REFUSED) is not an answer and travels as an error instead.
struct Answer {
  enum class Status : std::uint8_t {
    ok,        // records of the type asked for
    nxdomain,  // the name does not exist (RFC 2308 §2.1)
    nodata,    // the name exists, but has no record of this type (§2.2)
  };
  Status status = Status::ok;
  RecordType type = RecordType::a;
  // Seconds the answer may be used: the smallest TTL of the records, or for a
  // negative answer the SOA-derived negative TTL (RFC 2308 §5).
  std::uint32_t ttl = 0;
  std::vector<AddressRecord> addresses;  // a, aaaa
  std::vector<SrvRecord> srv;            // srv
  std::vector<NaptrRecord> naptr;        // naptr

  bool positive() const noexcept { return status == Status::ok; }
  bool operator==(const Answer&) const = default;
};

// Lower-case ASCII, no trailing dot. DNS names compare without regard to
// ASCII case (RFC 4343).
std::string normalize_name(std::string_view name);

// True for a name that can be asked: dot-separated labels of 1-63 octets,
// 253 octets in all, an optional trailing dot, and no byte a resolver would
// have to escape (letters, digits, '-', '_' only, as SRV owner names need).
bool is_valid_domain_name(std::string_view name) noexcept;

}  // namespace sipline::dns
