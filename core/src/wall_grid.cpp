#include "wall_grid.hpp"

#include <algorithm>

namespace crowdsafe::detail {

namespace {
// Distance from a segment to an axis-aligned box is at most the distance from the box centre
// minus the half diagonal; using the centre with the half diagonal keeps the test conservative.
bool within(const Segment& s, Vec2 center, double half_diag, double reach) {
  return distance(s, center) <= reach + half_diag;
}
}  // namespace

WallGrid::WallGrid(std::vector<Segment> walls, const Box& box, double cell_m, double reach_m)
    : grid_(GridSpec::covering(box, cell_m, reach_m + cell_m)), reach_m_(reach_m), walls_(std::move(walls)) {
  bucket(reach_m, cell_m, start_, segments_);
  bucket(std::min(reach_m, kShortMove_m), cell_m, short_start_, short_segments_);
}

void WallGrid::bucket(double reach_m, double cell_m, std::vector<std::uint32_t>& start,
                      std::vector<Segment>& segments) const {
  const double half_diag = 0.5 * cell_m * 1.41421356237;
  std::vector<std::vector<std::uint32_t>> lists(grid_.size());
  for (std::uint32_t w = 0; w < walls_.size(); ++w) {
    const Segment& s = walls_[w];
    const int x0 = grid_.col(std::min(s.a.x, s.b.x) - reach_m - cell_m);
    const int x1 = grid_.col(std::max(s.a.x, s.b.x) + reach_m + cell_m);
    const int y0 = grid_.row(std::min(s.a.y, s.b.y) - reach_m - cell_m);
    const int y1 = grid_.row(std::max(s.a.y, s.b.y) + reach_m + cell_m);
    for (int iy = y0; iy <= y1; ++iy)
      for (int ix = x0; ix <= x1; ++ix)
        if (within(s, grid_.center(ix, iy), half_diag, reach_m)) lists[grid_.index(ix, iy)].push_back(w);
  }
  start.assign(grid_.size() + 1, 0);
  for (std::size_t c = 0; c < lists.size(); ++c) start[c + 1] = start[c] + static_cast<std::uint32_t>(lists[c].size());
  segments.clear();
  segments.reserve(start.back());
  for (const auto& l : lists)
    for (std::uint32_t w : l) segments.push_back(walls_[w]);
}

double WallGrid::clearance(Vec2 p) const {
  double best = reach_m_;
  for (const Segment& s : near(p)) best = std::min(best, distance(s, p));
  return best;
}

bool WallGrid::crosses_wall(Vec2 a, Vec2 b) const {
  // A segment that the move crosses lies within |b − a| of a.
  const std::size_t c = grid_.cell_of(a);
  const bool short_move = norm2(b - a) <= kShortMove_m * kShortMove_m && !short_start_.empty();
  const auto candidates = short_move ? cell_list(short_start_, short_segments_, c) : cell_list(start_, segments_, c);
  for (const Segment& s : candidates)
    if (segments_intersect(a, b, s.a, s.b)) return true;
  return false;
}

std::vector<Segment> scenario_walls(const Scenario& sc) {
  auto segs = boundary_segments(sc.walkable);
  if (!sc.portals.empty()) {
    auto on_portal = [&](const Segment& s) {
      const Vec2 mid = 0.5 * (s.a + s.b);
      return std::any_of(sc.portals.begin(), sc.portals.end(), [&](const Portal& p) {
        return distance(p.line, s.a) < 1e-6 && distance(p.line, s.b) < 1e-6 && distance(p.line, mid) < 1e-6;
      });
    };
    std::erase_if(segs, on_portal);
  }
  if (!sc.periodic) return segs;
  const double x0 = sc.periodic->x0_m, x1 = x0 + sc.periodic->length_m;
  auto on_seam = [&](const Segment& s) {
    const double tol = 1e-9 * std::max(1.0, std::abs(x1));
    return (std::abs(s.a.x - x0) < tol && std::abs(s.b.x - x0) < tol) ||
           (std::abs(s.a.x - x1) < tol && std::abs(s.b.x - x1) < tol);
  };
  std::erase_if(segs, on_seam);
  return segs;
}

}  // namespace crowdsafe::detail
