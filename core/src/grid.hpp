#pragma once
// A regular grid of square cells over a box; cell (ix, iy) covers
// [origin + ix·h, origin + (ix+1)·h) in x and likewise in y. Shared by navigation, the wall
// lookup and the neighbour search.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "crowdsafe/geometry.hpp"

namespace crowdsafe::detail {

struct GridSpec {
  Vec2 origin;        ///< lower-left corner, m
  double cell_m = 1;  ///< cell edge, m
  int nx = 0;
  int ny = 0;

  /// Grid covering `box` grown by `margin_m`, with cells of `cell_m`.
  static GridSpec covering(const Box& box, double cell_m, double margin_m) {
    GridSpec g;
    g.cell_m = cell_m;
    g.origin = {box.min.x - margin_m, box.min.y - margin_m};
    g.nx = std::max(1, static_cast<int>(std::ceil((box.width() + 2 * margin_m) / cell_m)));
    g.ny = std::max(1, static_cast<int>(std::ceil((box.height() + 2 * margin_m) / cell_m)));
    return g;
  }
  std::size_t size() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
  std::size_t index(int ix, int iy) const {
    return static_cast<std::size_t>(iy) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(ix);
  }
  /// Cell column of x, clamped into the grid.
  int col(double x) const { return std::clamp(static_cast<int>(std::floor((x - origin.x) / cell_m)), 0, nx - 1); }
  /// Cell row of y, clamped into the grid.
  int row(double y) const { return std::clamp(static_cast<int>(std::floor((y - origin.y) / cell_m)), 0, ny - 1); }
  /// Index of the cell containing p (clamped).
  std::size_t cell_of(Vec2 p) const { return index(col(p.x), row(p.y)); }
  /// Centre of cell (ix, iy), m.
  Vec2 center(int ix, int iy) const { return {origin.x + (ix + 0.5) * cell_m, origin.y + (iy + 0.5) * cell_m}; }
};

}  // namespace crowdsafe::detail
