// The force kernel's exponentials: exp_det against the C library, and the four-lane exp_det4
// against exp_det bit for bit (the kernel's results must not depend on the vector width).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "models/exp.hpp"

using crowdsafe::detail::Double4;
using crowdsafe::detail::exp_det;
using crowdsafe::detail::exp_det4;

namespace {

std::vector<double> probe_values() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v{0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 709.78, 709.79, -708.0, -708.0000001, -707.9999,
                        -745.0, -745.2, -746.0, -1e5, 1e5, inf, -inf, std::numeric_limits<double>::quiet_NaN()};
  std::mt19937_64 rng(42);
  // The kernel's range (overlap / B: −60 … 10), then the whole finite range.
  std::uniform_real_distribution<double> kernel(-60.0, 10.0), wide(-760.0, 720.0);
  for (int k = 0; k < 200000; ++k) v.push_back(kernel(rng));
  for (int k = 0; k < 200000; ++k) v.push_back(wide(rng));
  return v;
}

}  // namespace

TEST(Exp, MatchesLibmWithinTwoUlp) {
  for (const double x : probe_values()) {
    if (!(x > -700.0 && x < 700.0)) continue;
    const double want = std::exp(x), got = exp_det(x);
    EXPECT_NEAR(got, want, 4.5e-16 * want) << "x = " << x;
  }
  EXPECT_EQ(exp_det(-800.0), 0.0);
  EXPECT_TRUE(std::isinf(exp_det(710.0)));
  EXPECT_TRUE(std::isnan(exp_det(std::numeric_limits<double>::quiet_NaN())));
}

TEST(Exp, FourLanesGiveExactlyTheScalarBits) {
  const auto v = probe_values();
  std::size_t mismatches = 0;
  for (std::size_t k = 0; k + 4 <= v.size(); k += 4) {
    const Double4 x = {v[k], v[k + 1], v[k + 2], v[k + 3]};
    const Double4 e = exp_det4(x);
    for (int l = 0; l < 4; ++l) {
      const double want = exp_det(x[l]);
      const bool same = std::bit_cast<std::uint64_t>(e[l]) == std::bit_cast<std::uint64_t>(want) ||
                        (std::isnan(e[l]) && std::isnan(want));
      if (!same && ++mismatches < 10) ADD_FAILURE() << "x = " << x[l] << ": " << e[l] << " vs " << want;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}
