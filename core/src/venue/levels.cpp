#include "levels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "union_find.hpp"

namespace crowdsafe::detail {
namespace {

/// Level offsets are whole multiples of this, so navigation cells of one level map onto cells
/// of another across a portal (for any cell size that divides it), m.
constexpr double kLayoutQuantum_m = 1.0;

struct Piece {
  std::vector<std::size_t> tris;
  bool connection = false;
  double z_min = std::numeric_limits<double>::infinity();
  double z_max = -std::numeric_limits<double>::infinity();
};

// A piece sorts by its lowest point, then by its first triangle (so the split never depends
// on container order).
bool lower(const Piece& a, const Piece& b) {
  return std::tie(a.z_min, a.tris.front()) < std::tie(b.z_min, b.tris.front());
}

}  // namespace

LevelSplit split_levels(const std::vector<WalkTriangle>& tris, const std::vector<Vec2>& pv,
                        const std::vector<std::pair<std::size_t, std::size_t>>& stacked) {
  const std::size_t n = tris.size();
  // Walkable neighbours across shared plan edges; pairs meeting at a drop, or lying above each
  // other, may never share a level.
  struct Side {
    std::size_t t;
    double z0, z1;  // heights at the edge's lower and higher plan vertex id
  };
  std::map<std::pair<std::size_t, std::size_t>, std::vector<Side>> edges;
  for (std::size_t t = 0; t < n; ++t)
    for (int k = 0; k < 3; ++k) {
      std::size_t a = tris[t].plan[k], b = tris[t].plan[(k + 1) % 3];
      double za = tris[t].z[k], zb = tris[t].z[(k + 1) % 3];
      if (a == b) continue;
      if (b < a) {
        std::swap(a, b);
        std::swap(za, zb);
      }
      edges[{a, b}].push_back({t, za, zb});
    }
  std::vector<std::vector<std::size_t>> apart(n);
  for (const auto& [a, b] : stacked) {
    apart[a].push_back(b);
    apart[b].push_back(a);
  }
  struct Join {
    std::size_t a, b;  // triangles
    std::pair<std::size_t, std::size_t> edge;
  };
  std::vector<Join> joins;
  for (const auto& [e, sides] : edges)
    for (std::size_t i = 0; i < sides.size(); ++i)
      for (std::size_t j = i + 1; j < sides.size(); ++j) {
        const double dz = std::max(std::abs(sides[i].z0 - sides[j].z0), std::abs(sides[i].z1 - sides[j].z1));
        if (dz <= kJoinHeight_m) {
          joins.push_back({sides[i].t, sides[j].t, e});
        } else {
          apart[sides[i].t].push_back(sides[j].t);
          apart[sides[j].t].push_back(sides[i].t);
        }
      }

  // Floors and connections: connected pieces of one kind.
  UnionFind uf(n);
  for (const Join& j : joins)
    if (tris[j.a].connection == tris[j.b].connection) uf.unite(j.a, j.b);
  std::map<std::size_t, Piece> by_root;
  for (std::size_t t = 0; t < n; ++t) {
    Piece& p = by_root[uf.find(t)];
    p.tris.push_back(t);
    p.connection = tris[t].connection;
    for (double z : tris[t].z) {
      p.z_min = std::min(p.z_min, z);
      p.z_max = std::max(p.z_max, z);
    }
  }
  std::vector<Piece> floors, connections;
  for (auto& [root, p] : by_root) (p.connection ? connections : floors).push_back(std::move(p));
  std::sort(floors.begin(), floors.end(), lower);
  std::sort(connections.begin(), connections.end(), lower);

  std::vector<int> chart(n, -1);
  std::vector<Piece> charts;
  auto add_chart = [&](const Piece& p) {
    const int id = static_cast<int>(charts.size());
    for (std::size_t t : p.tris) chart[t] = id;
    charts.push_back(p);
  };
  for (const Piece& f : floors) add_chart(f);
  std::vector<std::vector<std::size_t>> joined(n);
  for (const Join& j : joins) {
    joined[j.a].push_back(j.b);
    joined[j.b].push_back(j.a);
  }
  for (const Piece& c : connections) {
    std::set<std::pair<double, int>> touching;  // (lowest point, chart)
    for (std::size_t t : c.tris)
      for (std::size_t u : joined[t])
        if (chart[u] >= 0) touching.insert({charts[static_cast<std::size_t>(chart[u])].z_min, chart[u]});
    int home = -1;
    for (const auto& [z, k] : touching) {
      bool fits = true;
      for (std::size_t t : c.tris)
        for (std::size_t u : apart[t]) fits = fits && chart[u] != k;
      if (fits) {
        home = k;
        break;
      }
    }
    if (home < 0) {
      add_chart(c);
      continue;
    }
    Piece& h = charts[static_cast<std::size_t>(home)];
    for (std::size_t t : c.tris) chart[t] = home;
    h.tris.insert(h.tris.end(), c.tris.begin(), c.tris.end());
    h.z_min = std::min(h.z_min, c.z_min);
    h.z_max = std::max(h.z_max, c.z_max);
  }

  // Levels from the lowest up.
  std::vector<int> order(charts.size());
  for (std::size_t k = 0; k < charts.size(); ++k) {
    std::sort(charts[k].tris.begin(), charts[k].tris.end());
    order[k] = static_cast<int>(k);
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return lower(charts[static_cast<std::size_t>(a)], charts[static_cast<std::size_t>(b)]);
  });
  std::vector<int> rank(charts.size());
  for (std::size_t r = 0; r < order.size(); ++r) rank[static_cast<std::size_t>(order[r])] = static_cast<int>(r);

  LevelSplit out;
  out.level.resize(n);
  for (std::size_t t = 0; t < n; ++t) out.level[t] = rank[static_cast<std::size_t>(chart[t])];
  out.levels.resize(charts.size());
  std::vector<Box> world(charts.size());
  for (std::size_t t = 0; t < n; ++t) {
    const auto l = static_cast<std::size_t>(out.level[t]);
    const Vec2 a = pv[tris[t].plan[0]], b = pv[tris[t].plan[1]], c = pv[tris[t].plan[2]];
    for (Vec2 p : {a, b, c}) world[l].expand(p);
    out.levels[l].area_m2 += 0.5 * std::abs(cross(b - a, c - a));
  }
  double right = 0.0;
  for (std::size_t l = 0; l < charts.size(); ++l) {
    Level& lv = out.levels[l];
    const Piece& p = charts[static_cast<std::size_t>(order[l])];
    lv.name = "level " + std::to_string(l);
    lv.z_min_m = p.z_min;
    lv.z_max_m = p.z_max;
    // The lowest level keeps its world coordinates; each next one goes to the right of the last.
    if (l > 0) lv.offset.x = std::ceil((right + kLevelGap_m - world[l].min.x) / kLayoutQuantum_m) * kLayoutQuantum_m;
    lv.bounds.min = world[l].min + lv.offset;
    lv.bounds.max = world[l].max + lv.offset;
    right = lv.bounds.max.x;
  }

  // Seams: plan edges joining triangles of different levels.
  std::set<std::tuple<std::size_t, std::size_t, int, int>> seen;
  for (const Join& j : joins) {
    const int a = out.level[j.a], b = out.level[j.b];
    if (a == b) continue;
    out.across.emplace_back(j.a, j.b);
    for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      if (!seen.insert({j.edge.first, j.edge.second, from, to}).second) continue;
      const Vec2 off = out.levels[static_cast<std::size_t>(from)].offset;
      out.portals.push_back({Segment{pv[j.edge.first] + off, pv[j.edge.second] + off}, from, to,
                             out.levels[static_cast<std::size_t>(to)].offset - off});
    }
  }
  for (const auto& [a, b] : stacked)
    if (out.level[a] == out.level[b]) out.conflicts.emplace_back(a, b);
  return out;
}

}  // namespace crowdsafe::detail
