#include "neighbor_grid.hpp"

#include <algorithm>

namespace crowdsafe::detail {

void NeighborGrid::configure(const Box& box, double cutoff_m, std::optional<Periodic> periodic) {
  cutoff_m_ = cutoff_m;
  periodic_ = periodic;
  Box b = box;
  if (periodic_) {
    b.min.x = std::min(b.min.x, periodic_->x0_m);
    b.max.x = std::max(b.max.x, periodic_->x0_m + periodic_->length_m);
  }
  grid_ = GridSpec::covering(b, cutoff_m, cutoff_m + 1e-6);
  start_.assign(grid_.size() + 1, 0);
}

void NeighborGrid::build(std::span<const Vec2> position, std::span<const Vec2> velocity,
                         std::span<const double> radius) {
  const std::size_t n = position.size();
  src_pos_.assign(position.begin(), position.end());
  src_slot_.resize(n);
  for (std::size_t i = 0; i < n; ++i) src_slot_[i] = static_cast<std::uint32_t>(i);
  if (periodic_) {
    // Ghosts: agents within one cut-off of a seam reappear one period away.
    const double lo = periodic_->x0_m, len = periodic_->length_m;
    for (std::size_t i = 0; i < n; ++i) {
      const Vec2 p = position[i];
      if (p.x < lo + cutoff_m_) { src_pos_.push_back({p.x + len, p.y}); src_slot_.push_back(static_cast<std::uint32_t>(i)); }
      if (p.x >= lo + len - cutoff_m_) { src_pos_.push_back({p.x - len, p.y}); src_slot_.push_back(static_cast<std::uint32_t>(i)); }
    }
  }
  const std::size_t m = src_pos_.size();
  cell_.resize(m);
  std::fill(start_.begin(), start_.end(), 0u);
  for (std::size_t e = 0; e < m; ++e) {
    cell_[e] = static_cast<std::uint32_t>(grid_.cell_of(src_pos_[e]));
    ++start_[cell_[e] + 1];
  }
  for (std::size_t c = 0; c + 1 < start_.size(); ++c) start_[c + 1] += start_[c];
  pos_.resize(m);
  vel_.resize(m);
  rad_.resize(m);
  slot_.resize(m);
  order_.clear();
  order_.reserve(n);
  // Stable scatter in entry order keeps slot order inside each cell.
  std::vector<std::uint32_t>& fill = scratch_fill_;
  fill.assign(start_.begin(), start_.end() - 1);
  for (std::size_t e = 0; e < m; ++e) {
    const std::uint32_t j = fill[cell_[e]]++;
    const std::uint32_t s = src_slot_[e];
    pos_[j] = src_pos_[e];
    vel_[j] = velocity[s];
    rad_[j] = radius[s];
    slot_[j] = s;
  }
  for (std::size_t j = 0; j < m; ++j)
    if (pos_[j] == position[slot_[j]]) order_.push_back(slot_[j]);
}

}  // namespace crowdsafe::detail
