#pragma once
// A child process for the integration tests (SIPp, dnsmasq, Kamailio, the
// sipline daemon): in a process group of its own, killed (SIGKILL to the
// whole group) and reaped when the object goes away, whatever happened in
// the test. Shared by every integration test binary.
//
// Starting the first child makes the test process a child subreaper
// (orphaned workers of a killed group, such as Kamailio's, are reparented to
// it and reaped by kill()) and installs SIGINT/SIGTERM/SIGHUP handlers that
// kill every live group before the test dies, so that Ctrl-C or ctest's
// timeout leaves no process behind.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipline::testing {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] a full path). stdout goes to `out_fd` when >= 0
  // (the caller keeps its copy), otherwise to `log`; stderr always goes to
  // `log` (appended); stdin is /dev/null. nullopt when fork fails.
  static std::optional<ChildProcess> start(const std::vector<std::string>& argv,
                                           const std::filesystem::path& log,
                                           const std::filesystem::path& cwd = {}, int out_fd = -1);
  ChildProcess(ChildProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), status_(other.status_) {}
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess() { kill(); }

  // Exit status (or 128 + signal) once the main process has exited, waiting
  // up to `timeout`; nullopt while it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running() { return pid_ > 0 && !wait_exit(std::chrono::milliseconds(0)).has_value(); }
  bool signal(int signo) const;  // to the main process only
  // SIGKILL to the whole group, then reap everything of it we can.
  void kill() noexcept;
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace sipline::testing
