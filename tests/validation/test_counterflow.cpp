// NIST TN 1822 / ISO 20414 counterflow: 100 persons cross from one 10 m × 10 m room to another
// through a 10 m × 2 m corridor; the crossing time must rise strictly with 0, 10, 50 and 100
// persons walking the other way, and nobody may stay stuck.
#include <gtest/gtest.h>

#include <cstdio>

#include "crowdsafe/verification.hpp"

using namespace crowdsafe;

TEST(Counterflow, CrossingTimeRisesWithOpposingWalkers) {
  double previous = 0.0;
  for (std::int64_t backward : {0, 10, 50, 100}) {
    double t = 0.0;
    for (std::uint64_t seed : {1u, 2u}) {
      std::size_t stuck = 0;
      t += 0.5 * verify::counterflow_crossing_time(100, backward, seed, 2, stuck);
      EXPECT_EQ(stuck, 0u) << backward << " opposing, seed " << seed << ": persons stuck at the end";
    }
    std::printf("opposing %3lld  crossing time %.1f s\n", static_cast<long long>(backward), t);
    EXPECT_GT(t, previous) << backward << " opposing walkers";
    previous = t;
  }
}
