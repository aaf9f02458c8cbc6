// AddressWatcher against the real kernel: a forked child moves into a network
// namespace of its own (unshare(CLONE_NEWNET)), adds and removes an address
// there with ip(8), and checks that the watcher reports each change and that
// host_addresses() follows. The host's own namespace is never touched; the
// child exits before any ip(8) command if unshare fails.

#include "transport/address_watcher.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sipline::transport {
namespace {

using namespace std::chrono_literals;

constexpr int kSkipExit = 77;  // the child could not create a namespace (EPERM)

const char* find_ip() {
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return nullptr;
}

// Runs ip(8) with `args` without a shell; true when it exits 0.
bool ip(const char* path, std::vector<std::string> args) {
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, path, nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Runs the loop until `done` or three seconds have passed.
template <class Done>
bool run_until(asio::io_context& io, Done done) {
  io.restart();  // a loop that ran out of work stays stopped until then
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    io.run_one_for(deadline - now);
  }
  return true;
}

bool has(const std::string& address) {
  const auto all = host_addresses();
  return std::find(all.begin(), all.end(), address) != all.end();
}

#define CHILD_CHECK(condition)                                                    \
  do {                                                                            \
    if (!(condition)) {                                                           \
      std::fprintf(stderr, "child: %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      return 1;                                                                   \
    }                                                                             \
  } while (0)

// The child's whole test; its exit status is the verdict.
int child_main(const char* path) {
  if (::unshare(CLONE_NEWNET) != 0) {
    if (errno == EPERM) return kSkipExit;
    std::fprintf(stderr, "child: unshare: %s\n", std::strerror(errno));
    return 1;
  }
  CHILD_CHECK(ip(path, {"link", "set", "lo", "up"}));
  CHILD_CHECK(has("127.0.0.1"));

  asio::io_context io;
  int changes = 0;
  auto started = AddressWatcher::start(io, [&] { ++changes; });
  CHILD_CHECK(started.has_value());
  std::unique_ptr<AddressWatcher> watcher = std::move(*started);

  // Some kernels lack the dummy driver ("Unknown device type"); a veth pair
  // serves as well.
  CHILD_CHECK(ip(path, {"link", "add", "d0", "type", "dummy"}) ||
              ip(path, {"link", "add", "d0", "type", "veth", "peer", "name", "d1"}));
  // No IPv6 link-local address: its late arrival would be a change of its own.
  CHILD_CHECK(ip(path, {"link", "set", "d0", "addrgenmode", "none"}));
  CHILD_CHECK(ip(path, {"addr", "add", "10.99.0.2/24", "dev", "d0"}));
  CHILD_CHECK(ip(path, {"link", "set", "d0", "up"}));
  CHILD_CHECK(run_until(io, [&] { return changes > 0; }));
  CHILD_CHECK(has("10.99.0.2"));

  // Let the first burst settle, then a removal alone must be reported.
  io.run_for(300ms);
  changes = 0;
  CHILD_CHECK(ip(path, {"addr", "del", "10.99.0.2/24", "dev", "d0"}));
  CHILD_CHECK(run_until(io, [&] { return changes > 0; }));
  CHILD_CHECK(!has("10.99.0.2"));

  // No callback once the watcher is gone, even with notifications pending.
  io.run_for(300ms);
  changes = 0;
  CHILD_CHECK(ip(path, {"addr", "add", "10.99.0.3/24", "dev", "d0"}));
  watcher.reset();
  io.run_for(300ms);  // returns early: the aborted wait was the only work
  CHILD_CHECK(changes == 0);

  // The callback may destroy the watcher; nothing is called after that.
  auto again = AddressWatcher::start(io, [&] {
    ++changes;
    watcher.reset();
  });
  CHILD_CHECK(again.has_value());
  watcher = std::move(*again);
  CHILD_CHECK(ip(path, {"addr", "del", "10.99.0.3/24", "dev", "d0"}));
  CHILD_CHECK(run_until(io, [&] { return changes > 0; }));
  CHILD_CHECK(watcher == nullptr);
  CHILD_CHECK(ip(path, {"addr", "add", "10.99.0.4/24", "dev", "d0"}));
  io.run_for(300ms);
  CHILD_CHECK(changes == 1);
  return 0;
}

TEST(AddressWatcher, ReportsAddressChangesInAPrivateNetworkNamespace) {
  const char* path = find_ip();
  if (path == nullptr) GTEST_SKIP() << "ip(8) not found in /usr/sbin, /sbin, /usr/bin, /bin";
  std::fflush(nullptr);  // no buffered output duplicated into the child
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << std::strerror(errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    ::_exit(child_main(path));
  }
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(20ms);
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "the child did not finish within 10 s";
  }
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == kSkipExit) {
    GTEST_SKIP() << "unshare(CLONE_NEWNET) refused (EPERM): needs CAP_SYS_ADMIN";
  }
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the child's messages above";
}

}  // namespace
}  // namespace sipline::transport
