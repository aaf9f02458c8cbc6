#include "auth/credentials.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipline::auth {
namespace {

// RFC 7616 §3.9.1, as the client sends it with SHA-256.
constexpr const char* kRfc7616Sha256 =
    "Digest username=\"Mufasa\",\r\n"
    "    realm=\"http-auth@example.org\",\r\n"
    "    uri=\"/dir/index.html\",\r\n"
    "    algorithm=SHA-256,\r\n"
    "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
    "    nc=00000001,\r\n"
    "    cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n"
    "    qop=auth,\r\n"
    "    response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\r\n"
    "    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

TEST(Credentials, ParsesFoldedRfc7616Example) {
  auto cr = parse_credentials(kRfc7616Sha256);
  ASSERT_TRUE(cr) << cr.error().message;
  EXPECT_EQ(cr->username, "Mufasa");
  EXPECT_EQ(cr->realm, "http-auth@example.org");
  EXPECT_EQ(cr->uri, "/dir/index.html");
  EXPECT_EQ(cr->algorithm, Algorithm::sha256);
  EXPECT_EQ(cr->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  EXPECT_EQ(cr->nc, 1U);
  ASSERT_TRUE(cr->cnonce);
  EXPECT_EQ(*cr->cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  EXPECT_EQ(cr->qop, Qop::auth);
  EXPECT_EQ(cr->response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  ASSERT_TRUE(cr->opaque);
  EXPECT_FALSE(cr->userhash);
}

TEST(Credentials, Rfc2069StyleWithoutQop) {
  // RFC 3261 §22.4-style credentials without qop: no cnonce, no nc.
  auto cr = parse_credentials(
      "Digest username=\"bob\", realm=\"biloxi.com\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
      "uri=\"sip:bob@biloxi.com\", response=\"245f23415f11432b3434341c022\", opaque=\"5ccc\"");
  // 27 hex digits is not an MD5 digest.
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().code, Errc::malformed);
  auto ok = parse_credentials(
      "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"n\", uri=\"sip:bob@biloxi.com\", "
      "response=\"670FD8C2DF070C60B045671B8B24FF02\"");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->qop, Qop::none);
  EXPECT_FALSE(ok->nc);
  EXPECT_FALSE(ok->cnonce);
}

TEST(Credentials, UsernameStarAndUserhash) {
  auto ext = parse_credentials(
      "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"api@example.org\", "
      "uri=\"/doe.json\", "
      "algorithm=SHA-512-256, nonce=\"n\", nc=00000001, cnonce=\"c\", qop=auth, "
      "response=\"3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5\", "
      "userhash=false");
  ASSERT_TRUE(ext) << ext.error().message;
  ASSERT_TRUE(ext->username_ext);
  EXPECT_EQ(*ext->username_ext, "UTF-8''J%C3%A4s%C3%B8n%20Doe");
  EXPECT_EQ(ext->algorithm, Algorithm::sha512_256);

  auto both = parse_credentials(
      "Digest username=\"a\", username*=UTF-8''a, realm=\"r\", uri=\"u\", nonce=\"n\", "
      "response=\"00000000000000000000000000000000\"");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code, Errc::malformed);
}

TEST(Credentials, RequiredFields) {
  const std::string full =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", "
      "response=\"00000000000000000000000000000000\"";
  ASSERT_TRUE(parse_credentials(full));
  for (const char* name : {"username", "realm", "nonce", "uri", "response"}) {
    std::string text = full;
    const auto at = text.find(std::string(name) + "=");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 1, "x");  // rename the parameter so it becomes unknown
    auto cr = parse_credentials(text);
    ASSERT_FALSE(cr) << name;
    EXPECT_EQ(cr.error().code, Errc::missing) << name;
  }
  auto no_cnonce = parse_credentials(full + ", qop=auth, nc=00000001");
  ASSERT_FALSE(no_cnonce);
  EXPECT_EQ(no_cnonce.error().code, Errc::missing);
  auto no_nc = parse_credentials(full + ", qop=auth, cnonce=\"c\"");
  ASSERT_FALSE(no_nc);
  EXPECT_EQ(no_nc.error().code, Errc::missing);
}

TEST(Credentials, BadValues) {
  const std::string base =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", cnonce=\"c\", "
      "response=\"00000000000000000000000000000000\"";
  for (const char* nc : {"1", "0000001", "000000001", "0000000g", "\"00000001x\""}) {
    auto cr = parse_credentials(base + ", qop=auth, nc=" + nc);
    ASSERT_FALSE(cr) << nc;
    EXPECT_EQ(cr.error().code, Errc::malformed) << nc;
  }
  auto qop = parse_credentials(base + ", qop=\"auth,auth-int\", nc=00000001");
  ASSERT_FALSE(qop);
  EXPECT_EQ(qop.error().code, Errc::unsupported);
  auto sha_with_md5_size = parse_credentials(base + ", algorithm=SHA-256");
  ASSERT_FALSE(sha_with_md5_size);
  EXPECT_EQ(sha_with_md5_size.error().code, Errc::malformed);
  auto basic = parse_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_FALSE(basic);
}

TEST(Credentials, QopErrorMessageIsSanitised) {
  auto cr = parse_credentials(
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", cnonce=\"c\", nc=00000001, "
      "response=\"00000000000000000000000000000000\", qop=\"a\\\x01\"");
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().code, Errc::unsupported);
  for (char c : cr.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f);
  }
}

TEST(FormatAuthorization, WritesTheRfc3261Order) {
  AuthorizationFields f;
  f.username = "Mufasa";
  f.realm = "http-auth@example.org";
  f.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  f.digest_uri = "/dir/index.html";
  f.response = "8ca523f5e9506fed4657c9700eebdbec";
  f.algorithm = Algorithm::md5;
  f.opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
  f.qop = Qop::auth;
  f.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  f.nc = 1;
  auto v = format_authorization(f);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v,
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
            "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
            "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, "
            "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
            "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", qop=auth, nc=00000001");
}

TEST(FormatAuthorization, NoQopOmitsCnonceAndNc) {
  AuthorizationFields f;
  f.username = "u";
  f.realm = "r";
  f.nonce = "n";
  f.digest_uri = "sip:r";
  f.response = "670fd8c2df070c60b045671b8b24ff02";
  f.qop = Qop::none;
  f.cnonce = "unused";
  auto v = format_authorization(f);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v,
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", "
            "response=\"670fd8c2df070c60b045671b8b24ff02\"");
}

TEST(FormatAuthorization, RefusesLineBreaks) {
  AuthorizationFields f;
  f.username = "alice\r\nVia: evil";
  f.realm = "r";
  f.nonce = "n";
  f.digest_uri = "sip:r";
  f.response = "670fd8c2df070c60b045671b8b24ff02";
  auto v = format_authorization(f);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::malformed);
}

TEST(FormatAuthorization, RoundTripsThroughTheParser) {
  const std::string realm = "odd \"realm\" \\ here";
  const std::string opaque = "a,b=c";
  AuthorizationFields f;
  f.username = "user@example.com";
  f.realm = realm;
  f.nonce = "n/o+n=c=e";
  f.digest_uri = "sip:registrar.example.com;transport=tcp";
  f.response = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  f.algorithm = Algorithm::sha512_256_sess;
  f.opaque = opaque;
  f.qop = Qop::auth_int;
  f.cnonce = "c\"n";
  f.nc = 0x1234abcd;
  f.userhash = true;
  auto v = format_authorization(f);
  ASSERT_TRUE(v);
  auto cr = parse_credentials(*v);
  ASSERT_TRUE(cr) << cr.error().message << " in " << *v;
  EXPECT_EQ(unquote(cr->username), f.username);
  EXPECT_EQ(unquote(cr->realm), realm);
  EXPECT_EQ(unquote(cr->nonce), f.nonce);
  EXPECT_EQ(unquote(cr->uri), f.digest_uri);
  EXPECT_EQ(cr->response, f.response);
  EXPECT_EQ(cr->algorithm, f.algorithm);
  ASSERT_TRUE(cr->opaque);
  EXPECT_EQ(unquote(*cr->opaque), opaque);
  EXPECT_EQ(cr->qop, Qop::auth_int);
  ASSERT_TRUE(cr->cnonce);
  EXPECT_EQ(unquote(*cr->cnonce), "c\"n");
  EXPECT_EQ(cr->nc, 0x1234abcdU);
  EXPECT_TRUE(cr->userhash);
}

}  // namespace
}  // namespace sipline::auth
