#include "ua/network_monitor.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "runtime/asio_access.hpp"
#include "transport/address_watcher.hpp"

namespace sipline::ua {

NetworkMonitor::NetworkMonitor(runtime::EventLoop& loop, std::function<void()> changed)
    : loop_(loop), changed_(std::move(changed)), settle_(loop, [this] { changed_(); }) {}

NetworkMonitor::~NetworkMonitor() = default;

Result<void> NetworkMonitor::apply(const config::NetworkSettings& settings) {
  const runtime::Duration settle = std::chrono::milliseconds(settings.settle_ms);
  settle_.set_times(settle, std::max<runtime::Duration>(10 * settle, std::chrono::seconds(5)));
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
  settle_.notify();
}

}  // namespace sipline::ua
