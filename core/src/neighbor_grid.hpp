#pragma once
// Neighbour search: agents counting-sorted into square cells at least half a cut-off wide, with
// cell-ordered copies of position, velocity and radius (one array per coordinate) so the force
// loop reads memory in order. Order inside a cell is slot
// order, so every query visits neighbours in the same order for any thread count. Periodic
// boundaries and the seams between levels of a multi-level venue are handled by ghost copies
// near the seam.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "grid.hpp"

namespace crowdsafe::detail {

class NeighborGrid {
 public:
  /// Cells searched on each side of the query's own cell. Cells of half a cut-off make the
  /// searched square 2.5 cut-offs wide instead of 3 (a third fewer candidates to reject).
  static constexpr int kReach = 2;

  /// Grid over `box` (grown by the cut-off) with cells ≥ `cutoff_m` / kReach. People within a
  /// cut-off of a periodic seam or of a portal also appear as ghosts on its other side.
  void configure(const Box& box, double cutoff_m, std::optional<Periodic> periodic,
                 std::vector<Portal> portals = {});
  /// Sorts the agents into cells (serial, O(n); allocates only when the population grows).
  /// Spans are indexed by slot.
  void build(std::span<const Vec2> position, std::span<const Vec2> velocity, std::span<const double> radius);

  /// Calls f(begin, end) for each run of sorted entries that covers the 5×5 cells (two cells of
  /// at least half a cut-off on each side) around p, in a fixed order: row by row, the cells of
  /// one row being contiguous. The runs may include the agent itself and ghosts; callers filter
  /// by distance and slot.
  template <class F>
  void for_each_range_near(Vec2 p, F&& f) const {
    const int cx = grid_.col(p.x), cy = grid_.row(p.y);
    const int y0 = std::max(cy - kReach, 0), y1 = std::min(cy + kReach, grid_.ny - 1);
    const int x0 = std::max(cx - kReach, 0), x1 = std::min(cx + kReach, grid_.nx - 1);
    for (int iy = y0; iy <= y1; ++iy) f(start_[grid_.index(x0, iy)], start_[grid_.index(x1, iy) + 1]);
  }
  /// The runs for_each_range_near visits, as [begin, end) pairs in the same order; returns how
  /// many (at most 2·kReach + 1).
  struct Run {
    std::uint32_t begin, end;
  };
  std::size_t runs_near(Vec2 p, std::array<Run, 2 * kReach + 1>& runs) const {
    std::size_t k = 0;
    for_each_range_near(p, [&](std::uint32_t b, std::uint32_t e) { runs[k++] = {b, e}; });
    return k;
  }
  /// Calls f(j) for every sorted entry j in the cells around p (see for_each_range_near).
  template <class F>
  void for_each_near(Vec2 p, F&& f) const {
    for_each_range_near(p, [&](std::uint32_t b, std::uint32_t e) {
      for (std::uint32_t j = b; j < e; ++j) f(j);
    });
  }

  /// Readable entries after the last one of x(), y(), vx(), vy(), radius() and slot() (zeros),
  /// so loops may read whole vectors of entries past the end of a run.
  static constexpr std::size_t kPadding = 4;

  /// Sorted entries (agents and ghosts, cell by cell), indexed by entry j.
  std::span<const double> x() const { return {x_.data(), m_}; }     ///< m
  std::span<const double> y() const { return {y_.data(), m_}; }     ///< m
  std::span<const double> vx() const { return {vx_.data(), m_}; }   ///< m/s
  std::span<const double> vy() const { return {vy_.data(), m_}; }   ///< m/s
  std::span<const double> radius() const { return {rad_.data(), m_}; }  ///< m
  /// Slot of sorted entry j (ghosts carry the slot of their original).
  std::span<const std::uint32_t> slot() const { return {slot_.data(), m_}; }
  /// Cell columns per strip of the processing order.
  static constexpr int kStrip = 16;
  /// Entries of real agents (no ghosts) in processing order: cells strip by strip (kStrip
  /// columns), row by row within a strip. The force and routing phases go in this order.
  std::span<const std::uint32_t> agent_entries() const { return agent_entries_; }
  /// Slots of real agents in processing order (no ghosts): slot()[agent_entries()[k]].
  std::span<const std::uint32_t> order() const { return order_; }
  double cell_m() const { return grid_.cell_m; }

 private:
  GridSpec grid_;
  std::optional<Periodic> periodic_;
  std::vector<Portal> portals_;
  std::vector<Box> portal_reach_;      // per portal: its box grown by the cut-off
  double cutoff_m_ = 0.0;
  std::vector<std::uint32_t> start_;   // CSR offsets per cell, size cells+1
  std::vector<std::uint32_t> cell_;    // cell per source entry (scratch)
  std::vector<Vec2> src_pos_;          // ghost positions (scratch; agents are read in place)
  std::vector<std::uint32_t> src_slot_;
  std::size_t m_ = 0;                  // sorted entries (agents and ghosts)
  std::vector<double> x_, y_, vx_, vy_, rad_;
  std::vector<std::uint32_t> slot_, order_, agent_entries_;
  std::vector<std::uint8_t> ghost_;    // per sorted entry: 1 for a ghost
  std::vector<std::uint32_t> fill_;    // scatter cursor per cell (scratch)
};

}  // namespace crowdsafe::detail
