#pragma once
// The walkable surface's slope and stairs on the navigation grid, and the walking-speed factor
// they impose: Tobler's hiking function on slopes, Weidmann's stair speeds on stairs.

#include <cstdint>
#include <vector>

#include "../grid.hpp"
#include "crowdsafe/scenario.hpp"

namespace crowdsafe::detail {

class SurfaceField {
 public:
  SurfaceField() = default;
  /// Rasterises `surface` onto `grid` (cell centres). An empty surface means flat ground.
  SurfaceField(const Surface& surface, const GridSpec& grid);

  bool flat() const { return z_.empty(); }
  /// Height of the surface at p, m (0 where flat or off the surface).
  double height(Vec2 p) const;
  /// Plan-view gradient ∇z at p (rise per metre walked in plan); on stairs, the flight's mean.
  Vec2 gradient(Vec2 p) const;
  bool stairs(Vec2 p) const;

  /// Plan-view desired-speed factor for walking in unit direction e at p, relative to level
  /// ground: Tobler exp(−3.5 (|s + 0.05| − 0.05)) × cos(atan s) on slopes with grade s = ∇z·e;
  /// on stairs the along-incline speed `stairs_up/down_m_s` / `level_m_s` × cos(incline).
  double speed_factor(Vec2 p, Vec2 e, double stairs_up_m_s, double stairs_down_m_s, double level_m_s) const;
  /// Direction-independent factor for route planning (stairs and steep slopes cost more).
  double route_factor(std::size_t cell, double stairs_up_m_s, double stairs_down_m_s, double level_m_s) const;

 private:
  GridSpec grid_;
  std::vector<float> z_;         // per cell, m (NaN = off the surface)
  std::vector<float> gx_, gy_;   // per cell gradient
  std::vector<std::uint8_t> stairs_;
};

/// Tobler's hiking function relative to level ground for grade s (rise/run).
double tobler_factor(double grade);

}  // namespace crowdsafe::detail
