#pragma once
// The production dns::Resolver: c-ares for the DNS protocol, driven by our
// event loop. c-ares tells us which sockets it wants watched
// (ARES_OPT_SOCK_STATE_CB); the loop watches them and hands readiness back
// (ares_process_fd), and c-ares' retransmission deadline (ares_timeout) runs
// on a loop timer. No thread, no blocking call.
//
// c-ares parses the record data; the TTLs it does not report (SRV, NAPTR,
// and the SOA of a negative answer, RFC 2308 §5) come from
// dns::summarize_response over the same response bytes.

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dns/resolver.hpp"
#include "runtime/event_loop.hpp"

namespace sipline::transport {

struct CaresOptions {
  // DNS servers as "address", "address:port" or "[IPv6]:port". Empty: the
  // system's configuration (/etc/resolv.conf).
  std::vector<std::string> servers;
  // Time to wait for one try, and tries per server (c-ares doubles the
  // timeout on each round of retries).
  std::chrono::milliseconds timeout{2000};
  int tries = 2;
};

class CaresResolver final : public dns::Resolver {
 public:
  // Fails with Errc::malformed for a bad server entry and Errc::io when
  // c-ares cannot be set up.
  static Result<std::unique_ptr<CaresResolver>> create(runtime::EventLoop& loop,
                                                       const CaresOptions& options = {});
  ~CaresResolver() override;
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  [[nodiscard]] dns::Lookup resolve(const dns::Query& query, Callback callback) override;

  // Sockets c-ares currently has the loop watch (for tests and diagnostics).
  std::size_t watched_sockets() const noexcept;

  struct Impl;

 private:
  explicit CaresResolver(std::unique_ptr<Impl> impl);
  void cancel_operation(std::uint64_t id) noexcept override;
  bool operation_pending(std::uint64_t id) const noexcept override;

  std::unique_ptr<Impl> impl_;
};

// "address[:port]" or "[IPv6]:port" into the form c-ares takes; exposed for
// tests. Fails with Errc::malformed.
Result<std::string> cares_server_entry(const std::string& text);

// One response as the resolver hands it on: c-ares' status for the query
// (0 = ARES_SUCCESS) and the response bytes, read as an answer of `type`.
// Exposed for the fuzz target and tests; never trusts the bytes.
Result<dns::Answer> answer_from_response(int ares_status, std::span<const std::uint8_t> response,
                                         dns::RecordType type);

}  // namespace sipline::transport
