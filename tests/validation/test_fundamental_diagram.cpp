// Unidirectional fundamental diagram against Weidmann (1993), ../shared/VALIDATION.md §2:
// |v − v_W(ρ)| ≤ 0.3 m/s for ρ ≤ 4, max Js in [1.2, 1.8] persons/(m·s) at ρ in [1.5, 3.5],
// v non-increasing in ρ. Periodic 20 m × 4 m corridor, 20 s warm-up, 20 s measured.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

namespace {

double weidmann_speed(double rho) { return 1.34 * (1.0 - std::exp(-1.913 * (1.0 / rho - 1.0 / 5.4))); }

/// Mean speed along the corridor, m/s, averaged over agents and the measuring time.
double measured_speed(double rho) {
  double sum = 0.0;
  for (std::uint64_t seed : {1u, 2u}) {
    Simulation sim(scenes::periodic_corridor(rho, 20.0, 4.0, seed), {.threads = 2});
    for (int k = 0; k < 2000; ++k) sim.step();
    double acc = 0.0;
    int samples = 0;
    for (int k = 0; k < 2000; ++k) {
      sim.step();
      if (k % 10) continue;
      for (const Vec2 v : sim.agents().velocity) acc += v.x;
      samples += static_cast<int>(sim.agents().size());
    }
    sum += acc / samples;
  }
  return sum / 2.0;
}

}  // namespace

TEST(FundamentalDiagram, WithinWeidmannEnvelope) {
  const std::vector<double> rhos{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
  std::vector<double> v;
  for (double rho : rhos) {
    v.push_back(measured_speed(rho));
    std::printf("rho %.2f  v %.3f  weidmann %.3f  Js %.3f\n", rho, v.back(), weidmann_speed(rho), rho * v.back());
  }
  double best_js = 0.0, best_rho = 0.0;
  for (std::size_t i = 0; i < rhos.size(); ++i) {
    EXPECT_LE(std::abs(v[i] - weidmann_speed(rhos[i])), 0.3) << "rho = " << rhos[i];
    if (i > 0) {
      EXPECT_LE(v[i], v[i - 1]) << "speed must not rise with density (rho = " << rhos[i] << ")";
    }
    if (rhos[i] * v[i] > best_js) {
      best_js = rhos[i] * v[i];
      best_rho = rhos[i];
    }
  }
  EXPECT_GE(best_js, 1.2);
  EXPECT_LE(best_js, 1.8);
  EXPECT_GE(best_rho, 1.5);
  EXPECT_LE(best_rho, 3.5);
}
