#pragma once
// Follows the host's addresses and routes for the user agent: the kernel's
// notifications (transport::AddressWatcher) come in bursts (an interface
// going down withdraws its addresses and routes one message at a time, DHCP
// adds an address and then its routes), so they are coalesced until none has
// come for the settle time, and then `changed` runs once; a source that
// never falls quiet delays it by at most ten settle times (at least 5 s).

#include <functional>
#include <memory>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "runtime/event_loop.hpp"
#include "ua/quiet_period.hpp"

namespace sipline::transport {
class AddressWatcher;
}

namespace sipline::ua {

class NetworkMonitor {
 public:
  NetworkMonitor(runtime::EventLoop& loop, std::function<void()> changed);
  ~NetworkMonitor();
  NetworkMonitor(const NetworkMonitor&) = delete;
  NetworkMonitor& operator=(const NetworkMonitor&) = delete;

  // Watches with `settings` (again): starts the watcher when watching is
  // on and it is not running, stops it when off. An error (no rtnetlink in
  // this sandbox) leaves the monitor stopped; the caller reports it.
  Result<void> apply(const config::NetworkSettings& settings);
  void stop();
  bool watching() const noexcept { return watcher_ != nullptr; }

 private:
  void notified();

  runtime::EventLoop& loop_;
  std::function<void()> changed_;
  std::unique_ptr<transport::AddressWatcher> watcher_;
  QuietPeriod settle_;
};

}  // namespace sipline::ua
