#include "crowdsafe/geometry.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <cstdio>
#include <sstream>

namespace crowdsafe {

void Box::expand(Vec2 p) {
  min.x = std::min(min.x, p.x);
  min.y = std::min(min.y, p.y);
  max.x = std::max(max.x, p.x);
  max.y = std::max(max.y, p.y);
}

double signed_area(const Ring& ring) {
  double a = 0.0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) a += cross(ring[i], ring[(i + 1) % n]);
  return 0.5 * a;
}

double area(const Polygon& poly) {
  double a = std::abs(signed_area(poly.outer));
  for (const auto& h : poly.holes) a -= std::abs(signed_area(h));
  return a;
}

double area(const std::vector<Polygon>& polys) {
  double a = 0.0;
  for (const auto& p : polys) a += area(p);
  return a;
}

bool contains(const Ring& ring, Vec2 p) {
  bool inside = false;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2 a = ring[i], b = ring[j];
    if ((a.y > p.y) != (b.y > p.y)) {
      const double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (p.x < x) inside = !inside;
    }
  }
  return inside;
}

bool contains(const Polygon& poly, Vec2 p) {
  if (!contains(poly.outer, p)) return false;
  for (const auto& h : poly.holes)
    if (contains(h, p)) return false;
  return true;
}

bool contains(const std::vector<Polygon>& polys, Vec2 p) {
  return std::any_of(polys.begin(), polys.end(), [&](const Polygon& q) { return contains(q, p); });
}

Box bounds(const Polygon& poly) {
  Box b;
  for (Vec2 p : poly.outer) b.expand(p);
  return b;
}

Box bounds(const std::vector<Polygon>& polys) {
  Box b;
  for (const auto& poly : polys)
    for (Vec2 p : poly.outer) b.expand(p);
  return b;
}

Vec2 closest_point(const Segment& s, Vec2 p) {
  const Vec2 d = s.b - s.a;
  const double len2 = norm2(d);
  if (len2 <= 0.0) return s.a;
  const double t = std::clamp(dot(p - s.a, d) / len2, 0.0, 1.0);
  return s.a + d * t;
}

double distance(const Segment& s, Vec2 p) { return norm(p - closest_point(s, p)); }

namespace {
int orientation(Vec2 a, Vec2 b, Vec2 c) {
  const double v = cross(b - a, c - a);
  return (v > 0) - (v < 0);
}
bool on_segment(Vec2 a, Vec2 b, Vec2 p) {
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
         p.y <= std::max(a.y, b.y);
}
}  // namespace

bool segments_intersect(Vec2 p0, Vec2 p1, Vec2 q0, Vec2 q1) {
  const int o1 = orientation(p0, p1, q0), o2 = orientation(p0, p1, q1);
  const int o3 = orientation(q0, q1, p0), o4 = orientation(q0, q1, p1);
  if (o1 != o2 && o3 != o4) return true;
  if (o1 == 0 && on_segment(p0, p1, q0)) return true;
  if (o2 == 0 && on_segment(p0, p1, q1)) return true;
  if (o3 == 0 && on_segment(q0, q1, p0)) return true;
  if (o4 == 0 && on_segment(q0, q1, p1)) return true;
  return false;
}

double ray_distance(Vec2 p, Vec2 dir, const std::vector<Segment>& segments) {
  double best = std::numeric_limits<double>::infinity();
  for (const Segment& w : segments) {
    const Vec2 e = w.b - w.a;
    const double den = cross(dir, e);
    if (std::abs(den) < 1e-12) continue;
    const Vec2 ap = w.a - p;
    const double t = cross(ap, e) / den, u = cross(ap, dir) / den;
    if (t >= 0.0 && u >= 0.0 && u <= 1.0) best = std::min(best, t);
  }
  return best;
}

std::vector<Segment> boundary_segments(const std::vector<Polygon>& polys) {
  std::vector<Segment> segs;
  auto add_ring = [&](const Ring& r) {
    for (std::size_t i = 0; i < r.size(); ++i) segs.push_back({r[i], r[(i + 1) % r.size()]});
  };
  for (const auto& p : polys) {
    add_ring(p.outer);
    for (const auto& h : p.holes) add_ring(h);
  }
  return segs;
}

Vec2 centroid(const Polygon& poly) {
  const Ring& r = poly.outer;
  double a = 0.0;
  Vec2 c;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const Vec2 p = r[i], q = r[(i + 1) % r.size()];
    const double w = cross(p, q);
    a += w;
    c += (p + q) * w;
  }
  if (std::abs(a) < 1e-12) {
    Vec2 m;
    for (Vec2 p : r) m += p;
    return r.empty() ? m : m / static_cast<double>(r.size());
  }
  return c / (3.0 * a);
}

Polygon rectangle(double x0, double y0, double x1, double y1) {
  return Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}};
}

// ---------------------------------------------------------------- WKT

namespace {

class WktParser {
 public:
  WktParser(std::string_view s, const SourceLocation& where, const std::string& field)
      : s_(s), where_(where), field_(field) {}

  std::vector<Polygon> parse() {
    skip_ws();
    const std::string kw = keyword();
    std::vector<Polygon> out;
    if (kw == "POLYGON") {
      out.push_back(polygon());
    } else if (kw == "MULTIPOLYGON") {
      expect('(');
      out.push_back(polygon());
      while (peek() == ',') {
        ++pos_;
        out.push_back(polygon());
      }
      expect(')');
    } else {
      fail("expected POLYGON or MULTIPOLYGON, found '" + kw + "'");
    }
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the geometry");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    SourceLocation w = where_;
    // Point the column at the offending character when the WKT sits on the reported line.
    if (w.column > 0) w.column += static_cast<int>(pos_);
    throw InputError(w, field_, "invalid WKT at character " + std::to_string(pos_ + 1) + ": " + what);
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char peek() {
    skip_ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string keyword() {
    std::string k;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_])))
      k += static_cast<char>(std::toupper(static_cast<unsigned char>(s_[pos_++])));
    return k;
  }
  double number() {
    skip_ws();
    const char* b = s_.data() + pos_;
    const char* e = s_.data() + s_.size();
    double v = 0.0;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || p == b) fail("expected a number");
    pos_ += static_cast<std::size_t>(p - b);
    if (!std::isfinite(v)) fail("coordinate is not finite");
    return v;
  }
  Ring ring() {
    expect('(');
    Ring r;
    do {
      if (!r.empty()) ++pos_;
      const double x = number();
      const double y = number();
      // Tolerate a Z value (3-D WKT) by ignoring it.
      if (peek() != ',' && peek() != ')') number();
      r.push_back({x, y});
    } while (peek() == ',');
    expect(')');
    if (r.size() >= 2 && r.front() == r.back()) r.pop_back();
    if (r.size() < 3) fail("a ring needs at least 3 distinct vertices");
    return r;
  }
  Polygon polygon() {
    expect('(');
    Polygon p;
    p.outer = ring();
    while (peek() == ',') {
      ++pos_;
      p.holes.push_back(ring());
    }
    expect(')');
    return p;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  const SourceLocation& where_;
  const std::string& field_;
};

void write_ring(std::ostringstream& os, const Ring& r) {
  os << '(';
  for (std::size_t i = 0; i <= r.size(); ++i) {
    const Vec2 p = r[i % r.size()];
    if (i) os << ", ";
    os << p.x << ' ' << p.y;
  }
  os << ')';
}

void write_polygon(std::ostringstream& os, const Polygon& p) {
  os << '(';
  write_ring(os, p.outer);
  for (const auto& h : p.holes) {
    os << ", ";
    write_ring(os, h);
  }
  os << ')';
}

}  // namespace

std::vector<Polygon> parse_wkt(std::string_view wkt, const SourceLocation& where, const std::string& field) {
  return WktParser(wkt, where, field).parse();
}

std::string to_wkt(const std::vector<Polygon>& polys) {
  std::ostringstream os;
  os.precision(12);
  if (polys.size() == 1) {
    os << "POLYGON ";
    write_polygon(os, polys[0]);
  } else {
    os << "MULTIPOLYGON (";
    for (std::size_t i = 0; i < polys.size(); ++i) {
      if (i) os << ", ";
      write_polygon(os, polys[i]);
    }
    os << ')';
  }
  return os.str();
}

std::vector<std::string> validate_polygon(const Polygon& poly) {
  std::vector<std::string> msgs;
  auto check_ring = [&](const Ring& r, const std::string& name) {
    if (r.size() < 3) {
      msgs.push_back(name + " has fewer than 3 vertices");
      return;
    }
    if (std::abs(signed_area(r)) < 1e-9) msgs.push_back(name + " has zero area");
    const std::size_t n = r.size();
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 2; j < n; ++j) {
        if (i == 0 && j == n - 1) continue;  // adjacent through the closing edge
        if (segments_intersect(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n])) {
          char buf[160];
          std::snprintf(buf, sizeof buf, "%s intersects itself: edge %zu (%.3f, %.3f) crosses edge %zu (%.3f, %.3f)",
                        name.c_str(), i, r[i].x, r[i].y, j, r[j].x, r[j].y);
          msgs.push_back(buf);
          return;
        }
      }
    }
  };
  check_ring(poly.outer, "outer ring");
  for (std::size_t h = 0; h < poly.holes.size(); ++h) {
    check_ring(poly.holes[h], "hole " + std::to_string(h + 1));
    for (Vec2 p : poly.holes[h])
      if (!contains(poly.outer, p)) {
        msgs.push_back("hole " + std::to_string(h + 1) + " is not inside the outer ring");
        break;
      }
  }
  return msgs;
}

}  // namespace crowdsafe
