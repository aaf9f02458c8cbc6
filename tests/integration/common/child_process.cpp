#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <ctime>

namespace sipline::testing {
namespace {

void pause_ms(long ms) {
  const timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  ::nanosleep(&ts, nullptr);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Process groups alive right now, so that Ctrl-C (or a SIGTERM from ctest's
// timeout) still kills every child before the test dies.
constexpr std::size_t kMaxGroups = 64;
std::array<std::atomic<pid_t>, kMaxGroups> live_groups{};

void on_fatal_signal(int signo) {
  for (auto& group : live_groups) {
    const pid_t pgid = group.load();
    if (pgid > 0) ::kill(-pgid, SIGKILL);
  }
  ::signal(signo, SIG_DFL);
  ::raise(signo);
}

void install_reaper() {
  static const bool installed = [] {
    // Orphaned workers of a killed group are reparented to us, so kill()
    // can reap them and no zombie or stray process outlives a test.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    for (const int signo : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      action.sa_handler = on_fatal_signal;
      ::sigemptyset(&action.sa_mask);
      ::sigaction(signo, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

void track_group(pid_t pgid) {
  for (auto& group : live_groups) {
    pid_t expected = 0;
    if (group.compare_exchange_strong(expected, pgid)) return;
  }
}

void untrack_group(pid_t pgid) {
  for (auto& group : live_groups) {
    pid_t expected = pgid;
    if (group.compare_exchange_strong(expected, 0)) return;
  }
}

}  // namespace

std::optional<ChildProcess> ChildProcess::start(const std::vector<std::string>& argv,
                                                const std::filesystem::path& log,
                                                const std::filesystem::path& cwd, int out_fd) {
  if (argv.empty()) return std::nullopt;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string log_path = log.string();
  const std::string dir = cwd.string();

  install_reaper();
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ::setpgid(0, 0);
    // Default dispositions: the test's own handlers must not run here.
    for (const int signo : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(signo, SIG_DFL);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
    if (out_fd >= 0) {
      ::dup2(out_fd, STDOUT_FILENO);
    } else if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
    }
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  // Also from the parent, so the group exists before anyone signals it.
  ::setpgid(pid, pid);
  track_group(pid);
  return ChildProcess(pid);
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill();
    pid_ = std::exchange(other.pid_, -1);
    status_ = other.status_;
  }
  return *this;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = decode_status(status);
      return status_;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    pause_ms(5);
  }
}

bool ChildProcess::signal(int signo) const {
  return pid_ > 0 && !status_ && ::kill(pid_, signo) == 0;
}

void ChildProcess::kill() noexcept {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  if (!status_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = decode_status(status);
  }
  // Members of the group reparented to us (child subreaper): reap them.
  // Bounded: every member got SIGKILL, so each wait returns promptly.
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    const pid_t r = ::waitpid(-pid_, &status, 0);
    if (r < 0 && errno != EINTR) break;
  }
  untrack_group(pid_);
  pid_ = -1;
}

}  // namespace sipline::testing
