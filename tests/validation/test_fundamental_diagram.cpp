// Unidirectional fundamental diagram against Weidmann (1993), ../shared/VALIDATION.md §2:
// |v − v_W(ρ)| ≤ 0.3 m/s for ρ ≤ 4, max Js in [1.2, 1.8] persons/(m·s) at ρ in [1.5, 3.5],
// v non-increasing in ρ. Periodic 20 m × 4 m corridor, 20 s warm-up, 20 s measured.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/verification.hpp"

using namespace crowdsafe;

namespace {

using verify::weidmann_speed;

/// Mean speed along the corridor, m/s, seeds 1 and 2, 20 s warm-up, 20 s measured.
double measured_speed(double rho) { return verify::corridor_speed(rho, 20.0, 4.0, {1, 2}, 20.0, 20.0, 2); }

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
