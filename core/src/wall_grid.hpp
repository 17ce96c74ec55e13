#pragma once
// Walls bucketed by grid cell: each cell lists the wall segments within `reach` of it, so the
// force phase and the wall-crossing check only look at nearby walls.

#include <cstdint>
#include <span>
#include <vector>

#include "crowdsafe/geometry.hpp"
#include "grid.hpp"

namespace crowdsafe::detail {

class WallGrid {
 public:
  WallGrid() = default;
  /// Buckets `walls` into cells of `cell_m`; a cell lists every segment within `reach_m` of it.
  WallGrid(std::vector<Segment> walls, const Box& box, double cell_m, double reach_m);

  /// Segments that may lie within reach of point p.
  std::span<const Segment> near(Vec2 p) const {
    const std::size_t c = grid_.cell_of(p);
    return {segments_.data() + start_[c], segments_.data() + start_[c + 1]};
  }
  /// Distance from p to the nearest wall, capped at the reach, m.
  double clearance(Vec2 p) const;
  /// True when the move a→b crosses a wall segment.
  bool crosses_wall(Vec2 a, Vec2 b) const;
  double reach_m() const { return reach_m_; }
  const std::vector<Segment>& walls() const { return walls_; }

 private:
  GridSpec grid_;
  double reach_m_ = 0.0;
  std::vector<Segment> walls_;
  std::vector<std::uint32_t> start_;  // CSR offsets, size cells+1
  std::vector<Segment> segments_;     // copies, cell by cell, for locality
};

}  // namespace crowdsafe::detail
