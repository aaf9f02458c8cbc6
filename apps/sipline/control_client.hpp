#pragma once
// The thin clients of the control socket: `sipline status`, `events`,
// `register`, `unregister` and `reload`.

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

namespace sipline::app {

struct StatusOptions {
  std::string control_path;
  bool json = false;
};
// Prints the status table (or the raw JSON result); exit_failure when no
// daemon answers.
int status_command(const StatusOptions& options, std::ostream& out, std::ostream& err);

// Prints every event as one JSON line until the daemon goes away (exit 0) or
// the connection fails (exit 1).
int events_command(const std::string& control_path, std::ostream& out, std::ostream& err);

// `sipline register|unregister ACCOUNT` and `sipline reload`: sends the
// command and prints its result; exit_failure when the daemon refuses it.
int simple_command(const std::string& control_path, const std::string& command,
                   const std::string& account, std::ostream& out, std::ostream& err);

// Sends one command object ({"command": ..., more fields}) and prints its
// result ("message" when there is one, else the JSON); exit_failure when the
// daemon refuses it or does not answer.
int json_command(const std::string& control_path, nlohmann::json request, std::ostream& out,
                 std::ostream& err);

}  // namespace sipline::app
