#pragma once
// `sipline simulate -c FILE --faults SCRIPT`: runs the configuration's real
// redundancy engines on virtual time against simulated servers following the
// fault script (sim/), and prints the timeline of events they produce.

#include <cstdint>
#include <iosfwd>
#include <string>

#include "sim/simulator.hpp"

namespace sipline::app {

struct SimulateOptions {
  std::string config_file;
  std::string faults_file;
  std::string events = "text";  // "text" or "json"
  std::uint64_t seed = 1;
};

// Exit status: 0 simulated, 2 usage, configuration or script error (the
// message, "FILE:LINE: ..." as `sipline run` and the script parser word it,
// goes to `err`).
int simulate_command(const SimulateOptions& options, std::ostream& out, std::ostream& err);

// "+00:10.000": minutes (as many digits as needed), seconds, milliseconds.
std::string format_offset(runtime::Duration offset);

// One aligned line for people: "+00:10.000  alice  failover  sip:...  from ...".
// `account_width` and `server_width` pad those columns.
std::string timeline_text(const sim::TimelineEntry& entry, std::size_t account_width,
                          std::size_t server_width);

}  // namespace sipline::app
