#include "flow_field.hpp"

#include <algorithm>

namespace crowdsafe::detail {

void FlowField::configure(const Box& box, double cell_m) {
  grid_ = GridSpec::covering(box, cell_m, cell_m);
  sum_.assign(grid_.size(), Vec2{});
}

void FlowField::build(std::span<const Vec2> position, std::span<const Vec2> vector) {
  std::fill(sum_.begin(), sum_.end(), Vec2{});
  for (std::size_t i = 0; i < position.size(); ++i) sum_[grid_.cell_of(position[i])] += vector[i];
}

Vec2 FlowField::velocity_sum(Vec2 p) const {
  const double x = (p.x - grid_.origin.x) / grid_.cell_m, y = (p.y - grid_.origin.y) / grid_.cell_m;
  if (x < 0 || y < 0 || x >= grid_.nx || y >= grid_.ny) return {};
  return sum_[grid_.cell_of(p)];
}

}  // namespace crowdsafe::detail
