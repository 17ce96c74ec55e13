#pragma once
// What the 2-D floor-plan readers (GeoJSON, DXF) share: unit conversion, obstacles turned into
// holes, and the checks every floor plan gets (polygon validity, overlapping walkable pieces,
// a size that suggests the wrong unit, region names unique per role). Private to venue/.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "crowdsafe/venue.hpp"
#include "../edit_distance.hpp"
#include "geometry.hpp"

namespace crowdsafe::detail {

/// A venue is assumed to be between these sizes (largest extent of the walkable area), m;
/// outside them the file is most likely drawn in another unit than it was read in.
inline constexpr double kMinVenueExtent_m = 1.0;
inline constexpr double kMaxVenueExtent_m = 10'000.0;

/// A polygon read from a floor plan and the element it came from, for messages.
struct PlanPolygon {
  Polygon poly;          ///< m
  SourceLocation where;  ///< file, line, column of the element
  std::string element;   ///< "features[3] (obstacle)", "LWPOLYLINE on layer 'obstacle'", ...
};

/// Short unit name as written in scenarios ("m", "cm", ...).
inline const char* unit_symbol(LengthUnit unit) {
  switch (unit) {
    case LengthUnit::Metre: return "m";
    case LengthUnit::Centimetre: return "cm";
    case LengthUnit::Millimetre: return "mm";
    case LengthUnit::Inch: return "in";
    case LengthUnit::Foot: return "ft";
  }
  return "?";
}

/// Unit name for sentences ("millimetres").
inline const char* unit_words(LengthUnit unit) {
  switch (unit) {
    case LengthUnit::Metre: return "metres";
    case LengthUnit::Centimetre: return "centimetres";
    case LengthUnit::Millimetre: return "millimetres";
    case LengthUnit::Inch: return "inches";
    case LengthUnit::Foot: return "feet";
  }
  return "?";
}

/// File units -> metres. Divides by a whole number of units per metre (mm, cm) instead of
/// multiplying by an inexact 0.001, so that 9400 mm becomes exactly the double nearest 9.4 m,
/// the same value a file in metres gives.
class UnitScale {
 public:
  explicit UnitScale(double metres_per_unit) : m_(metres_per_unit) {
    const double per = 1.0 / m_;
    divide_ = per == std::round(per) && per > 1.0;
    per_metre_ = per;
  }
  double operator()(double v) const { return m_ == 1.0 ? v : divide_ ? v / per_metre_ : v * m_; }
  Vec2 operator()(Vec2 p) const { return {(*this)(p.x), (*this)(p.y)}; }
  double metres_per_unit() const { return m_; }

 private:
  double m_ = 1.0;
  double per_metre_ = 1.0;
  bool divide_ = false;
};

inline std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

inline std::string format_point(Vec2 p) { return "(" + format_number(p.x) + ", " + format_number(p.y) + ")"; }

/// "; did you mean 'x'?" for a close option, else "; use one of a, b, c".
inline std::string did_you_mean(const std::string& word, const std::vector<std::string>& options) {
  std::string best, all;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& o : options) {
    all += (all.empty() ? "" : ", ") + o;
    const std::size_t d = edit_distance(word, o);
    if (d < best_d) {
      best_d = d;
      best = o;
    }
  }
  if (best_d <= std::max<std::size_t>(2, word.size() / 3)) return "; did you mean '" + best + "'?";
  return "; use one of " + all;
}

/// Makes each obstacle a hole of the first walkable polygon that holds all its vertices;
/// reports obstacles that lie in none.
inline void add_obstacles(std::vector<PlanPolygon>& walkable, const std::vector<PlanPolygon>& obstacles,
                          ProblemList& problems) {
  // Each walkable outline's edges in bands, so that testing every vertex of an obstacle is not
  // quadratic in the two rings' sizes (DXF arcs become rings of thousands of vertices).
  std::vector<PointInRing> outline;
  outline.reserve(walkable.size());
  for (const auto& w : walkable) outline.emplace_back(w.poly.outer);
  for (const auto& o : obstacles) {
    if (!o.poly.holes.empty()) {
      problems.add(o.where, o.element, "an obstacle must not have holes; give its outline only");
      continue;
    }
    auto holder = std::find_if(walkable.begin(), walkable.end(), [&](const PlanPolygon& w) {
      const PointInRing& in = outline[static_cast<std::size_t>(&w - walkable.data())];
      return std::all_of(o.poly.outer.begin(), o.poly.outer.end(), [&](Vec2 v) { return in.contains(v); });
    });
    if (holder == walkable.end()) {
      problems.add(o.where, o.element,
                   "obstacle near " + format_point(centroid(o.poly)) +
                       " m is not inside any walkable polygon; obstacles must lie wholly inside the walkable area "
                       "(an obstacle on the outer wall belongs in the walkable outline)");
      continue;
    }
    holder->poly.holes.push_back(o.poly.outer);
  }
}

namespace plan {

inline int orientation(Vec2 a, Vec2 b, Vec2 c, double eps) {
  const double v = cross(b - a, c - a);
  return v > eps ? 1 : v < -eps ? -1 : 0;
}

inline bool boxes_overlap(const Box& a, const Box& b) {
  return a.min.x < b.max.x && b.min.x < a.max.x && a.min.y < b.max.y && b.min.y < a.max.y;
}

inline double distance_to_boundary(const Polygon& p, Vec2 v) {
  double d = std::numeric_limits<double>::infinity();
  for (const auto& s : boundary_segments({p})) d = std::min(d, distance(s, v));
  return d;
}

// Why two walkable polygons cannot both be kept as separate pieces: they overlap, or they share
// a stretch of edge (which the simulation would treat as a wall between them). Empty if neither.
inline std::string conflict(const Polygon& a, const Polygon& b, double eps) {
  if (!boxes_overlap(bounds(a), bounds(b))) return "";
  const auto sa = boundary_segments({a});
  const auto sb = boundary_segments({b});
  for (const auto& s : sa)
    for (const auto& t : sb) {
      const Vec2 d = s.b - s.a;
      const double len = norm(d);
      if (len <= eps) continue;
      const int o1 = orientation(s.a, s.b, t.a, eps * len), o2 = orientation(s.a, s.b, t.b, eps * len);
      const int o3 = orientation(t.a, t.b, s.a, eps * norm(t.b - t.a));
      const int o4 = orientation(t.a, t.b, s.b, eps * norm(t.b - t.a));
      if (o1 * o2 < 0 && o3 * o4 < 0) return "they overlap: their edges cross near " + format_point(s.a);
      if (o1 == 0 && o2 == 0) {
        const Vec2 u = d / len;
        const double p0 = dot(t.a - s.a, u), p1 = dot(t.b - s.a, u);
        const double lo = std::max(0.0, std::min(p0, p1)), hi = std::min(len, std::max(p0, p1));
        if (hi - lo > eps)
          return "they share the edge from " + format_point(s.a + u * lo) + " to " + format_point(s.a + u * hi) +
                 ", which would become a wall between them";
      }
    }
  for (const auto& [p, q] : {std::pair{&a, &b}, std::pair{&b, &a}})
    for (Vec2 v : p->outer)
      if (contains(*q, v) && distance_to_boundary(*q, v) > eps)
        return "they overlap: vertex " + format_point(v) + " of one lies inside the other";
  return "";
}

}  // namespace plan

/// Checks the walkable polygons of a floor plan: each is a valid polygon, no two overlap or
/// share an edge, and their extent is plausible for a venue in metres. `unit` is the unit the
/// file was read in; `unit_fix` says how to change it ("set venue.unit in the scenario").
inline void check_walkable(const std::vector<PlanPolygon>& walkable, LengthUnit unit, const std::string& unit_fix,
                           const SourceLocation& file_where, ProblemList& problems) {
  if (walkable.empty()) return;
  for (const auto& w : walkable)
    for (const auto& msg : validate_polygon(w.poly)) problems.add(w.where, w.element, msg);

  std::vector<Polygon> polys;
  for (const auto& w : walkable) polys.push_back(w.poly);
  const Box box = bounds(polys);
  const double extent = std::max(box.width(), box.height());
  const double eps = 1e-9 * std::max(extent, 1e-300);
  for (std::size_t i = 0; i < walkable.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const std::string why = plan::conflict(walkable[j].poly, walkable[i].poly, eps);
      if (!why.empty())
        problems.add(walkable[i].where, walkable[i].element,
                     "this walkable polygon and the one from " + walkable[j].element + " (" +
                         walkable[j].where.str() + ") cannot both be kept: " + why +
                         "; merge them into one outline");
    }

  if (extent >= kMinVenueExtent_m && extent <= kMaxVenueExtent_m) return;
  // Name every unit in which the venue would have a plausible size.
  std::string better;
  for (LengthUnit u : {LengthUnit::Metre, LengthUnit::Millimetre, LengthUnit::Centimetre, LengthUnit::Foot,
                       LengthUnit::Inch}) {
    if (u == unit) continue;
    const double f = metres_per_unit(u) / metres_per_unit(unit);
    if (extent * f < kMinVenueExtent_m || extent * f > kMaxVenueExtent_m) continue;
    better += std::string(better.empty() ? "; read in " : ", in ") + unit_words(u) + " (" + unit_symbol(u) +
              ") it would measure " + format_number(box.width() * f) + " m × " + format_number(box.height() * f) +
              " m";
  }
  problems.add(file_where, "walkable",
               "the walkable area measures " + format_number(box.width()) + " m × " + format_number(box.height()) +
                   " m when read in " + unit_words(unit) + ", " + (extent > kMaxVenueExtent_m ? "larger" : "smaller") +
                   " than any venue (" + format_number(kMinVenueExtent_m) + " m to " +
                   format_number(kMaxVenueExtent_m / 1000.0) +
                   " km across), which suggests the wrong unit" + better + "; " + unit_fix);
}

/// Reports region names used twice within one role, and regions without a usable shape.
inline void check_regions(const std::vector<Region>& regions, ProblemList& problems) {
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const Region& r = regions[i];
    for (std::size_t j = 0; j < i; ++j)
      if (regions[j].role == r.role && regions[j].name == r.name) {
        problems.add(r.where, std::string(role_name(r.role)) + " '" + r.name + "'",
                     "duplicate " + std::string(role_name(r.role)) + " name '" + r.name + "'; already used at " +
                         regions[j].where.str() + "; names must be unique per role");
        break;
      }
    for (std::size_t k = 0; k < r.area.size(); ++k)
      for (const auto& msg : validate_polygon(r.area[k]))
        problems.add(r.where, std::string(role_name(r.role)) + " '" + r.name + "'",
                     (r.area.size() > 1 ? "polygon " + std::to_string(k + 1) + ": " : std::string()) + msg);
  }
}

/// The common end of every floor-plan reader: obstacles become holes, the walkable area and the
/// regions are checked, every problem is thrown at once, and the venue is assembled.
inline Venue assemble_floor_plan(const std::filesystem::path& file, std::vector<PlanPolygon> walkable,
                                 const std::vector<PlanPolygon>& obstacles, std::vector<Region> regions, LengthUnit unit,
                                 const std::string& unit_fix, const SourceLocation& file_where, ProblemList& problems) {
  add_obstacles(walkable, obstacles, problems);
  check_walkable(walkable, unit, unit_fix, file_where, problems);
  check_regions(regions, problems);
  problems.throw_if_any();
  Venue v;
  v.file = file;
  for (auto& w : walkable) v.walkable.push_back(std::move(w.poly));
  v.regions = std::move(regions);
  return v;
}

}  // namespace crowdsafe::detail
