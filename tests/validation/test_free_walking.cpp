// RiMEA test 1 (../shared/VALIDATION.md §1): one person, 40 m × 2 m corridor, 1.33 m/s,
// must take 26–34 s.
#include <gtest/gtest.h>

#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/verification.hpp"

using namespace crowdsafe;

TEST(FreeWalking, RimeaTest1TravelTimeWithin26To34Seconds) {
  const double t = verify::corridor_travel_time(1.33);
  ASSERT_GT(t, 0.0) << "the walker never reached the end of the corridor";
  std::printf("RiMEA 1 travel time %.2f s\n", t);
  // The walker starts at x = 0.5 m and leaves on entering the exit at x = 40.5 m: 40 m.
  EXPECT_GE(t, 26.0);
  EXPECT_LE(t, 34.0);
  EXPECT_NEAR(t, 40.0 / 1.33 + 0.5, 1.5) << "acceleration phase (τ = 0.5 s) should add about 0.5 s";
}

TEST(FreeWalking, ReachesDesiredSpeedWithinTwoSeconds) {
  Simulation sim(scenes::free_walking_corridor(1.33), {.threads = 1});
  for (int k = 0; k < 200; ++k) sim.step();  // 2 s = 4 τ
  const Vec2 v = sim.agents().velocity[0];
  EXPECT_NEAR(v.x, 1.33, 0.03);
  EXPECT_NEAR(v.y, 0.0, 0.01);
}
