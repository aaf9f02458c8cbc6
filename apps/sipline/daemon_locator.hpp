#pragma once
// Server location for the daemon: RFC 3263 through the caching locator over
// c-ares, or IP literals only when the resolver cannot be set up.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/locator.hpp"
#include "runtime/event_loop.hpp"

namespace sipline::app {

// `servers`: "addr[:port]" entries; empty means /etc/resolv.conf. `warn`
// hears why the fallback was taken.
std::unique_ptr<dns::Locator> make_daemon_locator(
    runtime::EventLoop& loop, const std::vector<std::string>& servers,
    const std::function<void(std::string_view)>& warn);

}  // namespace sipline::app
