// The sipline command line: wiring only; each command lives in its own file.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "call_commands.hpp"
#include "config_command.hpp"
#include "control_client.hpp"
#include "control_server.hpp"
#include "exit_codes.hpp"
#include "msg_check.hpp"
#include "run_command.hpp"
#include "simulate_command.hpp"

int main(int argc, char** argv) {
  using namespace sipline::app;

  CLI::App app{"sipline: SIP user agent with registrar failover and failback", "sipline"};
  app.set_version_flag("--version", SIPLINE_VERSION);
  app.require_subcommand(1);

  // --- run: the daemon ---
  RunOptions run_options;
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the user agent in the foreground: register the accounts of FILE, write events to\n"
      "stdout and logs to stderr, serve the control socket. SIGINT/SIGTERM unregister every\n"
      "account and exit 0; SIGHUP reloads FILE.\n"
      "Exit status: 0 stopped by a signal, 1 could not start, 2 usage or configuration error.");
  run->add_option("-c,--config", run_options.config_file,
                  "Configuration file: .toml (native) or .cfg (Yealink provisioning keys)")
      ->required();
  run->add_option("--control", run_options.control_path,
                  "Control socket path (default $XDG_RUNTIME_DIR/sipline.sock, else "
                  "/tmp/sipline-$UID.sock)");
  run->add_option("--events", run_options.events, "Event format on stdout: json (default) or text")
      ->check(CLI::IsMember({"json", "text"}));
  run->add_option("--listen", run_options.listen,
                  "Local SIP address ADDR[:PORT] (port 0 = ephemeral), overriding the file");
  run->add_option("--dns", run_options.dns,
                  "DNS server ADDR[:PORT] (default: the system's resolv.conf)");
  run->add_option("--log-level", run_options.log_level,
                  "trace, debug, info, warning or error (default: from the file, else info)");

  // --- thin clients of the control socket ---
  const std::string control_help = "Control socket of the daemon (default as for run)";
  StatusOptions status_options;
  CLI::App* status = app.add_subcommand(
      "status",
      "Show each account of the running daemon: state, server and role, since when, when the\n"
      "registration expires, the last failure and its reason.\n"
      "Exit status: 0 ok, 1 no daemon answered.");
  status->add_flag("--json", status_options.json, "Print the status as JSON");
  status->add_option("--control", status_options.control_path, control_help);

  std::string events_path;
  CLI::App* events =
      app.add_subcommand("events",
                         "Follow the daemon's events, one JSON object per line, until it stops.\n"
                         "Exit status: 0 the daemon went away, 1 no daemon answered.");
  events->add_option("--control", events_path, control_help);

  std::string account_name;
  std::string account_path;
  CLI::App* reg = app.add_subcommand(
      "register", "Start (again) the registration of ACCOUNT in the running daemon.");
  reg->add_option("ACCOUNT", account_name, "Account name")->required();
  reg->add_option("--control", account_path, control_help);
  CLI::App* unreg =
      app.add_subcommand("unregister", "Remove the registration of ACCOUNT in the running daemon.");
  unreg->add_option("ACCOUNT", account_name, "Account name")->required();
  unreg->add_option("--control", account_path, control_help);
  CLI::App* reload = app.add_subcommand(
      "reload", "Make the running daemon read its configuration file again (like SIGHUP).");
  reload->add_option("--control", account_path, control_help);

  // --- offline tools ---
  CLI::App* msg = app.add_subcommand("msg", "Offline tools for SIP messages");
  msg->require_subcommand(1);

  std::vector<std::string> check_files;
  CLI::App* check = msg->add_subcommand(
      "check",
      "Parse each FILE as one SIP message (datagram rules) and print a verdict.\n"
      "Exit status: 0 all valid, 1 some invalid, 2 usage or read error.");
  check->add_option("FILE", check_files, "Files holding one SIP message each")->required();

  // --- simulate: the engines on virtual time against scripted faults ---
  SimulateOptions simulate_options;
  CLI::App* simulate = app.add_subcommand(
      "simulate",
      "Run the accounts of FILE on virtual time against simulated servers that follow the\n"
      "fault script SCRIPT (e.g. '10s primary refuse', '40s primary restore', '60s call 2m',\n"
      "'10m end') and print the timeline of events the real engine produces.\n"
      "Exit status: 0 simulated, 2 usage, configuration or script error.");
  simulate
      ->add_option("-c,--config", simulate_options.config_file,
                   "Configuration file: .toml (native) or .cfg (Yealink provisioning keys)")
      ->required();
  simulate
      ->add_option("--faults", simulate_options.faults_file,
                   "Fault script: one 'TIME SERVER ACTION' or 'TIME call DURATION [ACCOUNT]' "
                   "per line")
      ->required();
  simulate
      ->add_option("--events", simulate_options.events,
                   "Timeline format: text (default) or json (the events of run, with virtual\n"
                   "times from 2024-01-01T00:00:00Z)")
      ->check(CLI::IsMember({"json", "text"}));
  simulate->add_option("--seed", simulate_options.seed,
                       "Seed of the random jitter (default 1): the same seed, the same timeline");

  register_config_commands(app);
  register_call_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    // A command that ran from its CLI11 callback reports its status this way.
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; real usage errors
    // get the usage exit status, not CLI11's own numbering.
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  auto path_or_default = [](const std::string& path) {
    return path.empty() ? default_control_path() : path;
  };
  try {
    if (run->parsed()) return run_command(run_options);
    if (status->parsed()) {
      status_options.control_path = path_or_default(status_options.control_path);
      return status_command(status_options, std::cout, std::cerr);
    }
    if (events->parsed()) return events_command(path_or_default(events_path), std::cout, std::cerr);
    if (reg->parsed()) {
      return simple_command(path_or_default(account_path), "register", account_name, std::cout,
                            std::cerr);
    }
    if (unreg->parsed()) {
      return simple_command(path_or_default(account_path), "unregister", account_name, std::cout,
                            std::cerr);
    }
    if (reload->parsed()) {
      return simple_command(path_or_default(account_path), "reload", {}, std::cout, std::cerr);
    }
    if (check->parsed()) return msg_check(check_files, std::cout, std::cerr);
    if (simulate->parsed()) return simulate_command(simulate_options, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "sipline: " << e.what() << '\n';
    return exit_failure;
  }
  return exit_usage;
}
