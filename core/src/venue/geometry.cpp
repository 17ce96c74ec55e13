#include "crowdsafe/geometry.hpp"
#include "geometry.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

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

namespace {

// The first pair of non-adjacent edges of `r` (edge i runs from r[i] to r[i+1], the last one back
// to r[0]) that segments_intersect() reports, in the order of a loop over i and then j > i + 1:
// the smallest i, and for it the smallest j. Quadratic loops over all pairs took seconds for a
// ring of a few thousand vertices (a DXF arc is tessellated into up to 100,000), so the edges go
// into a uniform grid of about n cells by their bounding boxes, and only pairs whose boxes share a
// cell are tested. Two closed segments can only touch when their boxes overlap, so the verdict is
// that of the full loop (up to rounding in segments_intersect() itself, which could in principle
// call two collinear edges with disjoint boxes crossing; the grid never asks about those). Edges
// whose box covers many cells are tested against every other edge instead, so that a few long
// edges cannot fill the grid; so are edges with extreme or non-finite coordinates. Cost: about n cells
// and n entries for rings of short edges (tessellated arcs), plus n per long edge.
std::optional<std::pair<std::size_t, std::size_t>> first_self_intersection(const Ring& r) {
  const std::size_t n = r.size();
  struct EdgeBox {
    double x0, y0, x1, y1;
  };
  std::vector<EdgeBox> box(n);
  Box all;
  // With a coordinate beyond ±1e150 or closer to 0 than 1e-100 (but not 0) the products in
  // segments_intersect() can overflow or underflow, and its verdict no longer follows the
  // geometry (nor does it for NaN); such edges are tested against every edge.
  auto ordinary = [](Vec2 p) {
    auto ok = [](double v) { return v == 0.0 || (std::abs(v) >= 1e-100 && std::abs(v) <= 1e150); };
    return ok(p.x) && ok(p.y);
  };
  std::vector<char> finite(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Vec2 a = r[i], b = r[(i + 1) % n];
    box[i] = {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
    finite[i] = ordinary(a) && ordinary(b);
    if (finite[i]) {
      all.expand(a);
      all.expand(b);
    }
  }
  auto overlap = [&](std::size_t i, std::size_t j) {
    return box[i].x0 <= box[j].x1 && box[j].x0 <= box[i].x1 && box[i].y0 <= box[j].y1 && box[j].y0 <= box[i].y1;
  };
  auto skip = [&](std::size_t i, std::size_t j) { return i == 0 && j == n - 1; };  // adjacent through the closing edge
  auto test = [&](std::size_t i, std::size_t j) {
    return (!(finite[i] && finite[j]) || overlap(i, j)) && segments_intersect(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n]);
  };

  // About n cells, shaped like the ring's bounding box. A cell index is a monotonic function of
  // the coordinate (clamped to the grid), so two overlapping boxes share the cell of the lower
  // left corner of their overlap.
  const double w = all.max.x - all.min.x, h = all.max.y - all.min.y;
  const double cells = static_cast<double>(std::max<std::size_t>(n, 1));
  double nx = 1.0, ny = 1.0;
  if (std::isfinite(w) && std::isfinite(h) && w > 0.0 && h > 0.0) {
    nx = std::clamp(std::ceil(std::sqrt(cells * w / h)), 1.0, cells);
    ny = std::clamp(std::ceil(cells / nx), 1.0, cells);
  } else if (std::isfinite(w) && w > 0.0) {
    nx = cells;
  } else if (std::isfinite(h) && h > 0.0) {
    ny = cells;
  }
  const auto cols = static_cast<std::size_t>(nx), rows = static_cast<std::size_t>(ny);
  auto cell_of = [](double v, double lo, double extent, double count) {
    if (!(extent > 0.0) || !std::isfinite(extent)) return std::size_t{0};
    return static_cast<std::size_t>(std::clamp(std::floor((v - lo) / extent * count), 0.0, count - 1.0));
  };
  auto col = [&](double x) { return cell_of(x, all.min.x, w, nx); };
  auto row = [&](double y) { return cell_of(y, all.min.y, h, ny); };

  // Long edges (and extreme ones) are "wide": tested against all others, never in the grid.
  constexpr std::size_t kMaxCellsPerEdge = 16;
  std::vector<char> wide(n);
  std::vector<std::size_t> wide_edges;
  std::vector<std::size_t> start(cols * rows + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = col(box[i].x1) - col(box[i].x0) + 1, k = row(box[i].y1) - row(box[i].y0) + 1;
    wide[i] = !finite[i] || c * k > kMaxCellsPerEdge;
    if (wide[i]) {
      wide_edges.push_back(i);
      continue;
    }
    for (std::size_t y = row(box[i].y0); y <= row(box[i].y1); ++y)
      for (std::size_t x = col(box[i].x0); x <= col(box[i].x1); ++x) ++start[y * cols + x + 1];
  }
  for (std::size_t c = 0; c < cols * rows; ++c) start[c + 1] += start[c];
  std::vector<std::size_t> entries(start.back()), fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {  // ascending, so each cell lists its edges in order
    if (wide[i]) continue;
    for (std::size_t y = row(box[i].y0); y <= row(box[i].y1); ++y)
      for (std::size_t x = col(box[i].x0); x <= col(box[i].x1); ++x) entries[fill[y * cols + x]++] = i;
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (wide[i]) {
      for (std::size_t j = i + 2; j < n; ++j)
        if (!skip(i, j) && test(i, j)) return std::pair{i, j};
      continue;
    }
    std::size_t best = n;
    for (std::size_t y = row(box[i].y0); y <= row(box[i].y1); ++y)
      for (std::size_t x = col(box[i].x0); x <= col(box[i].x1); ++x) {
        const std::size_t c = y * cols + x;
        for (std::size_t e = start[c]; e < start[c + 1]; ++e) {
          const std::size_t j = entries[e];
          if (j >= best) break;  // listed in order: nothing smaller follows
          if (j < i + 2 || skip(i, j) || !overlap(i, j)) continue;
          // Each pair once: in the cell of the corner of the boxes' overlap.
          if (col(std::max(box[i].x0, box[j].x0)) != x || row(std::max(box[i].y0, box[j].y0)) != y) continue;
          if (segments_intersect(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n])) best = j;
        }
      }
    for (std::size_t j : wide_edges) {
      if (j >= best) break;
      if (j >= i + 2 && !skip(i, j) && test(i, j)) best = j;
    }
    if (best < n) return std::pair{i, best};
  }
  return std::nullopt;
}

}  // namespace

namespace detail {

PointInRing::PointInRing(const Ring& r) : ring_(r) {
  const std::size_t n = r.size();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  bool finite = true;
  for (Vec2 p : r) {
    finite = finite && std::isfinite(p.x) && std::isfinite(p.y);
    lo = std::min(lo, p.y);
    hi = std::max(hi, p.y);
  }
  if (!finite || n == 0) {
    for (std::size_t i = 0; i < n; ++i) tall_.push_back(i);
    return;
  }
  lo_ = lo;
  extent_ = hi - lo;
  bands_ = std::isfinite(extent_) && extent_ > 0.0 ? static_cast<double>(n) : 1.0;
  const auto count = static_cast<std::size_t>(bands_);
  // Edge i runs from r[i] to r[i-1], as in contains(); horizontal edges never count.
  auto span = [&](std::size_t i) {
    const Vec2 a = r[i], b = r[i == 0 ? n - 1 : i - 1];
    return std::pair{band(std::min(a.y, b.y)), band(std::max(a.y, b.y))};
  };
  constexpr std::size_t kMaxBandsPerEdge = 16;
  std::vector<char> in_bands(n);
  start_.assign(count + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (r[i].y == r[i == 0 ? n - 1 : i - 1].y) continue;
    const auto [b0, b1] = span(i);
    if (b1 - b0 + 1 > kMaxBandsPerEdge) {
      tall_.push_back(i);
      continue;
    }
    in_bands[i] = 1;
    for (std::size_t b = b0; b <= b1; ++b) ++start_[b + 1];
  }
  for (std::size_t b = 0; b < count; ++b) start_[b + 1] += start_[b];
  edges_.resize(start_.back());
  std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!in_bands[i]) continue;
    const auto [b0, b1] = span(i);
    for (std::size_t b = b0; b <= b1; ++b) edges_[fill[b]++] = i;
  }
}

bool PointInRing::contains(Vec2 p) const {
  bool inside = false;
  auto test = [&](std::size_t i) {
    const std::size_t n = ring_.size();
    const Vec2 a = ring_[i], b = ring_[i == 0 ? n - 1 : i - 1];
    if ((a.y > p.y) != (b.y > p.y)) {
      const double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (p.x < x) inside = !inside;
    }
  };
  for (std::size_t i : tall_) test(i);
  if (!start_.empty() && !std::isnan(p.y)) {
    const std::size_t b = band(p.y);
    for (std::size_t e = start_[b]; e < start_[b + 1]; ++e) test(edges_[e]);
  }
  return inside;
}

std::size_t PointInRing::band(double y) const {
  if (!(extent_ > 0.0) || !std::isfinite(extent_)) return 0;
  return static_cast<std::size_t>(std::clamp(std::floor((y - lo_) / extent_ * bands_), 0.0, bands_ - 1.0));
}

}  // namespace detail

std::vector<std::string> validate_polygon(const Polygon& poly) {
  std::vector<std::string> msgs;
  auto check_ring = [&](const Ring& r, const std::string& name) {
    if (r.size() < 3) {
      msgs.push_back(name + " has fewer than 3 vertices");
      return;
    }
    if (std::abs(signed_area(r)) < 1e-9) msgs.push_back(name + " has zero area");
    if (const auto hit = first_self_intersection(r)) {
      const auto [i, j] = *hit;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s intersects itself: edge %zu (%.3f, %.3f) crosses edge %zu (%.3f, %.3f)",
                    name.c_str(), i, r[i].x, r[i].y, j, r[j].x, r[j].y);
      msgs.push_back(buf);
    }
  };
  check_ring(poly.outer, "outer ring");
  const detail::PointInRing outer(poly.outer);
  for (std::size_t h = 0; h < poly.holes.size(); ++h) {
    check_ring(poly.holes[h], "hole " + std::to_string(h + 1));
    for (Vec2 p : poly.holes[h])
      if (!outer.contains(p)) {
        msgs.push_back("hole " + std::to_string(h + 1) + " is not inside the outer ring");
        break;
      }
  }
  return msgs;
}

}  // namespace crowdsafe
