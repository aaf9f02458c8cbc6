// The daemon-side helpers on their own: the generated configuration is one
// the real program accepts, and event times parse to the instant they name.

#include "daemon.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sipline::testing::kamailio {
namespace {

TEST(Rfc3339, ParsesMillisecondsAndOffsets) {
  const auto utc = parse_rfc3339("2026-12-01T23:05:50.123Z");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(utc->time_since_epoch()).count(),
            1'796'166'350'123);
  const auto shifted = parse_rfc3339("2026-12-02T00:05:50.123+01:00");
  ASSERT_TRUE(shifted.has_value());
  EXPECT_EQ(*shifted, *utc);
  EXPECT_FALSE(parse_rfc3339("yesterday").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-12-01T23:05:50").has_value());  // no zone: ambiguous
}

TEST(GeneratedConfig, PassesSiplineConfigCheck) {
  TempDir dir;
  AccountSpec spec;
  spec.password = random_alnum(16);
  spec.servers = {{"127.0.0.1", 5070, Transport::udp}, {"127.0.0.2", 5072, Transport::udp}};
  const auto path = dir.path() / "sipline.toml";
  std::ofstream(path) << render_toml(spec);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto out = run_capture({SIPLINE_BINARY, "config", "check", path.string()}, 10s);
  ASSERT_TRUE(out.has_value()) << "sipline config check rejected:\n" << render_toml(spec);
  EXPECT_NE(out->find("probe_interval = 2"), std::string::npos) << *out;
  EXPECT_NE(out->find("failback_mode = \"monitor\""), std::string::npos) << *out;
  EXPECT_EQ(out->find(spec.password), std::string::npos) << "the password was printed";
}

}  // namespace
}  // namespace sipline::testing::kamailio
