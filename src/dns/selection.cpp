#include "dns/selection.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "dns/ip_literal.hpp"

namespace sipline::dns {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool supports(std::span<const Transport> transports, Transport t) noexcept {
  return std::find(transports.begin(), transports.end(), t) != transports.end();
}

// A host to ask addresses for, with what the SRV record (or the defaults)
// said about it.
struct HostPlan {
  std::string name;
  std::uint16_t port = 0;
  Transport transport = Transport::udp;
  std::uint16_t priority = 0;
};

std::vector<Family> family_order(FamilyPolicy policy) {
  switch (policy) {
    case FamilyPolicy::prefer_ipv4:
      return {Family::ipv4, Family::ipv6};
    case FamilyPolicy::prefer_ipv6:
      return {Family::ipv6, Family::ipv4};
    case FamilyPolicy::ipv4_only:
      return {Family::ipv4};
    case FamilyPolicy::ipv6_only:
      return {Family::ipv6};
  }
  return {Family::ipv4};
}

bool family_allowed(FamilyPolicy policy, Family family) noexcept {
  if (policy == FamilyPolicy::ipv4_only) return family == Family::ipv4;
  if (policy == FamilyPolicy::ipv6_only) return family == Family::ipv6;
  return true;
}

// Collects the outcome, keeping the question list and the target list free
// of repeats.
class Collector {
 public:
  Collector(const SelectionOptions& options, const AnswerSource& answers)
      : options_(options), answers_(answers) {}

  // Looks `query` up; notes it as missing or failed.
  const Answer* get(const Query& query, std::uint32_t* remaining_ttl = nullptr) {
    const AnswerView view = answers_(query);
    switch (view.state) {
      case AnswerView::State::missing:
        if (std::find(out.missing.begin(), out.missing.end(), query) == out.missing.end()) {
          out.missing.push_back(query);
        }
        return nullptr;
      case AnswerView::State::failed:
        out.had_failure = true;
        return nullptr;
      case AnswerView::State::answered:
        if (remaining_ttl != nullptr) *remaining_ttl = view.remaining_ttl;
        return view.answer;
    }
    return nullptr;
  }

  bool answered_or_failed(const Query& query) const {
    return answers_(query).state != AnswerView::State::missing;
  }

  void add(ResolvedTarget target) {
    if (out.targets.size() >= options_.max_targets) return;
    const auto same = [&](const ResolvedTarget& t) {
      return t.transport == target.transport && t.address == target.address &&
             t.port == target.port;
    };
    if (std::none_of(out.targets.begin(), out.targets.end(), same)) {
      out.targets.push_back(std::move(target));
    }
  }

  SelectionOutcome out;

 private:
  const SelectionOptions& options_;
  const AnswerSource& answers_;
};

void resolve_hosts(const std::vector<HostPlan>& hosts, const std::string& domain,
                   const SelectionOptions& options, Collector& c) {
  const std::vector<Family> families = family_order(options.families);
  std::size_t count = 0;
  for (const HostPlan& host : hosts) {
    if (++count > options.max_hosts) break;
    // Some zones name an address as the SRV target; take it as it is.
    if (const auto literal = parse_ip_literal(host.name)) {
      if (family_allowed(options.families, literal->family)) {
        c.add({host.transport, to_string(*literal), literal->family, host.port, host.name,
               host.priority, 0, domain});
      }
      continue;
    }
    for (const Family family : families) {
      std::uint32_t ttl = 0;
      const Query q{host.name, family == Family::ipv4 ? RecordType::a : RecordType::aaaa};
      const Answer* answer = c.get(q, &ttl);
      if (answer == nullptr || !answer->positive()) continue;
      for (const AddressRecord& record : answer->addresses) {
        // Canonical spelling, so the same address compares equal wherever it
        // came from.
        const auto ip = parse_ip_literal(record.address);
        if (!ip || ip->family != family) continue;
        c.add({host.transport, to_string(*ip), family, host.port, host.name, host.priority, ttl,
               domain});
      }
    }
  }
}

}  // namespace

std::uint64_t SeededRandom::next() noexcept {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t SeededRandom::up_to(std::uint64_t bound) noexcept {
  // The modulo bias is below 2^-40 for the sums of 16-bit weights used here.
  return next() % (bound + 1);
}

std::vector<SrvRecord> order_srv(std::span<const SrvRecord> records, SeededRandom& random) {
  std::vector<SrvRecord> sorted(records.begin(), records.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(sorted.size());
  auto group_begin = sorted.begin();
  while (group_begin != sorted.end()) {
    const auto group_end = std::find_if(group_begin, sorted.end(), [&](const SrvRecord& r) {
      return r.priority != group_begin->priority;
    });
    // RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any
    // order, except that all those with weight 0 are placed at the
    // beginning of the list".
    std::vector<SrvRecord> group(group_begin, group_end);
    std::stable_partition(group.begin(), group.end(),
                          [](const SrvRecord& r) { return r.weight == 0; });
    while (!group.empty()) {
      std::uint64_t sum = 0;
      for (const SrvRecord& r : group) sum += r.weight;
      const std::uint64_t pick = random.up_to(sum);
      std::uint64_t running = 0;
      std::size_t chosen = group.size() - 1;
      for (std::size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    group_begin = group_end;
  }
  return out;
}

std::string service_name(Transport transport, std::string_view domain) {
  std::string prefix;
  switch (transport) {
    case Transport::udp:
      prefix = "_sip._udp.";
      break;
    case Transport::tcp:
      prefix = "_sip._tcp.";
      break;
    case Transport::tls:
      prefix = "_sips._tcp.";
      break;
  }
  return prefix + normalize_name(domain);
}

std::vector<ServiceQuery> services_from_naptr(std::span<const NaptrRecord> records, bool sips,
                                              std::span<const Transport> transports,
                                              std::size_t limit) {
  struct Usable {
    const NaptrRecord* record;
    Transport transport;
  };
  std::vector<Usable> usable;
  for (const NaptrRecord& r : records) {
    if (usable.size() >= limit) break;
    // RFC 3263 §4.1: SIP resolution uses the replacement of "s" records; a
    // record with a regexp or another flag is not one we understand.
    if (!equals_ignoring_case(r.flags, "s") || !r.regexp.empty()) continue;
    if (r.replacement.empty() || r.replacement == ".") continue;
    Transport t;
    if (equals_ignoring_case(r.service, "SIP+D2U")) {
      t = Transport::udp;
    } else if (equals_ignoring_case(r.service, "SIP+D2T")) {
      t = Transport::tcp;
    } else if (equals_ignoring_case(r.service, "SIPS+D2T")) {
      t = Transport::tls;
    } else {
      continue;
    }
    if (sips && t != Transport::tls) continue;  // §4.1: a SIPS URI needs TLS
    if (!supports(transports, t)) continue;
    usable.push_back({&r, t});
  }
  std::stable_sort(usable.begin(), usable.end(), [](const Usable& a, const Usable& b) {
    if (a.record->order != b.record->order) return a.record->order < b.record->order;
    return a.record->preference < b.record->preference;
  });
  std::vector<ServiceQuery> out;
  for (const Usable& u : usable) {
    ServiceQuery q{u.transport, normalize_name(u.record->replacement)};
    if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(std::move(q));
  }
  return out;
}

std::vector<ServiceQuery> services_without_naptr(std::string_view domain, bool sips,
                                                 std::span<const Transport> transports) {
  std::vector<ServiceQuery> out;
  for (const Transport t : transports) {
    if (sips && t != Transport::tls) continue;
    ServiceQuery q{t, service_name(t, domain)};
    if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(std::move(q));
  }
  return out;
}

SelectionOutcome select_targets(const ServerSpec& spec, const SelectionOptions& options,
                                const AnswerSource& answers, std::uint64_t seed) {
  Collector c(options, answers);
  // §4.1: with a transport given, or for an IP literal or an explicit port,
  // the transport is fixed: the one given, else UDP for sip and TLS for sips.
  const Transport fixed = spec.sips ? Transport::tls : spec.transport.value_or(Transport::udp);

  if (const auto literal = parse_ip_literal(spec.host)) {
    const std::uint16_t port = spec.port.value_or(default_port(fixed));
    c.add({fixed, to_string(*literal), literal->family, port, to_string(*literal), 0, 0, {}});
    return std::move(c.out);
  }
  if (!is_valid_domain_name(spec.host)) {
    c.out.invalid_name = true;
    return std::move(c.out);
  }
  const std::string domain = normalize_name(spec.host);

  // §4.2: an explicit port means addresses only. Yealink DNS-NAPTR ignores
  // the port and always starts at NAPTR.
  if (spec.port && !spec.force_naptr) {
    resolve_hosts({{domain, *spec.port, fixed, 0}}, domain, options, c);
    return std::move(c.out);
  }

  std::vector<ServiceQuery> services;
  Transport fallback = fixed;
  if ((spec.transport || spec.sips) && !spec.force_naptr) {
    // §4.1: a transport given explicitly skips NAPTR; SRV for that transport.
    services.push_back({fixed, service_name(fixed, domain)});
  } else {
    const Answer* naptr = c.get({domain, RecordType::naptr});
    if (!c.out.missing.empty()) return std::move(c.out);
    if (naptr != nullptr && naptr->positive()) {
      services =
          services_from_naptr(naptr->naptr, spec.sips, options.transports, options.max_naptr);
    }
    if (!services.empty()) {
      fallback = services.front().transport;
    } else {
      static constexpr Transport udp_only[] = {Transport::udp};
      const std::span<const Transport> allowed =
          spec.srv_udp_only && !spec.sips ? std::span<const Transport>(udp_only)
                                          : std::span<const Transport>(options.transports);
      services = services_without_naptr(domain, spec.sips, allowed);
    }
  }

  SeededRandom random(seed);
  std::vector<HostPlan> hosts;
  bool srv_found = false;  // some service had SRV records, "." included
  bool srv_pending = false;
  for (const ServiceQuery& service : services) {
    const Query q{service.name, RecordType::srv};
    if (!c.answered_or_failed(q)) srv_pending = true;
    const Answer* answer = c.get(q);
    if (answer == nullptr || !answer->positive() || answer->srv.empty()) continue;
    srv_found = true;
    const std::size_t n = std::min(answer->srv.size(), options.max_srv_per_service);
    for (const SrvRecord& r : order_srv(std::span(answer->srv).first(n), random)) {
      // RFC 2782: a single "." target says the service is decidedly not
      // available at this domain; no address lookup follows.
      if (r.target.empty() || r.target == ".") continue;
      hosts.push_back({normalize_name(r.target), r.port, service.transport, r.priority});
    }
  }
  if (srv_pending) {
    // Ask the address questions already known in the same round.
    resolve_hosts(hosts, domain, options, c);
    return std::move(c.out);
  }
  if (!srv_found) {
    // §4.2: no SRV records: the domain's own addresses, default port.
    hosts.push_back({domain, default_port(fallback), fallback, 0});
  }
  resolve_hosts(hosts, domain, options, c);
  return std::move(c.out);
}

Result<std::vector<ResolvedTarget>> finish(const SelectionOutcome& outcome,
                                           const ServerSpec& spec) {
  if (!outcome.missing.empty()) {
    return fail(Errc::invalid_state, "server location of " + spec.host + " is not complete");
  }
  if (outcome.invalid_name) return fail(Errc::malformed, "not a host name: " + spec.host);
  if (!outcome.targets.empty()) return outcome.targets;
  if (outcome.had_failure) return fail(Errc::io, "DNS resolution failed for " + spec.host);
  return fail(Errc::not_found, "no SIP server found for " + spec.host);
}

}  // namespace sipline::dns
