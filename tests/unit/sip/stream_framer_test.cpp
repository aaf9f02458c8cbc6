#include "sip/stream_framer.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipline::sip {
namespace {

using Kind = StreamFrame::Kind;

// A frame as text, so that sequences compare and print readably.
std::string describe(const StreamFrame& f) {
  switch (f.kind) {
    case Kind::crlf:
      return "crlf";
    case Kind::double_crlf:
      return "double_crlf";
    case Kind::message:
      return "message:" + f.bytes;
  }
  return "?";
}

struct Outcome {
  std::vector<std::string> frames;
  std::optional<Errc> error;  // the first error feed() returned

  bool operator==(const Outcome&) const = default;
};

void drain(StreamFramer& framer, Outcome& out) {
  StreamFrame frame;
  while (framer.next(frame)) out.frames.push_back(describe(frame));
}

// Feeds `chunks` in order, collecting frames after every feed.
Outcome run(const std::vector<std::string_view>& chunks, const Limits& limits = {}) {
  StreamFramer framer(limits);
  Outcome out;
  for (std::string_view chunk : chunks) {
    auto fed = framer.feed(chunk);
    drain(framer, out);
    if (!fed && !out.error) out.error = fed.error().code;
  }
  return out;
}

Outcome run_whole(std::string_view bytes, const Limits& limits = {}) {
  return run({bytes}, limits);
}

Outcome run_bytewise(std::string_view bytes, const Limits& limits = {}) {
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < bytes.size(); ++i) chunks.push_back(bytes.substr(i, 1));
  return run(chunks, limits);
}

std::string message(std::string_view start_line, std::string_view extra_headers,
                    std::string_view body) {
  std::string m(start_line);
  m += "\r\n";
  m += "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "To: <sip:alice@example.com>\r\n";
  m += "From: <sip:alice@example.com>;tag=1928301774\r\n";
  m += "Call-ID: a84b4c76e66710@192.0.2.10\r\n";
  m += extra_headers;
  m += "\r\n";
  m += body;
  return m;
}

std::string with_length(std::string_view start_line, std::string_view body,
                        std::string_view length_name = "Content-Length") {
  return message(start_line,
                 std::string("CSeq: 1 X\r\n") + std::string(length_name) + ": " +
                     std::to_string(body.size()) + "\r\n",
                 body);
}

const std::string kRegister = with_length("REGISTER sip:registrar.example.com SIP/2.0", "");
// The body holds a blank line and a Content-Length of its own: neither may
// influence framing.
const std::string kMessage =
    with_length("MESSAGE sip:bob@example.com SIP/2.0", "hello\r\n\r\nContent-Length: 999\r\n", "l");

std::string msg(const std::string& m) {
  return "message:" + m;
}

TEST(StreamFramer, FramesOneMessageWithBody) {
  const Outcome out = run_whole(kMessage);
  EXPECT_EQ(out, (Outcome{{msg(kMessage)}, std::nullopt}));
}

TEST(StreamFramer, MessageWaitsForItsWholeBody) {
  StreamFramer framer;
  const std::string_view bytes = kMessage;
  ASSERT_TRUE(framer.feed(bytes.substr(0, bytes.size() - 1)));
  StreamFrame frame;
  EXPECT_FALSE(framer.next(frame));
  EXPECT_EQ(framer.buffered(), bytes.size() - 1);
  ASSERT_TRUE(framer.feed(bytes.substr(bytes.size() - 1)));
  ASSERT_TRUE(framer.next(frame));
  EXPECT_EQ(frame.kind, Kind::message);
  EXPECT_EQ(frame.bytes, kMessage);
  EXPECT_EQ(framer.buffered(), 0u);
}

// Two pipelined requests with keep-alives before, between and after.
const std::string kStream = "\r\n\r\n" + kRegister + "\r\n" + kMessage + kRegister + "\r\n\r\n\r\n";
const Outcome kStreamFrames{{"crlf", "double_crlf", msg(kRegister), "crlf", msg(kMessage),
                             msg(kRegister), "crlf", "double_crlf", "crlf"},
                            std::nullopt};

TEST(StreamFramer, PipelinedStreamInOneChunk) {
  EXPECT_EQ(run_whole(kStream), kStreamFrames);
}

TEST(StreamFramer, PipelinedStreamSplitAtEveryPoint) {
  const std::string_view bytes = kStream;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    EXPECT_EQ(run({bytes.substr(0, i), bytes.substr(i)}), kStreamFrames) << "split at " << i;
  }
}

TEST(StreamFramer, PipelinedStreamSplitAtEveryPairOfPoints) {
  const std::string_view bytes = kStream;
  for (std::size_t i = 0; i <= bytes.size(); i += 11) {
    for (std::size_t j = i; j <= bytes.size(); ++j) {
      EXPECT_EQ(run({bytes.substr(0, i), bytes.substr(i, j - i), bytes.substr(j)}), kStreamFrames)
          << "split at " << i << " and " << j;
    }
  }
}

TEST(StreamFramer, PipelinedStreamOneByteAtATime) {
  EXPECT_EQ(run_bytewise(kStream), kStreamFrames);
}

TEST(StreamFramer, KeepAlivePairing) {
  EXPECT_EQ(run_whole("\r\n").frames, (std::vector<std::string>{"crlf"}));
  EXPECT_EQ(run_whole("\r\n\r\n").frames, (std::vector<std::string>{"crlf", "double_crlf"}));
  EXPECT_EQ(run_whole("\r\n\r\n\r\n").frames,
            (std::vector<std::string>{"crlf", "double_crlf", "crlf"}));
  EXPECT_EQ(run_whole("\r\n\r\n\r\n\r\n").frames,
            (std::vector<std::string>{"crlf", "double_crlf", "crlf", "double_crlf"}));
  // Pairing follows the bytes, not the chunks.
  EXPECT_EQ(run({"\r\n", "\r\n"}).frames, (std::vector<std::string>{"crlf", "double_crlf"}));
  EXPECT_EQ(run({"\r", "\n\r", "\n"}).frames, (std::vector<std::string>{"crlf", "double_crlf"}));
}

TEST(StreamFramer, BareLineFeedBetweenMessagesIsSkippedAndSeparates) {
  EXPECT_TRUE(run_whole("\n\n\n").frames.empty());
  EXPECT_EQ(run_whole("\r\n\n\r\n").frames, (std::vector<std::string>{"crlf", "crlf"}));
  EXPECT_EQ(run_whole("\n" + kRegister).frames, (std::vector<std::string>{msg(kRegister)}));
}

TEST(StreamFramer, LoneCarriageReturnWaits) {
  StreamFramer framer;
  ASSERT_TRUE(framer.feed("\r"));
  StreamFrame frame;
  EXPECT_FALSE(framer.next(frame));
  EXPECT_EQ(framer.buffered(), 1u);
}

TEST(StreamFramer, CarriageReturnWithoutLineFeedStartsAMessage) {
  // "\rX..." is not a keep-alive; it is the (bad) start of a message, framed
  // like any other and left to the parser to reject.
  const std::string odd = "\r" + kRegister;
  EXPECT_EQ(run_whole(odd).frames, (std::vector<std::string>{msg(odd)}));
}

TEST(StreamFramer, MessageBreaksCrlfPairing) {
  EXPECT_EQ(run_whole("\r\n" + kRegister + "\r\n").frames,
            (std::vector<std::string>{"crlf", msg(kRegister), "crlf"}));
}

TEST(StreamFramer, ContentLengthSpellings) {
  for (std::string_view header :
       {"Content-Length: 3", "content-length: 3", "CONTENT-LENGTH:3", "l: 3", "L:3",
        "Content-Length  :  3  ", "Content-Length:\t3\t", "Content-Length:\r\n 3",
        "Content-Length: 003", "Content-Length: 3\r\nl: 3", "l: 3\r\nContent-Length: 03"}) {
    const std::string m =
        message("OPTIONS sip:bob@example.com SIP/2.0", std::string(header) + "\r\n", "abc");
    EXPECT_EQ(run_whole(m + kRegister), (Outcome{{msg(m), msg(kRegister)}, std::nullopt}))
        << header;
  }
}

TEST(StreamFramer, ZeroLengthBody) {
  const std::string m = message("OPTIONS sip:bob@example.com SIP/2.0", "Content-Length: 0\r\n", "");
  EXPECT_EQ(run_whole(m + m).frames, (std::vector<std::string>{msg(m), msg(m)}));
}

TEST(StreamFramer, ContentLengthLookalikesAreNotContentLength) {
  for (std::string_view header :
       {"X-Content-Length: 3", "Content-Length\x01: 3", "Content-Lengthx: 3", "ll: 3",
        "Content-Length 3", " Content-Length: 3"}) {
    const std::string m =
        message("OPTIONS sip:bob@example.com SIP/2.0", std::string(header) + "\r\n", "");
    const Outcome out = run_whole(m);
    EXPECT_TRUE(out.frames.empty()) << header;
    EXPECT_EQ(out.error, Errc::missing) << header;
  }
}

TEST(StreamFramer, StartLineIsNotAHeader) {
  const std::string m = "Content-Length: 5\r\nVia: x\r\n\r\n";
  EXPECT_EQ(run_whole(m).error, Errc::missing);
}

struct BadLength {
  const char* header;
  Errc error;
};

TEST(StreamFramer, BadContentLengthIsAFramingError) {
  const BadLength cases[] = {
      {"", Errc::missing},
      {"Content-Length: -1\r\n", Errc::malformed},
      {"Content-Length: +5\r\n", Errc::malformed},
      {"Content-Length: abc\r\n", Errc::malformed},
      {"Content-Length: 5 6\r\n", Errc::malformed},
      {"Content-Length: 5.0\r\n", Errc::malformed},
      {"Content-Length: 0x10\r\n", Errc::malformed},
      {"Content-Length:\r\n", Errc::malformed},
      {"Content-Length:   \r\n", Errc::malformed},
      {"Content-Length: 1\r\n 2\r\n", Errc::malformed},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", Errc::malformed},
      {"Content-Length: 5\r\nl: 0\r\n", Errc::malformed},
      {"Content-Length: 5\r\nContent-Length: x\r\n", Errc::malformed},
      {"Content-Length: 99999999999999999999\r\n", Errc::limit_exceeded},
      {"Content-Length: 18446744073709551621\r\n", Errc::limit_exceeded},  // 2^64 + 5
      {"Content-Length: 1048577\r\n", Errc::limit_exceeded},               // default limit + 1
  };
  for (const BadLength& c : cases) {
    const std::string bad = message("INVITE sip:bob@example.com SIP/2.0", c.header, "");
    // A good message before the bad one is still delivered; nothing after it.
    const Outcome expected{{msg(kRegister)}, c.error};
    const std::string stream = kRegister + bad + kRegister;
    EXPECT_EQ(run_whole(stream), expected) << c.header;
    EXPECT_EQ(run_bytewise(stream), expected) << c.header;
  }
}

TEST(StreamFramer, ErrorIsStickyAndStopsFraming) {
  StreamFramer framer;
  const std::string bad = message("INVITE sip:bob@example.com SIP/2.0", "l: -3\r\n", "");
  auto first = framer.feed(bad);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, Errc::malformed);
  EXPECT_TRUE(framer.failed());
  EXPECT_EQ(framer.error().code, Errc::malformed);
  EXPECT_EQ(framer.buffered(), 0u);

  auto again = framer.feed(kRegister);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, first.error().code);
  EXPECT_EQ(again.error().message, first.error().message);
  StreamFrame frame;
  EXPECT_FALSE(framer.next(frame));
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, ErrorPointIsTheSameForEverySplit) {
  const std::string bad =
      message("INVITE sip:bob@example.com SIP/2.0", "Content-Length: 4\r\nl: 5\r\n", "body!");
  const std::string stream = "\r\n" + kMessage + bad + kRegister;
  const Outcome expected{{"crlf", msg(kMessage)}, Errc::malformed};
  const std::string_view bytes = stream;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    EXPECT_EQ(run({bytes.substr(0, i), bytes.substr(i)}), expected) << "split at " << i;
  }
}

TEST(StreamFramer, BodyLimitIsInclusive) {
  Limits limits;
  limits.max_body_size = 10;
  const std::string at_limit = with_length("MESSAGE sip:bob@example.com SIP/2.0", "0123456789");
  EXPECT_EQ(run_whole(at_limit, limits), (Outcome{{msg(at_limit)}, std::nullopt}));
  const std::string over = with_length("MESSAGE sip:bob@example.com SIP/2.0", "0123456789A");
  EXPECT_EQ(run_whole(over, limits), (Outcome{{}, Errc::limit_exceeded}));
}

TEST(StreamFramer, ZeroBodyLimitAllowsOnlyEmptyBodies) {
  Limits limits;
  limits.max_body_size = 0;
  EXPECT_EQ(run_whole(kRegister, limits), (Outcome{{msg(kRegister)}, std::nullopt}));
  EXPECT_EQ(run_whole(kMessage, limits).error, Errc::limit_exceeded);
}

TEST(StreamFramer, HeaderLimitCountsUpToTheBlankLine) {
  const std::size_t head = kRegister.size();  // kRegister has no body
  Limits limits;
  limits.max_header_bytes = head;
  EXPECT_EQ(run_whole(kRegister + kRegister, limits),
            (Outcome{{msg(kRegister), msg(kRegister)}, std::nullopt}));
  EXPECT_EQ(run_bytewise(kRegister, limits), (Outcome{{msg(kRegister)}, std::nullopt}));

  limits.max_header_bytes = head - 1;
  EXPECT_EQ(run_whole(kRegister, limits), (Outcome{{}, Errc::limit_exceeded}));
  EXPECT_EQ(run_bytewise(kRegister, limits), (Outcome{{}, Errc::limit_exceeded}));
}

TEST(StreamFramer, LeadingKeepAlivesDoNotCountTowardsTheHeaderLimit) {
  Limits limits;
  limits.max_header_bytes = kRegister.size();
  const std::string stream = std::string(1000, '\n') + "\r\n" + kRegister;
  EXPECT_EQ(run_whole(stream, limits), (Outcome{{"crlf", msg(kRegister)}, std::nullopt}));
}

TEST(StreamFramer, SlowlorisHeadersFailExactlyAtTheLimit) {
  Limits limits;
  limits.max_header_bytes = 2048;
  StreamFramer framer(limits);
  std::string headers = "INVITE sip:bob@example.com SIP/2.0\r\n";
  while (headers.size() < limits.max_header_bytes) headers += "X-Drip: a\r\n";
  StreamFrame frame;
  for (std::size_t i = 0; i + 1 < limits.max_header_bytes; ++i) {
    ASSERT_TRUE(framer.feed(std::string_view(headers).substr(i, 1))) << "byte " << i;
    ASSERT_FALSE(framer.next(frame));
    ASSERT_EQ(framer.buffered(), i + 1);
  }
  auto last = framer.feed(std::string_view(headers).substr(limits.max_header_bytes - 1, 1));
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, Errc::limit_exceeded);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, HugeHeaderSectionInOneChunkIsRejected) {
  const std::string headers =
      "INVITE sip:bob@example.com SIP/2.0\r\nX-Big: " + std::string(200 * 1024, 'a');
  EXPECT_EQ(run_whole(headers), (Outcome{{}, Errc::limit_exceeded}));
}

TEST(StreamFramer, BareLineFeedMessageNeverCompletes) {
  Limits limits;
  limits.max_header_bytes = 512;
  const std::string lf =
      "OPTIONS sip:bob@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\n"
      "Content-Length: 0\n\n";
  StreamFramer framer(limits);
  ASSERT_TRUE(framer.feed(lf));
  StreamFrame frame;
  EXPECT_FALSE(framer.next(frame));
  EXPECT_EQ(framer.buffered(), lf.size());
  auto filler = framer.feed(std::string(limits.max_header_bytes, 'x'));
  ASSERT_FALSE(filler);
  EXPECT_EQ(filler.error().code, Errc::limit_exceeded);
}

TEST(StreamFramer, ManyMessagesInOneLargeChunk) {
  std::string stream;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    stream += (i % 2 == 0) ? kRegister : kMessage;
    expected.push_back(msg((i % 2 == 0) ? kRegister : kMessage));
  }
  const Outcome out = run_whole(stream);
  EXPECT_EQ(out.error, std::nullopt);
  EXPECT_EQ(out.frames, expected);
}

// 1-byte feeding of a 64 KiB message must stay linear: a rescan per byte
// would take billions of steps here and time the test out.
TEST(StreamFramer, LargeMessageFedOneByteAtATime) {
  std::string extra = "CSeq: 1 MESSAGE\r\n";
  while (extra.size() < 40 * 1024) extra += "X-Padding: 0123456789abcdef0123456789abcdef\r\n";
  const std::string body(24 * 1024, 'b');
  extra += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::string big = message("MESSAGE sip:bob@example.com SIP/2.0", extra, body);
  ASSERT_GE(big.size(), 64u * 1024u);

  StreamFramer framer;
  const std::string_view bytes = big;
  StreamFrame frame;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    ASSERT_TRUE(framer.feed(bytes.substr(i, 1)));
    if (i + 1 < bytes.size()) {
      ASSERT_FALSE(framer.next(frame));
    }
  }
  ASSERT_TRUE(framer.next(frame));
  EXPECT_EQ(frame.kind, Kind::message);
  EXPECT_EQ(frame.bytes, big);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StreamFramer, BufferedStaysWithinTheLimits) {
  Limits limits;
  limits.max_header_bytes = 300;
  limits.max_body_size = 100;
  StreamFramer framer(limits);
  const std::string body(100, 'z');
  const std::string m = message("MESSAGE sip:b@example.com SIP/2.0",
                                "l: " + std::to_string(body.size()) + "\r\n", body);
  ASSERT_LE(m.size() - body.size(), limits.max_header_bytes);
  StreamFrame frame;
  for (int round = 0; round < 50; ++round) {
    const std::string_view bytes = m;
    for (std::size_t i = 0; i < bytes.size(); i += 7) {
      ASSERT_TRUE(framer.feed(bytes.substr(i, 7)));
      EXPECT_LT(framer.buffered(), limits.max_header_bytes + limits.max_body_size);
    }
    ASSERT_TRUE(framer.next(frame));
    EXPECT_EQ(frame.bytes, m);
    EXPECT_FALSE(framer.next(frame));
  }
}

}  // namespace
}  // namespace sipline::sip
