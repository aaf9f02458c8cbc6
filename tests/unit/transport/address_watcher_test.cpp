// The rtnetlink datagram classifier of AddressWatcher on built messages:
// which message types count as a change, and that malformed or truncated
// datagrams are refused without reading past their end.

#include "transport/address_watcher.hpp"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

namespace sipline::transport {
namespace {

// Appends one message: an nlmsghdr of `type` and `payload` bytes of body,
// padded to NLMSG_ALIGNTO as the kernel does (netlink(7)).
void append(std::vector<std::uint8_t>& out, std::uint16_t type, std::size_t payload) {
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(payload));
  header.nlmsg_type = type;
  const std::size_t at = out.size();
  out.resize(at + NLMSG_SPACE(payload), 0xAB);
  std::memcpy(out.data() + at, &header, sizeof header);
}

std::vector<std::uint8_t> message(std::uint16_t type, std::size_t payload) {
  std::vector<std::uint8_t> out;
  append(out, type, payload);
  return out;
}

bool classify(const std::vector<std::uint8_t>& bytes) {
  return holds_address_change(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
}

TEST(AddressChangeClassifier, AddressRouteAndLinkMessagesAreChanges) {
  EXPECT_TRUE(classify(message(RTM_NEWADDR, sizeof(ifaddrmsg) + 8)));
  EXPECT_TRUE(classify(message(RTM_DELADDR, sizeof(ifaddrmsg) + 8)));
  EXPECT_TRUE(classify(message(RTM_NEWROUTE, sizeof(rtmsg) + 16)));
  EXPECT_TRUE(classify(message(RTM_DELROUTE, sizeof(rtmsg) + 16)));
  EXPECT_TRUE(classify(message(RTM_NEWLINK, sizeof(ifinfomsg) + 20)));
  EXPECT_TRUE(classify(message(RTM_DELLINK, sizeof(ifinfomsg))));
  // A body of odd length, padded on the wire.
  EXPECT_TRUE(classify(message(RTM_NEWADDR, 5)));
}

TEST(AddressChangeClassifier, OtherMessageTypesAreNot) {
  EXPECT_FALSE(classify(message(RTM_NEWNEIGH, sizeof(ndmsg))));
  EXPECT_FALSE(classify(message(RTM_DELNEIGH, sizeof(ndmsg))));
  EXPECT_FALSE(classify(message(RTM_NEWRULE, 12)));
  EXPECT_FALSE(classify(message(RTM_GETADDR, sizeof(ifaddrmsg))));
  EXPECT_FALSE(classify(message(NLMSG_NOOP, 0)));
  EXPECT_FALSE(classify(message(NLMSG_ERROR, sizeof(nlmsgerr))));
  EXPECT_FALSE(classify(message(NLMSG_DONE, 4)));
}

TEST(AddressChangeClassifier, WalksEveryMessageOfADatagram) {
  std::vector<std::uint8_t> bytes;
  append(bytes, RTM_NEWNEIGH, sizeof(ndmsg) + 3);
  append(bytes, RTM_NEWRULE, 7);
  EXPECT_FALSE(classify(bytes));
  append(bytes, RTM_DELROUTE, sizeof(rtmsg));
  EXPECT_TRUE(classify(bytes));
}

TEST(AddressChangeClassifier, StopsAtDone) {
  std::vector<std::uint8_t> bytes;
  append(bytes, NLMSG_DONE, 4);
  append(bytes, RTM_NEWADDR, sizeof(ifaddrmsg));
  EXPECT_FALSE(classify(bytes));
}

TEST(AddressChangeClassifier, EmptyAndShortBuffersAreNotChanges) {
  EXPECT_FALSE(classify({}));
  const auto whole = message(RTM_NEWADDR, sizeof(ifaddrmsg));
  // Every prefix shorter than the header.
  for (std::size_t size = 0; size < sizeof(nlmsghdr); ++size) {
    EXPECT_FALSE(holds_address_change(std::span<const std::uint8_t>(whole.data(), size))) << size;
  }
}

TEST(AddressChangeClassifier, TruncatedMessageIsNotAChange) {
  const auto whole = message(RTM_NEWADDR, sizeof(ifaddrmsg) + 8);
  ASSERT_TRUE(classify(whole));
  // The header is there but nlmsg_len runs past the end of the datagram.
  for (std::size_t size = sizeof(nlmsghdr); size < NLMSG_LENGTH(sizeof(ifaddrmsg) + 8); ++size) {
    EXPECT_FALSE(holds_address_change(std::span<const std::uint8_t>(whole.data(), size))) << size;
  }
  // The padding of the last message may be missing.
  EXPECT_TRUE(classify(message(RTM_NEWADDR, 5)));
  auto unpadded = message(RTM_NEWADDR, 5);
  unpadded.resize(NLMSG_LENGTH(5));
  EXPECT_TRUE(classify(unpadded));
}

TEST(AddressChangeClassifier, TruncatedSecondMessageIsNotReadButFirstCounts) {
  std::vector<std::uint8_t> bytes;
  append(bytes, RTM_NEWNEIGH, sizeof(ndmsg));
  append(bytes, RTM_NEWADDR, sizeof(ifaddrmsg));
  bytes.resize(bytes.size() - 1);
  EXPECT_FALSE(classify(bytes));

  std::vector<std::uint8_t> change_first;
  append(change_first, RTM_NEWLINK, sizeof(ifinfomsg));
  append(change_first, RTM_NEWNEIGH, sizeof(ndmsg));
  change_first.resize(change_first.size() - 2);
  EXPECT_TRUE(classify(change_first));
}

TEST(AddressChangeClassifier, ImpossibleLengthsAreRefused) {
  for (std::uint32_t length : {0u, 1u, 15u, 0xFFFFFFFFu, 0x80000000u}) {
    auto bytes = message(RTM_NEWADDR, sizeof(ifaddrmsg));
    std::memcpy(bytes.data(), &length, sizeof length);  // nlmsg_len comes first
    EXPECT_FALSE(classify(bytes)) << length;
  }
  // A well-formed message followed by one whose length is zero: no endless walk.
  std::vector<std::uint8_t> bytes;
  append(bytes, RTM_NEWNEIGH, 4);
  append(bytes, RTM_NEWADDR, 4);
  const std::uint32_t zero = 0;
  std::memcpy(bytes.data() + NLMSG_SPACE(4), &zero, sizeof zero);
  EXPECT_FALSE(classify(bytes));
}

TEST(AddressChangeClassifier, UnalignedBufferIsReadCorrectly) {
  const auto whole = message(RTM_DELADDR, sizeof(ifaddrmsg));
  std::vector<std::uint8_t> shifted(whole.size() + 3);
  std::memcpy(shifted.data() + 3, whole.data(), whole.size());
  EXPECT_TRUE(
      holds_address_change(std::span<const std::uint8_t>(shifted.data() + 3, whole.size())));
}

TEST(AddressChangeClassifier, GarbageNeverReadsOutsideTheBuffer) {
  // Each buffer is copied to an exact-size heap block so that a sanitizer
  // build catches any read past its end; the answer must also be stable.
  std::mt19937 random(20261202);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> size(0, 96);
  int changes = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes(size(random));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(byte(random));
    if (i % 2 == 0 && bytes.size() >= 4) {
      // Half the time a plausible length, so that the walk goes further.
      const auto length = static_cast<std::uint32_t>(size(random));
      std::memcpy(bytes.data(), &length, sizeof length);
    }
    const bool first = classify(bytes);
    EXPECT_EQ(first, classify(bytes));
    changes += first ? 1 : 0;
  }
  // Random types are almost never one of the six counted.
  EXPECT_LT(changes, 100);
}

}  // namespace
}  // namespace sipline::transport
