#pragma once
// `sipline config check FILE` and `sipline config convert FILE.cfg`, and the
// file reading shared with the daemon: config/ parses text only, the
// program reads the file and checks who may read it.

#include <iosfwd>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/loader.hpp"

namespace CLI {
class App;
}

namespace sipline::app {

// Reads and loads a configuration file (.cfg = Yealink, otherwise TOML).
// Adds a warning when the file is readable by group or others while it holds
// a password. Errors: Errc::io ("FILE: reason") when it cannot be read,
// Errc::invalid_argument ("FILE:LINE: key: reason") when it is invalid.
Result<config::LoadResult> load_config_file(const std::string& path);

// Prints the effective configuration as TOML to `out`; warnings and errors
// go to `err`. Returns exit_ok or exit_usage.
int config_check(const std::string& path, std::ostream& out, std::ostream& err);

// Converts a Yealink .cfg file to native TOML on `out`.
int config_convert(const std::string& path, std::ostream& out, std::ostream& err);

// Adds `config check` and `config convert` to `app`. They run from CLI11
// callbacks; their exit status leaves app.parse() as CLI::RuntimeError.
void register_config_commands(CLI::App& app);

}  // namespace sipline::app
