#pragma once
// Entry point for loading a configuration file's text. config/ never opens
// files: the caller reads the file and passes its text and name.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"

namespace sipline::config {

struct LoadResult {
  Settings settings;
  std::vector<std::string> warnings;  // "file:line: key: ignored (...)"
};

// Dispatches on the file name: *.cfg -> Yealink, otherwise TOML. Errors:
// Errc::invalid_argument with the message "file:line: key: reason".
Result<LoadResult> load_config(std::string_view text, std::string_view file_name);

}  // namespace sipline::config
