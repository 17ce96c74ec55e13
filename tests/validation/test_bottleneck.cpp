// Bottleneck flow against width (Liddle/Seyfried 2009), ../shared/VALIDATION.md §3:
// J strictly increasing over 0.8–2.5 m, linear fit R² ≥ 0.9, Js in [1.6, 2.6] persons/(m·s),
// mean |J − J_Liddle| ≤ 0.5 persons/s.
#include <gtest/gtest.h>

#include <cstdio>

#include "crowdsafe/verification.hpp"

using namespace crowdsafe;

namespace {

/// Steady flow through the bottleneck, persons/s (verify::bottleneck_flow: crossings of its end
/// between the 20th and the (n−20)th person); everybody must pass.
double flow(double width, std::uint64_t seed) {
  const std::int64_t n = 180;
  std::int64_t passed = 0;
  const double j = verify::bottleneck_flow(width, n, seed, 2, passed);
  EXPECT_EQ(passed, n) << "width " << width << ": not everybody passed";
  return j;
}

}  // namespace

TEST(Bottleneck, FlowGrowsLinearlyWithWidthAsLiddleMeasured) {
  const std::vector<std::pair<double, double>> liddle{{0.9, 1.59}, {1.0, 1.83}, {1.2, 2.31}, {1.4, 2.71}, {1.6, 2.84},
                                                       {1.8, 3.55}, {2.0, 3.55}, {2.5, 5.12}};
  std::vector<double> w, j;
  double err = 0.0;
  for (auto [width, ref] : liddle) {
    const double f = 0.5 * (flow(width, 1) + flow(width, 2));
    std::printf("b %.2f m  J %.2f persons/s  Liddle %.2f  Js %.2f\n", width, f, ref, f / width);
    w.push_back(width);
    j.push_back(f);
    err += std::abs(f - ref);
    EXPECT_GE(f / width, 1.6) << "width " << width;
    EXPECT_LE(f / width, 2.6) << "width " << width;
  }
  for (std::size_t i = 1; i < j.size(); ++i) EXPECT_GT(j[i], j[i - 1]) << "width " << w[i];
  EXPECT_LE(err / static_cast<double>(j.size()), 0.5);
  const verify::LinearFit fit = verify::linear_fit(w, j);
  std::printf("mean |J - J_Liddle| %.2f persons/s, linear fit J = %.2f + %.2f b, R² %.3f\n",
              err / static_cast<double>(j.size()), fit.intercept, fit.slope, fit.r2);
  EXPECT_GE(fit.r2, 0.9);
}
