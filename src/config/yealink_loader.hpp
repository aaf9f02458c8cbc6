#pragma once
// Yealink provisioning files (.cfg): an optional "#!version:1.0.0.1" first
// line, then "key = value" lines, '#' comments and blank lines, LF or CRLF.
// The account.X.* and sip.* keys sipline implements are mapped onto the
// account model with Yealink's defaults and ranges (docs/configuration.md);
// every other key is reported once as ignored, with its line, so that a
// phone's file can be used as it is without anything being dropped silently.

#include <string_view>

#include "common/result.hpp"
#include "config/loader.hpp"

namespace sipline::config {

Result<LoadResult> load_yealink(std::string_view text, std::string_view file_name);

}  // namespace sipline::config
