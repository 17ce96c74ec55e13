/// @file regions.cpp
/// Connected components of flagged grid cells and their outlines (boundary edges chained into
/// rings, holes assigned to the outer ring that contains them).

#include "analysis/regions.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace crowdsafe::detail {

std::vector<std::vector<std::size_t>> connected_regions(const FieldGrid& grid, const std::vector<std::uint8_t>& flag) {
  std::vector<std::vector<std::size_t>> regions;
  std::vector<std::uint8_t> seen(flag.size(), 0);
  std::vector<std::size_t> stack;
  const auto nx = static_cast<std::size_t>(grid.nx), ny = static_cast<std::size_t>(grid.ny);
  for (std::size_t start = 0; start < flag.size(); ++start) {
    if (!flag[start] || seen[start]) continue;
    std::vector<std::size_t> cells;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {
      const std::size_t c = stack.back();
      stack.pop_back();
      cells.push_back(c);
      const std::size_t ix = c % nx, iy = c / nx;
      auto visit = [&](std::size_t n) {
        if (flag[n] && !seen[n]) {
          seen[n] = 1;
          stack.push_back(n);
        }
      };
      if (ix > 0) visit(c - 1);
      if (ix + 1 < nx) visit(c + 1);
      if (iy > 0) visit(c - nx);
      if (iy + 1 < ny) visit(c + nx);
    }
    std::sort(cells.begin(), cells.end());
    regions.push_back(std::move(cells));
  }
  return regions;
}

std::vector<Polygon> outline(const FieldGrid& grid, const std::vector<std::size_t>& cells) {
  const auto nx = static_cast<std::int64_t>(grid.nx);
  const std::int64_t stride = nx + 1;  // corner (ix, iy) -> iy * stride + ix
  const std::unordered_set<std::size_t> in(cells.begin(), cells.end());
  auto inside = [&](std::int64_t ix, std::int64_t iy) {
    if (ix < 0 || iy < 0 || ix >= nx || iy >= grid.ny) return false;
    return in.count(static_cast<std::size_t>(iy * nx + ix)) > 0;
  };
  // Directed boundary edges with the region on their left (counter-clockwise around cells).
  struct Edge {
    std::int64_t from, to;
    bool used = false;
  };
  std::vector<Edge> edges;
  std::unordered_multimap<std::int64_t, std::size_t> out_of;
  auto add = [&](std::int64_t ax, std::int64_t ay, std::int64_t bx, std::int64_t by) {
    out_of.emplace(ay * stride + ax, edges.size());
    edges.push_back({ay * stride + ax, by * stride + bx});
  };
  for (std::size_t c : cells) {
    const auto ix = static_cast<std::int64_t>(c) % nx, iy = static_cast<std::int64_t>(c) / nx;
    if (!inside(ix, iy - 1)) add(ix, iy, ix + 1, iy);
    if (!inside(ix + 1, iy)) add(ix + 1, iy, ix + 1, iy + 1);
    if (!inside(ix, iy + 1)) add(ix + 1, iy + 1, ix, iy + 1);
    if (!inside(ix - 1, iy)) add(ix, iy + 1, ix, iy);
  }
  auto point = [&](std::int64_t v) {
    return Vec2{grid.origin.x + static_cast<double>(v % stride) * grid.cell_m,
                grid.origin.y + static_cast<double>(v / stride) * grid.cell_m};
  };
  auto dir = [&](const Edge& e) { return Vec2{static_cast<double>(e.to % stride - e.from % stride), static_cast<double>(e.to / stride - e.from / stride)}; };

  std::vector<Ring> outers, holes;
  for (std::size_t s = 0; s < edges.size(); ++s) {
    if (edges[s].used) continue;
    std::vector<std::int64_t> verts;
    std::size_t e = s;
    while (!edges[e].used) {
      edges[e].used = true;
      verts.push_back(edges[e].from);
      // At a corner shared by two diagonal cells, take the sharpest left turn: rings stay apart.
      const Vec2 d = dir(edges[e]);
      std::size_t best = edges.size();
      double best_score = -10;
      auto [lo, hi] = out_of.equal_range(edges[e].to);
      for (auto it = lo; it != hi; ++it) {
        if (edges[it->second].used && it->second != s) continue;
        const Vec2 nd = dir(edges[it->second]);
        const double score = cross(d, nd) * 2 + dot(d, nd);  // left 2, straight 1, right -2
        if (score > best_score) {
          best_score = score;
          best = it->second;
        }
      }
      if (best == edges.size() || best == s) break;
      e = best;
    }
    // Drop collinear vertices.
    Ring ring;
    const std::size_t n = verts.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Vec2 a = point(verts[(i + n - 1) % n]), b = point(verts[i]), c = point(verts[(i + 1) % n]);
      if (std::abs(cross(b - a, c - b)) > 1e-12) ring.push_back(b);
    }
    if (ring.size() < 3) continue;
    (signed_area(ring) > 0 ? outers : holes).push_back(std::move(ring));
  }
  std::vector<Polygon> polys;
  for (auto& r : outers) polys.push_back(Polygon{std::move(r), {}});
  for (auto& h : holes) {
    // A point just inside the polygon next to the hole's first vertex (holes run clockwise).
    const Vec2 a = h[0], b = h[1];
    const Vec2 probe = (a + b) * 0.5 + perp(normalized(b - a)) * (0.01 * grid.cell_m);
    for (auto& p : polys)
      if (contains(p.outer, probe)) {
        p.holes.push_back(h);
        break;
      }
  }
  return polys;
}

}  // namespace crowdsafe::detail
