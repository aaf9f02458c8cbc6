#pragma once
// Notices changes of the host's addresses and routes (DHCP renewal, Wi-Fi
// switch, VPN up or down) so that the UA can register again with a new
// Contact. Linux only: the kernel multicasts every change of an address,
// route or link to rtnetlink sockets bound to the matching groups
// (rtnetlink(7), netlink(7)).
//
// The watcher only says "something changed"; deciding whether it matters
// (compare host_addresses() before and after, debounce) is the caller's job.
// Notifications are frequent and not always relevant: IPv6 address lifetimes
// refreshed by router advertisements and wireless link events both arrive as
// changes.

#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace sipline::transport {

// Watches the host's IP addresses and routes through rtnetlink
// (RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR, RTMGRP_IPV4_ROUTE,
// RTMGRP_IPV6_ROUTE, RTMGRP_LINK) and calls `changed` on the io_context's
// thread once per batch of notifications read (the caller debounces).
// Destroying it closes the socket; `changed` is never called after that,
// and `changed` may destroy the watcher.
class AddressWatcher {
 public:
  static Result<std::unique_ptr<AddressWatcher>> start(asio::io_context& io,
                                                       std::function<void()> changed);
  ~AddressWatcher();
  AddressWatcher(const AddressWatcher&) = delete;
  AddressWatcher& operator=(const AddressWatcher&) = delete;

 private:
  struct State;
  explicit AddressWatcher(std::shared_ptr<State> state);
  static void wait(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

// Whether a datagram read from an rtnetlink socket holds at least one
// complete RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWLINK
// or RTM_DELLINK message. Reads only inside `datagram`, at any alignment;
// the walk stops at the first malformed or truncated header.
bool holds_address_change(std::span<const std::uint8_t> datagram) noexcept;

// The host's current unicast addresses (IPv4 and IPv6, loopback included),
// numeric text without a zone (inet_ntop), via getifaddrs; sorted, without
// duplicates, so that two calls compare with ==. Empty if getifaddrs fails.
std::vector<std::string> host_addresses();

}  // namespace sipline::transport
