#include "ua/network_monitor.hpp"

#include <chrono>
#include <utility>

#include "runtime/asio_access.hpp"
#include "transport/address_watcher.hpp"

namespace sipline::ua {

NetworkMonitor::NetworkMonitor(runtime::EventLoop& loop, std::function<void()> changed)
    : loop_(loop), changed_(std::move(changed)) {}

NetworkMonitor::~NetworkMonitor() = default;

Result<void> NetworkMonitor::apply(const config::NetworkSettings& settings) {
  settle_time_ = std::chrono::milliseconds(settings.settle_ms);
  if (!settings.watch) {
    stop();
    return ok();
  }
  if (watcher_) return ok();
  auto watcher =
      transport::AddressWatcher::start(runtime::io_context_of(loop_), [this] { notified(); });
  if (!watcher) return watcher.error();
  watcher_ = std::move(*watcher);
  return ok();
}

void NetworkMonitor::stop() {
  watcher_.reset();
  settle_.cancel();
}

void NetworkMonitor::notified() {
  // Each notification restarts the wait: act once the burst is over.
  settle_ = loop_.start(settle_time_, [this] { changed_(); });
}

}  // namespace sipline::ua
