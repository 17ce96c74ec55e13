#pragma once
/// @file geometry.hpp
/// Planar polygons with holes, in metres; WKT reading and writing.

#include <string>
#include <string_view>
#include <vector>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/vec2.hpp"

namespace crowdsafe {

/// Closed ring of vertices (the closing vertex is not repeated), metres.
using Ring = std::vector<Vec2>;

/// Line segment from a to b, metres.
struct Segment {
  Vec2 a;
  Vec2 b;
};

/// Axis-aligned bounding box, metres.
struct Box {
  Vec2 min{1e300, 1e300};
  Vec2 max{-1e300, -1e300};
  /// Grows the box to contain p.
  void expand(Vec2 p);
  /// Width (x extent), metres.
  double width() const { return max.x - min.x; }
  /// Height (y extent), metres.
  double height() const { return max.y - min.y; }
};

/// Polygon with an outer ring and holes (obstacles), metres.
struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

/// Signed area of a ring, m² (positive when counter-clockwise).
double signed_area(const Ring& ring);
/// Area of a polygon (outer minus holes), m².
double area(const Polygon& poly);
/// Total area of several polygons, m² (assumed not to overlap).
double area(const std::vector<Polygon>& polys);
/// Even-odd point-in-ring test.
bool contains(const Ring& ring, Vec2 p);
/// True when p is inside the outer ring and inside no hole.
bool contains(const Polygon& poly, Vec2 p);
/// True when p is inside any of the polygons.
bool contains(const std::vector<Polygon>& polys, Vec2 p);
/// Bounding box of a polygon's outer ring.
Box bounds(const Polygon& poly);
/// Bounding box of several polygons.
Box bounds(const std::vector<Polygon>& polys);
/// Closest point to p on segment s.
Vec2 closest_point(const Segment& s, Vec2 p);
/// Distance from p to segment s, metres.
double distance(const Segment& s, Vec2 p);
/// True when the closed segments p0-p1 and q0-q1 intersect properly or touch.
bool segments_intersect(Vec2 p0, Vec2 p1, Vec2 q0, Vec2 q1);
/// All edges of all rings of the polygons (the walls), metres.
std::vector<Segment> boundary_segments(const std::vector<Polygon>& polys);
/// Distance along the ray p + t·dir (dir a unit vector) to the first of `segments`, m; +inf if none.
double ray_distance(Vec2 p, Vec2 dir, const std::vector<Segment>& segments);
/// Centroid of the polygon's outer ring, metres.
Vec2 centroid(const Polygon& poly);
/// Axis-aligned rectangle [x0, x1] × [y0, y1] as a counter-clockwise polygon.
Polygon rectangle(double x0, double y0, double x1, double y1);

/// Parses WKT POLYGON or MULTIPOLYGON (with holes) into polygons, metres.
/// Throws InputError naming `where` and `field` with the column of the problem.
std::vector<Polygon> parse_wkt(std::string_view wkt, const SourceLocation& where = {},
                               const std::string& field = "geometry");
/// Writes polygons as WKT (POLYGON for one, MULTIPOLYGON for several).
std::string to_wkt(const std::vector<Polygon>& polys);

/// Checks rings for too few vertices, zero area, non-finite coordinates and self-intersections;
/// returns one message per problem (empty when valid).
std::vector<std::string> validate_polygon(const Polygon& poly);

}  // namespace crowdsafe
