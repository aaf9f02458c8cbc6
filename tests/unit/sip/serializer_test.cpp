#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every .sip file of the benchmark corpus and the shipped valid examples.
std::vector<std::filesystem::path> sample_files() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/bench/corpus", "/examples/messages/valid"}) {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SIPLINE_SOURCE_DIR) + dir, ec)) {
      if (entry.path().extension() == ".sip") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Messages written to exercise what byte-exactness must survive: odd case,
// compact names, folding, tabs, trailing blanks, empty values, NULs.
const std::vector<std::string> kMessages = {
    "OPTIONS sip:b@example.com SIP/2.0\r\n"
    "vIa:\tSIP/2.0/UDP h;branch=z9hG4bK1  \r\n"
    "f: <sip:a@example.com>;tag=1\r\n"
    "t:   <sip:b@example.com>\r\n"
    "i: c\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Subject:\r\n"
    "X-Folded: one\r\n\ttwo\r\n   three\r\n"
    "X-Nul: a\0b\r\n"
    "\r\n"s,  // the suffix keeps the NUL
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TLS a.example.com;branch=z9hG4bKa, SIP/2.0/UDP b.example.com\r\n"
    "From: \"Caller\" <sips:a@example.com>;tag=x\r\n"
    "To: <sips:b@example.com>;tag=y\r\n"
    "Call-ID: 1@2\r\n"
    "CSeq: 7 INVITE\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 11\r\n"
    "\r\n"
    "v=0\r\no=- \r\n",
    "MESSAGE sip:b@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:b@example.com>\r\n"
    "Call-ID: c\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "\r\n"
    "body without a Content-Length\r\n\r\nwith an empty line",
};

TEST(Serialize, UnchangedMessagesAreWrittenByteForByte) {
  std::size_t checked = 0;
  std::vector<std::string> all(kMessages);
  ASSERT_NE(all[0].find(std::string("a\0b", 3)), std::string::npos);
  for (const auto& file : sample_files()) all.push_back(read_file(file));
  ASSERT_GE(all.size(), kMessages.size() + 16) << "the sample corpus went missing";
  for (const std::string& bytes : all) {
    auto m = Message::parse(bytes);
    ASSERT_TRUE(m) << m.error().message << "\n" << bytes;
    const std::string out = serialize(*m);
    EXPECT_EQ(out, bytes);
    EXPECT_EQ(out, m->bytes());
    auto again = Message::parse(out);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(serialize(*again), out);
    EXPECT_EQ(again->headers().size(), m->headers().size());
    ++checked;
  }
  EXPECT_EQ(checked, all.size());
}

TEST(Serialize, WritesWhatWasKeptAfterFraming) {
  // Leading CRLFs and bytes beyond Content-Length are not part of the message.
  const std::string message =
      "BYE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: c\r\n"
      "CSeq: 2 BYE\r\nContent-Length: 4\r\n\r\nbody";
  auto m = Message::parse("\r\n\r\n" + message + "garbage after the body");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(serialize(*m), message);
}

TEST(Serialize, AppendsToTheOutput) {
  const std::string& bytes = kMessages[1];
  auto m = Message::parse(bytes);
  ASSERT_TRUE(m) << m.error().message;
  std::string out = "prefix|";
  serialize_to(*m, out);
  serialize_to(*m, out);
  EXPECT_EQ(out, "prefix|" + bytes + bytes);
}

}  // namespace
}  // namespace sipline::sip
