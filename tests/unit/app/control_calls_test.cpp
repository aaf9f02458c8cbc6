// The control socket's call commands (handle_control_line: call, answer,
// hangup and their errors) and the default call `answer`/`hangup` pick when
// none is named.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "call_commands.hpp"
#include "control_server.hpp"

namespace sipline::app {
namespace {

using nlohmann::json;

struct Recorder {
  std::vector<std::pair<std::string, std::string>> calls;  // (account, uri)
  std::vector<std::string> answered;
  std::vector<std::string> hung_up;
};

ControlHandlers handlers(Recorder& r) {
  ControlHandlers h;
  h.call = [&r](const std::string& account, const std::string& uri) -> Result<json> {
    if (uri == "sip:unknown-account") return fail(Errc::not_found, "no enabled account named x");
    r.calls.emplace_back(account, uri);
    return json{{"call", "c1"}, {"message", "c1"}};
  };
  h.answer = [&r](const std::string& call) -> Result<json> {
    if (call == "c9") return fail(Errc::not_found, "no call c9");
    r.answered.push_back(call);
    return json{{"call", call}};
  };
  h.hangup = [&r](const std::string& call) -> Result<json> {
    r.hung_up.push_back(call);
    return json{{"call", call}};
  };
  return h;
}

json reply(const std::string& line, const ControlHandlers& h) {
  return handle_control_line(line, h).response;
}

TEST(ControlCalls, CallPassesAccountAndUriAndEchoesTheToken) {
  Recorder r;
  const json j =
      reply(R"({"token":7,"command":"call","uri":"sip:bob@example.com","account":"office"})",
            handlers(r));
  EXPECT_EQ(j["token"], 7);
  EXPECT_EQ(j["type"], "response");
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["result"]["call"], "c1");
  ASSERT_EQ(r.calls.size(), 1U);
  EXPECT_EQ(r.calls[0].first, "office");
  EXPECT_EQ(r.calls[0].second, "sip:bob@example.com");
}

TEST(ControlCalls, CallWithoutAccountLeavesTheChoiceToTheHandler) {
  Recorder r;
  const json j =
      reply(R"({"command":"call","uri":"sip:bob@example.com","account":null})", handlers(r));
  EXPECT_EQ(j["ok"], true);
  EXPECT_TRUE(j["token"].is_null());
  ASSERT_EQ(r.calls.size(), 1U);
  EXPECT_EQ(r.calls[0].first, "");
}

TEST(ControlCalls, CallErrorsNameWhatIsWrong) {
  Recorder r;
  const auto h = handlers(r);
  json j = reply(R"({"token":"a","command":"call"})", h);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["token"], "a");
  EXPECT_EQ(j["error"], "missing \"uri\"");
  j = reply(R"({"command":"call","uri":""})", h);
  EXPECT_EQ(j["error"], "missing \"uri\"");
  j = reply(R"({"command":"call","uri":42})", h);
  EXPECT_EQ(j["error"], "missing \"uri\"");
  j = reply(R"({"command":"call","uri":"sip:bob@x","account":3})", h);
  EXPECT_EQ(j["error"], "\"account\" must be a string");
  j = reply(R"({"command":"call","uri":"sip:unknown-account"})", h);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"], "no enabled account named x");
  EXPECT_TRUE(r.calls.empty());
}

TEST(ControlCalls, AnswerAndHangupGoToTheirOwnHandler) {
  Recorder r;
  const auto h = handlers(r);
  EXPECT_EQ(reply(R"({"command":"answer","call":"c2"})", h)["ok"], true);
  EXPECT_EQ(reply(R"({"command":"hangup","call":"c3"})", h)["ok"], true);
  // No "call": the empty name lets the handler pick the default call.
  EXPECT_EQ(reply(R"({"command":"hangup"})", h)["result"]["call"], "");
  EXPECT_EQ(r.answered, std::vector<std::string>{"c2"});
  EXPECT_EQ(r.hung_up, (std::vector<std::string>{"c3", ""}));
}

TEST(ControlCalls, AnswerAndHangupErrors) {
  Recorder r;
  const auto h = handlers(r);
  json j = reply(R"({"command":"answer","call":"c9"})", h);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"], "no call c9");
  j = reply(R"({"command":"hangup","call":["c1"]})", h);
  EXPECT_EQ(j["error"], "\"call\" must be a string");
  EXPECT_TRUE(r.hung_up.empty());
}

TEST(ControlCalls, AmbiguousHangupIsFlaggedAsAUsageError) {
  ControlHandlers h;
  h.hangup = [](const std::string&) -> Result<json> {
    return fail(Errc::invalid_argument, "several calls are live: c1, c2; name one");
  };
  h.answer = [](const std::string& call) -> Result<json> {
    return fail(Errc::not_found, "no call " + call);
  };
  json j = reply(R"({"command":"hangup"})", h);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j.value("usage", false), true);  // the client exits 2
  j = reply(R"({"command":"answer","call":"c9"})", h);
  EXPECT_FALSE(j.contains("usage"));  // not found: a plain failure
}

TEST(ControlCalls, WithoutCallHandlersCallsAreUnavailable) {
  const ControlHandlers none;
  for (const char* line : {R"({"command":"call","uri":"sip:bob@x"})", R"({"command":"answer"})",
                           R"({"command":"hangup","call":"c1"})"}) {
    const json j = reply(line, none);
    EXPECT_EQ(j["ok"], false) << line;
    EXPECT_EQ(j["error"], "calls are not available") << line;
  }
}

TEST(ControlCalls, MalformedLinesAreAnsweredNotThrown) {
  Recorder r;
  const auto h = handlers(r);
  EXPECT_EQ(reply("{\"command\":\"call\"", h)["error"], "not a JSON object");
  EXPECT_EQ(reply("[1,2]", h)["error"], "not a JSON object");
  EXPECT_EQ(reply(R"({"uri":"sip:x"})", h)["error"], "missing \"command\"");
  const json j = reply(R"({"command":"dial"})", h);
  EXPECT_NE(j["error"].get<std::string>().find("call, answer, hangup"), std::string::npos);
}

call::CallInfo info(std::string id, call::Direction direction, call::CallState state,
                    int since_ms) {
  call::CallInfo c;
  c.call_id = std::move(id);
  c.account = "office";
  c.direction = direction;
  c.state = state;
  c.since = runtime::TimePoint{} + std::chrono::milliseconds(since_ms);
  return c;
}

using call::CallState;
using call::Direction;

TEST(DefaultCall, AnswerPicksTheNewestRingingIncomingCall) {
  const std::vector<call::CallInfo> calls = {
      info("c1", Direction::incoming, CallState::ringing, 100),
      info("c2", Direction::outgoing, CallState::ringing, 300),  // ours, not to answer
      info("c3", Direction::incoming, CallState::ringing, 200),
      info("c4", Direction::incoming, CallState::established, 400),
  };
  auto chosen = default_call(calls, true);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(*chosen, "c3");
}

TEST(DefaultCall, NothingToAnswer) {
  const std::vector<call::CallInfo> calls = {
      info("c1", Direction::outgoing, CallState::ringing, 100),
      info("c2", Direction::incoming, CallState::established, 200)};
  auto chosen = default_call(calls, true);
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().code, Errc::not_found);
  EXPECT_FALSE(default_call({}, true));
}

TEST(DefaultCall, HangupTakesTheOnlyCallWhateverItsState) {
  auto chosen = default_call({info("c5", Direction::outgoing, CallState::established, 0)}, false);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(*chosen, "c5");
}

TEST(DefaultCall, HangupAmongSeveralNamesThemInsteadOfPickingOne) {
  const std::vector<call::CallInfo> calls = {
      info("c1", Direction::incoming, CallState::established, 100),
      info("c2", Direction::outgoing, CallState::ringing, 200),
      info("c3", Direction::incoming, CallState::ringing, 150)};
  auto chosen = default_call(calls, false);
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().code, Errc::invalid_argument);
  EXPECT_NE(chosen.error().message.find("c1 (incoming established)"), std::string::npos);
  EXPECT_NE(chosen.error().message.find("c2 (outgoing ringing)"), std::string::npos);
  EXPECT_NE(chosen.error().message.find("c3 (incoming ringing)"), std::string::npos);
}

TEST(DefaultCall, HangupAmongSeveralEstablishedIsAmbiguous) {
  const std::vector<call::CallInfo> calls = {
      info("c1", Direction::incoming, CallState::established, 100),
      info("c2", Direction::outgoing, CallState::established, 200)};
  auto chosen = default_call(calls, false);
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().code, Errc::invalid_argument);
  EXPECT_NE(chosen.error().message.find("several calls are live"), std::string::npos);
  auto none = default_call({}, false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::not_found);
}

}  // namespace
}  // namespace sipline::app
