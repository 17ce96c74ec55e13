#include "navigation.hpp"

#include <cmath>
#include <limits>

#include "fast_marching.hpp"
#include "../format.hpp"

namespace crowdsafe::detail {

namespace {

// Paths keep clear of walls: the front slows within kClearance_m of a wall, so shortest paths
// round corners at a body's distance instead of grazing them, and run through door centres.
constexpr double kClearance_m = 0.6;
constexpr double kMinSpeed = 0.2;

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

}  // namespace

GridSpec Navigation::grid_for(const std::vector<Polygon>& walkable, double cell_m) {
  return GridSpec::covering(bounds(walkable), cell_m, 2 * cell_m);
}

Navigation::Navigation(const std::vector<Polygon>& walkable, const WallGrid& walls, double cell_m,
                       std::vector<NavTarget> targets, const SurfaceField& surface, const TerrainParameters& terrain,
                       const std::vector<Portal>& portals)
    : grid_(grid_for(walkable, cell_m)), targets_(std::move(targets)) {
  speed_.assign(grid_.size(), 0.0f);
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix) {
      const Vec2 c = grid_.center(ix, iy);
      if (!contains(walkable, c)) continue;
      const double clear = walls.clearance(c);
      const std::size_t k = grid_.index(ix, iy);
      const double terrain_factor = surface.route_factor(k, terrain.stairs_up_speed_m_s, terrain.stairs_down_speed_m_s,
                                                         terrain.level_speed_m_s);
      speed_[k] = static_cast<float>(terrain_factor * (kMinSpeed + (1.0 - kMinSpeed) * smoothstep(clear / kClearance_m)));
    }
  if (!portals.empty()) {
    std::vector<std::uint8_t> walkable_cell(grid_.size());
    for (std::size_t c = 0; c < grid_.size(); ++c) walkable_cell[c] = speed_[c] > 0.0f;
    links_ = PortalLinks(grid_, portals, walkable_cell);
  }
  fields_.reserve(targets_.size());
  for (const auto& t : targets_) fields_.push_back(t.area.empty() ? Field{} : march(t));
}

std::string avoid_key(const std::vector<Polygon>& avoid) {
  std::string key;
  for (const Polygon& p : avoid) {
    key += "|avoid";
    for (const Vec2 q : p.outer) key += format(":%.17g,%.17g", q.x, q.y);
    for (const Ring& h : p.holes) {
      key += "|hole";
      for (const Vec2 q : h) key += format(":%.17g,%.17g", q.x, q.y);
    }
  }
  return key;
}

Navigation::Field Navigation::march(const NavTarget& target) const {
  std::vector<std::uint8_t> seed(grid_.size(), 0);
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix)
      if (contains(target.area, grid_.center(ix, iy))) seed[grid_.index(ix, iy)] = 1;
  // Avoided areas are slow ground for this target's field only.
  std::vector<float> avoided_speed;
  if (!target.avoid.empty()) {
    avoided_speed = speed_;
    const Box box = bounds(target.avoid);
    for (int iy = 0; iy < grid_.ny; ++iy)
      for (int ix = 0; ix < grid_.nx; ++ix) {
        const std::size_t k = grid_.index(ix, iy);
        const Vec2 c = grid_.center(ix, iy);
        if (c.x < box.min.x || c.x > box.max.x || c.y < box.min.y || c.y > box.max.y) continue;
        if (avoided_speed[k] > 0.0f && !seed[k] && contains(target.avoid, c))
          avoided_speed[k] = static_cast<float>(avoided_speed[k] / kAvoidCost);
      }
  }
  Field f;
  f.distance = fast_marching(grid_, target.avoid.empty() ? speed_ : avoided_speed, seed, links_);
  // Classify cells once so most agents never run a point-in-polygon test.
  f.inside.assign(grid_.size(), 0);
  const double h = 0.5 * grid_.cell_m;
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix) {
      const Vec2 c = grid_.center(ix, iy);
      int in = 0;
      for (const Vec2 q : {c, c + Vec2{-h, -h}, c + Vec2{h, -h}, c + Vec2{h, h}, c + Vec2{-h, h}}) in += contains(target.area, q);
      f.inside[grid_.index(ix, iy)] = in == 5 ? 1 : (in == 0 ? 0 : 2);
    }
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  f.dir.assign(grid_.size(), Field::Direction{0.0f, 0.0f});
  for (std::size_t c = 0; c < grid_.size(); ++c)
    if (!std::isfinite(f.distance[c])) f.dir[c] = {kNaN, kNaN};
  const auto& d = f.distance;
  auto at = [&](std::size_t c, int dir) {
    const std::size_t j = links_.neighbor(c, dir);
    return j == PortalLinks::npos ? std::numeric_limits<double>::infinity() : static_cast<double>(d[j]);
  };
  // Central differences where both neighbours are reachable, one-sided next to walls.
  auto slope = [](double minus, double here, double plus) {
    const bool m = std::isfinite(minus), p = std::isfinite(plus);
    if (m && p) return 0.5 * (plus - minus);
    if (p) return plus - here;
    if (m) return here - minus;
    return 0.0;
  };
  for (std::size_t c = 0; c < grid_.size(); ++c) {
    if (!std::isfinite(d[c]) || seed[c]) continue;
    const double here = d[c];
    const Vec2 g{slope(at(c, 0), here, at(c, 1)), slope(at(c, 2), here, at(c, 3))};
    const Vec2 dir = normalized(-g);
    f.dir[c] = {static_cast<float>(dir.x), static_cast<float>(dir.y)};
  }
  return f;
}

template <class Reachable, class F>
void Navigation::for_each_corner(Vec2 p, Reachable&& reachable, F&& visit) const {
  // The four cell centres around p with their bilinear weights, skipping unreachable cells.
  const double fx = (p.x - grid_.origin.x) / grid_.cell_m - 0.5;
  const double fy = (p.y - grid_.origin.y) / grid_.cell_m - 0.5;
  const int ix = floor_int(fx), iy = floor_int(fy);
  const double ux = fx - ix, uy = fy - iy;
  for (int dy = 0; dy <= 1; ++dy)
    for (int dx = 0; dx <= 1; ++dx) {
      const int cx = ix + dx, cy = iy + dy;
      if (cx < 0 || cy < 0 || cx >= grid_.nx || cy >= grid_.ny) continue;
      const std::size_t c = grid_.index(cx, cy);
      if (!reachable(c)) continue;
      visit(c, (dx ? ux : 1 - ux) * (dy ? uy : 1 - uy));
    }
}

Vec2 Navigation::direction(std::size_t target, Vec2 p) const {
  const Field& f = fields_[target];
  if (f.distance.empty()) return targets_[target].direction;
  Vec2 sum;
  for_each_corner(
      p, [&](std::size_t c) { return !std::isnan(f.dir[c].x); },
      [&](std::size_t c, double w) { sum += Vec2{f.dir[c].x, f.dir[c].y} * w; });
  if (norm2(sum) < 1e-12) {
    const Field::Direction d = f.dir[grid_.cell_of(p)];
    return std::isnan(d.x) ? Vec2{} : Vec2{d.x, d.y};
  }
  return normalized(sum);
}

double Navigation::distance(std::size_t target, Vec2 p) const {
  const Field& f = fields_[target];
  if (f.distance.empty()) return 0.0;
  double sum = 0.0, wsum = 0.0;
  for_each_corner(p, [&](std::size_t c) { return std::isfinite(f.distance[c]); }, [&](std::size_t c, double w) {
    w += 1e-9;  // a point exactly on a cell centre still averages its reachable neighbours
    sum += w * f.distance[c];
    wsum += w;
  });
  return wsum > 0 ? sum / wsum : std::numeric_limits<double>::infinity();
}

bool Navigation::in_target(std::size_t target, Vec2 p) const {
  const auto& inside = fields_[target].inside;
  if (inside.empty()) return false;
  const std::uint8_t state = inside[grid_.cell_of(p)];
  return state == 1 || (state == 2 && contains(targets_[target].area, p));
}

}  // namespace crowdsafe::detail
