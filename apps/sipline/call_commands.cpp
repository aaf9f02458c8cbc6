#include "call_commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "control_client.hpp"
#include "control_server.hpp"

namespace sipline::app {

namespace {

struct CallOptions {
  std::string control;
  std::string account;
  std::string target;  // URI for call, call id for answer/hangup
};

std::string control_path(const CallOptions& o) {
  return o.control.empty() ? default_control_path() : o.control;
}

}  // namespace

Result<std::string> default_call(const std::vector<call::CallInfo>& calls, bool answering) {
  if (!answering) {
    // Hanging up the wrong call is worse than asking: only the sole live
    // call is implied; with several, the user names one.
    if (calls.size() == 1) return calls.front().call_id;
    if (calls.empty()) return fail(Errc::not_found, "no call");
    std::string live;
    for (const auto& c : calls) {
      live += (live.empty() ? "" : ", ") + c.call_id + " (" +
              std::string(call::to_string(c.direction)) + " " +
              std::string(call::to_string(c.state)) + ")";
    }
    return fail(Errc::invalid_argument, "several calls are live: " + live + "; name one");
  }
  const call::CallInfo* newest = nullptr;
  for (const auto& c : calls) {
    if (c.state != call::CallState::ringing) continue;
    if (answering && c.direction != call::Direction::incoming) continue;
    if (newest == nullptr || c.since >= newest->since) newest = &c;
  }
  if (newest != nullptr) return newest->call_id;
  return fail(Errc::not_found, "no incoming call is ringing");
}

void register_call_commands(CLI::App& app) {
  const std::string control_help = "Control socket of the daemon (default as for run)";

  auto call_options = std::make_shared<CallOptions>();
  CLI::App* call = app.add_subcommand(
      "call",
      "Place a call from ACCOUNT (default: the first account) to URI through the server the\n"
      "account is registered with; prints the call id. Progress follows as call_ringing,\n"
      "call_answered and call_ended events (sipline events). No audio flows yet.\n"
      "Exit status: 0 the call was started, 1 the daemon refused or did not answer.");
  call->add_option("URI", call_options->target, "SIP URI to call, e.g. sip:bob@example.com")
      ->required();
  call->add_option("--account", call_options->account, "Account to call from");
  call->add_option("--control", call_options->control, control_help);
  call->callback([call_options] {
    nlohmann::json request{{"command", "call"}, {"uri", call_options->target}};
    if (!call_options->account.empty()) request["account"] = call_options->account;
    // The status travels in the exception CLI11 reserves for that.
    throw CLI::RuntimeError(
        json_command(control_path(*call_options), request, std::cout, std::cerr));
  });

  auto answer_options = std::make_shared<CallOptions>();
  CLI::App* answer = app.add_subcommand(
      "answer",
      "Answer the incoming call CALL (default: the newest ringing incoming call).\n"
      "Exit status: 0 answered, 1 no such call or no daemon answered.");
  answer->add_option("CALL", answer_options->target, "Call id, as in status and events (c1...)");
  answer->add_option("--control", answer_options->control, control_help);
  answer->callback([answer_options] {
    nlohmann::json request{{"command", "answer"}};
    if (!answer_options->target.empty()) request["call"] = answer_options->target;
    throw CLI::RuntimeError(
        json_command(control_path(*answer_options), request, std::cout, std::cerr));
  });

  auto hangup_options = std::make_shared<CallOptions>();
  CLI::App* hangup = app.add_subcommand(
      "hangup",
      "Hang up CALL (default: the only live call; with several, CALL is required): BYE\n"
      "when established, CANCEL while an outgoing call rings, 486 for an incoming one.\n"
      "Exit status: 0 hung up, 1 no such call or no daemon answered, 2 no CALL given\n"
      "while several calls are live (they are listed).");
  hangup->add_option("CALL", hangup_options->target, "Call id, as in status and events (c1...)");
  hangup->add_option("--control", hangup_options->control, control_help);
  hangup->callback([hangup_options] {
    nlohmann::json request{{"command", "hangup"}};
    if (!hangup_options->target.empty()) request["call"] = hangup_options->target;
    throw CLI::RuntimeError(
        json_command(control_path(*hangup_options), request, std::cout, std::cerr));
  });
}

}  // namespace sipline::app
