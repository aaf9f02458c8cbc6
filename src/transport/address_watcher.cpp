#include "transport/address_watcher.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace sipline::transport {

struct AddressWatcher::State {
  asio::posix::stream_descriptor socket;
  std::function<void()> changed;
  std::vector<std::uint8_t> buffer;
  bool closed = false;  // set by the destructor: no callback after it
};

namespace {

// rtnetlink(7): the groups for address, route and link notifications.
constexpr std::uint32_t watched_groups =
    RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_LINK;
// netlink(7) advises 8 KiB. Most notifications fit in NLMSG_GOODSIZE (a page
// or 8 KiB); a link with many attributes may not, see drain().
constexpr std::size_t datagram_size = 32768;
// Datagrams read per wake-up before yielding to the rest of the loop; the
// socket stays readable, so the rest comes on the next wake-up.
constexpr int max_batch = 256;

bool is_change(std::uint16_t type) {
  switch (type) {
    case RTM_NEWADDR:
    case RTM_DELADDR:
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
    case RTM_NEWLINK:
    case RTM_DELLINK:
      return true;
    default:
      return false;
  }
}

// Reads every pending datagram. Returns false when the socket is unusable
// (then the watcher stops, rather than spin on a descriptor that stays
// readable).
bool drain(int fd, std::vector<std::uint8_t>& buffer, bool& changed) {
  for (int i = 0; i < max_batch; ++i) {
    sockaddr_nl from{};
    socklen_t from_size = sizeof from;
    const ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &from_size);
    if (n < 0) {
      switch (errno) {
        case EINTR:
          continue;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return true;
        case ENOBUFS:
          // netlink(7): the receive queue overran and notifications were
          // lost; what they said is unknown, so assume a change.
          changed = true;
          continue;
        case EBADF:
        case ENOTSOCK:
        case EINVAL:
        case EFAULT:
          return false;
        default:
          // Transient (ENOMEM...): the error is consumed; keep waiting.
          return true;
      }
    }
    // Only the kernel (port 0) speaks for the host's addresses; netlink(7)
    // lets some processes send to our port too.
    if (from.nl_family != AF_NETLINK || from.nl_pid != 0) continue;
    const auto size = static_cast<std::size_t>(n);
    // With MSG_TRUNC, n is the datagram's real size (netlink(7)): a kernel
    // notification larger than the buffer is cut and cannot be classified;
    // on these groups it is a change anyway.
    changed = changed || size > buffer.size() ||
              holds_address_change(std::span<const std::uint8_t>(buffer.data(), size));
  }
  return true;
}

}  // namespace

bool holds_address_change(std::span<const std::uint8_t> datagram) noexcept {
  // netlink(7): a datagram is a sequence of messages, each an nlmsghdr whose
  // nlmsg_len counts the header, padded to NLMSG_ALIGNTO. The header is
  // copied out, since the bytes need not be aligned; this is the check of
  // NLMSG_OK/NLMSG_NEXT without their pointer arithmetic.
  std::size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr header{};
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    const std::size_t length = header.nlmsg_len;
    if (length < sizeof(nlmsghdr) || length > datagram.size() - offset) return false;
    if (header.nlmsg_type == NLMSG_DONE) return false;
    if (is_change(header.nlmsg_type)) return true;
    const std::size_t padded = NLMSG_ALIGN(length);
    if (padded >= datagram.size() - offset) return false;
    offset += padded;
  }
  return false;
}

Result<std::unique_ptr<AddressWatcher>> AddressWatcher::start(asio::io_context& io,
                                                              std::function<void()> changed) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return fail(Errc::io, std::string("netlink socket: ") + std::strerror(errno));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = watched_groups;  // nl_pid 0: the kernel assigns the port
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    const int error = errno;
    ::close(fd);
    return fail(Errc::io, std::string("netlink bind: ") + std::strerror(error));
  }
  auto state = std::make_shared<State>(
      State{asio::posix::stream_descriptor(io), std::move(changed), {}, false});
  asio::error_code error;
  state->socket.assign(fd, error);  // registers with the reactor; may fail
  if (error) {
    ::close(fd);
    return fail(Errc::io, "netlink socket: " + error.message());
  }
  state->buffer.resize(datagram_size);
  wait(state);
  return std::unique_ptr<AddressWatcher>(new AddressWatcher(std::move(state)));
}

AddressWatcher::AddressWatcher(std::shared_ptr<State> state) : state_(std::move(state)) {}

AddressWatcher::~AddressWatcher() {
  // A wait that already completed may sit in the io_context's queue, where
  // closing cannot recall it; it owns the state and sees `closed`.
  state_->closed = true;
  asio::error_code ignored;
  state_->socket.close(ignored);
}

void AddressWatcher::wait(const std::shared_ptr<State>& state) {
  state->socket.async_wait(
      asio::posix::stream_descriptor::wait_read, [state](const asio::error_code& error) {
        if (state->closed || error) return;
        bool changed = false;
        const bool usable = drain(state->socket.native_handle(), state->buffer, changed);
        if (changed) {
          // This handler owns the state, so `changed` may destroy the watcher.
          state->changed();
          if (state->closed) return;
        }
        if (usable) wait(state);
      });
}

std::vector<std::string> host_addresses() {
  std::vector<std::string> addresses;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return addresses;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* raw = nullptr;
    if (entry->ifa_addr->sa_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr;
    }
    if (raw != nullptr &&
        ::inet_ntop(entry->ifa_addr->sa_family, raw, text.data(), text.size()) != nullptr) {
      addresses.emplace_back(text.data());
    }
  }
  ::freeifaddrs(list);
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  return addresses;
}

}  // namespace sipline::transport
