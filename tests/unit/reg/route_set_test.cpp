#include "reg/route_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipline::reg {
namespace {

RequestRoute route_of(std::string_view target, std::vector<std::string> set, bool strict) {
  auto r = build_route(target, set, strict);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : RequestRoute{};
}

TEST(RouteSet, WithoutRoutesTheRequestGoesToTheTarget) {
  const RequestRoute r = route_of("sip:sipline.test", {}, false);
  EXPECT_EQ(r.request_uri, "sip:sipline.test");
  EXPECT_TRUE(r.routes.empty());
  EXPECT_EQ(r.next_hop, "sip:sipline.test");
  EXPECT_FALSE(r.strict);
}

TEST(RouteSet, LooseRoutesKeepTheTargetAsRequestUri) {
  // §8.1.2 / §16.12: the Request-URI stays, the routes go into Route in order.
  const RequestRoute r =
      route_of("sip:sipline.test", {"sip:p1.example.net;lr", "<sip:p2.example.net;lr>"}, false);
  EXPECT_EQ(r.request_uri, "sip:sipline.test");
  EXPECT_EQ(r.routes,
            (std::vector<std::string>{"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"}));
  EXPECT_EQ(r.next_hop, "sip:p1.example.net;lr");
}

TEST(RouteSet, ForcedLooseRoutingAddsLr) {
  const RequestRoute r = route_of(
      "sip:sipline.test", {"proxy.example.net:5070", "sip:p2.example.net;transport=tcp"}, false);
  EXPECT_EQ(r.routes, (std::vector<std::string>{"<sip:proxy.example.net:5070;lr>",
                                                "<sip:p2.example.net;transport=tcp;lr>"}));
  EXPECT_EQ(r.next_hop, "sip:proxy.example.net:5070;lr");
  EXPECT_FALSE(r.strict);
}

TEST(RouteSet, LrGoesBeforeUriHeaders) {
  const RequestRoute r = route_of("sip:sipline.test", {"sip:p.example.net;maddr=x?h=v"}, false);
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0], "<sip:p.example.net;maddr=x;lr?h=v>");
}

TEST(RouteSet, StrictRouterBecomesTheRequestUri) {
  // §12.2.1.1: Request-URI <- first route; the remote target is appended last.
  const RequestRoute r =
      route_of("sip:sipline.test", {"sip:strict.example.net", "sip:p2.example.net;lr"}, true);
  EXPECT_TRUE(r.strict);
  EXPECT_EQ(r.request_uri, "sip:strict.example.net");
  EXPECT_EQ(r.routes, (std::vector<std::string>{"<sip:p2.example.net;lr>", "<sip:sipline.test>"}));
  EXPECT_EQ(r.next_hop, "sip:strict.example.net");
}

TEST(RouteSet, StrictRouterRequestUriLosesMethodAndHeaders) {
  // §19.1.1: method and headers are not allowed in a Request-URI.
  const RequestRoute r = route_of("sip:sipline.test",
                                  {"sip:strict.example.net;method=INVITE;transport=tcp?x=y"}, true);
  EXPECT_EQ(r.request_uri, "sip:strict.example.net;transport=tcp");
  EXPECT_EQ(r.routes, (std::vector<std::string>{"<sip:sipline.test>"}));
}

TEST(RouteSet, HonouringStrictKeepsALooseFirstRouteAsWritten) {
  const RequestRoute r =
      route_of("sip:sipline.test", {"sip:p1.example.net;lr", "sip:p2.example.net"}, true);
  EXPECT_FALSE(r.strict);
  EXPECT_EQ(r.request_uri, "sip:sipline.test");
  EXPECT_EQ(r.routes,
            (std::vector<std::string>{"<sip:p1.example.net;lr>", "<sip:p2.example.net>"}));
}

TEST(RouteSet, SipsAndNameAddrWithDisplayNameAreAccepted) {
  const RequestRoute r =
      route_of("sips:sipline.test", {"\"Edge\" <sips:edge.example.net;lr>"}, false);
  EXPECT_EQ(r.routes, (std::vector<std::string>{"<sips:edge.example.net;lr>"}));
}

TEST(RouteSet, RejectsWhatIsNotSip) {
  const std::vector<std::string> none;
  EXPECT_FALSE(build_route("tel:+15551234", none, false).has_value());
  EXPECT_FALSE(build_route("", none, false).has_value());
  EXPECT_FALSE(build_route("sip:", none, false).has_value());
  const std::vector<std::string> tel = {"tel:+15551234"};
  EXPECT_FALSE(build_route("sip:sipline.test", tel, false).has_value());
  const std::vector<std::string> blank = {"  "};
  EXPECT_FALSE(build_route("sip:sipline.test", blank, false).has_value());
  const std::vector<std::string> broken = {"<sip:p.example.net"};
  EXPECT_FALSE(build_route("sip:sipline.test", broken, false).has_value());
}

}  // namespace
}  // namespace sipline::reg
