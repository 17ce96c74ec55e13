#pragma once
// Route guidance: one travel-distance field per target, computed once by fast marching, and the
// desired walking direction read from its gradient. Agents never plan routes during a step.

#include <cstdint>
#include <string>
#include <vector>

#include "../grid.hpp"
#include "../wall_grid.hpp"
#include "portal_links.hpp"
#include "surface_field.hpp"
#include "crowdsafe/geometry.hpp"

namespace crowdsafe::detail {

/// What agents can head for: an area (exit(s) or destination) or a fixed direction.
struct NavTarget {
  std::string name;
  std::vector<Polygon> area;  ///< empty for a direction target
  Vec2 direction;             ///< unit vector for a direction target
  /// Areas the field routes around: crossing them costs kAvoidCost times their length, so a
  /// route takes another way wherever one exists; people standing in one still find a way out.
  std::vector<Polygon> avoid;
};

/// Cost factor of walking through a target's avoided areas (NavTarget::avoid).
inline constexpr double kAvoidCost = 100.0;

/// Text that tells targets with different avoided areas apart (appended to a target's key).
std::string avoid_key(const std::vector<Polygon>& avoid);

class Navigation {
 public:
  /// Grid the fields use for a walkable area and cell size (the surface field shares it).
  static GridSpec grid_for(const std::vector<Polygon>& walkable, double cell_m);
  /// Marches one field per area target over the walkable area with cells of `cell_m`; stairs
  /// and slopes of `surface` (same grid) make routes over them longer; routes pass from one
  /// level of a multi-level venue to another only through its `portals`.
  Navigation(const std::vector<Polygon>& walkable, const WallGrid& walls, double cell_m,
             std::vector<NavTarget> targets, const SurfaceField& surface = {}, const TerrainParameters& terrain = {},
             const std::vector<Portal>& portals = {});

  /// Desired walking direction (unit vector, or zero inside the target area / unreachable).
  Vec2 direction(std::size_t target, Vec2 p) const;
  /// Remaining path length to the target, m (+inf when unreachable).
  double distance(std::size_t target, Vec2 p) const;
  /// True when p lies in the target's area (exact; cells wholly in or out answer at once).
  bool in_target(std::size_t target, Vec2 p) const;
  std::size_t target_count() const { return targets_.size(); }
  const NavTarget& target(std::size_t t) const { return targets_[t]; }
  const GridSpec& grid() const { return grid_; }

 private:
  struct Field {
    std::vector<float> distance;   // per cell, m
    // Route direction per cell, both components side by side so a look-up reads one cache line
    // per row; NaN where the cell is unreachable (infinite distance).
    struct Direction {
      float x, y;
    };
    std::vector<Direction> dir;
    std::vector<std::uint8_t> inside;  // 0 cell outside the area, 1 inside, 2 on its border
  };
  Field march(const NavTarget& target) const;
  // Calls visit(cell, bilinear weight) for the four cell centres around p that lie in the grid
  // and pass reachable(cell).
  template <class Reachable, class F>
  void for_each_corner(Vec2 p, Reachable&& reachable, F&& visit) const;

  GridSpec grid_;
  std::vector<float> speed_;            // eikonal speed per cell (0 = not walkable)
  PortalLinks links_{grid_};            // cell neighbours, across portals too
  std::vector<NavTarget> targets_;
  std::vector<Field> fields_;           // one per target (empty for direction targets)
};

}  // namespace crowdsafe::detail
