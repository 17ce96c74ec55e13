#pragma once
// A regular grid of square cells over a box; cell (ix, iy) covers
// [origin + ix·h, origin + (ix+1)·h) in x and likewise in y. Shared by navigation, the wall
// lookup and the neighbour search.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "crowdsafe/geometry.hpp"

namespace crowdsafe::detail {

/// floor(x) as an int for |x| < 2³¹: truncation, one down for negative non-integers (the x86-64
/// baseline has no floor instruction; std::floor is a dozen instructions there).
inline int floor_int(double x) {
  const int k = static_cast<int>(x);
  return k - static_cast<int>(x < static_cast<double>(k));
}

struct GridSpec {
  Vec2 origin;        ///< lower-left corner, m
  double cell_m = 1;  ///< cell edge, m (set it with set_cell_m, which keeps its inverse)
  double inv_cell_m = 1;  ///< 1 / cell_m, 1/m
  int nx = 0;
  int ny = 0;

  void set_cell_m(double h) {
    cell_m = h;
    inv_cell_m = 1.0 / h;
  }

  /// Grid covering `box` grown by `margin_m`, with cells of `cell_m`.
  static GridSpec covering(const Box& box, double cell_m, double margin_m) {
    GridSpec g;
    g.set_cell_m(cell_m);
    g.origin = {box.min.x - margin_m, box.min.y - margin_m};
    g.nx = std::max(1, static_cast<int>(std::ceil((box.width() + 2 * margin_m) / cell_m)));
    g.ny = std::max(1, static_cast<int>(std::ceil((box.height() + 2 * margin_m) / cell_m)));
    return g;
  }
  std::size_t size() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
  std::size_t index(int ix, int iy) const {
    return static_cast<std::size_t>(iy) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(ix);
  }
  /// floor(d / cell_m), exactly as the division gives it, mostly without dividing: d · (1/h) is
  /// within a few ulps (< 10⁻⁷ for |d/h| < 10⁸) of d / h, so both have the same floor unless the
  /// quotient lies that close to a whole number, where the division decides.
  int cells(double d) const {
    const double q = d * inv_cell_m;
    const int k = floor_int(q);
    const double frac = q - k;
    if (frac > 1e-7 && frac < 1.0 - 1e-7) return k;
    return floor_int(d / cell_m);
  }
  /// Cell column of x, clamped into the grid.
  int col(double x) const { return std::clamp(cells(x - origin.x), 0, nx - 1); }
  /// Cell row of y, clamped into the grid.
  int row(double y) const { return std::clamp(cells(y - origin.y), 0, ny - 1); }
  /// Index of the cell containing p (clamped).
  std::size_t cell_of(Vec2 p) const { return index(col(p.x), row(p.y)); }
  /// Centre of cell (ix, iy), m.
  Vec2 center(int ix, int iy) const { return {origin.x + (ix + 0.5) * cell_m, origin.y + (iy + 0.5) * cell_m}; }
};

}  // namespace crowdsafe::detail
