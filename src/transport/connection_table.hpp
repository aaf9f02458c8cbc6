#pragma once
// The stream connection table: which TCP/TLS connection carries traffic to a
// target. Keyed by (transport, remote address, port, verified server name):
// a TLS connection verified for one SIP domain is never handed to another
// domain that happens to resolve to the same address (the CVE-2020-15260
// class), and inbound connections, which have no verified name, are found
// only by (transport, address, port) — the source a request came from.
//
// Pure bookkeeping, no sockets: the owner stores its connection handles here.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "sip/target.hpp"

namespace sipline::transport {

struct ConnectionKey {
  sip::TransportKind transport = sip::TransportKind::tcp;
  std::string address;  // canonical numeric form (see canonical_address)
  std::uint16_t port = 0;
  std::string server_name;  // lower-case; TLS outbound only

  bool operator==(const ConnectionKey&) const = default;
};

struct ConnectionKeyHash {
  std::size_t operator()(const ConnectionKey& key) const noexcept;
};

// One spelling per address: "::1" for "0:0::1", "192.0.2.1" for
// "::ffff:192.0.2.1" (what a dual-stack socket reports for IPv4 peers),
// lower-case hex. Text that is not a numeric address is only lower-cased.
std::string canonical_address(std::string_view address);

// The key a send to `target` uses. The server name counts only for TLS.
ConnectionKey key_for(const sip::Target& target);

// The key of an accepted connection from `address`:`port`.
ConnectionKey inbound_key(sip::TransportKind transport, std::string_view address,
                          std::uint16_t port);

template <class T>
class ConnectionTable {
 public:
  using Id = std::uint64_t;

  // Stores a connection under `key`. A newer connection with the same key
  // takes over the index; the older one stays stored (reachable by id) until
  // removed, so traffic in flight on it is not lost.
  Id add(const ConnectionKey& key, T value) {
    const Id id = next_id_++;
    entries_.emplace(id, Entry{key, std::move(value)});
    index_[key] = id;
    return id;
  }

  T* find(const ConnectionKey& key) {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : get(it->second);
  }

  T* get(Id id) {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.value;
  }

  const ConnectionKey* key_of(Id id) const {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.key;
  }

  // Removes the connection and every index entry that still points to it.
  bool remove(Id id) {
    if (entries_.erase(id) == 0) return false;
    std::erase_if(index_, [id](const auto& kv) { return kv.second == id; });
    return true;
  }

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

  // Calls fn(id, value) for every stored connection. `fn` must not add or
  // remove entries; collect ids first when closing.
  void for_each(const std::function<void(Id, T&)>& fn) {
    for (auto& [id, entry] : entries_) fn(id, entry.value);
  }

 private:
  struct Entry {
    ConnectionKey key;
    T value;
  };
  std::unordered_map<Id, Entry> entries_;
  std::unordered_map<ConnectionKey, Id, ConnectionKeyHash> index_;
  Id next_id_ = 1;
};

}  // namespace sipline::transport
