#include "transport/stream_session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runtime/manual_clock.hpp"

namespace sipline::transport {
namespace {

using namespace std::chrono_literals;

std::string request(std::string_view method, int cseq, std::string_view body = {}) {
  std::string m;
  m += std::string(method) + " sip:registrar.example.com SIP/2.0\r\n";
  m += "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK" + std::to_string(cseq) + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <sip:alice@example.com>;tag=a1\r\n";
  m += "To: <sip:alice@example.com>\r\n";
  m += "Call-ID: c" + std::to_string(cseq) + "@192.0.2.10\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

class Recorder : public StreamSession::Sink {
 public:
  void write(std::string_view bytes) override {
    writes.emplace_back(bytes);
    if (clock != nullptr) write_times.push_back(clock->now());
  }
  void message(sip::Message m) override { messages.push_back(std::move(m)); }
  void pong() override { ++pongs; }
  void failed(TransportFailure f) override { failures.push_back(std::move(f)); }

  const runtime::TimerService* clock = nullptr;
  std::vector<std::string> writes;
  std::vector<runtime::TimePoint> write_times;
  std::vector<sip::Message> messages;
  int pongs = 0;
  std::vector<TransportFailure> failures;
};

class StreamSessionTest : public ::testing::Test {
 protected:
  explicit StreamSessionTest(double min_fraction = 1.0) {
    settings.keepalive_min_fraction = min_fraction;
    settings.pong_timeout = 10s;
    settings.incomplete_message_timeout = 32s;
    sink.clock = &clock;
  }
  StreamSession& session() {
    if (!session_) session_.emplace(clock, sink, settings, 7u);
    return *session_;
  }

  runtime::ManualClock clock;
  Recorder sink;
  StreamSession::Settings settings;

 private:
  std::optional<StreamSession> session_;
};

TEST_F(StreamSessionTest, DeliversAMessageFedOneByteAtATime) {
  const std::string bytes = request("REGISTER", 1, "hello");
  for (char c : bytes) session().received(std::string_view(&c, 1));
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].method(), sip::Method::register_);
  EXPECT_EQ(sink.messages[0].body(), "hello");
  EXPECT_TRUE(sink.failures.empty());
  EXPECT_EQ(session().buffered(), 0u);
}

TEST_F(StreamSessionTest, PipelinedMessagesArriveInOrder) {
  const std::string both = request("OPTIONS", 1) + request("REGISTER", 2, "xy");
  // Split inside the second message's headers.
  session().received(std::string_view(both).substr(0, both.size() - 20));
  ASSERT_EQ(sink.messages.size(), 1u);
  session().received(std::string_view(both).substr(both.size() - 20));
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0].cseq().number, 1u);
  EXPECT_EQ(sink.messages[1].cseq().number, 2u);
}

TEST_F(StreamSessionTest, AnswersAPingWithOnePong) {
  session().received("\r\n\r\n");
  ASSERT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.writes[0], "\r\n");
  EXPECT_EQ(sink.pongs, 0);  // nobody was waiting for a pong
}

TEST_F(StreamSessionTest, PingSplitAcrossReadsIsStillAnswered) {
  session().received("\r\n");
  EXPECT_TRUE(sink.writes.empty());
  session().received("\r\n");
  ASSERT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.writes[0], "\r\n");
}

TEST_F(StreamSessionTest, SendsPingsAtTheIntervalAndAcceptsThePong) {
  session().start_keepalive(30s);
  clock.advance(30s - 1ms);
  EXPECT_TRUE(sink.writes.empty());
  clock.advance(1ms);
  ASSERT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.writes[0], "\r\n\r\n");
  EXPECT_TRUE(session().awaiting_pong());

  clock.advance(2s);
  session().received("\r\n");
  EXPECT_EQ(sink.pongs, 1);
  EXPECT_FALSE(session().awaiting_pong());

  clock.advance(20s);  // well past the 10 s pong deadline of the first ping
  EXPECT_TRUE(sink.failures.empty());
  clock.advance(8s);  // 60 s: the second ping
  EXPECT_EQ(sink.writes.size(), 2u);
}

TEST_F(StreamSessionTest, ConsecutivePongsAreAllRecognised) {
  // Pongs of successive pings arrive back to back on an otherwise quiet
  // stream; none of them may be mistaken for the peer's ping.
  session().start_keepalive(30s);
  for (int i = 1; i <= 4; ++i) {
    clock.advance(30s);
    ASSERT_EQ(sink.writes.size(), static_cast<std::size_t>(i));
    EXPECT_EQ(sink.writes.back(), "\r\n\r\n");
    session().received("\r\n");
    EXPECT_EQ(sink.pongs, i);
  }
  EXPECT_TRUE(sink.failures.empty());
}

TEST_F(StreamSessionTest, PeerPingWhileAwaitingOurPong) {
  session().start_keepalive(30s);
  clock.advance(30s);
  // The peer's own ping crosses ours: its first CRLF serves as our pong, and
  // the completed ping still gets its pong.
  session().received("\r\n\r\n");
  EXPECT_EQ(sink.pongs, 1);
  ASSERT_EQ(sink.writes.size(), 2u);
  EXPECT_EQ(sink.writes[1], "\r\n");
}

TEST_F(StreamSessionTest, MissingPongKillsTheFlowAfterTenSeconds) {
  session().start_keepalive(30s);
  clock.advance(30s);
  ASSERT_EQ(sink.writes.size(), 1u);
  clock.advance(10s - 1ms);
  EXPECT_TRUE(sink.failures.empty());
  clock.advance(1ms);
  ASSERT_EQ(sink.failures.size(), 1u);
  EXPECT_EQ(sink.failures[0].reason, sip::TransportError::timeout);
  EXPECT_EQ(sink.failures[0].detail, "keep-alive: no pong within 10 s");
  EXPECT_TRUE(session().closed());
  // Nothing more happens once failed.
  clock.advance(5min);
  EXPECT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.failures.size(), 1u);
}

TEST_F(StreamSessionTest, StopKeepaliveCancelsPingAndPongTimers) {
  session().start_keepalive(30s);
  clock.advance(30s);
  session().stop_keepalive();
  clock.advance(5min);
  EXPECT_EQ(sink.writes.size(), 1u);
  EXPECT_TRUE(sink.failures.empty());
  EXPECT_FALSE(session().keepalive_active());
}

class JitteredSessionTest : public StreamSessionTest {
 protected:
  JitteredSessionTest() : StreamSessionTest(0.8) {}
};

TEST_F(JitteredSessionTest, PingsFallBetweenEightyAndHundredPercent) {
  const auto start = clock.now();
  session().start_keepalive(100s);
  clock.advance(80s - 1ms);
  EXPECT_TRUE(sink.writes.empty());
  // Answer every ping at once so the flow stays up for many intervals.
  while (sink.writes.size() < 20 && clock.now() - start < 3000s) {
    const auto before = sink.writes.size();
    clock.advance(1s);
    if (sink.writes.size() != before) session().received("\r\n");
  }
  ASSERT_EQ(sink.writes.size(), 20u);
  EXPECT_TRUE(sink.failures.empty());
  auto previous = start;
  bool varied = false;
  for (const auto& at : sink.write_times) {
    EXPECT_GE(at - previous, 80s);
    EXPECT_LE(at - previous, 100s);
    if (at - previous != sink.write_times.front() - start) varied = true;
    previous = at;
  }
  EXPECT_TRUE(varied);
}

TEST_F(StreamSessionTest, FramingErrorFailsTheConnection) {
  std::string bad = request("OPTIONS", 1);
  bad.insert(bad.find("Content-Length"), "Content-Length: 5\r\n");
  session().received(bad);
  ASSERT_EQ(sink.failures.size(), 1u);
  EXPECT_EQ(sink.failures[0].reason, sip::TransportError::reset);
  EXPECT_EQ(sink.failures[0].detail.rfind("framing error: ", 0), 0u);
  EXPECT_TRUE(sink.messages.empty());
  session().received(request("OPTIONS", 2));
  EXPECT_TRUE(sink.messages.empty());
}

TEST_F(StreamSessionTest, MessagesBeforeAFramingErrorAreDelivered) {
  std::string bad = request("OPTIONS", 2);
  bad.insert(bad.find("Content-Length"), "Content-Length: 5\r\n");
  session().received(request("OPTIONS", 1) + bad);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].cseq().number, 1u);
  EXPECT_EQ(sink.failures.size(), 1u);
}

TEST_F(StreamSessionTest, UnparseableFramedMessageIsSkipped) {
  std::string garbage = "NOT A SIP MESSAGE\r\nContent-Length: 0\r\n\r\n";
  session().received(garbage + request("OPTIONS", 3));
  EXPECT_EQ(session().dropped_messages(), 1u);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].cseq().number, 3u);
  EXPECT_TRUE(sink.failures.empty());
}

TEST_F(StreamSessionTest, StalledPartialMessageTimesOut) {
  session().received("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h");
  clock.advance(32s - 1ms);
  EXPECT_TRUE(sink.failures.empty());
  clock.advance(1ms);
  ASSERT_EQ(sink.failures.size(), 1u);
  EXPECT_EQ(sink.failures[0].reason, sip::TransportError::timeout);
  EXPECT_EQ(sink.failures[0].detail, "incomplete message for 32 s");
}

TEST_F(StreamSessionTest, CompletedMessageRestartsTheStallTimer) {
  const std::string one = request("OPTIONS", 1);
  const std::string two = request("OPTIONS", 2);
  session().received(one.substr(0, 10));
  clock.advance(30s);
  // The first completes and the second starts: a fresh 32 s.
  session().received(one.substr(10) + two.substr(0, 10));
  clock.advance(30s);
  EXPECT_TRUE(sink.failures.empty());
  session().received(two.substr(10));
  clock.advance(5min);
  EXPECT_TRUE(sink.failures.empty());
  EXPECT_EQ(sink.messages.size(), 2u);
}

TEST_F(StreamSessionTest, IdleBetweenMessagesIsNotAStall) {
  session().received(request("OPTIONS", 1));
  clock.advance(10min);
  EXPECT_TRUE(sink.failures.empty());
}

TEST_F(StreamSessionTest, CloseSilencesEverything) {
  session().start_keepalive(30s);
  session().received("OPTIONS sip:x SIP/2.0\r\n");
  session().close();
  clock.advance(10min);
  session().received(request("OPTIONS", 1));
  EXPECT_TRUE(sink.writes.empty());
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_TRUE(sink.failures.empty());
  EXPECT_EQ(clock.pending_count(), 0u);
}

}  // namespace
}  // namespace sipline::transport
