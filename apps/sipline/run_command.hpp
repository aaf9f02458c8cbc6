#pragma once
// `sipline run`: the foreground daemon. Loads the configuration, starts the
// user agent and the control socket, writes events to stdout and logs to
// stderr; SIGINT/SIGTERM unregister every account and exit 0, SIGHUP reloads
// the configuration.

#include <cstdint>
#include <optional>
#include <string>

namespace sipline::app {

struct RunOptions {
  std::string config_file;
  std::string control_path;     // empty: default_control_path()
  std::string events = "json";  // "json" or "text"
  std::string listen;           // ADDR[:PORT] overriding the configuration
  std::string dns;              // ADDR[:PORT] overriding the configuration
  std::string log_level;        // empty: from the configuration
};

int run_command(const RunOptions& options);

// "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address; false on
// anything else. `port` is empty when the text has none.
bool parse_listen(const std::string& text, std::string& address,
                  std::optional<std::uint16_t>& port);

}  // namespace sipline::app
