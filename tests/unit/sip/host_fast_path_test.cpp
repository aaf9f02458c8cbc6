// The word-wise dotted-quad scan (host_scan.hpp) against the byte-wise one
// it stands in front of, and the request line's one-pass reading against
// the general one: on seeds and on every single-byte mutation of them, with
// the text ending right after the address and with bytes after it (the
// scan reads whole words where it can).

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mutations.hpp"
#include "sip/grammar.hpp"
#include "sip/host_scan.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"
#include "sip/uri_scan.hpp"

namespace sipline::sip {
namespace {

TEST(HostFastPath, DottedQuadScanAgreesWithTheByteWalk) {
  const std::vector<std::string> seeds = {
      "192.0.2.41", "255.255.255.255", "0.0.0.0",         "1.2.3.4",         "198.51.100.7",
      "256.1.1.1",  "1.2.3.255",       "1.2.3.256",       "249.250.199.200", "01.002.3.4",
      "1234.1.1.1", "1.2.3",           "1.2.3.4.5",       "1.2.3.4a",        "203.0.113.15:5060",
      "1..2.3",     "9.9.9.9;x",       "100.100.100.100", "2.25.260.1",      "1.2.3.4-",
  };
  const std::string alphabet = std::string("./:;-0123456789aZ \xff") + '\0';
  const std::vector<std::string> suffixes = {"",
                                             ";",
                                             "-",
                                             ".",
                                             "5",
                                             ":5060;branch=z9hG4bK",
                                             std::string(1, '\0') + "99999999",
                                             ";received=198.51.100.7"};
  std::size_t accepted = 0;
  std::size_t checked = 0;
  for (const std::string& text : mutations(seeds, alphabet)) {
    for (const std::string& suffix : suffixes) {
      // Also from a position inside a longer text, as in a Via.
      for (const std::string& prefix : {std::string(), std::string("SIP/2.0/UDP ")}) {
        const std::string all = prefix + text + suffix;
        const std::size_t fast = fast::scan_dotted_quad(all, prefix.size());
        const std::size_t bytes = fast::detail::scan_dotted_quad_bytes(all, prefix.size());
        ASSERT_EQ(fast, bytes) << "'" << all << "'";
        ++checked;
        if (fast != fast::npos) ++accepted;
      }
    }
  }
  EXPECT_GT(checked, 50000U);
  EXPECT_GT(accepted, 5000U);
}

TEST(HostFastPath, UriHostScanAgreesWithTheHostScanWithBytesAfterIt) {
  const std::vector<std::string> seeds = {
      "sip.example.com",
      "a-b.c-d.example.",
      "Example.COM",
      "a1.b2.c3",
      "x.1",
      "a.b-.c",
      "1und1.de",
      "ab--c.de",
      "z",
      "abcdefghijklmno",
      "a.b.c.d.e.f.g.h",
      "host-.x",
      "h.-x",
      "gw3.carrier.net",
      "a.b..",
  };
  const std::string alphabet = std::string(".-:;>@0159aAzZ \xff") + '\0';
  const std::vector<std::string> suffixes = {"",
                                             ">",
                                             ".",
                                             "-",
                                             ";tag=5c1a9e02",
                                             ":5060;user=phone",
                                             " SIP/2.0",
                                             std::string(1, '\0') + "abcdefgh"};
  std::size_t hosts = 0;
  for (const std::string& text : mutations(seeds, alphabet)) {
    for (const std::string& suffix : suffixes) {
      const std::string all = "sip:" + text + suffix;
      HostPort a;
      HostPort b;
      const std::size_t end = fast::scan_uri_host(all, 4, a);
      ASSERT_EQ(end, fast::scan_host(all, 4, b)) << "'" << all << "'";
      if (end == fast::npos) continue;
      ++hosts;
      EXPECT_EQ(a.host, b.host) << all;
      EXPECT_EQ(a.kind, b.kind) << all;
    }
  }
  EXPECT_GT(hosts, 10000U);
}

// What the general reading of a request line (parser.cpp) makes of the URI
// of `line`: the Request-URI when the line is accepted with version 2.0,
// else nothing.
std::optional<Uri> general_request_uri(std::string_view line, const UriLimits& limits) {
  const std::size_t first = line.find(' ');
  if (first == std::string_view::npos || !scan::is_token(line.substr(0, first))) return {};
  const std::string_view rest = line.substr(first + 1);
  const std::size_t second = rest.find(' ');
  if (second == std::string_view::npos || second == 0 || rest.substr(second + 1) != "SIP/2.0") {
    return {};
  }
  auto uri = grammar::parse_uri_general(rest.substr(0, second), limits);
  if (!uri || !uri->headers.empty()) return {};
  return *uri;
}

TEST(HostFastPath, RequestLineAcceptsOnlyWhatTheGeneralReadingAccepts) {
  const std::vector<std::string> seeds = {
      "REGISTER sip:sip.example.com SIP/2.0",
      "INVITE sip:2002@sip.example.com;user=phone SIP/2.0",
      "ACK sip:2002@203.0.113.15:5060 SIP/2.0",
      "BYE sips:u:pw@192.0.2.41:5061;transport=tls SIP/2.0",
      "OPTIONS sip:[2001:db8::9]:5060 SIP/2.0",
      "x.y-z! sip:a@b SIP/2.0",
      "SUBSCRIBE sip:2002@sip.example.com SIP/2.0",
      "INVITE sip:a@b?h=1 SIP/2.0",
      "INVITE tel:+1-201-555-0123 SIP/2.0",
      "INVITE sip:a@b SIP/2.1",
  };
  const std::string alphabet = std::string(" ;:@.-%?[]=/0159aAsSzZ!\t") + '\0' + "\xff";
  std::size_t accepted = 0;
  for (const UriLimits limits : {UriLimits{}, UriLimits{30, 1}}) {
    for (const std::string& line : mutations(seeds, alphabet)) {
      const std::size_t first = line.find(' ');
      if (first == std::string::npos) continue;
      Uri fast;
      // A method the parser knows skips the token scan: the same verdict.
      Uri known;
      const bool is_known = method_from(std::string_view(line).substr(0, first)) != Method::unknown;
      const std::size_t close = fast::scan_request_line(line, first, limits, fast);
      if (is_known) {
        EXPECT_EQ(fast::scan_request_line(line, first, limits, known, true), close) << line;
      }
      const std::optional<Uri> general = general_request_uri(line, limits);
      if (close == fast::npos) continue;
      ++accepted;
      ASSERT_TRUE(general) << "'" << line << "'";
      EXPECT_EQ(close, line.size() - 8) << line;
      EXPECT_EQ(fast.scheme, general->scheme) << line;
      EXPECT_EQ(fast.user, general->user) << line;
      EXPECT_EQ(fast.password, general->password) << line;
      EXPECT_EQ(fast.host_port.host, general->host_port.host) << line;
      EXPECT_EQ(fast.host_port.kind, general->host_port.kind) << line;
      EXPECT_EQ(fast.host_port.port, general->host_port.port) << line;
      EXPECT_EQ(fast.params.raw(), general->params.raw()) << line;
      EXPECT_EQ(fast.raw, general->raw) << line;
    }
  }
  EXPECT_GT(accepted, 1000U);
}

TEST(HostFastPath, RequestLinesTheFastPathLeavesKeepTheirErrors) {
  const std::string tail =
      "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\n"
      "Call-ID: x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  auto error = [&tail](const std::string& line) {
    auto m = Message::parse(line + tail);
    return m ? std::string() : m.error().message;
  };
  EXPECT_EQ(error("INVITE sip:a@b SIP/2.0"), "");
  EXPECT_EQ(error("INVITE tel:+1-201-555-0123 SIP/2.0"), "");
  EXPECT_NE(error("INVITE sip:a@b SIP/2.1"), "");
  EXPECT_NE(error("INVITE sip:a@b?h=1 SIP/2.0"), "");
  EXPECT_NE(error("INVITE sip:a@1.2.3.256 SIP/2.0"), "");
  EXPECT_NE(error("INV@TE sip:a@b SIP/2.0"), "");
}

TEST(HostFastPath, StatusLineReasonsWithAControlAreRejectedWherePutTheyAre) {
  const std::string tail =
      "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\n"
      "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const std::vector<std::string> seeds = {"OK", "Ringing", "Unauthorized", "Service Unavailable",
                                          "Session Progress, early media (sent over UDP)"};
  const std::string alphabet = std::string("\t \x01\x1f\x7f\x80\xff a~") + '\0';
  std::size_t accepted = 0;
  for (const std::string& reason : mutations(seeds, alphabet)) {
    bool valid = true;
    for (char c : reason) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && byte != '\t') || byte == 0x7f) valid = false;
    }
    auto m = Message::parse("SIP/2.0 200 " + reason + tail);
    ASSERT_EQ(m.has_value(), valid) << "'" << reason << "'";
    if (valid) {
      ++accepted;
      EXPECT_EQ(m->reason_phrase(), reason);
    } else {
      EXPECT_EQ(m.error().message, "status line: control character in the reason phrase") << reason;
    }
  }
  EXPECT_GT(accepted, 1000U);
  EXPECT_EQ(Message::parse("sip/2.0 200 OK" + tail).has_value(), true);
  EXPECT_EQ(Message::parse("SIP/2.1 200 OK" + tail).error().message,
            "unsupported SIP version SIP/2.1");
}

}  // namespace
}  // namespace sipline::sip
