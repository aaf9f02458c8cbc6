#include "sip/message.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/builder.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_literals;

// Joins lines with CRLF, ends the header section with an empty line and
// appends the body.
std::string text(std::initializer_list<std::string_view> lines, std::string_view body = {}) {
  std::string out;
  for (std::string_view line : lines) out.append(line).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

// A minimal valid request; tests replace or add single lines.
std::vector<std::string> request_lines() {
  return {
      "REGISTER sip:registrar.example.com SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport",
      "Max-Forwards: 70",
      "From: \"Alice\" <sip:alice@example.com>;tag=1928301774",
      "To: <sip:alice@example.com>",
      "Call-ID: a84b4c76e66710@192.0.2.10",
      "CSeq: 1 REGISTER",
      "Content-Length: 0",
  };
}

std::string join(const std::vector<std::string>& lines, std::string_view body = {}) {
  std::string out;
  for (const std::string& line : lines) out.append(line).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

// request_lines() with the line starting with `prefix` replaced (or removed
// when `replacement` is empty).
std::string request_with(std::string_view prefix, std::string_view replacement) {
  std::vector<std::string> lines;
  for (std::string& line : request_lines()) {
    if (line.starts_with(prefix)) {
      if (!replacement.empty()) lines.emplace_back(replacement);
    } else {
      lines.push_back(std::move(line));
    }
  }
  return join(lines);
}

std::string request_plus(std::string_view extra, std::string_view body = {}) {
  auto lines = request_lines();
  lines.insert(lines.end() - 1, std::string(extra));
  return join(lines, body);
}

Error parse_error(std::string_view bytes, const Limits& limits = {}) {
  auto m = Message::parse(bytes, limits);
  EXPECT_FALSE(m.has_value());
  return m ? Error{Errc::malformed, "<parsed>"} : m.error();
}

TEST(MessageParse, DecodesTheCoreFieldsOfARequest) {
  auto m = Message::parse(join(request_lines()));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->is_request());
  EXPECT_EQ(m->method(), Method::register_);
  EXPECT_EQ(m->method_text(), "REGISTER");
  EXPECT_EQ(m->request_uri().host(), "registrar.example.com");
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->start_line(), "REGISTER sip:registrar.example.com SIP/2.0");
  EXPECT_EQ(m->top_via().transport, "UDP");
  EXPECT_EQ(m->top_via().sent_by.host, "192.0.2.10");
  EXPECT_EQ(m->top_via().sent_by.port, 5060);
  EXPECT_EQ(m->top_via().branch, "z9hG4bK776asdhds");
  EXPECT_TRUE(m->top_via().rport);
  EXPECT_FALSE(m->top_via().rport_value.has_value());
  EXPECT_EQ(m->from().display_name, "Alice");
  EXPECT_EQ(m->from().uri.user, "alice");
  EXPECT_EQ(m->from_tag(), "1928301774");
  EXPECT_EQ(m->to_tag(), "");
  EXPECT_EQ(m->call_id(), "a84b4c76e66710@192.0.2.10");
  EXPECT_EQ(m->cseq().number, 1u);
  EXPECT_EQ(m->cseq().method, Method::register_);
  EXPECT_EQ(m->max_forwards(), 70u);
  EXPECT_EQ(m->content_length(), 0u);
  EXPECT_EQ(m->content_type(), "");
  EXPECT_EQ(m->body(), "");
  EXPECT_EQ(m->headers().size(), 7u);
}

TEST(MessageParse, DecodesAStatusLine) {
  auto m =
      Message::parse(text({"SIP/2.0 180 Ringing",
                           "Via: SIP/2.0/TLS client.example.com;branch=z9hG4bKx;received=192.0.2.1",
                           "From: <sip:a@example.com>;tag=1", "To: <sip:b@example.com>;tag=2",
                           "Call-ID: x", "CSeq: 5 INVITE"}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->is_response());
  EXPECT_EQ(m->status_code(), 180);
  EXPECT_EQ(m->reason_phrase(), "Ringing");
  EXPECT_EQ(m->method(), Method::unknown);
  EXPECT_EQ(m->cseq().method, Method::invite);
  EXPECT_EQ(m->to_tag(), "2");
  EXPECT_EQ(m->top_via().received, "192.0.2.1");
  EXPECT_FALSE(m->content_length().has_value());
}

TEST(MessageParse, StatusLineReasonMayBeEmptyOrUtf8) {
  const std::string rest =
      "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
  for (const auto& [line, reason] : std::vector<std::pair<std::string, std::string>>{
           {"SIP/2.0 100 ", ""},
           {"SIP/2.0 100", ""},
           {"SIP/2.0 200 \xE2\x9C\x93 d\xC3\xA9j\xC3\xA0 vu\t%20",
            "\xE2\x9C\x93 d\xC3\xA9j\xC3\xA0 vu\t%20"},
           {"sip/2.0 699 Whatever", "Whatever"}}) {
    auto m = Message::parse(line + rest);
    ASSERT_TRUE(m) << line << ": " << m.error().message;
    EXPECT_EQ(m->reason_phrase(), reason);
  }
}

TEST(MessageParse, RejectsBadStatusLines) {
  const std::string rest =
      "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
  EXPECT_EQ(parse_error("SIP/2.0 4294967301 Huge" + rest).code, Errc::malformed);
  EXPECT_EQ(parse_error("SIP/2.0 20 Short" + rest).code, Errc::malformed);
  EXPECT_EQ(parse_error("SIP/2.0 099 Low" + rest).code, Errc::out_of_range);
  EXPECT_EQ(parse_error("SIP/2.0 700 High" + rest).code, Errc::out_of_range);
  EXPECT_EQ(parse_error("SIP/2.0 2x0 Bad" + rest).code, Errc::malformed);
  EXPECT_EQ(parse_error("SIP/2.0 200 Bad\x01" + rest).code, Errc::malformed);
  EXPECT_EQ(parse_error("SIP/3.0 200 OK" + rest).code, Errc::unsupported);
  EXPECT_EQ(parse_error("SIP/2 200 OK" + rest).code, Errc::malformed);
}

TEST(MessageParse, RejectsUnsupportedAndMalformedVersions) {
  auto seven = parse_error(request_with("REGISTER", "REGISTER sip:r.example.com SIP/7.0"));
  EXPECT_EQ(seven.code, Errc::unsupported);
  EXPECT_EQ(seven.message, "unsupported SIP version SIP/7.0");
  EXPECT_EQ(parse_error(request_with("REGISTER", "REGISTER sip:r.example.com HTTP/1.1")).code,
            Errc::malformed);
  EXPECT_EQ(parse_error(request_with("REGISTER", "REGISTER sip:r.example.com SIP/2.")).code,
            Errc::malformed);
  auto lower = Message::parse(request_with("REGISTER", "REGISTER sip:r.example.com sip/2.0"));
  EXPECT_TRUE(lower) << lower.error().message;
}

TEST(MessageParse, RequestLineNeedsExactlyOneSpaceBetweenElements) {
  for (const char* line :
       {"REGISTER  sip:r.example.com SIP/2.0", "REGISTER sip:r.example.com  SIP/2.0",
        "REGISTER sip:r.example.com SIP/2.0 ", "REGISTER sip:r.example.com; lr SIP/2.0",
        "REGISTER sip:r.example.com", "REGISTER"}) {
    EXPECT_EQ(parse_error(request_with("REGISTER", line)).code, Errc::malformed) << line;
  }
}

TEST(MessageParse, RequestUriMustBeAUri) {
  auto bracketed = parse_error(request_with("REGISTER", "REGISTER <sip:r.example.com> SIP/2.0"));
  EXPECT_TRUE(bracketed.message.starts_with("Request-URI: ")) << bracketed.message;
  EXPECT_TRUE(parse_error(request_with("REGISTER", "REGISTER x-foo: SIP/2.0"))
                  .message.starts_with("Request-URI: "));
  EXPECT_TRUE(parse_error(request_with("REGISTER", "REGISTER x-foo:a\"b SIP/2.0"))
                  .message.starts_with("Request-URI: "));
  // §19.1.1: no headers in a SIP Request-URI.
  EXPECT_EQ(
      parse_error(request_with("REGISTER", "REGISTER sip:r.example.com?Subject=x SIP/2.0")).message,
      "Request-URI: headers ('?') are not allowed here");
}

TEST(MessageParse, OtherUriSchemesAreKeptOpaque) {
  // RFC 4475 §3.3.2-3.3.4: the parser accepts them, the application answers.
  auto lines = request_lines();
  lines[0] = "REGISTER ftp://example.com/a;b?c SIP/2.0";
  lines[3] = "From: http://www.example.com;tag=12";
  lines[4] = "To: <urn:service:sos>";
  lines.insert(lines.end() - 1, "Contact: name:John_Smith");
  auto m = Message::parse(join(lines));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->request_uri().scheme, UriScheme::other);
  EXPECT_EQ(m->request_uri().raw, "ftp://example.com/a;b?c");
  EXPECT_TRUE(m->request_uri().host().empty());
  EXPECT_EQ(m->from().uri.scheme, UriScheme::other);
  EXPECT_EQ(m->from().uri.raw, "http://www.example.com");
  EXPECT_EQ(m->from_tag(), "12");
  EXPECT_EQ(m->to().uri.raw, "urn:service:sos");
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  EXPECT_EQ((*contacts)[0].address.uri.raw, "name:John_Smith");
  EXPECT_TRUE(uri_equivalent(m->to().uri, m->to().uri));
  EXPECT_FALSE(uri_equivalent(m->to().uri, m->from().uri));
}

TEST(MessageParse, ContactAddrSpecCannotCarryUriHeaders) {
  // RFC 3261 §20.10, RFC 4475 §3.1.2.13.
  auto e = parse_error(request_plus("Contact: sip:user@example.com?Route=%3Csip:x%3E"));
  EXPECT_TRUE(e.message.starts_with("Contact: ")) << e.message;
  EXPECT_TRUE(Message::parse(request_plus("Contact: <sip:user@example.com?Route=%3Csip:x%3E>")));
  EXPECT_TRUE(Message::parse(request_plus("Contact: \"a?b\" <sip:user@example.com>")));
  // Otherwise Contact is decoded on demand only.
  auto lazy = Message::parse(request_plus("Contact: <sip:user@example.com"));
  ASSERT_TRUE(lazy) << lazy.error().message;
  EXPECT_FALSE(lazy->contacts());
}

TEST(MessageParse, DateMustBeRfc1123Gmt) {
  EXPECT_TRUE(Message::parse(request_plus("Date: Sat, 13 Nov 2010 23:29:00 GMT")));
  EXPECT_TRUE(Message::parse(request_plus("Date: sat, 13 nov 2010 23:29:00 gmt")));
  for (const char* bad :
       {"Date: Sat, 13 Nov 2010 23:29:00 EST", "Date: Sat 13 Nov 2010 23:29:00 GMT",
        "Date: Sat, 13 Nov 2010 24:29:00 GMT", "Date: Sat, 13 Foo 2010 23:29:00 GMT",
        "Date: 1289690940", "Date:"}) {
    EXPECT_TRUE(parse_error(request_plus(bad)).message.starts_with("Date: ")) << bad;
  }
}

TEST(MessageParse, AcceptsExtensionMethodsWithOddTokenCharacters) {
  const std::string method = "!interesting-Method0123456789_*+`.%indeed'~";
  auto lines = request_lines();
  lines[0] = method + " sip:r.example.com SIP/2.0";
  lines[6] = "CSeq: 3 " + method;
  auto m = Message::parse(join(lines));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->method(), Method::unknown);
  EXPECT_EQ(m->method_text(), method);
}

TEST(MessageParse, MethodsAreCaseSensitive) {
  auto lines = request_lines();
  lines[0] = "register sip:r.example.com SIP/2.0";
  lines[6] = "CSeq: 1 register";
  auto m = Message::parse(join(lines));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->method(), Method::unknown);
}

TEST(MessageParse, CSeqMethodMustMatchTheRequestMethod) {
  auto e = parse_error(request_with("CSeq", "CSeq: 1 INVITE"));
  EXPECT_EQ(e.code, Errc::malformed);
  EXPECT_NE(e.message.find("CSeq"), std::string::npos);
  // Responses carry the method of the request they answer.
  auto m = Message::parse(
      text({"SIP/2.0 200 OK", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@b>;tag=1",
            "To: <sip:a@b>", "Call-ID: c", "CSeq: 1 INVITE"}));
  EXPECT_TRUE(m) << m.error().message;
}

TEST(MessageParse, EachMandatoryHeaderIsRequired) {
  for (const auto& [prefix, name] :
       std::vector<std::pair<std::string, std::string>>{{"Via", "Via"},
                                                        {"From", "From"},
                                                        {"To", "To"},
                                                        {"Call-ID", "Call-ID"},
                                                        {"CSeq", "CSeq"}}) {
    auto e = parse_error(request_with(prefix, ""));
    EXPECT_EQ(e.code, Errc::missing) << name;
    EXPECT_EQ(e.message, "missing " + name + " header field");
  }
  // Max-Forwards, Content-Length and Content-Type are optional here.
  auto m = Message::parse(request_with("Max-Forwards", ""));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->max_forwards().has_value());
}

TEST(MessageParse, SingleValuedCoreHeadersMustNotRepeat) {
  for (const char* extra :
       {"To: <sip:bob@example.com>", "From: <sip:x@example.com>;tag=2", "Call-ID: other",
        "CSeq: 2 REGISTER", "Max-Forwards: 70", "Content-Type: text/plain", "i: other"}) {
    auto lines = request_lines();
    lines.insert(lines.begin() + 2, extra);
    if (std::string_view(extra).starts_with("Content-Type")) lines.insert(lines.begin() + 2, extra);
    auto e = parse_error(join(lines));
    EXPECT_EQ(e.code, Errc::malformed) << extra;
    EXPECT_TRUE(e.message.starts_with("duplicate ")) << e.message;
  }
}

TEST(MessageParse, CompactFormsAreTheSameHeaders) {
  auto m = Message::parse(text(
      {"OPTIONS sip:bob@example.com SIP/2.0", "v: SIP/2.0/TCP host.example.com;branch=z9hG4bKa",
       "f: <sip:alice@example.com>;tag=x", "t: <sip:bob@example.com>", "i: abc@host",
       "CSeq: 9 OPTIONS", "m: <sip:alice@host.example.com>", "k: timer, 100rel", "c: text/plain",
       "l: 5", "e: gzip", "s: hello", "o: presence", "u: dialog", "r: <sip:carol@example.com>",
       "b: <sip:dave@example.com>", "x: 1800", "y: abc"},
      "hello"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->call_id(), "abc@host");
  EXPECT_EQ(m->content_type(), "text/plain");
  EXPECT_EQ(m->body(), "hello");
  const std::vector<HeaderId> expected = {HeaderId::via,
                                          HeaderId::from,
                                          HeaderId::to,
                                          HeaderId::call_id,
                                          HeaderId::cseq,
                                          HeaderId::contact,
                                          HeaderId::supported,
                                          HeaderId::content_type,
                                          HeaderId::content_length,
                                          HeaderId::content_encoding,
                                          HeaderId::subject,
                                          HeaderId::event,
                                          HeaderId::allow_events,
                                          HeaderId::refer_to,
                                          HeaderId::referred_by,
                                          HeaderId::session_expires,
                                          HeaderId::identity};
  ASSERT_EQ(m->headers().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(m->headers()[i].id, expected[i]) << m->headers()[i].name;
  }
  EXPECT_EQ(m->header("Supported"), "timer, 100rel");
  EXPECT_EQ(m->header("k"), "timer, 100rel");
  EXPECT_EQ(m->headers()[0].name, "v");  // as written
}

TEST(MessageParse, HeaderNamesAreCaseInsensitive) {
  auto m = Message::parse(
      text({"OPTIONS sip:bob@example.com SIP/2.0", "vIA: SIP/2.0/UDP h;branch=z9hG4bK1",
            "FROM: <sip:a@b>;tag=1", "to: <sip:b@c>", "CALL-id: c", "cseq: 1 OPTIONS",
            "MaX-fOrWaRdS: 0068", "X-Custom: yes"}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->max_forwards(), 68u);
  EXPECT_EQ(m->header("x-CUSTOM"), "yes");
  EXPECT_EQ(m->header(HeaderId::call_id), "c");
  EXPECT_EQ(m->header("Call-Id"), "c");
  EXPECT_EQ(m->header("i"), "c");
  EXPECT_FALSE(m->header("X-Other").has_value());
  EXPECT_EQ(m->count(HeaderId::via), 1u);
  EXPECT_EQ(m->count(HeaderId::unknown), 1u);
}

TEST(MessageParse, CountAndFirstValuePerIdSurviveACopy) {
  auto m = Message::parse(
      text({"OPTIONS sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
            "Route: <sip:p1;lr>", "From: <sip:a@b>;tag=1", "Route: <sip:p2;lr>, <sip:p3;lr>",
            "v: SIP/2.0/UDP g;branch=z9hG4bK2", "To: <sip:b@c>", "Call-ID: c", "CSeq: 1 OPTIONS",
            "X-A: 1", "Route: <sip:p4;lr>", "X-B: 2"}));
  ASSERT_TRUE(m) << m.error().message;
  const Message copy = *m;  // copies parse again: the tables must follow
  for (const Message* msg : std::initializer_list<const Message*>{&*m, &copy}) {
    EXPECT_EQ(msg->count(HeaderId::route), 3u);  // fields, not values
    EXPECT_EQ(msg->count(HeaderId::via), 2u);
    EXPECT_EQ(msg->count(HeaderId::unknown), 2u);
    EXPECT_EQ(msg->count(HeaderId::contact), 0u);
    EXPECT_EQ(msg->header(HeaderId::route), "<sip:p1;lr>");
    EXPECT_EQ(msg->header(HeaderId::via), "SIP/2.0/UDP h;branch=z9hG4bK1");
    EXPECT_EQ(msg->header(HeaderId::cseq), "1 OPTIONS");
    EXPECT_FALSE(msg->header(HeaderId::contact).has_value());
    auto routes = msg->name_addrs(HeaderId::route);
    ASSERT_TRUE(routes);
    EXPECT_EQ(routes->size(), 4u);
  }
}

TEST(MessageParse, FoldedLinesAndExtensiveWhitespace) {
  // In the spirit of RFC 4475 §3.1.1.1: LWS and folding everywhere it may be.
  const std::string bytes = text(
      {
          "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0",
          "TO :",
          " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n",
          "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>",
          "  ;",
          "  tag = 98asjd8",
          "MaX-fOrWaRdS: 0068",
          "Call-ID: wsinv.ndaksdj@192.0.2.1",
          "Content-Length   : 150",
          "cseq: 0009",
          "  INVITE",
          "Via  : SIP  /   2.0",
          " /UDP",
          "    192.0.2.2;rport;branch=390skdjuw",
          "s :",
          "NewFangledHeader:   newfangled value",
          " continued newfangled value",
          "UnknownHeaderWithUnusualValue: ;;,,;;,;",
          "Content-Type: application/sdp",
          "Route:",
          " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>",
          "v:  SIP  / 2.0  / TCP     spindle.example.com   ;",
          "  branch  =   z9hG4bK9ikj8  ,",
          " SIP  /    2.0   / UDP  192.168.255.111   ; branch=",
          " z9hG4bK30239",
          "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =",
          "      newvalue ;",
          "  secondparam ; q = 0.33",
      },
      std::string(150, 'x'));
  auto m = Message::parse(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->to_tag(), "1918181833n");
  EXPECT_EQ(m->to().uri.host(), "chair-dnrc.example.com");
  EXPECT_FALSE(m->to().bracketed);
  EXPECT_EQ(m->from_tag(), "98asjd8");
  EXPECT_EQ(m->from().display_name, "J Rosenberg \\\\\\\"");
  EXPECT_EQ(m->cseq().number, 9u);
  EXPECT_EQ(m->cseq().method, Method::invite);
  EXPECT_EQ(m->top_via().protocol_name, "SIP");
  EXPECT_EQ(m->top_via().version, "2.0");
  EXPECT_EQ(m->top_via().transport, "UDP");
  EXPECT_EQ(m->top_via().sent_by.host, "192.0.2.2");
  EXPECT_EQ(m->top_via().branch, "390skdjuw");
  EXPECT_EQ(m->header("Subject"), "");
  EXPECT_EQ(m->header("NewFangledHeader"), "newfangled value\r\n continued newfangled value");
  EXPECT_EQ(m->header("UnknownHeaderWithUnusualValue"), ";;,,;;,;");

  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[1].transport, "TCP");
  EXPECT_EQ((*vias)[1].sent_by.host, "spindle.example.com");
  EXPECT_EQ((*vias)[1].branch, "z9hG4bK9ikj8");
  EXPECT_EQ((*vias)[2].sent_by.host, "192.168.255.111");
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK30239");

  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.display_name, "Quoted string \\\"\\\"");
  EXPECT_EQ((*contacts)[0].q(), 0.33);
  EXPECT_EQ((*contacts)[0].address.params.get("newparam"), "newvalue");
  EXPECT_TRUE((*contacts)[0].address.params.has("secondparam"));

  auto routes = m->name_addrs(HeaderId::route);
  ASSERT_TRUE(routes) << routes.error().message;
  ASSERT_EQ(routes->size(), 1u);
  EXPECT_TRUE((*routes)[0].uri.loose_route());
  EXPECT_EQ(serialize(*m), bytes);
}

TEST(MessageParse, LeadingCrlfsAreIgnoredAndDropped) {
  const std::string message = join(request_lines());
  auto m = Message::parse("\r\n\r\n\r\n" + message);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->bytes(), message);
  EXPECT_EQ(m->start_line(), request_lines()[0]);
}

TEST(MessageParse, EmptyAndTinyInputsAreRejected) {
  for (std::string bytes :
       {""s, "\r\n"s, "\r\n\r\n"s, "x"s, "\n"s, std::string(1, '\0'), std::string(2000, '\0')}) {
    EXPECT_FALSE(Message::parse(bytes)) << bytes.size();
  }
}

TEST(MessageParse, LinesMustEndInCrlf) {
  std::string bare = join(request_lines());
  bare.replace(bare.find("\r\nMax-Forwards"), 2, "\n");
  EXPECT_EQ(parse_error(bare).message, "bare LF in the header section");

  std::string bare_start = join(request_lines());
  bare_start.replace(bare_start.find("\r\n"), 2, "\n");
  EXPECT_EQ(parse_error(bare_start).message, "bare LF ends the start line");

  std::string all_lf = join(request_lines());
  for (std::size_t i; (i = all_lf.find("\r\n")) != std::string::npos;) all_lf.erase(i, 1);
  EXPECT_FALSE(Message::parse(all_lf));

  // A CR that is not part of a CRLF is value data.
  auto m = Message::parse(request_plus("X-Odd: a\rb"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header("X-Odd"), "a\rb");
}

TEST(MessageParse, HeaderSectionMustEndWithAnEmptyLine) {
  std::string bytes = join(request_lines());
  bytes.resize(bytes.size() - 2);  // drop the empty line
  EXPECT_EQ(parse_error(bytes).message, "missing empty line after the header fields");
  std::string cut = join(request_lines());
  cut.resize(cut.find("Max-Forwards") + 5);
  EXPECT_EQ(parse_error(cut).code, Errc::malformed);
}

TEST(MessageParse, FoldedFirstLineIsMalformed) {
  auto lines = request_lines();
  lines.insert(lines.begin() + 1, " folded");
  EXPECT_EQ(parse_error(join(lines)).message, "folded line with no header field before it");
}

TEST(MessageParse, HeaderNamesFollowTheTokenGrammar) {
  // Only SP / HTAB between the name and ':' (CVE-2016-9938: a control
  // character must not turn "Contact\x01" into a Contact).
  for (std::string line :
       {"Contact\x01: <sip:x@example.com>"s, "To\x0b: <sip:x@example.com>"s, "Max-\0Forwards: 70"s,
        "Bad Name: x"s, ": no name"s, "NoColon"s, "Na(me): x"s, "\x80Via: x"s, "Via\r: x"s}) {
    auto e = parse_error(request_plus(line));
    EXPECT_EQ(e.code, Errc::malformed) << line;
    EXPECT_TRUE(e.message.starts_with("malformed header field name")) << e.message;
  }
  auto m = Message::parse(request_plus("X-Tab\t \t: value"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header("x-tab"), "value");
}

TEST(MessageParse, UnknownHeadersAreKeptByteExact) {
  const std::string line = "X-Weird_Name.!%*+`'~:\t value with \"quotes\", commas; semis\t ";
  auto m = Message::parse(request_plus(line));
  ASSERT_TRUE(m) << m.error().message;
  const HeaderField& field = m->headers()[m->headers().size() - 2];
  EXPECT_EQ(field.id, HeaderId::unknown);
  EXPECT_EQ(field.name, "X-Weird_Name.!%*+`'~");
  EXPECT_EQ(field.value, "value with \"quotes\", commas; semis");
  EXPECT_EQ(field.raw, line + "\r\n");
}

TEST(MessageParse, NulBytesAreDataInValuesAndBodies) {
  std::string line = "X-Binary: a";
  line += '\0';
  line += "b";
  std::string body("ab\0\0cd\0e", 8);
  auto lines = request_lines();
  lines.back() = "Content-Length: 8";
  lines.insert(lines.end() - 1, line);
  lines.insert(lines.end() - 1, "Content-Type: application/octet-stream");
  auto m = Message::parse(join(lines, body));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header("X-Binary"), std::string_view("a\0b", 3));
  EXPECT_EQ(m->body(), body);
  // Grammar-checked core values do not take a NUL.
  std::string call_id = "Call-ID: a8";
  call_id += '\0';
  call_id += "4b@host";
  EXPECT_EQ(parse_error(request_with("Call-ID", call_id)).code, Errc::malformed);
}

TEST(MessageParse, CallIdGrammar) {
  for (const char* ok :
       {"Call-ID: abc", "Call-ID: a.b-c_d!e%f*g+h`i'j~k(l)m<n>o:p\\q\"r/s[t]u?v{w}x",
        "Call-ID: abc@[2001:db8::1]", "i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}) {
    auto m = Message::parse(request_with("Call-ID", ok));
    EXPECT_TRUE(m) << ok << ": " << m.error().message;
  }
  for (const char* bad : {"Call-ID:", "Call-ID: a b", "Call-ID: a@", "Call-ID: @b",
                          "Call-ID: a@b@c", "Call-ID: a,b", "Call-ID: a;b"}) {
    EXPECT_FALSE(Message::parse(request_with("Call-ID", bad))) << bad;
  }
}

TEST(MessageParse, NumbersAreRangeCheckedWithoutOverflow) {
  auto cseq = parse_error(request_with("CSeq", "CSeq: 2147483648 REGISTER"));
  EXPECT_EQ(cseq.code, Errc::out_of_range);
  EXPECT_EQ(cseq.message, "CSeq: number exceeds 2^31-1");
  EXPECT_EQ(parse_error(request_with("CSeq", "CSeq: 36893488147419103232 REGISTER")).code,
            Errc::out_of_range);
  auto max_cseq = Message::parse(request_with("CSeq", "CSeq: 2147483647 REGISTER"));
  ASSERT_TRUE(max_cseq);
  EXPECT_EQ(max_cseq->cseq().number, 2147483647u);

  auto mf = parse_error(request_with("Max-Forwards", "Max-Forwards: 256"));
  EXPECT_EQ(mf.code, Errc::out_of_range);
  EXPECT_EQ(mf.message, "Max-Forwards: value exceeds 255");
  EXPECT_EQ(parse_error(request_with("Max-Forwards", "Max-Forwards: 99999999999999999999999")).code,
            Errc::out_of_range);
  EXPECT_EQ(parse_error(request_with("Max-Forwards", "Max-Forwards: -1")).code, Errc::malformed);
  EXPECT_EQ(parse_error(request_with("Max-Forwards", "Max-Forwards: 7 0")).code, Errc::malformed);
  auto zero = Message::parse(request_with("Max-Forwards", "Max-Forwards: 0"));
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->max_forwards(), 0u);
}

TEST(MessageParse, ContentLengthIsDigitsOnly) {
  for (const char* bad :
       {"Content-Length: -5", "Content-Length: +5", "Content-Length: 5.0", "Content-Length: 0x10",
        "Content-Length: 5 5", "Content-Length:", "Content-Length: five"}) {
    auto e = parse_error(request_with("Content-Length", bad));
    EXPECT_EQ(e.code, Errc::malformed) << bad;
    EXPECT_EQ(e.message, "Content-Length: not a decimal number") << bad;
  }
  EXPECT_EQ(
      parse_error(request_with("Content-Length", "Content-Length: 99999999999999999999999")).code,
      Errc::out_of_range);
  // 2^32 + 5 must not wrap to 5.
  std::string wrap = request_with("Content-Length", "Content-Length: 4294967301") + "hello";
  EXPECT_FALSE(Message::parse(wrap));
}

TEST(MessageParse, ContentLengthRepeatsMustAgree) {
  auto lines = request_lines();
  lines.back() = "Content-Length: 5";
  lines.insert(lines.end() - 1, "l: 5");
  auto same = Message::parse(join(lines, "hello"));
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->body(), "hello");

  lines.insert(lines.end() - 1, "l: 4");
  auto e = parse_error(join(lines, "hello"));
  EXPECT_EQ(e.message, "Content-Length: conflicting values");
}

TEST(MessageParse, DatagramBodyRules) {
  // No Content-Length: the body is the rest of the datagram.
  auto rest = Message::parse(request_with("Content-Length", "") + "trailing body");
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(rest->body(), "trailing body");
  EXPECT_FALSE(rest->content_length().has_value());

  // Bytes beyond Content-Length are discarded, message and bytes() alike
  // (RFC 4475 §3.1.1.8: a second request glued behind must not be seen).
  const std::string first = join(request_lines());
  auto glued = Message::parse(first + "INVITE sip:x@example.com SIP/2.0\r\n\r\n");
  ASSERT_TRUE(glued) << glued.error().message;
  EXPECT_EQ(glued->body(), "");
  EXPECT_EQ(glued->bytes(), first);
  EXPECT_EQ(serialize(*glued), first);

  // More announced than present.
  auto lines = request_lines();
  lines.back() = "Content-Length: 500";
  auto e = parse_error(join(lines, "short"));
  EXPECT_EQ(e.code, Errc::malformed);
  EXPECT_EQ(e.message, "Content-Length: 500 exceeds the 5 body bytes present");
}

TEST(MessageParse, ContentTypeGrammar) {
  for (const char* ok :
       {"Content-Type: application/sdp", "c: text/plain;charset=utf-8",
        "Content-Type: multipart/mixed ; boundary=\"a b;c\"", "Content-Type: APPLICATION / SDP"}) {
    auto m = Message::parse(request_plus(ok));
    EXPECT_TRUE(m) << ok << ": " << m.error().message;
  }
  for (const char* bad : {"Content-Type: application", "Content-Type: /sdp", "Content-Type: a/",
                          "Content-Type: a/b;charset", "Content-Type: a/b x"}) {
    auto e = parse_error(request_plus(bad));
    EXPECT_TRUE(e.message.starts_with("Content-Type: ")) << bad << ": " << e.message;
  }
}

TEST(MessageParse, CoreHeaderErrorsNameTheHeader) {
  EXPECT_TRUE(parse_error(request_with("From", "From: <sip:alice@example.com"))
                  .message.starts_with("From: "));
  EXPECT_TRUE(parse_error(request_with("To", "To: \"unterminated <sip:a@example.com>"))
                  .message.starts_with("To: "));
  EXPECT_TRUE(parse_error(request_with("Via", "Via: SIP/2.0/UDP")).message.starts_with("Via: "));
  EXPECT_EQ(parse_error(request_with("From", "From: <sip:a@example.com>;tag=1;tag=2")).message,
            "From: duplicate tag parameter");
}

TEST(MessageParse, OnlyTheTopViaIsValidatedEagerly) {
  auto lines = request_lines();
  lines.insert(lines.begin() + 2, "Via: garbage that is not a via");
  auto m = Message::parse(join(lines));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->top_via().branch, "z9hG4bK776asdhds");
  auto vias = m->vias();
  ASSERT_FALSE(vias);
  EXPECT_TRUE(vias.error().message.starts_with("Via: ")) << vias.error().message;

  auto second = Message::parse(
      request_with("Via", "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, not a via"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->vias());
}

TEST(MessageLimits, MessageSize) {
  Limits limits;
  limits.max_message_size = 100;
  auto e = parse_error(join(request_lines()), limits);
  EXPECT_EQ(e.code, Errc::limit_exceeded);
  EXPECT_EQ(parse_error(std::string(70000, 'x')).code, Errc::limit_exceeded);
}

TEST(MessageLimits, HeaderCount) {
  Limits limits;
  limits.max_headers = 7;
  EXPECT_TRUE(Message::parse(join(request_lines()), limits));  // exactly 7 fields
  EXPECT_EQ(parse_error(request_plus("X-A: 1"), limits).code, Errc::limit_exceeded);

  auto lines = request_lines();
  for (int i = 0; i < 10000; ++i) lines.insert(lines.end() - 1, "X: 1");
  EXPECT_EQ(parse_error(join(lines)).code, Errc::limit_exceeded);
}

TEST(MessageLimits, LineLengthCountsFoldedLines) {
  Limits limits;
  limits.max_line_length = 100;
  EXPECT_TRUE(Message::parse(request_plus("X-A: " + std::string(95, 'a')), limits));
  EXPECT_EQ(parse_error(request_plus("X-A: " + std::string(96, 'a')), limits).code,
            Errc::limit_exceeded);
  EXPECT_EQ(
      parse_error(request_plus("X-A: " + std::string(50, 'a') + "\r\n " + std::string(50, 'b')),
                  limits)
          .code,
      Errc::limit_exceeded);
  // The start line too, and a megabyte line stops at the limit.
  EXPECT_EQ(
      parse_error("OPTIONS sip:" + std::string(100, 'a') + "@example.com SIP/2.0\r\n\r\n", limits)
          .code,
      Errc::limit_exceeded);
  Limits big;
  big.max_message_size = 2 << 20;
  EXPECT_EQ(parse_error(request_plus("X-A: " + std::string(1 << 20, 'a')), big).code,
            Errc::limit_exceeded);
}

TEST(MessageLimits, BodySize) {
  Limits limits;
  limits.max_body_size = 4;
  auto lines = request_lines();
  lines.back() = "Content-Length: 5";
  EXPECT_EQ(parse_error(join(lines, "hello"), limits).code, Errc::limit_exceeded);
  EXPECT_EQ(parse_error(request_with("Content-Length", "") + "hello", limits).code,
            Errc::limit_exceeded);
}

TEST(MessageLimits, HeaderBytes) {
  Limits limits;
  limits.max_header_bytes = 100;
  EXPECT_EQ(parse_error(join(request_lines()), limits).code, Errc::limit_exceeded);
}

TEST(MessageLimits, ListValues) {
  Limits limits;
  limits.max_list_values = 3;
  auto m = Message::parse(
      request_plus("Route: <sip:a@x;lr>, <sip:b@x;lr>, <sip:c@x;lr>, <sip:d@x;lr>"), limits);
  ASSERT_TRUE(m) << m.error().message;
  auto routes = m->name_addrs(HeaderId::route);
  ASSERT_FALSE(routes);
  EXPECT_EQ(routes.error().code, Errc::limit_exceeded);

  auto lines = request_lines();
  for (int i = 0; i < 3; ++i) lines.insert(lines.begin() + 1, "Via: SIP/2.0/UDP h;branch=z9hG4bK1");
  auto many = Message::parse(join(lines), limits);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->vias().error().code, Errc::limit_exceeded);
}

TEST(MessageLimits, DeepCommentNestingFailsCleanly) {
  Limits limits;
  limits.max_message_size = limits.max_header_bytes = limits.max_line_length = 1 << 20;
  auto m = Message::parse(request_plus("Retry-After: 5 " + std::string(100000, '(')), limits);
  ASSERT_TRUE(m) << m.error().message;
  auto r = m->retry_after();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST(MessageCopy, CopiesAndMovesKeepEveryViewValid) {
  const std::string bytes = join(request_lines());
  auto parsed = Message::parse(bytes);
  ASSERT_TRUE(parsed);
  Message copy = *parsed;
  Message moved = std::move(*parsed);
  for (const Message* m : {&copy, &moved}) {
    EXPECT_EQ(m->bytes(), bytes);
    EXPECT_EQ(m->from_tag(), "1928301774");
    EXPECT_EQ(m->top_via().branch, "z9hG4bK776asdhds");
    EXPECT_EQ(m->request_uri().host(), "registrar.example.com");
    EXPECT_EQ(m->headers()[0].raw.data(), m->bytes().data() + m->start_line().size() + 2);
    EXPECT_EQ(serialize(*m), bytes);
  }
  EXPECT_NE(copy.bytes().data(), moved.bytes().data());
  Message assigned = copy;
  assigned = moved;
  EXPECT_EQ(assigned.call_id(), "a84b4c76e66710@192.0.2.10");
  EXPECT_NE(assigned.call_id().data(), moved.call_id().data());
  std::vector<Message> many;
  for (int i = 0; i < 20; ++i) many.push_back(moved);  // reallocation moves them
  for (const Message& m : many) EXPECT_EQ(m.to().uri.user, "alice");
}

}  // namespace
}  // namespace sipline::sip
