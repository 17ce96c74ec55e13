#include "portal_links.hpp"

#include <algorithm>
#include <cmath>

namespace crowdsafe::detail {

PortalLinks::PortalLinks(const GridSpec& grid, const std::vector<Portal>& portals, const std::vector<std::uint8_t>& walkable)
    : grid_(grid) {
  if (portals.empty()) return;
  crossing_.assign(grid.size(), 0);
  const double h = grid.cell_m;
  for (const Portal& p : portals) {
    // Cells whose step to a neighbour can cut the portal lie within one cell of it.
    const int x0 = static_cast<int>(std::floor((std::min(p.line.a.x, p.line.b.x) - grid.origin.x) / h)) - 1;
    const int x1 = static_cast<int>(std::floor((std::max(p.line.a.x, p.line.b.x) - grid.origin.x) / h)) + 1;
    const int y0 = static_cast<int>(std::floor((std::min(p.line.a.y, p.line.b.y) - grid.origin.y) / h)) - 1;
    const int y1 = static_cast<int>(std::floor((std::max(p.line.a.y, p.line.b.y) - grid.origin.y) / h)) + 1;
    for (int iy = std::max(0, y0); iy <= std::min(grid.ny - 1, y1); ++iy)
      for (int ix = std::max(0, x0); ix <= std::min(grid.nx - 1, x1); ++ix) {
        const std::size_t c = grid.index(ix, iy);
        if (!walkable[c]) continue;
        const Vec2 from = grid.center(ix, iy);
        for (int d = 0; d < 4; ++d) {
          const Vec2 step{d == 0 ? -h : d == 1 ? h : 0.0, d == 2 ? -h : d == 3 ? h : 0.0};
          if (!segments_intersect(from, from + step, p.line.a, p.line.b)) continue;
          const Vec2 there = from + step + p.shift;
          std::size_t target = npos;
          if (there.x >= grid.origin.x && there.y >= grid.origin.y && there.x < grid.origin.x + grid.nx * h &&
              there.y < grid.origin.y + grid.ny * h) {
            const std::size_t t = grid.cell_of(there);
            if (walkable[t]) target = t;
          }
          // A step cut by two portals (at a seam's corner) keeps the first that leads somewhere.
          const std::size_t key = c * 4 + static_cast<std::size_t>(d);
          if ((crossing_[c] >> d & 1u) && link_[key] != npos) continue;
          crossing_[c] |= static_cast<std::uint8_t>(1u << d);
          link_[key] = target;
        }
      }
  }
}

}  // namespace crowdsafe::detail
