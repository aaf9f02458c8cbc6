#pragma once
// A dns::Locator for servers given as IP literals (RFC 3263 §4.1, §4.2: a
// numeric host needs no DNS; the transport defaults to UDP, TLS for SIPS, and
// the port to the transport's default). A host name is reported as a DNS
// failure. Used when no resolver is configured, and by tests.

#include <cstdint>
#include <map>

#include "dns/locator.hpp"
#include "runtime/clock.hpp"

namespace sipline::ua {

class LiteralLocator final : public dns::Locator {
 public:
  explicit LiteralLocator(runtime::TimerService& timers) : timers_(timers) {}
  ~LiteralLocator() override = default;

  [[nodiscard]] dns::Lookup locate(const dns::ServerSpec& spec, Callback callback) override;

  // The answer locate() gives, computed at once.
  static Result<std::vector<dns::ResolvedTarget>> resolve(const dns::ServerSpec& spec);

 private:
  void cancel_operation(std::uint64_t id) noexcept override { pending_.erase(id); }
  bool operation_pending(std::uint64_t id) const noexcept override { return pending_.contains(id); }

  runtime::TimerService& timers_;
  std::map<std::uint64_t, runtime::Timer> pending_;
  std::uint64_t next_id_ = 1;
};

}  // namespace sipline::ua
