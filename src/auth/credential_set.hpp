#pragma once
// Configured digest credentials, selected by realm (RFC 3261 §22.1: the realm
// tells the user which username/password to use; a backup registrar with its
// own realm needs its own entry).
//
// Passwords are held in Secret, which has no formatting of its own: every
// string this module builds for logs or errors goes through redacted().

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipline::auth {

// A password (or other secret). Copyable and movable; the storage is wiped
// when the value is destroyed or moved from.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The only access to the bytes, named so that it stands out in review.
  std::string_view reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  static constexpr std::string_view redacted() noexcept { return "***"; }

 private:
  void wipe() noexcept;
  std::string value_;
};

struct UserCredential {
  std::string username;  // the digest user name (auth name)
  Secret password;

  // "username='alice' password=***"
  std::string redacted() const;
};

class CredentialSet {
 public:
  // Credentials for one realm (compared exactly: realms are case-sensitive,
  // RFC 7616 §3.3). Replaces an earlier entry for the same realm.
  void add(std::string realm, UserCredential credential);

  // Credentials for any realm that has no entry of its own.
  void set_default(UserCredential credential);

  // The entry for the realm, else the default, else nullptr.
  const UserCredential* find(std::string_view realm) const noexcept;

  bool empty() const noexcept { return by_realm_.empty() && !default_; }

  // One line per entry, passwords replaced by ***.
  std::string redacted() const;

 private:
  std::vector<std::pair<std::string, UserCredential>> by_realm_;
  std::optional<UserCredential> default_;
};

}  // namespace sipline::auth
