// Integrator stability: at densities up to 8 persons/m² nobody passes through a wall (a crossing
// throws) or through another person (overlap stays well below a body).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

TEST(DenseCrowd, EightPersonsPerSquareMetreStayApartAndInside) {
  Simulation sim(scenes::dense_room(8.0, 5), {.threads = 2});
  ASSERT_GE(sim.agents().size(), 790u);
  double worst = 1.0;  // smallest d_ij / (r_i + r_j) seen
  ASSERT_NO_THROW(test::run_until_done(sim, 3000, [&](const Simulation& s) {
    if (s.step_count() % 10) return;
    const auto& a = s.agents();
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = i + 1; j < a.size(); ++j) {
        const double d = norm(a.position[i] - a.position[j]);
        worst = std::min(worst, d / (a.radius_m[i] + a.radius_m[j]));
      }
  }));
  std::printf("smallest centre distance / contact distance: %.3f\n", worst);
  // Centres closer than half a contact distance would mean bodies passing through each other.
  EXPECT_GT(worst, 0.5);
  EXPECT_GT(test::exit_times(sim).size(), 20u) << "the crowd should drain through the door";
}
