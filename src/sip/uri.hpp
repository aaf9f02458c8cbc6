#pragma once
// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966; IPv6 per RFC 5118).
// A Uri is a set of views into text owned by someone else (usually a Message).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace sipline::sip {

// `other`: any other absoluteURI (RFC 3261 §25.1), which a message may carry
// in its Request-URI, From, To or Contact (RFC 4475 §3.3.2-3.3.4). parse_uri
// never produces it; the message parser keeps such a URI opaque, with only
// `raw` set, for the layers above to answer 416 or 400.
enum class UriScheme : std::uint8_t { sip, sips, tel, other };
enum class HostKind : std::uint8_t { hostname, ipv4, ipv6 };

// host[:port]. For IPv6 `host` is the address without the brackets.
struct HostPort {
  std::string_view host;
  HostKind kind = HostKind::hostname;
  std::optional<std::uint16_t> port;
};

struct Param {
  std::string_view name;
  // As written: %-escapes kept, a quoted-string keeps its quotes and
  // quoted-pairs. Empty when the parameter has no value.
  std::string_view value;
  bool has_value = false;
};

// A lazily iterated ";name[=value]" list. Constructed only from text that the
// grammar already validated, so iteration cannot fail. Linear whitespace
// around ';' and '=' (header parameters, RFC 3261 §25.1 SEMI / EQUAL) is
// skipped; ';' inside a quoted value does not split.
class ParamList {
 public:
  ParamList() = default;
  explicit ParamList(std::string_view raw) : raw_(raw) {}

  class iterator {
   public:
    using value_type = Param;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(std::string_view rest);
    const Param& operator*() const { return current_; }
    const Param* operator->() const { return &current_; }
    iterator& operator++();
    iterator operator++(int) {
      auto copy = *this;
      ++*this;
      return copy;
    }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.rest_.data() == b.rest_.data() && a.done_ == b.done_;
    }

   private:
    void load();
    std::string_view rest_;
    Param current_;
    bool done_ = true;
  };

  iterator begin() const { return iterator(raw_); }
  iterator end() const { return iterator(); }
  bool empty() const { return raw_.empty(); }
  std::size_t size() const;
  // Case-insensitive lookup by name (escapes of unreserved characters in a
  // name are decoded, RFC 3261 §19.1.4); a flag parameter yields an empty
  // view. The first parameter with the name wins.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  std::string_view raw() const { return raw_; }

 private:
  std::string_view raw_;  // starts with ';' or is empty
};

struct UriLimits {
  std::size_t max_length = 4096;
  std::size_t max_params = 64;  // uri-parameters; also applies to headers
};

struct Uri {
  UriScheme scheme = UriScheme::sip;
  std::string_view user;  // as written (may hold %-escapes); tel: the number
  std::optional<std::string_view> password;
  HostPort host_port;        // empty host for tel URIs
  ParamList params;          // uri-parameters (tel: its parameters)
  std::string_view headers;  // text after '?', without the '?'
  std::string_view raw;      // the whole URI as written

  std::optional<std::string_view> param(std::string_view name) const { return params.get(name); }
  std::string_view host() const { return host_port.host; }
  std::optional<std::uint16_t> port() const { return host_port.port; }
  // Lower-cased value of the transport parameter, or empty.
  std::string transport() const;
  bool loose_route() const { return params.has("lr"); }
};

// Parses a whole SIP, SIPS or tel URI; no surrounding whitespace or <>.
// Other schemes fail with Errc::unsupported. Does not allocate on success.
Result<Uri> parse_uri(std::string_view text, const UriLimits& limits = {});

// Equivalence per RFC 3261 §19.1.4 (and RFC 3966 §4 for tel).
bool uri_equivalent(const Uri& a, const Uri& b);

// %-decoding for comparison only; invalid escapes are kept as written.
std::string unescape(std::string_view text);

// Parses host[:port] (sent-by, URI hostport). Port 0 and ports above 65535
// fail with Errc::out_of_range.
Result<HostPort> parse_host_port(std::string_view text);

// Hosts equal case-insensitively, IP addresses compared as addresses
// ([::1] == [0:0::1]); a port present on one side only never matches
// (RFC 3261 §19.1.4).
bool host_port_equivalent(const HostPort& a, const HostPort& b);

// Validates header parameters: `text` is zero or more
// SEMI token [ EQUAL ( token / host / quoted-string ) ] (RFC 3261 §25.1
// generic-param), e.g. `;tag=1928301774;+sip.instance="<urn:...>"`.
// Leading/trailing whitespace is allowed. More than max_params parameters
// fail with Errc::limit_exceeded.
Result<ParamList> parse_header_params(std::string_view text, std::size_t max_params = 64);

}  // namespace sipline::sip
