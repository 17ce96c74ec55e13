#pragma once
// Initial placement of a group: a jittered hexagonal lattice inside the group's area, clear of
// walls, thinned to the requested count by a keyed shuffle (deterministic per seed).

#include <cstdint>
#include <vector>

#include "../wall_grid.hpp"
#include "crowdsafe/geometry.hpp"

namespace crowdsafe::detail {

/// Places `count` points in `region` ∩ `walkable` with x in [x_min, x_max], each at least
/// `clearance_m` from any wall. Returns fewer points only when the region cannot hold them at
/// 10 persons/m².
std::vector<Vec2> place_on_lattice(const std::vector<Polygon>& region, const std::vector<Polygon>& walkable,
                                   const WallGrid& walls, std::int64_t count, double clearance_m,
                                   std::uint64_t seed, std::uint64_t key, double x_min = -1e300, double x_max = 1e300);

}  // namespace crowdsafe::detail
