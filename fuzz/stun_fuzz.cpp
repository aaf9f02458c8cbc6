// The STUN decoder reads datagrams from the network (every UDP datagram
// whose first byte is 0-3 reaches it). It must never crash, and whatever it
// accepts must be self-consistent: a Binding request it encodes decodes back
// to the same transaction, and an accepted message's length adds up.

#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/stun_codec.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace stun = sipline::transport::stun;
  const std::span<const std::uint8_t> bytes(data, size);
  auto decoded = stun::decode(bytes);
  if (decoded) {
    check(size >= stun::header_size && size % 4 == 0);
    if (decoded->mapped) check(!decoded->mapped->address.empty());
  }
  if (size >= 12) {
    stun::TransactionId id{};
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = data[i];
    const auto request = stun::binding_request(id);
    auto round = stun::decode(request);
    check(round.has_value());
    check(round->transaction == id);
    check(round->message_class == stun::Class::request);
    check(round->method == stun::binding_method);
  }
  return 0;
}
