#pragma once
// Neighbour search: agents counting-sorted into square cells at least one cut-off wide, with
// cell-ordered copies of position, velocity and radius so the force loop reads memory in order.
// Order inside a cell is slot order, so every query visits neighbours in the same order for
// any thread count. Periodic boundaries are handled by ghost copies near the seam.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "grid.hpp"

namespace crowdsafe::detail {

class NeighborGrid {
 public:
  /// Grid over `box` (grown by the cut-off) with cells ≥ `cutoff_m`.
  void configure(const Box& box, double cutoff_m, std::optional<Periodic> periodic);
  /// Sorts the agents into cells (serial, O(n)). Spans are indexed by slot.
  void build(std::span<const Vec2> position, std::span<const Vec2> velocity, std::span<const double> radius);

  /// Calls f(j) for every sorted entry j in the 3×3 cells around p (may include the agent
  /// itself and ghosts; callers filter by distance and slot).
  template <class F>
  void for_each_near(Vec2 p, F&& f) const {
    const int cx = grid_.col(p.x), cy = grid_.row(p.y);
    const int y0 = std::max(cy - 1, 0), y1 = std::min(cy + 1, grid_.ny - 1);
    const int x0 = std::max(cx - 1, 0), x1 = std::min(cx + 1, grid_.nx - 1);
    for (int iy = y0; iy <= y1; ++iy) {
      // Cells of one row are contiguous in the sorted arrays: one range per row.
      const std::uint32_t b = start_[grid_.index(x0, iy)], e = start_[grid_.index(x1, iy) + 1];
      for (std::uint32_t j = b; j < e; ++j) f(j);
    }
  }

  std::span<const Vec2> position() const { return pos_; }
  std::span<const Vec2> velocity() const { return vel_; }
  std::span<const double> radius() const { return rad_; }
  /// Slot of sorted entry j (ghosts carry the slot of their original).
  std::span<const std::uint32_t> slot() const { return slot_; }
  /// Slots of real agents in cell order (no ghosts): a cache-friendly processing order.
  std::span<const std::uint32_t> order() const { return order_; }
  double cell_m() const { return grid_.cell_m; }

 private:
  GridSpec grid_;
  std::optional<Periodic> periodic_;
  double cutoff_m_ = 0.0;
  std::vector<std::uint32_t> start_;   // CSR offsets per cell, size cells+1
  std::vector<std::uint32_t> cell_;    // cell per entry (scratch)
  std::vector<Vec2> src_pos_;          // entries before sorting (agents then ghosts)
  std::vector<std::uint32_t> src_slot_;
  std::vector<Vec2> pos_, vel_;
  std::vector<double> rad_;
  std::vector<std::uint32_t> slot_, order_;
  std::vector<std::uint32_t> scratch_fill_;
};

}  // namespace crowdsafe::detail
