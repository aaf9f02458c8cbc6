#include "ua/account_diff.hpp"

namespace sipline::ua {

namespace {

const config::Account* find(const std::vector<config::Account>& list, const std::string& name) {
  for (const auto& a : list) {
    if (a.enabled && a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

bool same_settings(const config::Account& a, const config::Account& b) {
  return a == b;
}

AccountDiff diff_accounts(const std::vector<config::Account>& before,
                          const std::vector<config::Account>& after) {
  AccountDiff diff;
  for (const auto& a : after) {
    if (!a.enabled) continue;
    const config::Account* old = find(before, a.name);
    if (old == nullptr) {
      diff.added.push_back(a.name);
    } else if (same_settings(*old, a)) {
      diff.unchanged.push_back(a.name);
    } else {
      diff.changed.push_back(a.name);
    }
  }
  for (const auto& b : before) {
    if (b.enabled && find(after, b.name) == nullptr) diff.removed.push_back(b.name);
  }
  return diff;
}

}  // namespace sipline::ua
