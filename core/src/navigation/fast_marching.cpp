#include "fast_marching.hpp"

#include <cmath>
#include <limits>
#include <queue>
#include <utility>

namespace crowdsafe::detail {

std::vector<float> fast_marching(const GridSpec& grid, const std::vector<float>& speed,
                                 const std::vector<std::uint8_t>& seed, const PortalLinks& links) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::size_t n = grid.size();
  const double h = grid.cell_m;
  std::vector<double> t(n, kInf);
  std::vector<std::uint8_t> done(n, 0);
  // Ties are broken by cell index, so the march (and the field) never depends on heap internals.
  using Item = std::pair<double, std::size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  for (std::size_t c = 0; c < n; ++c)
    if (seed[c] && speed[c] > 0.0f) {
      t[c] = 0.0;
      heap.emplace(0.0, c);
    }

  auto value = [&](std::size_t c, int d) {
    const std::size_t j = links.neighbor(c, d);
    return j == PortalLinks::npos ? kInf : t[j];
  };
  auto update = [&](std::size_t c) {
    if (done[c] || speed[c] <= 0.0f) return;
    const double a = std::min(value(c, 0), value(c, 1));
    const double b = std::min(value(c, 2), value(c, 3));
    const double step = h / speed[c];
    double cand;
    if (std::abs(a - b) < step) {
      cand = 0.5 * (a + b + std::sqrt(2.0 * step * step - (a - b) * (a - b)));
    } else {
      cand = std::min(a, b) + step;
    }
    if (cand < t[c]) {
      t[c] = cand;
      heap.emplace(cand, c);
    }
  };

  while (!heap.empty()) {
    const auto [tc, c] = heap.top();
    heap.pop();
    if (done[c] || tc > t[c]) continue;
    done[c] = 1;
    for (int d = 0; d < 4; ++d) {
      const std::size_t j = links.neighbor(c, d);
      if (j != PortalLinks::npos) update(j);
    }
  }

  std::vector<float> out(n);
  for (std::size_t c = 0; c < n; ++c)
    out[c] = std::isfinite(t[c]) ? static_cast<float>(t[c]) : std::numeric_limits<float>::infinity();
  return out;
}

}  // namespace crowdsafe::detail
