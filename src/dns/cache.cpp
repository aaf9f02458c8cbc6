#include "dns/cache.hpp"

#include <algorithm>
#include <array>

namespace sipline::dns {

std::uint32_t seconds_until(runtime::TimePoint until, runtime::TimePoint now) noexcept {
  if (until <= now) return 0;
  const auto left = until - now;
  const auto whole = std::chrono::ceil<std::chrono::seconds>(left).count();
  return whole > 0xffffffffLL ? 0xffffffffU : static_cast<std::uint32_t>(whole);
}

std::optional<DnsCache::Hit> DnsCache::hit(const Entry& entry, runtime::TimePoint now) const {
  if (now < entry.expires) {
    return Hit{&entry.answer, Freshness::fresh, seconds_until(entry.expires, now)};
  }
  if (now < entry.recheck_until) {
    return Hit{&entry.answer, Freshness::fresh, seconds_until(entry.recheck_until, now)};
  }
  if (now - entry.expires < options_.max_stale) return Hit{&entry.answer, Freshness::stale, 0};
  return std::nullopt;
}

std::optional<DnsCache::Hit> DnsCache::find(const Query& query, runtime::TimePoint now) {
  const Key key = key_of(query);
  if (const auto it = entries_.find(key); it != entries_.end()) {
    if (auto h = hit(it->second, now)) return h;
    entries_.erase(it);
  }
  static constexpr std::array types{RecordType::a, RecordType::aaaa, RecordType::srv,
                                    RecordType::naptr};
  for (const RecordType type : types) {
    if (type == query.type) continue;
    const auto it = entries_.find({key.first, type});
    if (it == entries_.end() || it->second.answer.status != Answer::Status::nxdomain) continue;
    auto h = hit(it->second, now);
    if (h && h->freshness == Freshness::fresh) return h;
  }
  return std::nullopt;
}

void DnsCache::store(const Query& query, Answer answer, runtime::TimePoint now) {
  const bool negative = !answer.positive();
  answer.ttl = std::min(answer.ttl, negative ? options_.max_negative_ttl : options_.max_ttl);
  const Key key = key_of(query);
  if (negative && answer.ttl == 0) {
    entries_.erase(key);
    return;
  }
  if (entries_.find(key) == entries_.end()) make_room(now);
  const auto expires = now + std::chrono::seconds(answer.ttl);
  entries_.insert_or_assign(key, Entry{std::move(answer), expires, expires});
}

std::optional<DnsCache::Hit> DnsCache::serve_stale(const Query& query, runtime::TimePoint now) {
  const auto it = entries_.find(key_of(query));
  if (it == entries_.end()) return std::nullopt;
  Entry& entry = it->second;
  if (now - entry.expires >= options_.max_stale) {
    entries_.erase(it);
    return std::nullopt;
  }
  entry.recheck_until =
      std::max(entry.recheck_until, now + std::chrono::seconds(options_.stale_ttl));
  return Hit{&entry.answer, Freshness::stale, seconds_until(entry.recheck_until, now)};
}

void DnsCache::make_room(runtime::TimePoint now) {
  if (options_.max_entries == 0) return;
  if (entries_.size() < options_.max_entries) return;
  std::erase_if(entries_, [&](const auto& kv) {
    return now >= kv.second.recheck_until && now - kv.second.expires >= options_.max_stale;
  });
  // Bounded: each round removes one entry.
  while (!entries_.empty() && entries_.size() >= options_.max_entries) {
    const auto soonest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    entries_.erase(soonest);
  }
}

}  // namespace sipline::dns
