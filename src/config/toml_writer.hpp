#pragma once
// Writes a Settings as native TOML that load_toml() reads back to the same
// configuration. Passwords are always written as "***".

#include <string>

#include "config/settings.hpp"

namespace sipline::config {

struct WriteOptions {
  // Effective view (`sipline config check`): outbound proxy fields that
  // inherit from their server are written with the inherited value and a
  // comment. Otherwise (`sipline config convert`) they are left out, so the
  // result keeps inheriting.
  bool resolve_inheritance = true;
  std::string header;  // comment lines put first ("# ..."), may be empty
};

std::string write_toml(const Settings& settings, const WriteOptions& options = {});

// A TOML basic string: "..." with quotes, backslashes and control bytes escaped.
std::string toml_string(std::string_view text);

}  // namespace sipline::config
