// NIST TN 1822 / ISO 20414 counterflow: 100 persons cross from one 10 m × 10 m room to another
// through a 10 m × 2 m corridor; the crossing time must rise strictly with 0, 10, 50 and 100
// persons walking the other way, and nobody may stay stuck.
#include <gtest/gtest.h>

#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

namespace {
/// Time until the last of the 100 forward walkers leaves through the right-hand exit, s.
double crossing_time(std::int64_t backward, std::uint64_t seed, std::size_t& stuck) {
  Simulation sim(scenes::counterflow_rooms(100, backward, seed), {.threads = 2});
  test::run_until_done(sim, 60000);
  stuck = sim.agents().size();
  double last = 0.0;
  for (const auto& r : sim.records())
    if (r.group == 0 && r.exit >= 0) last = std::max(last, r.exit_time_s);
  return last;
}
}  // namespace

TEST(Counterflow, CrossingTimeRisesWithOpposingWalkers) {
  double previous = 0.0;
  for (std::int64_t backward : {0, 10, 50, 100}) {
    double t = 0.0;
    for (std::uint64_t seed : {1u, 2u}) {
      std::size_t stuck = 0;
      t += 0.5 * crossing_time(backward, seed, stuck);
      EXPECT_EQ(stuck, 0u) << backward << " opposing, seed " << seed << ": persons stuck at the end";
    }
    std::printf("opposing %3lld  crossing time %.1f s\n", static_cast<long long>(backward), t);
    EXPECT_GT(t, previous) << backward << " opposing walkers";
    previous = t;
  }
}
