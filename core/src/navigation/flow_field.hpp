#pragma once
// Coarse crowd-flow perception: summed vectors (velocities or intended directions) of the people
// in each cell of a coarse grid, rebuilt every step. People look a few metres ahead in it to notice oncoming streams long
// before the person in front is close enough to push — which is how real walkers form lanes.

#include <span>
#include <vector>

#include "../grid.hpp"

namespace crowdsafe::detail {

class FlowField {
 public:
  /// Grid of `cell_m` cells over `box`.
  void configure(const Box& box, double cell_m);
  /// Sums one vector per person into their cell (serial, deterministic).
  void build(std::span<const Vec2> position, std::span<const Vec2> vector);
  /// Sum of the vectors of the people in the cell containing p (zero outside the grid).
  Vec2 velocity_sum(Vec2 p) const;

 private:
  GridSpec grid_;
  std::vector<Vec2> sum_;
};

}  // namespace crowdsafe::detail
