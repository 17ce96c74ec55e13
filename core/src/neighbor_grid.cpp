#include "neighbor_grid.hpp"

#include <algorithm>

namespace crowdsafe::detail {

void NeighborGrid::configure(const Box& box, double cutoff_m, std::optional<Periodic> periodic,
                             std::vector<Portal> portals) {
  cutoff_m_ = cutoff_m;
  periodic_ = periodic;
  portals_ = std::move(portals);
  portal_reach_.clear();
  for (const Portal& p : portals_) {
    Box r;
    r.expand(p.line.a - Vec2{cutoff_m, cutoff_m});
    r.expand(p.line.b + Vec2{cutoff_m, cutoff_m});
    r.expand(p.line.a + Vec2{cutoff_m, cutoff_m});
    r.expand(p.line.b - Vec2{cutoff_m, cutoff_m});
    portal_reach_.push_back(r);
  }
  Box b = box;
  if (periodic_) {
    b.min.x = std::min(b.min.x, periodic_->x0_m);
    b.max.x = std::max(b.max.x, periodic_->x0_m + periodic_->length_m);
  }
  const double cell = cutoff_m / kReach;
  grid_ = GridSpec::covering(b, cell + 1e-9 * std::max(1.0, cell), cutoff_m + 1e-6);
  start_.assign(grid_.size() + 1, 0);
}

void NeighborGrid::build(std::span<const Vec2> position, std::span<const Vec2> velocity,
                         std::span<const double> radius) {
  // Entries are the agents (0 … n−1, in slot order) and then their ghosts.
  const std::size_t n = position.size();
  src_pos_.clear();
  src_slot_.clear();
  if (periodic_) {
    // Ghosts: agents within one cut-off of a seam reappear one period away.
    const double lo = periodic_->x0_m, len = periodic_->length_m;
    for (std::size_t i = 0; i < n; ++i) {
      const Vec2 p = position[i];
      if (p.x < lo + cutoff_m_) { src_pos_.push_back({p.x + len, p.y}); src_slot_.push_back(static_cast<std::uint32_t>(i)); }
      if (p.x >= lo + len - cutoff_m_) { src_pos_.push_back({p.x - len, p.y}); src_slot_.push_back(static_cast<std::uint32_t>(i)); }
    }
  }
  if (!portals_.empty()) {
    // Ghosts: people within one cut-off of a seam between levels appear on the other level,
    // once per level even where the seam is made of several edges.
    Vec2 shifts[8];
    for (std::size_t i = 0; i < n; ++i) {
      const Vec2 p = position[i];
      int k = 0;
      for (std::size_t q = 0; q < portals_.size(); ++q) {
        const Box& r = portal_reach_[q];
        if (p.x < r.min.x || p.x > r.max.x || p.y < r.min.y || p.y > r.max.y) continue;
        if (distance(portals_[q].line, p) >= cutoff_m_) continue;
        const Vec2 s = portals_[q].shift;
        if (std::find(shifts, shifts + k, s) != shifts + k || k == 8) continue;
        shifts[k++] = s;
        src_pos_.push_back(p + s);
        src_slot_.push_back(static_cast<std::uint32_t>(i));
      }
    }
  }
  const std::size_t m = n + src_pos_.size();
  auto entry_pos = [&](std::size_t e) { return e < n ? position[e] : src_pos_[e - n]; };
  auto entry_slot = [&](std::size_t e) { return e < n ? static_cast<std::uint32_t>(e) : src_slot_[e - n]; };

  cell_.resize(m);
  std::fill(start_.begin(), start_.end(), 0u);
  for (std::size_t e = 0; e < m; ++e) {
    cell_[e] = static_cast<std::uint32_t>(grid_.cell_of(entry_pos(e)));
    ++start_[cell_[e] + 1];
  }
  for (std::size_t c = 0; c + 1 < start_.size(); ++c) start_[c + 1] += start_[c];
  // kPadding more readable entries (zeros) after the last, for loops that read whole vectors.
  m_ = m;
  x_.assign(m + kPadding, 0.0);
  y_.assign(m + kPadding, 0.0);
  vx_.assign(m + kPadding, 0.0);
  vy_.assign(m + kPadding, 0.0);
  rad_.assign(m + kPadding, 0.0);
  slot_.assign(m + kPadding, 0u);
  ghost_.resize(m);
  // Stable scatter in entry order keeps slot order inside each cell.
  fill_.assign(start_.begin(), start_.end() - 1);
  for (std::size_t e = 0; e < m; ++e) {
    const std::uint32_t j = fill_[cell_[e]]++;
    const std::uint32_t s = entry_slot(e);
    const Vec2 p = entry_pos(e);
    x_[j] = p.x;
    y_[j] = p.y;
    vx_[j] = velocity[s].x;
    vy_[j] = velocity[s].y;
    rad_[j] = radius[s];
    slot_[j] = s;
    ghost_[j] = e >= n;
  }
  order_.resize(n);
  agent_entries_.resize(n);
  // Processing order: strip by strip of kStrip cell columns, row by row within a strip. The
  // cells a person's neighbours lie in were then read for the people just before them, however
  // wide the venue (in plain row order, a long venue streams five whole rows per person row
  // through the cache). Each person's own sums do not depend on this order.
  std::size_t k = 0;
  for (int x0 = 0; x0 < grid_.nx; x0 += kStrip) {
    const int x1 = std::min(grid_.nx, x0 + kStrip) - 1;
    for (int iy = 0; iy < grid_.ny; ++iy)
      for (std::uint32_t j = start_[grid_.index(x0, iy)]; j < start_[grid_.index(x1, iy) + 1]; ++j) {
        if (ghost_[j]) continue;
        agent_entries_[k] = j;
        order_[k] = slot_[j];
        ++k;
      }
  }
}

}  // namespace crowdsafe::detail
