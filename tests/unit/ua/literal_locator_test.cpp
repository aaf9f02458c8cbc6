// LiteralLocator: IP literals resolve without DNS; names are a DNS failure;
// the answer is never given inside locate() and a cancelled lookup is silent.

#include "ua/literal_locator.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "runtime/manual_clock.hpp"

namespace sipline::ua {
namespace {

TEST(LiteralLocator, Ipv4LiteralWithDefaults) {
  auto r = LiteralLocator::resolve(dns::ServerSpec{"192.0.2.1", {}, {}, false, false});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].address, "192.0.2.1");
  EXPECT_EQ((*r)[0].port, 5060);
  EXPECT_EQ((*r)[0].transport, dns::Transport::udp);
}

TEST(LiteralLocator, SipsMeansTlsOnItsDefaultPort) {
  auto r = LiteralLocator::resolve(dns::ServerSpec{"[2001:DB8::1]", {}, {}, true, false});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].transport, dns::Transport::tls);
  EXPECT_EQ((*r)[0].port, 5061);
  EXPECT_EQ((*r)[0].address, "2001:db8::1");
  EXPECT_EQ((*r)[0].family, dns::Family::ipv6);
}

TEST(LiteralLocator, ExplicitPortAndTransport) {
  auto r = LiteralLocator::resolve(
      dns::ServerSpec{"127.0.0.1", 5080, dns::Transport::tcp, false, false});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].transport, dns::Transport::tcp);
  EXPECT_EQ((*r)[0].port, 5080);
}

TEST(LiteralLocator, HostNameIsNotFound) {
  auto r = LiteralLocator::resolve(dns::ServerSpec{"pbx.example.com", {}, {}, false, false});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST(LiteralLocator, AnswersOnTheNextTurnAndCancelSilences) {
  runtime::ManualClock clock;
  LiteralLocator locator(clock);
  int answers = 0;
  auto lookup = locator.locate(dns::ServerSpec{"192.0.2.1", {}, {}, false, false},
                               [&](auto result) { answers += result ? 1 : 100; });
  EXPECT_EQ(answers, 0);
  EXPECT_TRUE(lookup.pending());
  clock.run_due();
  EXPECT_EQ(answers, 1);
  EXPECT_FALSE(lookup.pending());

  auto cancelled = locator.locate(dns::ServerSpec{"192.0.2.1", {}, {}, false, false},
                                  [&](auto) { answers += 10; });
  cancelled.cancel();
  clock.run_due();
  EXPECT_EQ(answers, 1);
}

}  // namespace
}  // namespace sipline::ua
