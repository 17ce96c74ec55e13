#include "placement.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "../random.hpp"

namespace crowdsafe::detail {

namespace {

std::vector<Vec2> lattice(const std::vector<Polygon>& region, const std::vector<Polygon>& walkable,
                          const WallGrid& walls, double spacing, double clearance_m, Vec2 offset, double x_min,
                          double x_max) {
  const Box box = bounds(region);
  const double dy = spacing * std::sqrt(3.0) / 2.0;
  std::vector<Vec2> pts;
  int row = 0;
  for (double y = box.min.y + offset.y * dy; y <= box.max.y; y += dy, ++row) {
    const double shift = (row % 2) * 0.5 * spacing + offset.x * spacing;
    for (double x = box.min.x + shift; x <= box.max.x; x += spacing) {
      const Vec2 p{x, y};
      if (p.x >= x_min && p.x <= x_max && contains(region, p) && contains(walkable, p) &&
          walls.clearance(p) >= clearance_m)
        pts.push_back(p);
    }
  }
  return pts;
}

}  // namespace

std::vector<Vec2> place_on_lattice(const std::vector<Polygon>& region, const std::vector<Polygon>& walkable,
                                   const WallGrid& walls, std::int64_t count, double clearance_m,
                                   std::uint64_t seed, std::uint64_t key, double x_min, double x_max) {
  if (count <= 0) return {};
  const double a = std::max(area(region), 1e-6);
  const Vec2 offset{uniform(seed, Stream::PlacementOffset, key, 0), uniform(seed, Stream::PlacementOffset, key, 1)};
  // Start at the density asked for and tighten until the lattice holds everybody.
  double spacing = std::sqrt(2.0 / (std::sqrt(3.0) * (static_cast<double>(count) / a)));
  const double min_spacing = std::sqrt(2.0 / (std::sqrt(3.0) * 10.0));
  std::vector<Vec2> pts;
  while (true) {
    pts = lattice(region, walkable, walls, spacing, clearance_m, offset, x_min, x_max);
    if (static_cast<std::int64_t>(pts.size()) >= count || spacing <= min_spacing) break;
    spacing = std::max(min_spacing, spacing * 0.97);
  }
  // Keyed Fisher–Yates so which lattice points are used depends only on the seed.
  for (std::size_t i = pts.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform(seed, Stream::PlacementShuffle, key, i) * static_cast<double>(i));
    std::swap(pts[i - 1], pts[std::min(j, i - 1)]);
  }
  if (static_cast<std::int64_t>(pts.size()) > count) pts.resize(static_cast<std::size_t>(count));
  // Small jitter breaks the lattice's perfect symmetry, which would otherwise persist.
  const double jitter = 0.05 * spacing;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const Vec2 d{uniform(seed, Stream::PlacementJitter, key, 2 * i) - 0.5, uniform(seed, Stream::PlacementJitter, key, 2 * i + 1) - 0.5};
    const Vec2 q = pts[i] + d * jitter;
    if (q.x >= x_min && q.x <= x_max && contains(walkable, q) && walls.clearance(q) >= clearance_m) pts[i] = q;
  }
  return pts;
}

}  // namespace crowdsafe::detail
