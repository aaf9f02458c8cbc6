#pragma once
// The resolver interface: one DNS question in, one answer (or a failure) out,
// later. Production uses transport::CaresResolver
// (transport/cares_resolver.hpp); tests use testing::FakeResolver
// (dns/testing/fake_resolver.hpp) with recorded answers.
//
// Contract for implementations:
// - the callback runs exactly once per resolve(), on the loop thread, never
//   from inside resolve() itself, unless the Lookup is cancelled first;
// - a negative answer (NXDOMAIN, NODATA) is an Answer; a failure to get any
//   answer (timeout, SERVFAIL, REFUSED, unreachable server, a response that
//   cannot be read) is an error with Errc::io or Errc::malformed.

#include <cstdint>
#include <functional>

#include "common/result.hpp"
#include "dns/records.hpp"

namespace sipline::dns {

class Cancellable;

// RAII handle of an asynchronous operation (a DNS query, a server location):
// destroying or cancelling it guarantees its callback will not run. Once the
// callback has started the operation is over; destroying the handle from
// inside the callback is allowed. The object that handed it out must outlive
// it.
class Lookup {
 public:
  Lookup() = default;
  Lookup(Lookup&& other) noexcept : owner_(other.owner_), id_(other.id_) {
    other.owner_ = nullptr;
    other.id_ = 0;
  }
  Lookup& operator=(Lookup&& other) noexcept;
  Lookup(const Lookup&) = delete;
  Lookup& operator=(const Lookup&) = delete;
  ~Lookup() { cancel(); }

  void cancel() noexcept;
  bool pending() const noexcept;

 private:
  friend class Cancellable;
  Lookup(Cancellable* owner, std::uint64_t id) : owner_(owner), id_(id) {}
  Cancellable* owner_ = nullptr;
  std::uint64_t id_ = 0;
};

// What hands out Lookups.
class Cancellable {
 public:
  Cancellable() = default;
  Cancellable(const Cancellable&) = delete;
  Cancellable& operator=(const Cancellable&) = delete;

 protected:
  virtual ~Cancellable() = default;  // virtual: GCC counts the friend Lookup as access
  Lookup make_lookup(std::uint64_t id) { return Lookup(this, id); }

 private:
  friend class Lookup;
  virtual void cancel_operation(std::uint64_t id) noexcept = 0;
  virtual bool operation_pending(std::uint64_t id) const noexcept = 0;
};

inline Lookup& Lookup::operator=(Lookup&& other) noexcept {
  if (this != &other) {
    cancel();
    owner_ = other.owner_;
    id_ = other.id_;
    other.owner_ = nullptr;
    other.id_ = 0;
  }
  return *this;
}

inline void Lookup::cancel() noexcept {
  if (owner_ != nullptr) owner_->cancel_operation(id_);
  owner_ = nullptr;
  id_ = 0;
}

inline bool Lookup::pending() const noexcept {
  return owner_ != nullptr && owner_->operation_pending(id_);
}

class Resolver : public Cancellable {
 public:
  using Callback = std::function<void(Result<Answer>)>;

  ~Resolver() override = default;

  // Asks `query`. The name is used as given (absolute; no search list).
  [[nodiscard]] virtual Lookup resolve(const Query& query, Callback callback) = 0;
};

}  // namespace sipline::dns
