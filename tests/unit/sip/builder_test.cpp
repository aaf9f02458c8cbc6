#include "sip/builder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace sipline::sip {
namespace {

std::vector<std::string> names(const Message& m) {
  std::vector<std::string> out;
  for (const HeaderField& f : m.headers()) out.emplace_back(f.name);
  return out;
}

std::vector<std::string> values(const Message& m, HeaderId id) {
  std::vector<std::string> out;
  for (const HeaderField& f : m.headers()) {
    if (f.id == id) out.emplace_back(f.value);
  }
  return out;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

MessageBuilder register_request() {
  MessageBuilder b = MessageBuilder::request(Method::register_, "sip:registrar.example.com");
  b.add(HeaderId::via, "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds")
      .add(HeaderId::max_forwards, "70")
      .add(HeaderId::to, "<sip:alice@example.com>")
      .add(HeaderId::from, "<sip:alice@example.com>;tag=1928301774")
      .add(HeaderId::call_id, "a84b4c76e66710@192.0.2.10")
      .add(HeaderId::cseq, "1 REGISTER")
      .add(HeaderId::contact, "<sip:alice@192.0.2.10;transport=tcp>");
  return b;
}

TEST(MessageBuilder, RequestRendersCanonicalNamesAndLength) {
  MessageBuilder b = register_request();
  b.add("X-Custom", "1").add(HeaderId::www_authenticate, "Digest realm=\"x\"");
  b.body("text/plain", "hello");
  EXPECT_EQ(b.to_bytes(),
            "REGISTER sip:registrar.example.com SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"
            "Max-Forwards: 70\r\n"
            "To: <sip:alice@example.com>\r\n"
            "From: <sip:alice@example.com>;tag=1928301774\r\n"
            "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
            "CSeq: 1 REGISTER\r\n"
            "Contact: <sip:alice@192.0.2.10;transport=tcp>\r\n"
            "X-Custom: 1\r\n"
            "WWW-Authenticate: Digest realm=\"x\"\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "hello");
}

TEST(MessageBuilder, BuiltRequestParses) {
  auto built = register_request().body("text/plain", "hello").build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_TRUE(built->is_request());
  EXPECT_EQ(built->method(), Method::register_);
  EXPECT_EQ(built->request_uri().host(), "registrar.example.com");
  EXPECT_EQ(built->call_id(), "a84b4c76e66710@192.0.2.10");
  EXPECT_EQ(built->cseq().number, 1u);
  EXPECT_EQ(built->from_tag(), "1928301774");
  EXPECT_EQ(built->top_via().branch, "z9hG4bK776asdhds");
  EXPECT_EQ(built->content_type(), "text/plain");
  EXPECT_EQ(built->content_length(), 5u);
  EXPECT_EQ(built->body(), "hello");
}

TEST(MessageBuilder, MethodTextRequest) {
  auto built = MessageBuilder::request("OPTIONS", "sip:bob@example.com")
                   .add(HeaderId::via, "SIP/2.0/UDP h.example.com;branch=z9hG4bK1")
                   .add(HeaderId::to, "<sip:bob@example.com>")
                   .add(HeaderId::from, "<sip:a@example.com>;tag=1")
                   .add(HeaderId::call_id, "c1")
                   .add(HeaderId::cseq, "7 OPTIONS")
                   .build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->method(), Method::options);
  EXPECT_EQ(built->start_line(), "OPTIONS sip:bob@example.com SIP/2.0");
  EXPECT_EQ(built->content_length(), 0u);
}

TEST(MessageBuilder, ContentLengthIsAlwaysComputed) {
  MessageBuilder b = register_request();
  b.add(HeaderId::content_length, "99").add("l", "7").add("content-length", "8");
  b.prepend(HeaderId::content_length, "1").set(HeaderId::content_length, "2");
  const std::string empty = b.to_bytes();
  EXPECT_EQ(occurrences(empty, "Content-Length: 0\r\n"), 1u);
  EXPECT_EQ(occurrences(empty, "ength"), 1u);
  EXPECT_EQ(occurrences(empty, "\r\nl:"), 0u);

  b.body("application/sdp", std::string(300, 'v'));
  auto built = b.build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->content_length(), 300u);
  EXPECT_EQ(built->count(HeaderId::content_length), 1u);
}

TEST(MessageBuilder, PrependSetRemove) {
  MessageBuilder b = register_request();
  b.prepend(HeaderId::via, "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKtop");
  auto built = b.build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->top_via().branch, "z9hG4bKtop");
  EXPECT_EQ(values(*built, HeaderId::via),
            (std::vector<std::string>{"SIP/2.0/TCP proxy.example.com;branch=z9hG4bKtop",
                                      "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds"}));

  b.set(HeaderId::via, "SIP/2.0/TCP only.example.com;branch=z9hG4bKonly");
  b.remove(HeaderId::contact).set(HeaderId::expires, "600");
  built = b.build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(values(*built, HeaderId::via),
            (std::vector<std::string>{"SIP/2.0/TCP only.example.com;branch=z9hG4bKonly"}));
  EXPECT_EQ(built->count(HeaderId::contact), 0u);
  EXPECT_EQ(names(*built), (std::vector<std::string>{"Max-Forwards", "To", "From", "Call-ID",
                                                     "CSeq", "Via", "Expires", "Content-Length"}));
}

TEST(MessageBuilder, RemoveMatchesCompactAndAnyCase) {
  MessageBuilder b = register_request();
  b.add("m", "<sip:second@192.0.2.10>").add("CONTACT", "<sip:third@192.0.2.10>");
  b.add("X-Keep", "yes");
  b.remove(HeaderId::contact);
  b.remove(HeaderId::unknown);
  auto built = b.build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->count(HeaderId::contact), 0u);
  EXPECT_EQ(built->header("X-Keep"), "yes");
}

TEST(MessageBuilder, RequestUri) {
  auto built = register_request().request_uri("sip:backup.example.com:5080").build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->start_line(), "REGISTER sip:backup.example.com:5080 SIP/2.0");
  EXPECT_EQ(built->request_uri().host(), "backup.example.com");

  MessageBuilder response = MessageBuilder::response(200);
  response.request_uri("sip:ignored@example.com");
  EXPECT_TRUE(response.to_bytes().starts_with("SIP/2.0 200 OK\r\n"));
}

TEST(MessageBuilder, BodyWithoutContentTypeRemovesIt) {
  MessageBuilder b = register_request();
  b.body("text/plain", "hello").body("", "");
  auto built = b.build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->count(HeaderId::content_type), 0u);
  EXPECT_EQ(built->body(), "");
}

TEST(MessageBuilder, FromCopiesAndUnfolds) {
  auto parsed = Message::parse(
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds8\r\n"
      "Max-Forwards: 70\r\n"
      "To: Bob <sip:bob@example.com>\r\n"
      "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Subject: lunch\r\n"
      "  today\r\n"
      "c: text/plain\r\n"
      "l: 4\r\n"
      "\r\n"
      "body");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& original = *parsed;
  MessageBuilder b = MessageBuilder::from(original);
  auto copy = b.build();
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ(copy->start_line(), original.start_line());
  EXPECT_EQ(names(*copy), (std::vector<std::string>{"v", "Max-Forwards", "To", "From", "Call-ID",
                                                    "CSeq", "Subject", "c", "Content-Length"}));
  EXPECT_EQ(copy->header(HeaderId::subject), "lunch today");
  EXPECT_EQ(copy->body(), "body");
  EXPECT_EQ(copy->content_type(), "text/plain");
  EXPECT_EQ(copy->top_via().branch, original.top_via().branch);

  b.remove(HeaderId::via).prepend(HeaderId::via, "SIP/2.0/UDP new.example.com;branch=z9hG4bKn");
  b.body("application/sdp", "v=0\r\n");
  auto edited = b.build();
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(edited->top_via().branch, "z9hG4bKn");
  EXPECT_EQ(edited->count(HeaderId::via), 1u);
  EXPECT_EQ(edited->count(HeaderId::content_type), 1u);
  EXPECT_EQ(edited->content_type(), "application/sdp");
  EXPECT_EQ(edited->body(), "v=0\r\n");
}

// Values and names cannot inject a line: build() refuses them and to_bytes()
// keeps every field on its own line.
TEST(MessageBuilder, LineBreaksCannotInjectHeaders) {
  struct Case {
    MessageBuilder builder;
    std::size_t lines;  // of the header section, start line included
    const char* what;
  };
  std::vector<Case> cases;
  cases.push_back({register_request().add(HeaderId::subject, "hi\r\nVia: SIP/2.0/UDP evil"), 10,
                   "CRLF in value"});
  cases.push_back(
      {register_request().add(HeaderId::subject, "hi\nVia: SIP/2.0/UDP evil"), 10, "LF in value"});
  cases.push_back(
      {register_request().add(HeaderId::subject, "hi\rVia: SIP/2.0/UDP evil"), 10, "CR in value"});
  cases.push_back({register_request().add("X-A\r\nVia", "SIP/2.0/UDP evil"), 10, "CRLF in name"});
  cases.push_back(
      {register_request().add("Via: SIP/2.0/UDP evil\r\nX", "1"), 10, "header in name"});
  cases.push_back({register_request().body("text/plain\r\nVia: SIP/2.0/UDP evil", "x"), 10,
                   "CRLF in content type"});
  cases.push_back({register_request().request_uri("sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP evil"), 9,
                   "CRLF in request URI"});
  for (Case& c : cases) {
    auto built = c.builder.build();
    ASSERT_FALSE(built) << c.what;
    EXPECT_EQ(built.error().code, Errc::malformed) << c.what;
    const std::string bytes = c.builder.to_bytes();
    EXPECT_EQ(occurrences(bytes, "\nVia: SIP/2.0/UDP evil"), 0u) << c.what;
    EXPECT_EQ(occurrences(bytes, "\rVia: SIP/2.0/UDP evil"), 0u) << c.what;
    EXPECT_EQ(occurrences(bytes, "\r\nVia:"), 1u) << c.what;  // only the real one
    const std::size_t head_end = bytes.find("\r\n\r\n") + 2;
    EXPECT_EQ(occurrences(std::string_view(bytes).substr(0, head_end), "\r\n"), c.lines) << c.what;
    EXPECT_EQ(occurrences(bytes, "\r"), occurrences(bytes, "\n")) << c.what;
    EXPECT_EQ(occurrences(bytes, "\r"), c.lines + 1) << c.what;
  }
}

TEST(MessageBuilder, NonTokenNamesAreRejected) {
  for (std::string_view name : {"", "Bad Name", "Bad:Name", "Na\x01me", "Bad\tName"}) {
    MessageBuilder b = register_request();
    b.add(name, "1");
    auto built = b.build();
    ASSERT_FALSE(built) << name;
    EXPECT_EQ(built.error().code, Errc::malformed);
  }
}

TEST(MessageBuilder, ReasonWithLineBreakIsRejected) {
  MessageBuilder b = MessageBuilder::response(200, "OK\r\nVia: SIP/2.0/UDP evil");
  EXPECT_FALSE(b.build());
  EXPECT_EQ(occurrences(b.to_bytes(), "\r\nVia"), 0u);
}

const char* const kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP proxy2.example.com:5061;branch=z9hG4bK4b43c2ff8.1 ;received=192.0.2.3\r\n"
    "v: SIP/2.0/UDP proxy1.example.com;branch=z9hG4bK77ef4c2312983.1,SIP/2.0/UDP "
    "pc33.example.com;branch=z9hG4bKnashds8;rport=5060\r\n"
    "Max-Forwards: 68\r\n"
    "To: \"Bob, the builder\" <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.example.com>\r\n"
    "Record-Route: <sip:proxy1.example.com;lr>\r\n"
    "Timestamp: 54.2 0.3\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "body";

TEST(ResponseTo, CopiesExactlyWhatRfc3261Section8_2_6Says) {
  auto parsed = Message::parse(kInvite);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& request = *parsed;
  auto response = response_to(request, 180, {}, "a6c85cf").build();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->start_line(), "SIP/2.0 180 Ringing");
  EXPECT_EQ(names(*response), (std::vector<std::string>{"Via", "Via", "From", "To", "Call-ID",
                                                        "CSeq", "Content-Length"}));
  // Via: every field value, byte for byte, in order.
  EXPECT_EQ(values(*response, HeaderId::via), values(request, HeaderId::via));
  auto request_vias = request.vias();
  auto response_vias = response->vias();
  ASSERT_TRUE(request_vias && response_vias);
  ASSERT_EQ(response_vias->size(), 3u);
  ASSERT_EQ(request_vias->size(), response_vias->size());
  for (std::size_t i = 0; i < request_vias->size(); ++i) {
    EXPECT_EQ((*request_vias)[i].raw, (*response_vias)[i].raw);
  }
  EXPECT_EQ(response->header(HeaderId::from), request.header(HeaderId::from));
  EXPECT_EQ(response->from_tag(), "1928301774");
  EXPECT_EQ(values(*response, HeaderId::to),
            (std::vector<std::string>{"\"Bob, the builder\" <sip:bob@example.com>;tag=a6c85cf"}));
  EXPECT_EQ(response->to_tag(), "a6c85cf");
  EXPECT_EQ(response->call_id(), request.call_id());
  EXPECT_EQ(response->header(HeaderId::cseq), "314159 INVITE");
  EXPECT_EQ(response->cseq().method, Method::invite);
  EXPECT_EQ(response->body(), "");
}

TEST(ResponseTo, TryingGetsNoTagButTheTimestamp) {
  auto parsed = Message::parse(kInvite);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& request = *parsed;
  auto trying = response_to(request, 100, {}, "a6c85cf").build();
  ASSERT_TRUE(trying) << trying.error().message;
  EXPECT_EQ(trying->start_line(), "SIP/2.0 100 Trying");
  EXPECT_EQ(trying->to_tag(), "");
  EXPECT_EQ(trying->header(HeaderId::to), request.header(HeaderId::to));
  EXPECT_EQ(trying->header(HeaderId::timestamp), "54.2 0.3");

  auto ok = response_to(request, 200, {}, "a6c85cf").build();
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->count(HeaderId::timestamp), 0u);
}

TEST(ResponseTo, ExistingTagIsKept) {
  std::string in_dialog = kInvite;
  const std::string to = "To: \"Bob, the builder\" <sip:bob@example.com>";
  in_dialog.replace(in_dialog.find(to), to.size(), to + ";tag=existing");
  auto parsed = Message::parse(in_dialog);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& request = *parsed;
  auto response = response_to(request, 200, {}, "other").build();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->to_tag(), "existing");
  EXPECT_EQ(response->header(HeaderId::to), request.header(HeaderId::to));
}

TEST(ResponseTo, ReasonDefaultsAndOverrides) {
  auto parsed = Message::parse(kInvite);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& request = *parsed;
  EXPECT_TRUE(
      response_to(request, 486, {}, "t").to_bytes().starts_with("SIP/2.0 486 Busy Here\r\n"));
  EXPECT_TRUE(response_to(request, 423, {}, "t")
                  .to_bytes()
                  .starts_with("SIP/2.0 423 Interval Too Brief\r\n"));
  auto custom = response_to(request, 503, "Maintenance", "t").build();
  ASSERT_TRUE(custom) << custom.error().message;
  EXPECT_EQ(custom->status_code(), 503);
  EXPECT_EQ(custom->reason_phrase(), "Maintenance");
}

TEST(DefaultReason, Rfc3261Section21AndExtensions) {
  const std::pair<int, std::string_view> table[] = {
      {100, "Trying"},
      {180, "Ringing"},
      {181, "Call Is Being Forwarded"},
      {182, "Queued"},
      {183, "Session Progress"},
      {200, "OK"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Moved Temporarily"},
      {305, "Use Proxy"},
      {380, "Alternative Service"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {410, "Gone"},
      {413, "Request Entity Too Large"},
      {414, "Request-URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Unsupported URI Scheme"},
      {420, "Bad Extension"},
      {421, "Extension Required"},
      {423, "Interval Too Brief"},
      {480, "Temporarily Unavailable"},
      {481, "Call/Transaction Does Not Exist"},
      {482, "Loop Detected"},
      {483, "Too Many Hops"},
      {484, "Address Incomplete"},
      {485, "Ambiguous"},
      {486, "Busy Here"},
      {487, "Request Terminated"},
      {488, "Not Acceptable Here"},
      {491, "Request Pending"},
      {493, "Undecipherable"},
      {500, "Server Internal Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Server Time-out"},
      {505, "Version Not Supported"},
      {513, "Message Too Large"},
      {600, "Busy Everywhere"},
      {603, "Decline"},
      {604, "Does Not Exist Anywhere"},
      {606, "Not Acceptable"},
      // Extensions.
      {422, "Session Interval Too Small"},
      {489, "Bad Event"},
      {430, "Flow Failed"},
      {439, "First Hop Lacks Outbound Support"},
      {580, "Precondition Failure"},
  };
  for (const auto& [code, reason] : table) EXPECT_EQ(default_reason(code), reason) << code;
}

TEST(DefaultReason, UnknownCodesFallBackToTheirClass) {
  EXPECT_EQ(default_reason(198), "Trying");
  EXPECT_EQ(default_reason(299), "OK");
  EXPECT_EQ(default_reason(499), "Bad Request");
  EXPECT_EQ(default_reason(599), "Server Internal Error");
  EXPECT_EQ(default_reason(699), "Busy Everywhere");
  EXPECT_EQ(default_reason(99), "");
  EXPECT_EQ(default_reason(700), "");
  EXPECT_EQ(default_reason(-1), "");
  EXPECT_EQ(default_reason(0), "");
}

TEST(MessageBuilder, ResponseFromScratchParses) {
  auto built = MessageBuilder::response(404)
                   .add(HeaderId::via, "SIP/2.0/UDP h.example.com;branch=z9hG4bK1")
                   .add(HeaderId::to, "<sip:bob@example.com>;tag=9")
                   .add(HeaderId::from, "<sip:a@example.com>;tag=1")
                   .add(HeaderId::call_id, "c1")
                   .add(HeaderId::cseq, "7 OPTIONS")
                   .build();
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_TRUE(built->is_response());
  EXPECT_EQ(built->status_code(), 404);
  EXPECT_EQ(built->reason_phrase(), "Not Found");
}

}  // namespace
}  // namespace sipline::sip
