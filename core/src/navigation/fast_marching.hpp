#pragma once
// First-order fast marching (Sethian 1996) on a 4-connected grid: arrival time T of a front that
// starts at the seed cells and moves with local speed F (cells per ... in m/s), solving |∇T|·F = 1.

#include <cstdint>
#include <vector>

#include "../grid.hpp"
#include "portal_links.hpp"

namespace crowdsafe::detail {

/// Solves the eikonal equation on `grid`. `speed[c]` > 0 inside, 0 where not walkable; `seed`
/// cells start at T = 0. Returns T per cell (s at unit speed = m), +inf where unreachable.
/// Cells are neighbours as `links` says (across the portals of a multi-level venue).
std::vector<float> fast_marching(const GridSpec& grid, const std::vector<float>& speed,
                                 const std::vector<std::uint8_t>& seed, const PortalLinks& links);
/// The same on a plain grid (no portals).
inline std::vector<float> fast_marching(const GridSpec& grid, const std::vector<float>& speed,
                                        const std::vector<std::uint8_t>& seed) {
  return fast_marching(grid, speed, seed, PortalLinks(grid));
}

}  // namespace crowdsafe::detail
