// MessageStorage: the one block a parsed message lives in, and the
// per-thread reuse of blocks.

#include "sip/message_storage.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sip/message.hpp"

namespace sipline::sip {
namespace {

HeaderField field_at(std::string_view bytes, std::size_t i) {
  return HeaderField{HeaderId::unknown, bytes.substr(i, 1), bytes.substr(i, 1), bytes.substr(i, 1)};
}

TEST(MessageStorage, HoldsACopyOfTheBytesEndedByANul) {
  std::string source = "INVITE sip:bob@example.com SIP/2.0\r\n";
  MessageStorage storage;
  storage.assign(source, 16);
  source[0] = 'X';  // the storage does not share the caller's bytes
  EXPECT_EQ(storage.bytes(), "INVITE sip:bob@example.com SIP/2.0\r\n");
  EXPECT_EQ(storage.bytes().data()[storage.bytes().size()], '\0');
  storage.truncate(6);
  EXPECT_EQ(storage.bytes(), "INVITE");
  storage.truncate(100);  // never grows
  EXPECT_EQ(storage.bytes(), "INVITE");
}

TEST(MessageStorage, FieldsPastTheBlocksRoomMoveAndKeepTheirOrder) {
  const std::string bytes(300, 'a');
  MessageStorage storage;
  storage.assign(bytes, 16);
  const std::string_view view = storage.bytes();
  // Far more fields than any block holds: they move at least once.
  for (std::size_t i = 0; i < 300; ++i) {
    const HeaderField& added = storage.append(field_at(view, i));
    EXPECT_EQ(added.raw.data(), view.data() + i);
  }
  ASSERT_EQ(storage.field_count(), 300U);
  for (std::size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(storage.fields()[i].raw.data(), view.data() + i) << i;
  }
  EXPECT_EQ(storage.bytes().data(), view.data());  // the bytes never move
}

TEST(MessageStorage, MovingHandsTheBlockOver) {
  MessageStorage storage;
  storage.assign("abc", 4);
  storage.append(field_at(storage.bytes(), 1));
  const char* const data = storage.bytes().data();
  MessageStorage moved(std::move(storage));
  EXPECT_EQ(moved.bytes().data(), data);
  ASSERT_EQ(moved.field_count(), 1U);
  EXPECT_EQ(moved.fields()[0].raw, "b");
  EXPECT_TRUE(storage.bytes().empty());  // NOLINT(bugprone-use-after-move): left empty
  EXPECT_EQ(storage.field_count(), 0U);

  MessageStorage assigned;
  assigned.assign("other", 4);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.bytes().data(), data);
  EXPECT_EQ(assigned.fields()[0].raw, "b");
}

TEST(MessageStorage, AReleasedBlockServesTheNextMessageOnTheSameThread) {
  const char* first = nullptr;
  {
    MessageStorage storage;
    storage.assign(std::string(700, 'x'), 16);
    first = storage.bytes().data();
  }
  MessageStorage next;
  next.assign(std::string(500, 'y'), 16);
  EXPECT_EQ(next.bytes().data(), first);
  EXPECT_EQ(next.bytes(), std::string(500, 'y'));
}

TEST(MessageStorage, LargeMessagesGetABlockOfTheirOwnSize) {
  const std::string bytes(60000, 'z');
  MessageStorage storage;
  storage.assign(bytes, 64);
  EXPECT_EQ(storage.bytes(), bytes);
  for (std::size_t i = 0; i < 64; ++i) storage.append(field_at(storage.bytes(), i));
  EXPECT_EQ(storage.fields()[63].raw.data(), storage.bytes().data() + 63);
}

// Blocks kept by a thread are freed when it ends (the sanitizer build's
// leak check fails this test otherwise), and a message outliving the thread
// that parsed it is still valid.
TEST(MessageStorage, AThreadsBlocksAreFreedWhenItEnds) {
  std::vector<MessageStorage> kept;
  std::thread worker([&kept] {
    for (int i = 0; i < 20; ++i) {
      MessageStorage storage;
      storage.assign(std::string(100, static_cast<char>('a' + i)), 16);
      if (i % 5 == 0) kept.push_back(std::move(storage));
    }
  });
  worker.join();
  ASSERT_EQ(kept.size(), 4U);
  EXPECT_EQ(kept[3].bytes(), std::string(100, 'p'));
  kept.clear();  // returned to this thread's cache
}

TEST(MessageStorage, AMessageWithMoreFieldsThanItsSizeSuggestsParses) {
  std::string bytes =
      "OPTIONS sip:a@b.example SIP/2.0\r\n"
      "Via: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n"
      "From: <sip:a@b.example>;tag=1\r\nTo: <sip:a@b.example>\r\n"
      "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n";
  for (int i = 0; i < 300; ++i) bytes += "X: y\r\n";
  bytes += "\r\n";
  Limits limits;
  limits.max_headers = 400;
  auto m = Message::parse(bytes, limits);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->headers().size(), 305U);
  EXPECT_EQ(m->headers()[4].name, "CSeq");
  EXPECT_EQ(m->headers()[304].raw, "X: y\r\n");
  EXPECT_EQ(m->headers()[304].raw.data() + 8, m->bytes().data() + m->bytes().size());
  EXPECT_EQ(m->header("x"), "y");
}

}  // namespace
}  // namespace sipline::sip
