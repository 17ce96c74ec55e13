// Stairs and slopes (../shared/VALIDATION.md §5): free speed along a 10 m stair flight in
// [0.5, 0.8] m/s with down ≥ up (Weidmann: up 0.61, down 0.69 m/s); on a 10 % ramp the
// along-surface speed ratio to level ground follows Tobler (uphill 0.70, downhill 1.00).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/verification.hpp"

using namespace crowdsafe;

namespace {

/// Plan-view time to cross [x0, x1] (in either direction), s.
double crossing_time(Scenario sc, double x0, double x1) {
  const double t = verify::section_crossing_time(std::move(sc), x0, x1);
  EXPECT_GT(t, 0.0) << "the walker never crossed the section";
  return t;
}

}  // namespace

TEST(StairsAndSlopes, StairSpeedsMatchWeidmannUpAndDown) {
  const double up = verify::stair_speed(false), down = verify::stair_speed(true);
  std::printf("stairs: up %.3f m/s, down %.3f m/s along the incline\n", up, down);
  EXPECT_NEAR(up, 0.61, 0.03);
  EXPECT_NEAR(down, 0.69, 0.03);
  EXPECT_GE(down, up);
  EXPECT_GE(up, 0.5);
  EXPECT_LE(down, 0.8);
}

TEST(StairsAndSlopes, TenPercentRampFollowsTobler) {
  // Along-surface speed on the ramp's middle 6 m, relative to the level speed of 1.34 m/s.
  const double along = 6.0 * std::sqrt(1.0 + 0.01);
  const double up = along / crossing_time(scenes::ramp(0.10, false), 6.0, 12.0) / 1.34;
  const double down = along / crossing_time(scenes::ramp(0.10, true), 6.0, 12.0) / 1.34;
  std::printf("ramp 10 %%: speed ratio up %.3f, down %.3f\n", up, down);
  EXPECT_NEAR(up, 0.70, 0.03);
  EXPECT_NEAR(down, 1.00, 0.03);
}

TEST(StairsAndSlopes, LevelGroundIsUnchanged) {
  const double ratio = 6.0 / crossing_time(scenes::ramp(0.0, false), 6.0, 12.0) / 1.34;
  EXPECT_NEAR(ratio, 1.0, 0.01);
}
