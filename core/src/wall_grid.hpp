#pragma once
// Walls bucketed by grid cell: each cell lists the wall segments within `reach` of it, so the
// force phase only looks at nearby walls, and, in a second list, those within a short move of
// it, for the wall-crossing check after every step.

#include <cstdint>
#include <span>
#include <vector>

#include "crowdsafe/geometry.hpp"
#include "crowdsafe/scenario.hpp"
#include "grid.hpp"

namespace crowdsafe::detail {

class WallGrid {
 public:
  WallGrid() = default;
  /// Buckets `walls` into cells of `cell_m`; a cell lists every segment within `reach_m` of it.
  WallGrid(std::vector<Segment> walls, const Box& box, double cell_m, double reach_m);

  /// Segments that may lie within reach of point p.
  std::span<const Segment> near(Vec2 p) const { return cell_list(start_, segments_, grid_.cell_of(p)); }
  /// Distance from p to the nearest wall, capped at the reach, m.
  double clearance(Vec2 p) const;
  /// True when the move a→b crosses a wall segment. Moves up to kShortMove_m long (every
  /// walking step) only test the few segments within that distance of the cell.
  bool crosses_wall(Vec2 a, Vec2 b) const;
  static constexpr double kShortMove_m = 0.5;
  double reach_m() const { return reach_m_; }
  const std::vector<Segment>& walls() const { return walls_; }

 private:
  // Cell c's entries of a per-cell list (CSR offsets `start` into `segments`).
  static std::span<const Segment> cell_list(const std::vector<std::uint32_t>& start,
                                            const std::vector<Segment>& segments, std::size_t c) {
    return {segments.data() + start[c], segments.data() + start[c + 1]};
  }
  // Lists, cell by cell, the segments within `reach_m` of each cell.
  void bucket(double reach_m, double cell_m, std::vector<std::uint32_t>& start, std::vector<Segment>& segments) const;

  GridSpec grid_;
  double reach_m_ = 0.0;
  std::vector<Segment> walls_;
  std::vector<std::uint32_t> start_;  // CSR offsets, size cells+1
  std::vector<Segment> segments_;     // copies, cell by cell, for locality
  std::vector<std::uint32_t> short_start_;  // CSR offsets of the segments within kShortMove_m
  std::vector<Segment> short_segments_;
};

/// The scenario's walls: the walkable boundary less the seams of a periodic corridor and those
/// between the levels of a multi-level venue (people pass through those).
std::vector<Segment> scenario_walls(const Scenario& sc);

}  // namespace crowdsafe::detail
