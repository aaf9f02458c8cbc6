// MessageStorage: one block per message, and a per-thread cache of blocks
// of one common size.

#include "sip/message_storage.hpp"

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <new>
#include <utility>

namespace sipline::sip {

namespace {

// Blocks of this size are kept for reuse: room for a message of some 2 KB
// with 30 fields, more than nearly every SIP message over UDP needs. A
// larger message gets a block of its own size, freed when it is destroyed.
constexpr std::size_t kCachedBlockSize = 4096;
// At most this many free blocks per thread (32 KiB): enough for the few
// messages a thread releases in a burst, and a bound on what it holds.
constexpr std::size_t kCachedBlocks = 8;

// Trivially destructible, so it stays usable while the thread's other
// thread-locals are destroyed (a Message among them returns its block
// here); the reaper below empties it once the thread ends.
struct BlockCache {
  std::array<char*, kCachedBlocks> blocks;
  std::size_t count;
  bool reaper_armed;
  bool closed;  // the thread is ending: blocks are freed, not kept
};
thread_local constinit BlockCache cache{};

struct CacheReaper {
  CacheReaper() = default;
  CacheReaper(const CacheReaper&) = delete;
  CacheReaper& operator=(const CacheReaper&) = delete;
  ~CacheReaper() {
    for (std::size_t i = 0; i < cache.count; ++i) {
      ASAN_UNPOISON_MEMORY_REGION(cache.blocks[i], kCachedBlockSize);
      ::operator delete(cache.blocks[i]);
    }
    cache.count = 0;
    cache.closed = true;
  }
};
thread_local CacheReaper reaper;

// A kept block is poisoned for AddressSanitizer until it is taken again, so
// that a view kept past its message's end is reported while the block waits
// here (in other builds the macros do nothing).
char* take_block(std::size_t size) {
  if (size == kCachedBlockSize && cache.count > 0) {
    char* const block = cache.blocks[--cache.count];
    ASAN_UNPOISON_MEMORY_REGION(block, size);
    return block;
  }
  return static_cast<char*>(::operator new(size));
}

void give_back(char* block, std::size_t size) noexcept {
  if (size == kCachedBlockSize && !cache.closed && cache.count < kCachedBlocks) {
    if (!cache.reaper_armed) {
      // The first use constructs the thread's reaper, which registers its
      // destructor for the thread's end.
      [[maybe_unused]] volatile const CacheReaper* armed = &reaper;
      cache.reaper_armed = true;
    }
    ASAN_POISON_MEMORY_REGION(block, size);
    cache.blocks[cache.count++] = block;
    return;
  }
  ::operator delete(block);
}

constexpr std::size_t fields_offset(std::size_t bytes) noexcept {
  constexpr std::size_t kAlign = alignof(HeaderField);
  return (bytes + 1 + kAlign - 1) / kAlign * kAlign;  // the bytes and their NUL
}

}  // namespace

void MessageStorage::assign(std::string_view bytes, std::size_t fields) {
  assert(block_ == nullptr && "assign() takes an empty storage");
  const std::size_t offset = fields_offset(bytes.size());
  const std::size_t needed = offset + fields * sizeof(HeaderField);
  block_size_ = needed <= kCachedBlockSize ? kCachedBlockSize : needed;
  block_ = take_block(block_size_);
  std::memcpy(block_, bytes.data(), bytes.size());
  block_[bytes.size()] = '\0';
  size_ = bytes.size();
  // Every whole field that fits, so that the cached block's spare room
  // holds a message with more fields than estimated.
  fields_ = reinterpret_cast<HeaderField*>(block_ + offset);
  capacity_ = (block_size_ - offset) / sizeof(HeaderField);
}

MessageStorage::MessageStorage(MessageStorage&& other) noexcept
    : block_(std::exchange(other.block_, nullptr)),
      block_size_(std::exchange(other.block_size_, 0)),
      size_(std::exchange(other.size_, 0)),
      fields_(std::exchange(other.fields_, nullptr)),
      count_(std::exchange(other.count_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      spilled_(std::move(other.spilled_)) {}

MessageStorage& MessageStorage::operator=(MessageStorage&& other) noexcept {
  if (this != &other) {
    release();
    block_ = std::exchange(other.block_, nullptr);
    block_size_ = std::exchange(other.block_size_, 0);
    size_ = std::exchange(other.size_, 0);
    fields_ = std::exchange(other.fields_, nullptr);
    count_ = std::exchange(other.count_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    spilled_ = std::move(other.spilled_);
  }
  return *this;
}

MessageStorage::~MessageStorage() {
  if (block_ != nullptr) give_back(block_, block_size_);
}

void MessageStorage::release() noexcept {
  if (block_ != nullptr) give_back(block_, block_size_);
  block_ = nullptr;
  block_size_ = size_ = count_ = capacity_ = 0;
  fields_ = nullptr;
  spilled_.reset();
}

void MessageStorage::grow() {
  const std::size_t capacity = std::max<std::size_t>(16, capacity_ * 2);
  auto moved = std::make_unique_for_overwrite<HeaderField[]>(capacity);
  std::copy_n(fields_, count_, moved.get());
  spilled_ = std::move(moved);
  fields_ = spilled_.get();
  capacity_ = capacity;
}

}  // namespace sipline::sip
