#include "crowdsafe/preflight.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

#include "../grid.hpp"
#include "../navigation/fast_marching.hpp"
#include "../navigation/navigation.hpp"
#include "../navigation/portal_links.hpp"
#include "../navigation/surface_field.hpp"
#include "../wall_grid.hpp"
#include "../format.hpp"

namespace crowdsafe {

namespace {

using detail::GridSpec;

// Narrower than this is not worth listing as a passage: it is open space, m.
constexpr double kMaxPassageWidth_m = 12.0;
// A body is about 0.5 m wide; a passage narrower than that cannot be walked through.
constexpr double kBodyWidth_m = 0.5;
// Two narrowings closer than this are the same passage, m.
constexpr double kSamePassage_m = 3.0;
// Clearances closer than this count as equal (a uniform corridor), m.
constexpr double kSameClearance_m = 1e-3;

struct Masks {
  GridSpec grid;
  std::vector<std::uint8_t> walkable;
  detail::PortalLinks links{GridSpec{}};  // neighbours, across the seams between levels
  std::vector<float> clearance;  // distance to the nearest wall, m
};

Masks build_masks(const Scenario& sc) {
  Masks m;
  m.grid = detail::Navigation::grid_for(sc.walkable, sc.navigation_cell_m);
  const GridSpec& g = m.grid;
  m.walkable.assign(g.size(), 0);
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) m.walkable[g.index(ix, iy)] = contains(sc.walkable, g.center(ix, iy));
  m.links = detail::PortalLinks(g, sc.portals, m.walkable);
  // Distance transform by fast marching from every non-walkable cell (walls and outside).
  std::vector<float> speed(g.size(), 1.0f);
  std::vector<std::uint8_t> seed(g.size());
  for (std::size_t c = 0; c < g.size(); ++c) seed[c] = !m.walkable[c];
  m.clearance = detail::fast_marching(g, speed, seed, m.links);
  // Cell centres to the wall line: the wall lies about half a cell beyond the last outside centre.
  for (std::size_t c = 0; c < g.size(); ++c)
    m.clearance[c] = m.walkable[c] ? std::max(0.0f, m.clearance[c] - static_cast<float>(0.5 * g.cell_m)) : 0.0f;
  return m;
}

int count_pieces(const Masks& m) {
  const GridSpec& g = m.grid;
  std::vector<int> label(g.size(), -1);
  int pieces = 0;
  std::vector<std::size_t> stack;
  for (std::size_t c = 0; c < g.size(); ++c) {
    if (!m.walkable[c] || label[c] >= 0) continue;
    label[c] = pieces;
    stack.push_back(c);
    while (!stack.empty()) {
      const std::size_t k = stack.back();
      stack.pop_back();
      for (int d = 0; d < 4; ++d) {
        const std::size_t j = m.links.neighbor(k, d);
        if (j == detail::PortalLinks::npos) continue;
        if (m.walkable[j] && label[j] < 0) {
          label[j] = pieces;
          stack.push_back(j);
        }
      }
    }
    ++pieces;
  }
  return pieces;
}

// Cells on the medial axis: clearance not smaller than both neighbours along some direction.
// Among those, the narrowest points are where the clearance is smallest within one passage
// width along the axis.
std::vector<Passage> find_passages(const Masks& m, const std::vector<Segment>& walls, const detail::SurfaceField& surface,
                                   const CapacityRates& rates) {
  const GridSpec& g = m.grid;
  auto clear = [&](int ix, int iy) {
    if (ix < 0 || iy < 0 || ix >= g.nx || iy >= g.ny) return 0.0f;
    return m.clearance[g.index(ix, iy)];
  };
  const int dirs[4][2] = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
  std::vector<std::uint8_t> ridge(g.size(), 0);
  std::vector<std::int8_t> across(g.size(), -1);  // direction index in which the cell is a maximum
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      const std::size_t k = g.index(ix, iy);
      const float c = m.clearance[k];
      if (!m.walkable[k] || c <= 0.0f || 2.0 * c > kMaxPassageWidth_m) continue;
      for (int d = 0; d < 4; ++d) {
        const float a = clear(ix - dirs[d][0], iy - dirs[d][1]), b = clear(ix + dirs[d][0], iy + dirs[d][1]);
        // Strict on one side so a two-cell plateau yields one ridge cell.
        if (c >= a && c > b) {
          ridge[k] = 1;
          across[k] = static_cast<std::int8_t>(d);
          break;
        }
      }
    }
  std::vector<std::size_t> candidates;
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      const std::size_t k = g.index(ix, iy);
      if (!ridge[k]) continue;
      const float c = m.clearance[k];
      const int r = std::max(2, static_cast<int>(std::ceil(std::max(1.0, 2.0 * c) / g.cell_m)));
      // Compare only with axis cells on the same line along the passage: branches of the axis
      // that run into corners have small clearances but are not part of this passage.
      const int d = across[k];
      const Vec2 cross_dir = normalized(Vec2{static_cast<double>(dirs[d][0]), static_cast<double>(dirs[d][1])});
      const Vec2 along = perp(cross_dir);
      const Vec2 pk = g.center(ix, iy);
      bool minimum = true, ahead = false, behind = false;
      for (int jy = std::max(0, iy - r); minimum && jy <= std::min(g.ny - 1, iy + r); ++jy)
        for (int jx = std::max(0, ix - r); jx <= std::min(g.nx - 1, ix + r); ++jx) {
          const std::size_t j = g.index(jx, jy);
          if (!ridge[j] || j == k) continue;
          const Vec2 off = g.center(jx, jy) - pk;
          if (std::abs(dot(off, cross_dir)) > 1.5 * g.cell_m) continue;
          const float cj = m.clearance[j];
          // Every cell of a uniform stretch is a minimum; duplicates are merged below.
          if (cj < c - kSameClearance_m) {
            minimum = false;
            break;
          }
          // A real narrowing has the axis going on (as wide or wider) on both sides; a branch of
          // the axis running into a corner ends here.
          const double t = dot(off, along);
          ahead |= t > 0.5 * g.cell_m;
          behind |= t < -0.5 * g.cell_m;
        }
      if (!minimum) continue;
      if (ahead && behind) candidates.push_back(k);
    }
  std::sort(candidates.begin(), candidates.end(),
            [&](std::size_t a, std::size_t b) { return m.clearance[a] != m.clearance[b] ? m.clearance[a] < m.clearance[b] : a < b; });
  std::vector<Passage> out;
  std::vector<std::size_t> accepted;  // grid cell of each passage in `out`
  for (const std::size_t k : candidates) {
    const int ix = static_cast<int>(k % static_cast<std::size_t>(g.nx)), iy = static_cast<int>(k / static_cast<std::size_t>(g.nx));
    const Vec2 p = g.center(ix, iy);
    // One passage per narrowing: skip points near one already listed, and points of the same
    // uniform stretch (equally wide, joined by a straight line that stays as wide).
    const float c = m.clearance[k];
    auto same_stretch = [&](std::size_t a) {
      const Vec2 q = g.center(static_cast<int>(accepted[a] % static_cast<std::size_t>(g.nx)),
                              static_cast<int>(accepted[a] / static_cast<std::size_t>(g.nx)));
      if (norm(q - p) < kSamePassage_m) return true;
      if (std::abs(m.clearance[accepted[a]] - c) > 0.05) return false;
      const double len = norm(q - p);
      for (double t = 0.0; t <= len; t += 0.5 * g.cell_m)
        if (m.clearance[g.cell_of(p + (q - p) * (t / len))] < c - 0.05) return false;
      return true;
    };
    bool seen = false;
    for (std::size_t a = 0; a < accepted.size() && !seen; ++a) seen = same_stretch(a);
    if (seen) continue;
    Passage ps;
    ps.position = p;
    const int d = across[k];
    ps.direction = normalized(Vec2{static_cast<double>(dirs[d][0]), static_cast<double>(dirs[d][1])});
    // The grid located the narrowing; the width comes from the exact distance to the walls,
    // at the point across the passage farthest from both (the cell centre may be off-centre).
    auto exact = [&](Vec2 q) {
      double best = 1e300;
      for (const Segment& w : walls) best = std::min(best, distance(w, q));
      return best;
    };
    double widest = 0.0;
    for (int s = -10; s <= 10; ++s) {
      const Vec2 q = p + ps.direction * (0.15 * s * g.cell_m);
      const double e = exact(q);
      if (e > widest) {
        widest = e;
        ps.position = q;
      }
    }
    ps.clear_width_m = 2.0 * widest;
    // Across = towards the nearest wall point: exact, where the grid direction above is only
    // one of eight (a straight street is a maximum along its diagonals too).
    {
      double best = 1e300;
      Vec2 nearest = ps.position;
      for (const Segment& w : walls) {
        const Vec2 c = closest_point(w, ps.position);
        if (norm2(c - ps.position) < best) {
          best = norm2(c - ps.position);
          nearest = c;
        }
      }
      if (best > 1e-18) ps.direction = normalized(nearest - ps.position);
    }
    // A narrowing has walls on both sides; a ridge of cells along a single wall (at the foot of
    // a wall stub, say) is an artefact of the grid.
    if (!(ray_distance(ps.position, ps.direction * -1.0, walls) <= widest + 1.5 * g.cell_m)) continue;
    accepted.push_back(k);
    ps.stairs = surface.stairs(p);
    ps.capacity_persons_per_s = ps.clear_width_m * (ps.stairs ? rates.stairs_persons_per_m_s : rates.level_persons_per_m_s);
    out.push_back(ps);
  }
  std::stable_sort(out.begin(), out.end(), [](const Passage& a, const Passage& b) { return a.clear_width_m < b.clear_width_m; });
  return out;
}

}  // namespace

GeometryReport check_geometry(const Scenario& sc, std::size_t max_passages, const CapacityRates& rates) {
  GeometryReport rep;
  rep.scenario = sc.name;
  rep.walkable_area_m2 = area(sc.walkable);
  const Masks m = build_masks(sc);
  const GridSpec& g = m.grid;
  const detail::SurfaceField surface(sc.surface, g);
  rep.walkable_pieces = count_pieces(m);

  for (std::size_t l = 0; l < sc.levels.size(); ++l) {
    const Level& lv = sc.levels[l];
    LevelReport lr{lv.name, lv.area_m2, lv.z_min_m, lv.z_max_m, lv.offset, 0};
    for (const Portal& p : sc.portals) lr.seams += p.from_level == static_cast<int>(l);
    rep.levels.push_back(lr);
  }

  const double cell_area = g.cell_m * g.cell_m;
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      if (!m.walkable[g.index(ix, iy)]) continue;
      const Vec2 p = g.center(ix, iy);
      if (surface.stairs(p)) rep.stairs_area_m2 += cell_area;
      else rep.steepest_grade = std::max(rep.steepest_grade, norm(surface.gradient(p)));
    }

  rep.passages = find_passages(m, detail::scenario_walls(sc), surface, rates);
  if (rep.passages.size() > max_passages) rep.passages.resize(max_passages);

  for (const auto& e : sc.exits) {
    const Box b = bounds(e.shape);
    ExitReport er{e.name, std::max(b.width(), b.height()), 0.0};
    er.capacity_persons_per_s = er.width_m * rates.level_persons_per_m_s;
    rep.exits.push_back(er);
  }

  // Doubts.
  const Box box = bounds(sc.walkable);
  const double extent = std::max(box.width(), box.height());
  if (extent > 10000.0)
    rep.doubts.push_back(detail::format("the venue is %.0f m across: is the file in millimetres or centimetres? Set the venue's unit", extent));
  if (extent < 1.0)
    rep.doubts.push_back(detail::format("the venue is only %.2f m across: is the file in metres but drawn in kilometres? Check the unit", extent));
  if (rep.walkable_pieces > 1)
    rep.doubts.push_back(detail::format("the walkable area falls apart into %d pieces that people cannot walk between", rep.walkable_pieces));
  for (const auto& p : rep.passages)
    if (p.clear_width_m < kBodyWidth_m)
      rep.doubts.push_back(detail::format("passage at (%.1f, %.1f) m is %.2f m wide: narrower than a body (%.1f m); nobody can pass",
                               p.position.x, p.position.y, p.clear_width_m, kBodyWidth_m));
  for (const auto& e : sc.exits) {
    // An exit should touch the venue's boundary: somewhere inside it a wall must be near.
    double nearest = 1e300;
    for (int iy = 0; iy < g.ny; ++iy)
      for (int ix = 0; ix < g.nx; ++ix) {
        const std::size_t k = g.index(ix, iy);
        if (m.walkable[k] && contains(e.shape, g.center(ix, iy))) nearest = std::min<double>(nearest, m.clearance[k]);
      }
    if (nearest > 1e299)
      rep.doubts.push_back(detail::format("exit '%s' lies outside the walkable area: nobody can reach it", e.name.c_str()));
    else if (nearest > 1.0)
      rep.doubts.push_back(detail::format("exit '%s' is %.1f m away from any wall: exits are usually openings in the boundary", e.name.c_str(), nearest));
  }
  if (!sc.exits.empty()) {
    // Walkable area from which no exit can be reached.
    std::vector<float> speed(g.size(), 0.0f);
    std::vector<std::uint8_t> seed(g.size(), 0);
    for (int iy = 0; iy < g.ny; ++iy)
      for (int ix = 0; ix < g.nx; ++ix) {
        const std::size_t k = g.index(ix, iy);
        if (!m.walkable[k]) continue;
        speed[k] = 1.0f;
        for (const auto& e : sc.exits) seed[k] |= contains(e.shape, g.center(ix, iy));
      }
    const auto t = detail::fast_marching(g, speed, seed, m.links);
    double stranded = 0.0;
    for (std::size_t k = 0; k < g.size(); ++k)
      if (m.walkable[k] && !std::isfinite(t[k])) stranded += cell_area;
    if (stranded > 0.5)
      rep.doubts.push_back(detail::format("%.1f m² of walkable area has no path to any exit", stranded));
  }
  return rep;
}

std::string format_report(const GeometryReport& r) {
  std::string s = detail::format("Geometry of '%s'\n", r.scenario.c_str());
  s += detail::format("  walkable area     %.1f m² in %d piece%s\n", r.walkable_area_m2, r.walkable_pieces, r.walkable_pieces == 1 ? "" : "s");
  if (!r.levels.empty()) {
    s += detail::format("  levels            %zu, laid out side by side (venue x = world x + offset)\n", r.levels.size());
    for (const auto& l : r.levels)
      s += detail::format("    %-10s %8.1f m²   z %5.1f to %5.1f m   offset (%.0f, %.0f) m   %d seam edge%s to other levels\n",
                          l.name.c_str(), l.walkable_area_m2, l.z_min_m, l.z_max_m, l.offset.x, l.offset.y, l.seams,
                          l.seams == 1 ? "" : "s");
  }
  if (r.stairs_area_m2 > 0) s += detail::format("  stairs            %.1f m²\n", r.stairs_area_m2);
  if (r.steepest_grade > 0) s += detail::format("  steepest slope    %.1f %%\n", 100.0 * r.steepest_grade);
  s += "  narrowest passages (clear width, theoretical capacity):\n";
  if (r.passages.empty()) s += "    none narrower than 12 m\n";
  for (const auto& p : r.passages)
    s += detail::format("    at (%6.1f, %6.1f) m   %5.2f m   %5.2f persons/s%s\n", p.position.x, p.position.y, p.clear_width_m,
             p.capacity_persons_per_s, p.stairs ? "   stairs" : "");
  s += "  exits (width, theoretical capacity):\n";
  for (const auto& e : r.exits) s += detail::format("    %-20s %5.2f m   %5.2f persons/s\n", e.name.c_str(), e.width_m, e.capacity_persons_per_s);
  if (r.doubts.empty()) s += "  nothing doubtful found\n";
  for (const auto& d : r.doubts) s += "  check: " + d + "\n";
  return s;
}

std::string report_json(const GeometryReport& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["walkable_area_m2"] = r.walkable_area_m2;
  j["walkable_pieces"] = r.walkable_pieces;
  j["levels"] = nlohmann::ordered_json::array();
  for (const auto& l : r.levels)
    j["levels"].push_back({{"name", l.name}, {"walkable_area_m2", l.walkable_area_m2}, {"z_min_m", l.z_min_m},
                           {"z_max_m", l.z_max_m}, {"offset_x_m", l.offset.x}, {"offset_y_m", l.offset.y},
                           {"seams", l.seams}});
  j["stairs_area_m2"] = r.stairs_area_m2;
  j["steepest_grade"] = r.steepest_grade;
  j["passages"] = nlohmann::ordered_json::array();
  for (const auto& p : r.passages)
    j["passages"].push_back({{"x_m", p.position.x}, {"y_m", p.position.y}, {"across_x", p.direction.x},
                             {"across_y", p.direction.y}, {"clear_width_m", p.clear_width_m},
                             {"capacity_persons_per_s", p.capacity_persons_per_s}, {"stairs", p.stairs}});
  j["exits"] = nlohmann::ordered_json::array();
  for (const auto& e : r.exits)
    j["exits"].push_back({{"name", e.name}, {"width_m", e.width_m}, {"capacity_persons_per_s", e.capacity_persons_per_s}});
  j["doubts"] = r.doubts;
  return j.dump(2);
}

}  // namespace crowdsafe
