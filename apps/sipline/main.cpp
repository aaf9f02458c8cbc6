// The sipline command line: wiring only; each command lives in its own file.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "exit_codes.hpp"
#include "msg_check.hpp"

int main(int argc, char** argv) {
  using namespace sipline::app;

  CLI::App app{"sipline: SIP user agent with registrar failover and failback", "sipline"};
  app.set_version_flag("--version", SIPLINE_VERSION);
  app.require_subcommand(1);

  CLI::App* msg = app.add_subcommand("msg", "Offline tools for SIP messages");
  msg->require_subcommand(1);

  std::vector<std::string> check_files;
  CLI::App* check = msg->add_subcommand(
      "check",
      "Parse each FILE as one SIP message (datagram rules) and print a verdict.\n"
      "Exit status: 0 all valid, 1 some invalid, 2 usage or read error.");
  check->add_option("FILE", check_files, "Files holding one SIP message each")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; real usage errors
    // get the usage exit status, not CLI11's own numbering.
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  try {
    if (check->parsed()) return msg_check(check_files, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "sipline: " << e.what() << '\n';
    return exit_failure;
  }
  return exit_usage;
}
