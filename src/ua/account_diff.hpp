#pragma once
// What a configuration reload changes: accounts are matched by name; one
// whose settings are all equal is left alone (its registration is not
// touched), one that differs is replaced, the others are added or removed.

#include <string>
#include <vector>

#include "config/account.hpp"

namespace sipline::ua {

// Every setting compared, the password included.
bool same_settings(const config::Account& a, const config::Account& b);

struct AccountDiff {
  std::vector<std::string> added;      // names in the new set only
  std::vector<std::string> removed;    // names in the old set only
  std::vector<std::string> changed;    // in both, with different settings
  std::vector<std::string> unchanged;  // in both, equal
};

// Disabled accounts count as absent: disabling one removes it, enabling it
// adds it.
AccountDiff diff_accounts(const std::vector<config::Account>& before,
                          const std::vector<config::Account>& after);

}  // namespace sipline::ua
