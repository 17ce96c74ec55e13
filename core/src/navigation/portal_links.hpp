#pragma once
// Grid neighbours across the portals of a multi-level venue: a cell at the head of a stair on
// one level is next to the first cell of the floor it leads to, which lies elsewhere in the
// side-by-side layout. Fast marching, the route gradient and the connectivity check of the
// pre-flight report all step from cell to cell through here.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "../grid.hpp"
#include "crowdsafe/venue.hpp"

namespace crowdsafe::detail {

class PortalLinks {
 public:
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  /// Plain grid neighbours (no portals).
  explicit PortalLinks(const GridSpec& grid) : grid_(grid) {}
  /// Links the walkable cells (`walkable[c]` != 0) on either side of every portal.
  PortalLinks(const GridSpec& grid, const std::vector<Portal>& portals, const std::vector<std::uint8_t>& walkable);

  /// Neighbour of cell c in direction d (0: −x, 1: +x, 2: −y, 3: +y): the cell across a portal
  /// where a portal cuts the step, else the grid neighbour; npos off the grid.
  std::size_t neighbor(std::size_t c, int d) const {
    if (!crossing_.empty() && (crossing_[c] >> d & 1u)) return link_.at(c * 4 + static_cast<std::size_t>(d));
    const int ix = static_cast<int>(c % static_cast<std::size_t>(grid_.nx));
    const int iy = static_cast<int>(c / static_cast<std::size_t>(grid_.nx));
    const int jx = ix + (d == 0 ? -1 : d == 1 ? 1 : 0), jy = iy + (d == 2 ? -1 : d == 3 ? 1 : 0);
    if (jx < 0 || jy < 0 || jx >= grid_.nx || jy >= grid_.ny) return npos;
    return grid_.index(jx, jy);
  }

 private:
  GridSpec grid_;
  std::vector<std::uint8_t> crossing_;                 // per cell: bit d set when a portal cuts step d
  std::unordered_map<std::size_t, std::size_t> link_;  // c·4 + d -> cell across (npos: nothing there)
};

}  // namespace crowdsafe::detail
