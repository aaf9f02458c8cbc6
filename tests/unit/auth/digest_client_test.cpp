#include "auth/digest_client.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/credentials.hpp"

namespace sipline::auth {
namespace {

constexpr const char* kRfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr const char* kRfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

// Hands out the given cnonces in order and counts calls.
struct FakeCnonces {
  std::vector<std::string> values;
  std::size_t calls = 0;
};

CnonceSource source(const std::shared_ptr<FakeCnonces>& fake) {
  return [fake] {
    const std::size_t i = fake->calls++;
    return i < fake->values.size() ? fake->values[i] : "cnonce-" + std::to_string(i);
  };
}

CredentialSet one_realm(std::string realm, std::string user, std::string password) {
  CredentialSet set;
  set.add(std::move(realm), UserCredential{std::move(user), Secret(std::move(password))});
  return set;
}

ChallengeValue www(std::string_view value) {
  return ChallengeValue{ChallengeOrigin::www_authenticate, value};
}

ChallengeValue proxy(std::string_view value) {
  return ChallengeValue{ChallengeOrigin::proxy_authenticate, value};
}

Credentials parsed(const AuthorizationHeader& h) {
  auto cr = parse_credentials(h.value);
  EXPECT_TRUE(cr) << (cr ? "" : cr.error().message) << " in " << h.value;
  return cr ? *cr : Credentials{};
}

const Request kGet{"GET", "/dir/index.html", ""};
const Request kRegister{"REGISTER", "sip:atlanta.com", ""};

std::string challenge(std::string_view realm, std::string_view nonce, std::string_view extra = "") {
  std::string out = "Digest realm=\"";
  out += realm;
  out += "\", nonce=\"";
  out += nonce;
  out += "\", qop=\"auth\"";
  out += extra;
  return out;
}

class DigestClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeCnonces> cnonces = std::make_shared<FakeCnonces>();

  DigestClient make(CredentialSet set, DigestClientOptions options = {}) {
    return DigestClient(std::move(set), source(cnonces), options);
  }
};

TEST_F(DigestClientTest, Rfc7616ExamplePicksSha256OverMd5) {
  // RFC 7616 §3.9.1: the server offers SHA-256 and MD5 in two header fields.
  cnonces->values = {kRfc7616Cnonce};
  DigestClient client = make(one_realm("http-auth@example.org", "Mufasa", "Circle of Life"));
  const std::string sha = std::string(
                              "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                              "algorithm=SHA-256, nonce=\"") +
                          kRfc7616Nonce +
                          "\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  const std::string md5 = std::string(
                              "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                              "algorithm=MD5, nonce=\"") +
                          kRfc7616Nonce +
                          "\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  // MD5 listed first: strength wins over order.
  const ChallengeValue values[] = {www(md5), www(sha)};
  auto out = client.respond(values, kGet);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 1U);
  EXPECT_EQ((*out)[0].header_name(), "Authorization");
  EXPECT_EQ((*out)[0].realm, "http-auth@example.org");
  EXPECT_EQ((*out)[0].value,
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
            "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
            "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
            "algorithm=SHA-256, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
            "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", qop=auth, nc=00000001");
}

TEST_F(DigestClientTest, Rfc2617ExampleWithoutAlgorithmParameter) {
  cnonces->values = {"0a4f113b"};
  DigestClient client = make(one_realm("testrealm@host.com", "Mufasa", "Circle Of Life"));
  const ChallengeValue values[] = {www(
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")};
  auto out = client.respond(values, kGet);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 1U);
  EXPECT_EQ((*out)[0].value,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
            "response=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", "
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001");
}

TEST_F(DigestClientTest, Rfc7616UserhashExample) {
  cnonces->values = {"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"};
  DigestClient client =
      make(one_realm("api@example.org", "J\xC3\xA4s\xC3\xB8n Doe", "Secret, or not?"));
  const ChallengeValue values[] = {
      www("Digest\r\n realm=\"api@example.org\",\r\n qop=\"auth\",\r\n algorithm=SHA-512-256,\r\n"
          " nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\",\r\n"
          " opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\",\r\n charset=UTF-8,\r\n"
          " userhash=true")};
  auto out = client.respond(values, Request{"GET", "/doe.json", ""});
  ASSERT_TRUE(out) << out.error().message;
  const Credentials cr = parsed((*out)[0]);
  // Values of RFC 7616 erratum 4897 (see digest_test.cpp).
  EXPECT_EQ(cr.username, "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
  EXPECT_EQ(cr.response, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
  EXPECT_TRUE(cr.userhash);
  EXPECT_EQ(cr.algorithm, Algorithm::sha512_256);
  EXPECT_EQ((*out)[0].value.find("J\xC3\xA4s"), std::string::npos);
}

TEST_F(DigestClientTest, StrongestSupportedWinsAndUnknownAlgorithmsAreSkipped) {
  DigestClient client = make(one_realm("r", "u", "p"));
  const std::string aka = challenge("r", "n1", ", algorithm=AKAv1-MD5");
  const std::string md5 = challenge("r", "n2", ", algorithm=MD5");
  const std::string sha512 = challenge("r", "n3", ", algorithm=SHA-512-256");
  const std::string sha256 = challenge("r", "n4", ", algorithm=SHA-256");
  const ChallengeValue values[] = {www(aka), www(md5), www(sha512), www(sha256)};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  const Credentials cr = parsed((*out)[0]);
  EXPECT_EQ(cr.algorithm, Algorithm::sha512_256);
  EXPECT_EQ(cr.nonce, "n3");
}

TEST_F(DigestClientTest, TiesGoToTheTopmostAndAuthBeatsAuthInt) {
  DigestClient client = make(one_realm("r", "u", "p"));
  const std::string first = challenge("r", "first", ", algorithm=SHA-256");
  const std::string second = challenge("r", "second", ", algorithm=SHA-256");
  const std::string int_only =
      "Digest realm=\"r\", nonce=\"int\", qop=\"auth-int\", algorithm=SHA-256";
  const ChallengeValue values[] = {www(int_only), www(first), www(second)};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  const Credentials cr = parsed((*out)[0]);
  EXPECT_EQ(cr.nonce, "first");
  EXPECT_EQ(cr.qop, Qop::auth);
}

TEST_F(DigestClientTest, AuthIntOnlyHashesTheBody) {
  DigestClient client = make(one_realm("biloxi.com", "bob", "zanzibar"));
  cnonces->values = {"0a4f113b"};
  const ChallengeValue values[] = {
      www("Digest realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
          "qop=\"auth-int\", algorithm=SHA-256")};
  const Request invite{"INVITE", "sip:bob@biloxi.com", "v=0\r\n"};
  ASSERT_TRUE(client.respond(values, invite));
  auto again = client.authorize(invite);  // nc=2: the vector in digest_test.cpp
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->size(), 1U);
  const Credentials cr = parsed((*again)[0]);
  EXPECT_EQ(cr.qop, Qop::auth_int);
  EXPECT_EQ(cr.nc, 2U);
  EXPECT_EQ(cr.response, "d39e4eb55e157e825a2dedd957f3d504b250be3ea1aea70962bfad088a3db71c");
}

TEST_F(DigestClientTest, NoQopChallengeGetsRfc2069Answer) {
  DigestClient client = make(one_realm("testrealm@host.com", "Mufasa", "Circle Of Life"));
  const ChallengeValue values[] = {
      www("Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"")};
  auto out = client.respond(values, kGet);
  ASSERT_TRUE(out) << out.error().message;
  const Credentials cr = parsed((*out)[0]);
  EXPECT_EQ(cr.qop, Qop::none);
  EXPECT_FALSE(cr.cnonce);
  EXPECT_FALSE(cr.nc);
  EXPECT_EQ(cr.response, "670fd8c2df070c60b045671b8b24ff02");
}

TEST_F(DigestClientTest, NonceCountIncrementsOnReuseAndResetsOnNewNonce) {
  DigestClient client = make(one_realm("atlanta.com", "alice", "s3cret"));
  cnonces->values = {"c0ffee", "beef"};
  EXPECT_TRUE(client.authorize(kRegister)->empty());  // nothing challenged yet

  const std::string first = challenge("atlanta.com", "abc123", ", algorithm=SHA-512-256");
  const ChallengeValue c1[] = {www(first)};
  auto a1 = client.respond(c1, kRegister);
  ASSERT_TRUE(a1) << a1.error().message;
  Credentials cr = parsed((*a1)[0]);
  EXPECT_EQ(cr.nc, 1U);
  EXPECT_EQ(unquote(*cr.cnonce), "c0ffee");
  EXPECT_EQ(cr.response, "76cee6a6a2862c2d0e86870e21e586038afa91da42f230e94559745a6204ec73");
  client.on_accepted();

  auto a2 = client.authorize(kRegister);
  ASSERT_TRUE(a2);
  ASSERT_EQ(a2->size(), 1U);
  cr = parsed((*a2)[0]);
  EXPECT_EQ(cr.nc, 2U);
  EXPECT_EQ(unquote(*cr.cnonce), "c0ffee");  // one cnonce per nonce
  EXPECT_EQ(cr.response, "37006ae07a28b15a4532edbefd8d68311943351b27441fe28c42fe5a014b6fa6");
  EXPECT_EQ(cnonces->calls, 1U);

  // The server moves to a new nonce (stale): nc restarts, a new cnonce is drawn.
  const std::string fresh =
      challenge("atlanta.com", "def456", ", algorithm=SHA-512-256, stale=true");
  const ChallengeValue c2[] = {www(fresh)};
  auto a3 = client.respond(c2, kRegister);
  ASSERT_TRUE(a3) << a3.error().message;
  cr = parsed((*a3)[0]);
  EXPECT_EQ(cr.nonce, "def456");
  EXPECT_EQ(cr.nc, 1U);
  EXPECT_EQ(unquote(*cr.cnonce), "beef");
  EXPECT_EQ(cnonces->calls, 2U);
}

TEST_F(DigestClientTest, SameNonceAgainWithoutStaleIsRejected) {
  DigestClient client = make(one_realm("atlanta.com", "alice", "wrong"));
  const std::string ch = challenge("atlanta.com", "abc123");
  const ChallengeValue values[] = {www(ch)};
  ASSERT_TRUE(client.respond(values, kRegister));
  auto again = client.respond(values, kRegister);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, auth_rejected);
  EXPECT_NE(again.error().message.find("atlanta.com"), std::string::npos);
  // Still refused: the verdict does not depend on being asked twice.
  auto third = client.respond(values, kRegister);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, auth_rejected);
  // After reset() (e.g. a new server), the same challenge is answered afresh.
  client.reset();
  auto fresh = client.respond(values, kRegister);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(parsed((*fresh)[0]).nc, 1U);
}

TEST_F(DigestClientTest, PreemptiveUseThenSameNonceChallengeIsRejected) {
  DigestClient client = make(one_realm("atlanta.com", "alice", "pw"));
  const std::string ch = challenge("atlanta.com", "abc123");
  const ChallengeValue values[] = {www(ch)};
  ASSERT_TRUE(client.respond(values, kRegister));
  client.on_accepted();
  ASSERT_TRUE(client.authorize(kRegister));
  auto again = client.respond(values, kRegister);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, auth_rejected);
}

TEST_F(DigestClientTest, StaleWithTheSameNonceIsAnsweredAgain) {
  DigestClient client = make(one_realm("atlanta.com", "alice", "pw"));
  const std::string ch = challenge("atlanta.com", "abc123");
  const std::string stale = challenge("atlanta.com", "abc123", ", stale=TRUE");
  const ChallengeValue first[] = {www(ch)};
  const ChallengeValue second[] = {www(stale)};
  ASSERT_TRUE(client.respond(first, kRegister));
  auto out = client.respond(second, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(parsed((*out)[0]).nc, 2U);
}

TEST_F(DigestClientTest, EndlessFreshNoncesStopAtMaxAttempts) {
  DigestClientOptions options;
  options.max_attempts = 3;
  DigestClient client = make(one_realm("atlanta.com", "alice", "pw"), options);
  std::vector<std::string> texts;
  for (int i = 0; i < 4; ++i) {
    texts.push_back(challenge("atlanta.com", "n" + std::to_string(i), ", stale=true"));
  }
  for (int i = 0; i < 3; ++i) {
    const ChallengeValue v[] = {www(texts[static_cast<std::size_t>(i)])};
    ASSERT_TRUE(client.respond(v, kRegister)) << i;
  }
  const ChallengeValue last[] = {www(texts[3])};
  auto out = client.respond(last, kRegister);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, auth_rejected);
  // A success in between starts the count again.
  client.on_accepted();
  auto after = client.respond(last, kRegister);
  ASSERT_TRUE(after) << after.error().message;
}

TEST_F(DigestClientTest, ProxyAndWwwChallengesTogether) {
  CredentialSet set;
  set.add("proxy.example.com", UserCredential{"alice-proxy", Secret("p1")});
  set.add("atlanta.com", UserCredential{"alice", Secret("p2")});
  DigestClient client = make(std::move(set));
  const std::string p = challenge("proxy.example.com", "pn");
  const std::string w = challenge("atlanta.com", "wn");
  const ChallengeValue values[] = {proxy(p), www(w)};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 2U);
  EXPECT_EQ((*out)[0].header_name(), "Proxy-Authorization");
  EXPECT_EQ(parsed((*out)[0]).username, "alice-proxy");
  EXPECT_EQ((*out)[1].header_name(), "Authorization");
  EXPECT_EQ(parsed((*out)[1]).username, "alice");
  auto pre = client.authorize(kRegister);
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->size(), 2U);
}

TEST_F(DigestClientTest, NoCredentialsForRealm) {
  DigestClient client = make(one_realm("atlanta.com", "alice", "pw"));
  const std::string ch = challenge("biloxi.com", "n");
  const ChallengeValue values[] = {www(ch)};
  auto out = client.respond(values, kRegister);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, no_credentials);
  EXPECT_NE(out.error().message.find("biloxi.com"), std::string::npos);
  // Refusal left no state behind.
  EXPECT_TRUE(client.authorize(kRegister)->empty());
}

TEST_F(DigestClientTest, DefaultCredentialsServeAnyRealm) {
  CredentialSet set;
  set.set_default(UserCredential{"anyone", Secret("pw")});
  DigestClient client = make(std::move(set));
  const std::string ch = challenge("whatever.example", "n");
  const ChallengeValue values[] = {www(ch)};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(parsed((*out)[0]).username, "anyone");
}

TEST_F(DigestClientTest, UnsupportedChallenges) {
  DigestClient client = make(one_realm("r", "u", "p"));
  const ChallengeValue basic[] = {www("Basic realm=\"r\"")};
  auto b = client.respond(basic, kRegister);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::unsupported);

  const std::string aka = challenge("r", "n", ", algorithm=AKAv1-MD5");
  const ChallengeValue only_aka[] = {www(aka)};
  auto a = client.respond(only_aka, kRegister);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::unsupported);
  EXPECT_NE(a.error().message.find("AKAv1-MD5"), std::string::npos);

  const ChallengeValue bad_qop[] = {www("Digest realm=\"r\", nonce=\"n\", qop=\"foo\"")};
  auto q = client.respond(bad_qop, kRegister);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, Errc::unsupported);

  const ChallengeValue sess_no_qop[] = {www("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess")};
  auto s = client.respond(sess_no_qop, kRegister);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::unsupported);
}

TEST_F(DigestClientTest, BasicBesideDigestIsSkipped) {
  DigestClient client = make(one_realm("r", "u", "p"));
  const std::string d = challenge("r", "n");
  const ChallengeValue values[] = {www("Basic realm=\"r\""), www("garbage"), www(d)};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->size(), 1U);
}

TEST_F(DigestClientTest, NothingParseable) {
  DigestClient client = make(one_realm("r", "u", "p"));
  const ChallengeValue values[] = {www("Digest realm=\"r"), www("Digest realm=\"r\"")};
  auto out = client.respond(values, kRegister);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::malformed);
  auto none = client.respond({}, kRegister);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::missing);
}

TEST_F(DigestClientTest, PasswordNeverAppearsInOutput) {
  const std::string password = "Pa55-very-secret";
  DigestClient client = make(one_realm("r", "u", password));
  const std::string ok = challenge("r", "n", ", opaque=\"o\"");
  const ChallengeValue good[] = {www(ok)};
  auto out = client.respond(good, kRegister);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)[0].value.find(password), std::string::npos);
  auto rejected = client.respond(good, kRegister);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().message.find(password), std::string::npos);
  EXPECT_EQ(client.credentials().redacted().find(password), std::string::npos);
}

TEST_F(DigestClientTest, BrokenCnonceSourceFailsCleanly) {
  DigestClient client(one_realm("r", "u", "p"), [] { return std::string(); });
  const std::string ch = challenge("r", "n");
  const ChallengeValue values[] = {www(ch)};
  auto out = client.respond(values, kRegister);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::io);
  DigestClient no_source(one_realm("r", "u", "p"), nullptr);
  EXPECT_FALSE(no_source.respond(values, kRegister));
}

TEST_F(DigestClientTest, UsernameWithLineBreakCannotInjectHeaders) {
  DigestClient client = make(one_realm("r", "alice\r\nContact: <sip:evil>", "p"));
  const std::string ch = challenge("r", "n");
  const ChallengeValue values[] = {www(ch)};
  auto out = client.respond(values, kRegister);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::malformed);
}

TEST_F(DigestClientTest, EscapedRealmIsUnquotedForLookupAndHashing) {
  DigestClient client = make(one_realm("a\"b", "u", "p"));
  const ChallengeValue values[] = {www("Digest realm=\"a\\\"b\", nonce=\"n\", qop=auth")};
  auto out = client.respond(values, kRegister);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)[0].realm, "a\"b");
  EXPECT_EQ(unquote(parsed((*out)[0]).realm), "a\"b");
}

TEST(OpensslCnonce, ProducesDistinctHex) {
  CnonceSource src = openssl_cnonce_source();
  const std::string a = src();
  const std::string b = src();
  EXPECT_EQ(a.size(), 32U);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace sipline::auth
