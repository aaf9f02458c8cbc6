#pragma once
// The one heap block a parsed Message lives in: a copy of its bytes, then
// its header fields, which are views into those bytes. One allocation per
// message instead of a string and a vector, and blocks of the usual size
// are kept per thread for the next message, so that a thread parsing one
// message after another allocates nothing (docs/performance.md, ninth round).
// Under AddressSanitizer a kept block is poisoned until it is reused, so a
// view kept past its message's end is still reported.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "sip/header_id.hpp"

namespace sipline::sip {

struct HeaderField {
  HeaderId id = HeaderId::unknown;
  std::string_view name;   // as written
  std::string_view value;  // trimmed; may contain folded line breaks
  std::string_view raw;    // the whole field including its final CRLF, byte-exact
};

class MessageStorage {
 public:
  MessageStorage() noexcept = default;
  // Takes a block holding a copy of `bytes` (followed by a NUL) and room for
  // at least `fields` header fields. Only on an empty storage.
  void assign(std::string_view bytes, std::size_t fields);
  MessageStorage(MessageStorage&& other) noexcept;
  MessageStorage& operator=(MessageStorage&& other) noexcept;
  MessageStorage(const MessageStorage&) = delete;
  MessageStorage& operator=(const MessageStorage&) = delete;
  ~MessageStorage();

  std::string_view bytes() const noexcept { return {block_, size_}; }
  // Drops the bytes from `size` on (a body beyond its Content-Length). The
  // rest stay where they are, so views into them remain valid.
  void truncate(std::size_t size) noexcept {
    if (size < size_) size_ = size;
  }

  std::span<const HeaderField> fields() const noexcept { return {fields_, count_}; }
  std::size_t field_count() const noexcept { return count_; }
  // Appends a field. Past the block's room the fields move to an array of
  // their own (a message with far more fields than its size suggests).
  const HeaderField& append(const HeaderField& field) {
    if (count_ == capacity_) grow();
    return *std::construct_at(fields_ + count_++, field);
  }

 private:
  void grow();
  void release() noexcept;  // back to empty

  char* block_ = nullptr;          // the bytes, a NUL, then (usually) the fields
  std::size_t block_size_ = 0;     // as allocated
  std::size_t size_ = 0;           // of the bytes
  HeaderField* fields_ = nullptr;  // in block_, or spilled_
  std::size_t count_ = 0;
  std::size_t capacity_ = 0;
  std::unique_ptr<HeaderField[]> spilled_;  // the fields once they outgrew block_
};

// Fields are written into raw storage and copied without constructors.
static_assert(std::is_trivially_copyable_v<HeaderField> &&
              std::is_trivially_destructible_v<HeaderField>);

}  // namespace sipline::sip
