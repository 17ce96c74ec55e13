// Bottleneck flow against width (Liddle/Seyfried 2009), ../shared/VALIDATION.md §3:
// J strictly increasing over 0.8–2.5 m, linear fit R² ≥ 0.9, Js in [1.6, 2.6] persons/(m·s),
// mean |J − J_Liddle| ≤ 0.5 persons/s.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "crowdsafe/scenes.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

namespace {

/// Steady flow through the bottleneck, persons/s: crossings of its exit (x = 10 m) between
/// the 20th and the (n−20)th person, so start-up and the last stragglers do not count.
double flow(double width, std::uint64_t seed) {
  const int n = 180;
  Simulation sim(scenes::bottleneck(width, n, seed), {.threads = 2});
  std::map<std::int64_t, double> crossed;
  std::vector<double> times;
  test::run_until_done(sim, 40000, [&](const Simulation& s) {
    const auto& a = s.agents();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.position[i].x > 10.0 && !crossed.count(a.id[i].value)) {
        crossed[a.id[i].value] = s.time_s();
        times.push_back(s.time_s());
      }
  });
  EXPECT_EQ(times.size(), static_cast<std::size_t>(n)) << "width " << width << ": not everybody passed";
  if (times.size() < 60) return 0.0;
  const std::size_t a = 20, b = times.size() - 20;
  return static_cast<double>(b - a) / (times[b] - times[a]);
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
  // Linear fit J = a + b·w and its R².
  const double n = static_cast<double>(w.size());
  double sw = 0, sj = 0, sww = 0, swj = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    sw += w[i]; sj += j[i]; sww += w[i] * w[i]; swj += w[i] * j[i];
  }
  const double slope = (n * swj - sw * sj) / (n * sww - sw * sw);
  const double icpt = (sj - slope * sw) / n;
  double ss_res = 0, ss_tot = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    ss_res += std::pow(j[i] - (icpt + slope * w[i]), 2);
    ss_tot += std::pow(j[i] - sj / n, 2);
  }
  std::printf("mean |J - J_Liddle| %.2f persons/s, linear fit J = %.2f + %.2f b, R² %.3f\n",
              err / static_cast<double>(j.size()), icpt, slope, 1.0 - ss_res / ss_tot);
  EXPECT_GE(1.0 - ss_res / ss_tot, 0.9);
}
