#pragma once
// The native configuration dialect: TOML laid out like a phone's account
// page (docs/configuration.md). Unknown keys are errors, with a suggestion
// when one is close; every error reads "file:line: key: reason".

#include <string_view>

#include "common/result.hpp"
#include "config/loader.hpp"

namespace sipline::config {

// Parses and validates `text` (the contents of `file_name`, which is used
// only in messages). Nothing is returned half-loaded: either every account
// passed validation or the first error is returned.
Result<LoadResult> load_toml(std::string_view text, std::string_view file_name);

}  // namespace sipline::config
