#pragma once
// A dns::Locator with scripted answers for the redundancy scenarios. Each
// host maps to a list of targets (or an error); a host with no script that
// is an IP literal resolves to itself with the spec's port and transport, as
// RFC 3263 §4.2 does without DNS. Answers arrive from a zero-delay timer,
// never from inside locate().

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dns/locator.hpp"
#include "runtime/clock.hpp"

namespace sipline::reg::testing {

class FakeLocator final : public dns::Locator {
 public:
  explicit FakeLocator(runtime::TimerService& timers) : timers_(timers) {}
  ~FakeLocator() override = default;

  void set(const std::string& host, std::vector<dns::ResolvedTarget> targets) {
    answers_.insert_or_assign(host, std::move(targets));
  }
  void fail(const std::string& host) {
    answers_.insert_or_assign(host, std::vector<dns::ResolvedTarget>{});
  }
  // The A-record TTL reported for a literal host (DNSTTL failback).
  void set_ttl(const std::string& host, std::uint32_t ttl) { ttls_[host] = ttl; }
  std::size_t lookups() const { return lookups_; }

  [[nodiscard]] dns::Lookup locate(const dns::ServerSpec& spec, Callback callback) override {
    ++lookups_;
    const std::uint64_t id = next_id_++;
    Result<std::vector<dns::ResolvedTarget>> result = answer(spec);
    pending_[id] = timers_.start(runtime::Duration::zero(),
                                 [this, id, cb = std::move(callback), result]() mutable {
                                   pending_.erase(id);
                                   cb(std::move(result));
                                 });
    return make_lookup(id);
  }

 private:
  Result<std::vector<dns::ResolvedTarget>> answer(const dns::ServerSpec& spec) const {
    auto it = answers_.find(spec.host);
    if (it != answers_.end()) {
      if (it->second.empty()) return fail_result(spec.host);
      return it->second;
    }
    dns::ResolvedTarget t;
    t.transport = spec.transport.value_or(dns::Transport::udp);
    t.address = spec.host;
    t.port = spec.port.value_or(dns::default_port(t.transport));
    t.host = spec.host;
    auto ttl = ttls_.find(spec.host);
    if (ttl != ttls_.end()) t.address_ttl = ttl->second;
    return std::vector<dns::ResolvedTarget>{t};
  }
  static Result<std::vector<dns::ResolvedTarget>> fail_result(const std::string& host) {
    return sipline::fail(Errc::not_found, host + ": no address");
  }
  void cancel_operation(std::uint64_t id) noexcept override { pending_.erase(id); }
  bool operation_pending(std::uint64_t id) const noexcept override {
    return pending_.count(id) != 0;
  }

  runtime::TimerService& timers_;
  std::map<std::string, std::vector<dns::ResolvedTarget>> answers_;
  std::map<std::string, std::uint32_t> ttls_;
  std::map<std::uint64_t, runtime::Timer> pending_;
  std::uint64_t next_id_ = 1;
  std::size_t lookups_ = 0;
};

}  // namespace sipline::reg::testing
