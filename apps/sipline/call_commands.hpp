#pragma once
// `sipline call`, `sipline answer` and `sipline hangup`: thin clients of the
// daemon's control socket (commands "call", "answer", "hangup").

#include <string>
#include <vector>

#include "call/call_types.hpp"
#include "common/result.hpp"

namespace CLI {
class App;
}

namespace sipline::app {

// Adds the three commands to `app`. They run from CLI11 callbacks; their
// exit status leaves app.parse() as CLI::RuntimeError.
void register_call_commands(CLI::App& app);

// The call `answer` / `hangup` act on when none is named: the newest ringing
// incoming call for answer; for hangup the only call, else the newest
// ringing one. Errc::not_found when there is none, Errc::invalid_argument
// when the choice is ambiguous.
Result<std::string> default_call(const std::vector<call::CallInfo>& calls, bool answering);

}  // namespace sipline::app
