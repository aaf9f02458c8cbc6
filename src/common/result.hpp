#pragma once
// Result<T>: the error channel for everything reachable from network input or
// files. Nothing below apps/ throws on bad input; functions return a Result.
// The interface mirrors std::expected so it can become one under C++23.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace sipline {

enum class Errc {
  malformed,         // input violates the grammar
  limit_exceeded,    // input exceeds a configured limit (size, count, length)
  out_of_range,      // a number outside its allowed range
  missing,           // a required element is absent
  unsupported,       // valid but not supported (scheme, algorithm, version)
  incomplete,        // more bytes are needed (stream framing)
  io,                // file or socket error
  invalid_state,     // operation not allowed in the current state
  not_found,         // lookup failed
  invalid_argument,  // a configuration value or argument is not acceptable
};

const char* to_string(Errc code) noexcept;

struct Error {
  Errc code;
  std::string message;  // human-readable reason; never contains secrets
};

struct Unexpected {
  Error error;
};

inline Unexpected fail(Errc code, std::string message) {
  return Unexpected{Error{code, std::move(message)}};
}

template <class T>
// The implicit moves are noexcept when both alternatives' are; clang-tidy
// follows std::variant's visitation into a throw never reached here.
// NOLINTNEXTLINE(bugprone-exception-escape)
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : v_(std::in_place_index<0>, value) {}             // NOLINT
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}       // NOLINT
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}             // NOLINT
  // Builds the value inside the Result (std::expected's in_place_t form), so
  // that a large T is never moved into it.
  template <class... Args>
  explicit Result(std::in_place_t, Args&&... args)
      : v_(std::in_place_index<0>, std::forward<Args>(args)...) {}

  // Replaces the value (or error) with an error, as std::expected's
  // assignment from std::unexpected does.
  Result& operator=(Unexpected u) {
    v_.template emplace<1>(std::move(u.error));
    return *this;
  }
  Result& operator=(Error e) {
    v_.template emplace<1>(std::move(e));
    return *this;
  }

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT
  Result(Error e) : err_(std::move(e)), ok_(false) {}             // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return err_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(err_);
  }

 private:
  Error err_{Errc::malformed, {}};
  bool ok_ = true;
};

inline Result<void> ok() {
  return {};
}

}  // namespace sipline

// Propagates an error from an expression returning Result<...>.
#define SIPLINE_TRY(expr)                               \
  do {                                                  \
    auto&& sipline_try_r_ = (expr);                     \
    if (!sipline_try_r_) return sipline_try_r_.error(); \
  } while (0)
