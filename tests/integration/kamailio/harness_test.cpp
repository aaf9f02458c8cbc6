// The registrar harness on its own, with SIPp as the UAC: Kamailio accepts a
// digest-authenticated REGISTER on UDP and TCP and shows the binding, rejects
// a wrong password, dies completely when stopped (refused), and loses
// requests when blackholed. The failover tests rely on every one of these.

#include "harness.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sipline::testing::kamailio {
namespace {

#ifndef SIPLINE_KAMAILIO_SIPP_SCENARIO
#error "SIPLINE_KAMAILIO_SIPP_SCENARIO must name uac_register.xml"
#endif

class RegistrarHarness : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_program("sipp").empty()) GTEST_SKIP() << "sipp not installed (package sip-tester)";
    std::string error;
    registrar_ = Registrar::start({.name = "registrar",
                                   .address = "127.0.0.2",
                                   .subscribers = {{"alice", "s3cret"}, {"bob", "other"}}},
                                  dir_.path() / "registrar", error);
    ASSERT_NE(registrar_, nullptr) << error;
  }

  // One REGISTER transaction pair (401, then 200) from SIPp; true on 200.
  bool sipp_register(Transport transport, const std::string& user, const std::string& password,
                     std::chrono::seconds timeout = 10s) {
    const auto csv = dir_.path() / ("users-" + user + ".csv");
    std::ofstream(csv) << "SEQUENTIAL\n"
                       << user << ";sipline.test;[authentication username=" << user
                       << " password=" << password << "]\n";
    // The local port is free a moment before SIPp binds it; when another
    // process (a test running alongside) takes it first, SIPp fails with
    // "Unable to bind main socket" and runs again on another port, five
    // attempts in all.
    const auto errors = dir_.path() / ("sipp-errors-" + user + ".log");
    for (int attempt = 1; attempt <= 5; ++attempt) {
      const auto local_port = free_port("127.0.0.1");
      if (!local_port) return false;
      std::filesystem::remove(errors);
      const bool done = run_capture({find_program("sipp"),
                                     registrar_->hostport(),
                                     "-sf",
                                     SIPLINE_KAMAILIO_SIPP_SCENARIO,
                                     "-inf",
                                     csv.string(),
                                     "-set",
                                     "expires",
                                     "60",
                                     "-i",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(*local_port),
                                     "-t",
                                     transport == Transport::udp ? "u1" : "t1",
                                     "-m",
                                     "1",
                                     "-timeout",
                                     std::to_string(timeout.count()) + "s",
                                     "-nostdin",
                                     "-trace_err",
                                     "-error_file",
                                     errors.string()},
                                    timeout + 5s, dir_.path())
                            .has_value();
      if (done) return true;
      std::ostringstream text;
      text << std::ifstream(errors).rdbuf();
      if (text.str().find("Unable to bind") == std::string::npos) return false;
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<Registrar> registrar_;
};

TEST(UlDump, ParsesBindingsPerAor) {
  const std::string dump = R"({
	Domains: {
		Domain: {
			Domain: location
			AoRs: {
				Info: {
					AoR: alice
					Contacts: {
						Contact: {
							Address: sip:alice@127.0.0.1:5060;transport=UDP
							Expires: 59
							Call-ID: abc
							Instance: <urn:uuid:1>
							Socket: udp:127.0.0.2:45060
						}
						Contact: {
							Address: sip:alice@127.0.0.1:5061
							Expires: deleted
						}
					}
				}
				Info: {
					AoR: bob
					Contacts: {
						Contact: {
							Address: sip:bob@127.0.0.1:5062
							Expires: permanent
						}
					}
				}
			}
		}
	}
})";
  const auto bindings = parse_ul_dump(dump);
  ASSERT_EQ(bindings.size(), 3u);
  EXPECT_EQ(bindings[0].aor, "alice");
  EXPECT_EQ(bindings[0].contact, "sip:alice@127.0.0.1:5060;transport=UDP");
  EXPECT_EQ(bindings[0].call_id, "abc");
  EXPECT_EQ(bindings[0].instance, "<urn:uuid:1>");
  EXPECT_EQ(bindings[0].socket, "udp:127.0.0.2:45060");
  EXPECT_TRUE(bindings[0].live());
  EXPECT_FALSE(bindings[1].live());
  EXPECT_EQ(bindings[2].aor, "bob");
  EXPECT_TRUE(bindings[2].live());
}

TEST_F(RegistrarHarness, StartsWithAnEmptyLocationTable) {
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(0));
  EXPECT_TRUE(tcp_accepts(registrar_->address(), registrar_->port()));
}

TEST_F(RegistrarHarness, SippRegistersWithDigestOverUdpAndTcp) {
  ASSERT_TRUE(sipp_register(Transport::udp, "alice", "s3cret")) << registrar_->log_tail();
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(1));
  ASSERT_TRUE(sipp_register(Transport::tcp, "bob", "other")) << registrar_->log_tail();
  const auto all = registrar_->bindings();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(registrar_->live_bindings("bob"), std::optional<std::size_t>(1));
  for (const auto& b : *all) {
    const std::string want = b.aor == "bob" ? "tcp:127.0.0.2:" : "udp:127.0.0.2:";
    EXPECT_EQ(b.socket.rfind(want, 0), 0u) << b.aor << " " << b.socket;
  }
}

TEST_F(RegistrarHarness, RejectsAWrongPassword) {
  EXPECT_FALSE(sipp_register(Transport::udp, "alice", "wrong", 3s));
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(0));
}

TEST_F(RegistrarHarness, StopKillsEveryProcessAndRestartServesAgain) {
  ASSERT_TRUE(sipp_register(Transport::udp, "alice", "s3cret"));
  registrar_->stop();
  EXPECT_FALSE(registrar_->running());
  EXPECT_FALSE(tcp_accepts(registrar_->address(), registrar_->port()));  // RST: refused
  // Nobody answers on the UDP port either: the workers died with the group.
  EXPECT_FALSE(sipp_register(Transport::udp, "alice", "s3cret", 2s));

  std::string error;
  ASSERT_TRUE(registrar_->restart(error)) << error;
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(0));  // fresh table
  EXPECT_TRUE(sipp_register(Transport::udp, "alice", "s3cret"));
}

TEST_F(RegistrarHarness, BlackholeLosesRequestsUntilRestored) {
  std::string error;
  auto blackhole = Blackhole::create(error);
  if (!blackhole) GTEST_SKIP() << error;
  auto watch = PacketWatch::start(registrar_->address(), registrar_->port(), Transport::udp, error);
  ASSERT_NE(watch, nullptr) << error;
  ASSERT_TRUE(blackhole->drop(registrar_->address(), registrar_->port()));
  watch->arm();
  const auto before = std::chrono::system_clock::now();
  EXPECT_FALSE(sipp_register(Transport::udp, "alice", "s3cret", 2s));
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(0));
  // The lost request was seen leaving, after the fault.
  const auto first = watch->first();
  ASSERT_TRUE(first.has_value());
  EXPECT_GE(ms_between(before, *first), 0.0);
  EXPECT_LT(ms_between(before, *first), 2000.0);

  ASSERT_TRUE(blackhole->restore());
  EXPECT_TRUE(sipp_register(Transport::udp, "alice", "s3cret"));
  EXPECT_EQ(registrar_->live_bindings("alice"), std::optional<std::size_t>(1));
}

TEST(ProcessGroup, KillReapsTheWholeGroup) {
  TempDir dir;
  // A shell that forks a worker, like Kamailio does, then waits.
  auto p = Process::start({"/bin/sh", "-c", "sleep 30 & sleep 30 & wait"}, dir.path() / "log");
  ASSERT_TRUE(p.has_value());
  const pid_t group = p->pid();
  ASSERT_TRUE(p->running());
  p->kill();
  EXPECT_EQ(::kill(-group, 0), -1);  // no process left in the group
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace sipline::testing::kamailio
