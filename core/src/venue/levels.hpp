#pragma once
// Splitting a walkable-surface mesh into levels: floors that lie above each other become
// separate levels, laid out side by side in plan, and the stairs and ramps that join them
// become portals (docs/venue-meshes.md, "Levels"). Plain code, no CGAL.

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "crowdsafe/venue.hpp"

namespace crowdsafe::detail {

/// A walkable triangle as the level split sees it.
struct WalkTriangle {
  std::array<std::size_t, 3> plan;  ///< plan-view vertex ids (vertices at one plan point share one)
  std::array<double, 3> z;          ///< heights of its corners, m
  bool connection = false;          ///< stairs or a ramp: may lead from one level to another
};

struct LevelSplit {
  std::vector<int> level;         ///< per triangle: index into `levels`
  std::vector<Level> levels;      ///< lowest first; offsets, heights, bounds and areas set
  std::vector<Portal> portals;    ///< every seam between two levels, once per side
  /// Triangle pairs joined across a seam (for connectivity checks).
  std::vector<std::pair<std::size_t, std::size_t>> across;
  /// Triangle pairs that lie above each other but ended up on one level (the surface between
  /// them has no stairs or ramp to cut at): the venue cannot be laid out.
  std::vector<std::pair<std::size_t, std::size_t>> conflicts;
};

/// Triangles whose corners along a shared plan edge differ by at most this much in height are
/// walkable neighbours (a stair riser joins two treads); more is a drop, m.
inline constexpr double kJoinHeight_m = 0.3;
/// Gap between levels laid out side by side: wider than any interaction range, m.
inline constexpr double kLevelGap_m = 10.0;

/// Splits the walkable triangles into levels. `stacked` lists triangle pairs that overlap in
/// plan view at heights further apart than a storey. Floors (connected non-connection
/// triangles) each start a level; each connected stair or ramp joins the lowest level it
/// touches where it overlaps nothing and meets no drop, or else becomes a level of its own.
LevelSplit split_levels(const std::vector<WalkTriangle>& tris, const std::vector<Vec2>& plan_points,
                        const std::vector<std::pair<std::size_t, std::size_t>>& stacked);

}  // namespace crowdsafe::detail
