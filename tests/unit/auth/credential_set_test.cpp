#include "auth/credential_set.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace sipline::auth {
namespace {

UserCredential cred(std::string user, std::string password) {
  return UserCredential{std::move(user), Secret(std::move(password))};
}

TEST(CredentialSet, SelectsByExactRealmThenDefault) {
  CredentialSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.find("atlanta.com"), nullptr);
  set.add("atlanta.com", cred("alice", "pw1"));
  set.add("biloxi.com", cred("bob", "pw2"));
  ASSERT_NE(set.find("atlanta.com"), nullptr);
  EXPECT_EQ(set.find("atlanta.com")->username, "alice");
  EXPECT_EQ(set.find("biloxi.com")->password.reveal(), "pw2");
  EXPECT_EQ(set.find("Atlanta.com"), nullptr);  // realms are case-sensitive
  set.set_default(cred("any", "pw3"));
  ASSERT_NE(set.find("Atlanta.com"), nullptr);
  EXPECT_EQ(set.find("Atlanta.com")->username, "any");
  EXPECT_EQ(set.find("atlanta.com")->username, "alice");
}

TEST(CredentialSet, AddReplacesTheSameRealm) {
  CredentialSet set;
  set.add("r", cred("old", "a"));
  set.add("r", cred("new", "b"));
  EXPECT_EQ(set.find("r")->username, "new");
  EXPECT_EQ(set.find("r")->password.reveal(), "b");
}

TEST(CredentialSet, RedactedNeverShowsPasswords) {
  CredentialSet set;
  set.add("atlanta.com", cred("alice", "hunter2-secret"));
  set.set_default(cred("bob", "another-secret"));
  const std::string text = set.redacted();
  EXPECT_EQ(text.find("hunter2-secret"), std::string::npos);
  EXPECT_EQ(text.find("another-secret"), std::string::npos);
  EXPECT_NE(text.find("alice"), std::string::npos);
  EXPECT_NE(text.find("atlanta.com"), std::string::npos);
  EXPECT_NE(text.find("***"), std::string::npos);
  const std::string one = set.find("atlanta.com")->redacted();
  EXPECT_EQ(one, "username='alice' password=***");
}

TEST(Secret, CopyMoveAndAssign) {
  Secret a("correct horse battery staple, long enough for the heap");
  Secret b = a;
  EXPECT_EQ(b.reveal(), a.reveal());
  Secret c = std::move(a);
  EXPECT_EQ(c.reveal(), b.reveal());
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped
  Secret short_one("pw");
  Secret d = std::move(short_one);
  EXPECT_EQ(d.reveal(), "pw");
  EXPECT_TRUE(short_one.empty());  // NOLINT(bugprone-use-after-move)
  d = b;
  EXPECT_EQ(d.reveal(), b.reveal());
  d = Secret("x");
  EXPECT_EQ(d.reveal(), "x");
  EXPECT_EQ(Secret::redacted(), "***");
}

}  // namespace
}  // namespace sipline::auth
