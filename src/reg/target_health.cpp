#include "reg/target_health.hpp"

#include <algorithm>
#include <chrono>

namespace sipline::reg {
namespace {

// Entries are few (servers x addresses); a bound keeps a long-lived account
// with ever-changing DNS answers from growing the table without limit.
constexpr std::size_t kMaxEntries = 64;

bool same(const sip::Target& a, const sip::Target& b) {
  return a.transport == b.transport && a.address == b.address && a.port == b.port;
}

}  // namespace

bool is_target_failure(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::timeout:
    case FailureKind::refused:
    case FailureKind::unreachable:
    case FailureKind::connection_reset:
    case FailureKind::tls_failure:
    case FailureKind::service_unavailable:
    case FailureKind::keepalive_lost:
    case FailureKind::dns_failure:
      return true;
    case FailureKind::none:
    case FailureKind::server_error:
    case FailureKind::auth_rejected:
    case FailureKind::not_found:
      return false;
  }
  return false;
}

void HealthTable::report_failure(const sip::Target& target, FailureKind kind,
                                 std::uint32_t retry_after, runtime::TimePoint now) {
  if (!is_target_failure(kind)) {
    report_success(target);
    return;
  }
  HealthEntry entry;
  entry.target = target;
  entry.failure = kind;
  if (kind == FailureKind::service_unavailable && retry_after > 0) {
    entry.state = TargetHealth::blacklisted;
    entry.until = now + std::chrono::seconds(retry_after);
  } else {
    entry.state = TargetHealth::greylisted;
    entry.until = now + greylist_;
  }
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const HealthEntry& e) { return same(e.target, target); });
  if (it != entries_.end()) {
    // A blacklist is never shortened by a later, weaker signal.
    if (it->state == TargetHealth::blacklisted && it->until > entry.until) return;
    *it = std::move(entry);
    return;
  }
  std::erase_if(entries_, [now](const HealthEntry& e) { return e.until <= now; });
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.push_back(std::move(entry));
}

void HealthTable::report_success(const sip::Target& target) {
  std::erase_if(entries_, [&](const HealthEntry& e) { return same(e.target, target); });
}

const HealthEntry* HealthTable::find(const sip::Target& target, runtime::TimePoint now) const {
  for (const HealthEntry& e : entries_) {
    if (same(e.target, target) && e.until > now) return &e;
  }
  return nullptr;
}

bool HealthTable::usable(const sip::Target& target, runtime::TimePoint now) const {
  return find(target, now) == nullptr;
}

TargetHealth HealthTable::state(const sip::Target& target, runtime::TimePoint now) const {
  const HealthEntry* e = find(target, now);
  return e != nullptr ? e->state : TargetHealth::ok;
}

std::optional<runtime::TimePoint> HealthTable::usable_at(const sip::Target& target,
                                                         runtime::TimePoint now) const {
  const HealthEntry* e = find(target, now);
  if (e == nullptr) return std::nullopt;
  return e->until;
}

std::string HealthTable::describe(const sip::Target& target, runtime::TimePoint now) const {
  const HealthEntry* e = find(target, now);
  if (e == nullptr) return "ok";
  const auto left = std::chrono::ceil<std::chrono::seconds>(e->until - now).count();
  std::string out = e->state == TargetHealth::blacklisted ? "blacklisted (" : "greylisted (";
  out +=
      e->failure == FailureKind::service_unavailable ? "503" : std::string(to_string(e->failure));
  out += ") for " + std::to_string(left) + " s";
  return out;
}

}  // namespace sipline::reg
