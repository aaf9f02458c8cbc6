#include "auth/credential_set.hpp"

#include <openssl/crypto.h>

#include "auth/auth_params.hpp"

namespace sipline::auth {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
  other.wipe();
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

Secret::~Secret() {
  wipe();
}

void Secret::wipe() noexcept {
  // Growing to the capacity never reallocates, and makes the whole buffer
  // (including what a short-string move left behind) addressable.
  value_.resize(value_.capacity());
  OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

std::string UserCredential::redacted() const {
  std::string out = "username=" + printable(username) + " password=";
  out += Secret::redacted();
  return out;
}

void CredentialSet::add(std::string realm, UserCredential credential) {
  for (auto& entry : by_realm_) {
    if (entry.first == realm) {
      entry.second = std::move(credential);
      return;
    }
  }
  by_realm_.emplace_back(std::move(realm), std::move(credential));
}

void CredentialSet::set_default(UserCredential credential) {
  default_ = std::move(credential);
}

const UserCredential* CredentialSet::find(std::string_view realm) const noexcept {
  for (const auto& entry : by_realm_) {
    if (entry.first == realm) {
      return &entry.second;
    }
  }
  return default_ ? &*default_ : nullptr;
}

std::string CredentialSet::redacted() const {
  std::string out;
  for (const auto& entry : by_realm_) {
    out += "realm=" + printable(entry.first) + " " + entry.second.redacted() + "\n";
  }
  if (default_) {
    out += "realm=* " + default_->redacted() + "\n";
  }
  return out;
}

}  // namespace sipline::auth
