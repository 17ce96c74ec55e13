// Reliability (issue "Reliability" item 4): 150 people in a 10 m × 10 m room leave through a
// 1 m door at 1.34 m/s. JuPedSim 1.4.2's social force model pushes somebody through a wall in
// every run of this set-up; here 100 seeds must run to the end without a single invariant
// violation (a wall crossing, bodies passing into each other or a non-finite state all throw
// SimulationError) and everybody must get out.
#include <gtest/gtest.h>

#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

TEST(DenseBottleneck, HundredSeedsWithoutAnyViolation) {
  int violations = 0, stuck_runs = 0;
  double slowest = 0.0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    Scenario sc = scenes::dense_room(1.5, seed);  // 150 people
    for (auto& g : sc.groups) {
      g.profile.speed_mean_m_s = 1.34;
      g.profile.speed_sd_m_s = 0.0;
      g.profile.speed_min_m_s = 1.34;
      g.profile.speed_max_m_s = 1.34;
    }
    sc.duration_s = 300.0;
    Simulation sim(sc, {.threads = 2});
    try {
      test::run_until_done(sim, 40000);
    } catch (const SimulationError& e) {
      ++violations;
      ADD_FAILURE() << "seed " << seed << ": " << e.what();
      continue;
    }
    if (sim.agents().size() > 0) ++stuck_runs;
    const auto t = test::exit_times(sim);
    if (!t.empty()) slowest = std::max(slowest, t.back());
  }
  std::printf("100 seeds: %d violations, %d runs with people left inside, slowest evacuation %.1f s\n", violations,
              stuck_runs, slowest);
  EXPECT_EQ(violations, 0);
  EXPECT_EQ(stuck_runs, 0);
}
