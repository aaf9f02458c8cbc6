// The fault script parser: every accepted form and every error path, each
// with its "SCRIPT:LINE: reason".

#include "sim/fault_script.hpp"

#include <gtest/gtest.h>

namespace sipline::sim {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsEveryUnitAndTheirCombinations) {
  EXPECT_EQ(*parse_duration("1500ms"), 1500ms);
  EXPECT_EQ(*parse_duration("10s"), 10s);
  EXPECT_EQ(*parse_duration("2m"), 2min);
  EXPECT_EQ(*parse_duration("1h30m"), 90min);
  EXPECT_EQ(*parse_duration("1h2m3s500ms"), 1h + 2min + 3s + 500ms);
  EXPECT_EQ(*parse_duration("0s"), 0s);
  EXPECT_EQ(*parse_duration("168h"), 168h);
}

TEST(ParseDuration, RejectsWhatIsNotADuration) {
  for (const char* text : {"", "10", "s", "10x", "1m1h", "1s1s", "10 s", "-5s", "1.5s", "169h",
                           "10080m1s", "9999999999s", "5msx"}) {
    EXPECT_FALSE(parse_duration(text)) << text;
  }
  EXPECT_EQ(parse_duration("10").error().message, "missing unit (h, m, s or ms)");
  EXPECT_EQ(parse_duration("1m1h").error().message,
            "units must go from large to small, each once (1h30m, 2m5s)");
  EXPECT_EQ(parse_duration("3d").error().message, "unknown unit 'd' (h, m, s or ms)");
  EXPECT_EQ(parse_duration("169h").error().message, "too long (at most 7 days)");
}

TEST(ParseFaultScript, ReadsEveryKindOfStep) {
  const char* text =
      "# a primary that goes away and comes back\n\n10s   primary refuse     # ICMP\n20s backup "
      "blackhole\n30s server 2 503 retry-after 60\n31s server 3 503\n32s pbx1.example.com:5070 "
      "reject 403\n33s [2001:db8::1]:5060 restore\n34s 10.0.0.1 503 retry-after 2m\n1m call 90s "
      "alice\n1m call 1500ms\n1h30m end\n";
  auto script = parse_fault_script(text, "f.txt");
  ASSERT_TRUE(script) << script.error().message;
  ASSERT_EQ(script->steps.size(), 10u);
  const auto& s = script->steps;
  EXPECT_EQ(s[0].line, 3u);
  EXPECT_EQ(s[0].at, 10s);
  EXPECT_EQ(s[0].server.kind, ServerRef::Kind::primary);
  EXPECT_EQ(s[0].fault.kind, Fault::Kind::refuse);
  EXPECT_EQ(s[1].server.kind, ServerRef::Kind::backup);
  EXPECT_EQ(s[1].fault.kind, Fault::Kind::blackhole);
  EXPECT_EQ(s[2].server.kind, ServerRef::Kind::ordinal);
  EXPECT_EQ(s[2].server.ordinal, 2u);
  EXPECT_EQ(s[2].fault, (Fault{Fault::Kind::unavailable, 503, 60u}));
  EXPECT_EQ(s[3].fault, (Fault{Fault::Kind::unavailable, 503, std::nullopt}));
  EXPECT_EQ(s[4].server.kind, ServerRef::Kind::host);
  EXPECT_EQ(s[4].server.host, "pbx1.example.com");
  EXPECT_EQ(s[4].server.port, std::optional<std::uint16_t>(5070));
  EXPECT_EQ(s[4].fault, (Fault{Fault::Kind::reject, 403, std::nullopt}));
  EXPECT_EQ(s[5].server.host, "2001:db8::1");
  EXPECT_EQ(s[5].fault.kind, Fault::Kind::restore);
  EXPECT_EQ(s[6].server.host, "10.0.0.1");
  EXPECT_FALSE(s[6].server.port);
  EXPECT_EQ(s[6].fault.retry_after, std::optional<std::uint32_t>(120));
  EXPECT_EQ(s[7].kind, Step::Kind::call);
  EXPECT_EQ(s[7].call_duration, 90s);
  EXPECT_EQ(s[7].account, "alice");
  EXPECT_EQ(s[8].account, "");
  EXPECT_EQ(s[9].kind, Step::Kind::end);
  EXPECT_EQ(script->end(), std::optional<runtime::Duration>(90min));
  EXPECT_EQ(script->last_step(), 90min);
}

TEST(ParseFaultScript, AnEmptyScriptHasNoSteps) {
  auto script = parse_fault_script("# nothing\n\n   \n", "f");
  ASSERT_TRUE(script);
  EXPECT_TRUE(script->steps.empty());
  EXPECT_FALSE(script->end());
  EXPECT_EQ(script->last_step(), 0s);
}

TEST(FaultToString, NamesEachFaultAsWritten) {
  EXPECT_EQ(to_string(Fault{Fault::Kind::refuse, 0, {}}), "refuse");
  EXPECT_EQ(to_string(Fault{Fault::Kind::blackhole, 0, {}}), "blackhole");
  EXPECT_EQ(to_string(Fault{Fault::Kind::restore, 0, {}}), "restore");
  EXPECT_EQ(to_string(Fault{Fault::Kind::unavailable, 503, 60u}), "503 retry-after 60");
  EXPECT_EQ(to_string(Fault{Fault::Kind::unavailable, 503, {}}), "503");
  EXPECT_EQ(to_string(Fault{Fault::Kind::reject, 404, {}}), "reject 404");
}

struct BadScript {
  const char* text;
  const char* error;
};

class ParseFaultScriptErrors : public ::testing::TestWithParam<BadScript> {};

TEST_P(ParseFaultScriptErrors, NameFileLineAndReason) {
  auto script = parse_fault_script(GetParam().text, "s.txt");
  ASSERT_FALSE(script) << GetParam().text;
  EXPECT_EQ(script.error().code, Errc::invalid_argument);
  EXPECT_EQ(script.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, ParseFaultScriptErrors,
    ::testing::Values(
        BadScript{"ten primary refuse\n",
                  "s.txt:1: time 'ten': expected a number like 10s, 2m, 1h30m or 1500ms"},
        BadScript{"\n10 primary refuse\n", "s.txt:2: time '10': missing unit (h, m, s or ms)"},
        BadScript{"10s\n", "s.txt:1: missing action after the time (a server, 'call' or 'end')"},
        BadScript{
            "10s primary\n",
            "s.txt:1: missing the server's action (refuse, blackhole, 503, reject CODE, restore)"},
        BadScript{"10s primary explode\n",
                  "s.txt:1: unknown action 'explode' (expected refuse, blackhole, 503, reject "
                  "CODE, restore)"},
        BadScript{"10s primary refuse now\n", "s.txt:1: unexpected 'now'"},
        BadScript{"10s primary 503 later\n",
                  "s.txt:1: unexpected 'later' (503 takes 'retry-after S')"},
        BadScript{"10s primary 503 retry-after\n", "s.txt:1: retry-after: missing its seconds"},
        BadScript{"10s primary 503 retry-after soon\n",
                  "s.txt:1: retry-after 'soon': expected whole seconds"},
        BadScript{"10s primary 503 retry-after 1500ms\n",
                  "s.txt:1: retry-after '1500ms': expected whole seconds"},
        BadScript{"10s primary reject\n", "s.txt:1: reject: missing the status code (300-699)"},
        BadScript{"10s primary reject 200\n", "s.txt:1: reject code '200': expected 300-699"},
        BadScript{"10s primary reject 7000\n", "s.txt:1: reject code '7000': expected 300-699"},
        BadScript{"10s server\n", "s.txt:1: server: missing its number (e.g. 'server 2')"},
        BadScript{"10s server 0 refuse\n", "s.txt:1: server number '0': expected 1, 2, 3..."},
        BadScript{"10s server two refuse\n", "s.txt:1: server number 'two': expected 1, 2, 3..."},
        BadScript{"10s pbx!example refuse\n",
                  "s.txt:1: 'pbx!example': expected primary, backup, server N, HOST[:PORT], call, "
                  "address or end"},
        BadScript{"10s pbx:99999 refuse\n",
                  "s.txt:1: 'pbx:99999': expected primary, backup, server N, HOST[:PORT], call, "
                  "address or end"},
        BadScript{"10s [::1 refuse\n",
                  "s.txt:1: '[::1': expected primary, backup, server N, HOST[:PORT], call, address "
                  "or end"},
        BadScript{"10s pbx: refuse\n",
                  "s.txt:1: 'pbx:': expected primary, backup, server N, HOST[:PORT], call, address "
                  "or end"},
        BadScript{"10s call\n", "s.txt:1: call: missing its duration (e.g. 'call 90s')"},
        BadScript{"10s address\n",
                  "s.txt:1: address: missing the new address (e.g. 'address 192.0.2.77')"},
        BadScript{"10s address pbx.example.com\n",
                  "s.txt:1: address 'pbx.example.com': expected an IPv4 or IPv6 address"},
        BadScript{"10s address 192.0.2.7:5060\n",
                  "s.txt:1: address '192.0.2.7:5060': expected an IPv4 or IPv6 address"},
        BadScript{"10s address 192.0.2.7 now\n", "s.txt:1: unexpected 'now'"},
        BadScript{"10s call long\n",
                  "s.txt:1: call duration 'long': expected a number like 10s, 2m, 1h30m or 1500ms"},
        BadScript{"10s call 0s\n", "s.txt:1: call duration must not be 0"},
        BadScript{"10s call 5s alice bob\n", "s.txt:1: unexpected 'bob'"},
        BadScript{"10s end now\n", "s.txt:1: unexpected 'now'"},
        BadScript{"20s primary refuse\n10s primary restore\n",
                  "s.txt:2: goes back in time (line 1 is later)"},
        BadScript{"10s end\n# fine\n20s primary refuse\n", "s.txt:3: step after 'end' (line 1)"}));

TEST(FaultScript, AddressStepsTakeIpv4AndIpv6) {
  auto script = parse_fault_script(
      "1m address 192.0.2.77\n2m address [2001:db8::7]\n"
      "3m address 2001:db8::8\n",
      "s.txt");
  ASSERT_TRUE(script) << script.error().message;
  ASSERT_EQ(script->steps.size(), 3u);
  EXPECT_EQ(script->steps[0].kind, Step::Kind::address);
  EXPECT_EQ(script->steps[0].address, "192.0.2.77");
  EXPECT_EQ(script->steps[1].address, "2001:db8::7");
  EXPECT_EQ(script->steps[2].address, "2001:db8::8");
}

}  // namespace
}  // namespace sipline::sim
