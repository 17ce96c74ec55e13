// RiMEA test 6: 20 persons round a 2 m wide left corner; all must arrive and nobody may pass a
// wall (a wall crossing throws SimulationError, which fails the test).
#include <gtest/gtest.h>

#include "crowdsafe/scenes.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

TEST(Corner, TwentyPersonsRoundTheCornerAllArrive) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Simulation sim(scenes::corner(seed), {.threads = 2});
    ASSERT_EQ(sim.agents().size(), 20u);
    ASSERT_NO_THROW(test::run_until_done(sim, 12000));
    const auto t = test::exit_times(sim);
    EXPECT_EQ(t.size(), 20u) << "seed " << seed << ": " << sim.agents().size() << " persons still in the corridor";
    // 6 + 12 m of path ≈ 19 m at ~1.3 m/s; generous bound that still catches somebody stuck.
    if (!t.empty()) {
      EXPECT_LT(t.back(), 60.0) << "seed " << seed;
    }
  }
}
