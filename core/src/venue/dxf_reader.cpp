// DXF floor plans through dxflib: closed polylines, circles and chains of lines and arcs on
// layers named after their role (walkable, obstacle, exit-<name>, ...; JuPedSim's jps-* layers
// too). Blocks are expanded; entities that cannot be read on a known layer are errors, never
// silently dropped. Layer names, units and messages: docs/venue-formats.md.

#include <dxflib/dl_creationadapter.h>
#include <dxflib/dl_dxf.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <numbers>
#include <optional>

#include "floor_plan.hpp"
#include "geometry.hpp"
#include "readers.hpp"

namespace crowdsafe::detail {
namespace {

// Largest distance between an arc and the chords that replace it, m.
constexpr double kChordError_m = 0.01;
// Blocks inserted inside blocks deeper than this are taken for a cycle.
constexpr int kMaxBlockDepth = 32;

// ------------------------------------------------------------------ layers

// What a layer holds, from its name.
struct LayerKind {
  enum class Kind { Walkable, Obstacle, Region, Numbered };
  Kind kind = Kind::Walkable;
  RegionRole role = RegionRole::Exit;
  std::string name;  // region name (Region), or the prefix of numbered names (Numbered)
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_line_role(RegionRole r) { return r == RegionRole::Gate || r == RegionRole::MeasurementLine; }

std::optional<LayerKind> classify_layer(const std::string& layer) {
  using K = LayerKind::Kind;
  const std::string l = lower(layer);
  // JuPedSim's layer names: each closed outline on a jps-* region layer is its own region.
  if (l == "jps-walkablearea") return LayerKind{K::Walkable, {}, {}};
  if (l == "jps-obstacles") return LayerKind{K::Obstacle, {}, {}};
  if (l == "jps-exits") return LayerKind{K::Numbered, RegionRole::Exit, "exit"};
  if (l == "jps-distributions" || l == "jps-sources") return LayerKind{K::Numbered, RegionRole::Source, "source"};
  if (l == "jps-waypoints") return LayerKind{K::Numbered, RegionRole::Destination, "waypoint"};
  if (l.rfind("walkable", 0) == 0) return LayerKind{K::Walkable, {}, {}};
  if (l.rfind("obstacle", 0) == 0) return LayerKind{K::Obstacle, {}, {}};
  static const std::vector<std::pair<std::string, RegionRole>> prefixes = {
      {"exit", RegionRole::Exit},          {"destination", RegionRole::Destination},
      {"source", RegionRole::Source},      {"gate", RegionRole::Gate},
      {"waiting", RegionRole::WaitingArea}, {"measurement", RegionRole::MeasurementLine},
      {"stairs", RegionRole::Stairs}};
  for (const auto& [prefix, role] : prefixes) {
    if (l.rfind(prefix, 0) != 0) continue;
    // "exit-metro" -> "metro"; "exit" or "exits" -> the layer name.
    std::string name = layer;
    const std::string rest = layer.substr(prefix.size());
    if (rest.size() > 1 && std::string("-_ :.").find(rest[0]) != std::string::npos) name = rest.substr(1);
    return LayerKind{K::Region, role, name};
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ entities as read

// One entity as dxflib delivered it, in the coordinates of the block (or model space) holding it.
struct Entity {
  enum class Kind { Line, Polyline, Arc, Circle, Insert, Unsupported };
  Kind kind = Kind::Line;
  std::string type;   // DXF entity name, for messages
  std::string layer;
  int line = 0;       // line of the file where the entity starts
  bool mirrored = false;  // extrusion (0, 0, -1): object coordinates have x flipped
  bool off_plane = false; // extrusion neither +z nor -z: not drawn in the plan
  // Line: 2 points. Polyline: vertices, bulge of the segment leaving each.
  std::vector<Vec2> points;
  std::vector<double> bulges;
  bool closed = false;
  // Arc, circle.
  Vec2 centre;
  double radius = 0.0, angle0_deg = 0.0, angle1_deg = 360.0;
  // Insert.
  DL_InsertData insert{"", 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0};
};

struct Block {
  Vec2 base;
  int flags = 0;
  int line = 0;
  std::vector<Entity> entities;
};

// dxflib callbacks fire when the *next* entity begins, after processCodeValuePair saw its first
// group; so the entity a callback describes is the one that began at the previous group 0.
class Collector : public DL_CreationAdapter {
 public:
  std::vector<Entity> model;
  std::map<std::string, Block> blocks;
  std::optional<int> insunits;
  bool binary = false;

  void processCodeValuePair(unsigned int code, const std::string& value) override {
    ++pairs_;
    const int line = 2 * pairs_ - 1;
    if (code == 0) {
      finish_unsupported();
      previous_ = current_;
      current_ = {value, line, 1.0, 0.0, 0.0, ""};
      if (value == "SECTION") {
        expect_section_name_ = true;
      } else if (value == "ENDSEC") {
        section_.clear();
      } else if (value == "BLOCK") {
        expect_block_name_ = true;
        in_block_ = true;
      } else if (value == "ENDBLK") {
        in_block_ = false;
        block_name_.clear();
      } else if ((section_ == "ENTITIES" || (section_ == "BLOCKS" && in_block_)) && !handled(value)) {
        pending_ = Entity{};
        pending_->kind = Entity::Kind::Unsupported;
        pending_->type = value;
        pending_->line = line;
        pending_->layer = "0";
        pending_block_ = section_ == "BLOCKS" ? block_name_ : "";
      }
      return;
    }
    if (code == 2 && expect_section_name_) {
      section_ = value;
      expect_section_name_ = false;
    } else if (code == 2 && expect_block_name_) {
      block_name_ = value;
      expect_block_name_ = false;
    } else if (code == 8) {
      current_.layer = value;
      if (pending_) pending_->layer = value;
    } else if (code == 210 || code == 220 || code == 230) {
      const double v = std::atof(value.c_str());
      (code == 210 ? current_.ex : code == 220 ? current_.ey : current_.ez) = v;
    }
  }

  void setVariableInt(const std::string& key, int value, int) override {
    if (key == "$INSUNITS") insunits = value;
  }
  void addComment(const std::string&) override {}

  void addBlock(const DL_BlockData& d) override {
    Block& b = blocks[d.name];
    b.base = {d.bpx, d.bpy};
    b.flags = d.flags;
    b.line = previous_.line;
    target_ = &b.entities;
  }
  void endBlock() override { target_ = &model; }

  void addLine(const DL_LineData& d) override {
    Entity& e = add(Entity::Kind::Line);
    e.points = {{d.x1, d.y1}, {d.x2, d.y2}};
    // LINE end points are world coordinates whatever the extrusion.
    e.mirrored = e.off_plane = false;
  }
  void addArc(const DL_ArcData& d) override {
    Entity& e = add(Entity::Kind::Arc);
    e.centre = {d.cx, d.cy};
    e.radius = d.radius;
    e.angle0_deg = d.angle1;
    e.angle1_deg = d.angle2;
  }
  void addCircle(const DL_CircleData& d) override {
    Entity& e = add(Entity::Kind::Circle);
    e.centre = {d.cx, d.cy};
    e.radius = d.radius;
  }
  void addPolyline(const DL_PolylineData& d) override {
    // Flags: 1 closed, 8 3-D polyline (world coordinates), 16 polygon mesh, 64 polyface mesh.
    const bool mesh = (d.flags & (16 | 64)) != 0;
    Entity& e = add(mesh ? Entity::Kind::Unsupported : Entity::Kind::Polyline);
    if (mesh) e.type = "POLYLINE (polygon or polyface mesh)";
    e.closed = (d.flags & 1) != 0;
    if (d.flags & 8) e.mirrored = e.off_plane = false;
    // An index, not a pointer: the entity list may grow (and move) before the vertices come.
    polyline_ = mesh ? kNoPolyline : target_->size() - 1;
    polyline_target_ = target_;
  }
  void addVertex(const DL_VertexData& d) override {
    if (polyline_ == kNoPolyline || polyline_target_ != target_ || polyline_ >= target_->size()) return;
    Entity& e = (*target_)[polyline_];
    e.points.push_back({d.x, d.y});
    e.bulges.push_back(d.bulge);
  }
  void endEntity() override { polyline_ = kNoPolyline; }
  void endSequence() override { polyline_ = kNoPolyline; }
  void addInsert(const DL_InsertData& d) override {
    Entity& e = add(Entity::Kind::Insert);
    e.insert = d;
  }

  // Called once reading is done: an unsupported entity at the very end is still pending.
  void finish() { finish_unsupported(); }

 private:
  struct Start {
    std::string type;
    int line = 0;
    double ez = 1.0, ex = 0.0, ey = 0.0;
    std::string layer;
  };

  static bool handled(const std::string& type) {
    // Read through callbacks, or parts of them (VERTEX, SEQEND), or block attributes (text).
    for (const char* t : {"LINE", "LWPOLYLINE", "POLYLINE", "VERTEX", "SEQEND", "ARC", "CIRCLE", "INSERT", "ATTRIB",
                          "ATTDEF"})
      if (type == t) return true;
    return false;
  }

  Entity& add(Entity::Kind kind) {
    polyline_ = kNoPolyline;
    Entity e;
    e.kind = kind;
    e.type = previous_.type;
    e.line = previous_.line;
    e.layer = attributes.getLayer();
    e.mirrored = previous_.ez < 0.0;
    e.off_plane = std::abs(previous_.ex) > 1e-9 || std::abs(previous_.ey) > 1e-9;
    target_->push_back(std::move(e));
    return target_->back();
  }

  void finish_unsupported() {
    if (!pending_) return;
    if (pending_block_.empty() && section_ == "ENTITIES") model.push_back(std::move(*pending_));
    else blocks[pending_block_].entities.push_back(std::move(*pending_));
    pending_.reset();
  }

  int pairs_ = 0;
  Start current_, previous_;
  std::string section_, block_name_;
  bool expect_section_name_ = false, expect_block_name_ = false, in_block_ = false;
  std::optional<Entity> pending_;
  std::string pending_block_;
  std::vector<Entity>* target_ = &model;
  static constexpr std::size_t kNoPolyline = static_cast<std::size_t>(-1);
  std::size_t polyline_ = kNoPolyline;  ///< index in *polyline_target_ of the open POLYLINE
  std::vector<Entity>* polyline_target_ = nullptr;
};

// ------------------------------------------------------------------ flattening

// Affine map from block coordinates to drawing coordinates: p -> a·p.x + b·p.y + t.
struct Affine {
  Vec2 a{1, 0}, b{0, 1}, t{0, 0};
  Vec2 operator()(Vec2 p) const { return a * p.x + b * p.y + t; }
  Affine then(const Affine& outer) const {  // outer ∘ this
    return {outer.a * a.x + outer.b * a.y, outer.a * b.x + outer.b * b.y, outer(t)};
  }
  // Largest stretch of a length (for the arc tolerance).
  double scale() const { return std::max(norm(a), norm(b)); }
};

// Where a flattened outline came from, for messages.
struct Origin {
  std::string type;
  std::string layer;
  SourceLocation where;
  std::string via;  // " in block 'B' inserted at line N", or empty
  std::string element() const { return type + " on layer '" + layer + "'" + via; }
};

// A flattened entity in metres: an open chain of points or a closed ring.
struct Piece {
  std::vector<Vec2> points;
  bool closed = false;
  Origin origin;
};

// Points replacing the arc from angle a0 through sweep (radians, + = counter-clockwise) of radius r
// around c, excluding the start point, with `tol` the chord error in the same units.
void arc_points(Vec2 c, double r, double a0, double sweep, double tol, std::vector<Vec2>& out) {
  int n = 1;
  if (r > tol) {
    const double step = 2.0 * std::acos(1.0 - tol / r);
    n = static_cast<int>(std::ceil(std::abs(sweep) / step));
  }
  n = std::clamp(n, std::abs(sweep) > 6.0 ? 8 : 1, 100000);
  for (int k = 1; k <= n; ++k) {
    const double a = a0 + sweep * k / n;
    out.push_back({c.x + r * std::cos(a), c.y + r * std::sin(a)});
  }
}

class DxfVenueReader {
 public:
  DxfVenueReader(const std::filesystem::path& file, const VenueOptions& options)
      : file_(file), name_(file.string()), options_(options) {}

  Venue read();

 private:
  void flatten(const std::vector<Entity>& entities, const Affine& map, const std::string& insert_layer,
               const std::string& via, int depth, std::vector<std::string>& stack);
  void flatten_entity(const Entity& e, const Affine& map, const std::string& layer, const std::string& via);
  void chain(const std::vector<Piece>& pieces, double eps, std::vector<Piece>& rings, std::vector<Piece>& open);
  std::vector<PlanPolygon> nest(const std::vector<Piece>& rings);

  std::filesystem::path file_;
  std::string name_;
  VenueOptions options_;
  Collector dxf_;
  double units_to_m_ = 1.0;
  ProblemList problems_;
  // Flattened pieces per layer name, in file order of first appearance (in metres).
  std::vector<std::string> layer_order_;
  std::map<std::string, std::vector<Piece>> pieces_;
};

void DxfVenueReader::flatten(const std::vector<Entity>& entities, const Affine& map, const std::string& insert_layer,
                             const std::string& via, int depth, std::vector<std::string>& stack) {
  for (const Entity& e : entities) {
    // Entities on layer 0 inside a block take the layer of the INSERT (the DXF convention).
    const std::string layer = e.layer == "0" && !insert_layer.empty() ? insert_layer : e.layer;
    if (e.kind != Entity::Kind::Insert) {
      flatten_entity(e, map, layer, via);
      continue;
    }
    const DL_InsertData& d = e.insert;
    const SourceLocation at{name_, e.line, 0};
    const auto found = dxf_.blocks.find(d.name);
    if (found == dxf_.blocks.end()) {
      problems_.add(at, "INSERT on layer '" + layer + "'" + via,
                    "inserts block '" + d.name + "', which the file does not define; add the block or explode the "
                    "INSERT");
      continue;
    }
    if (found->second.flags & 4) {
      problems_.add(at, "INSERT on layer '" + layer + "'" + via,
                    "block '" + d.name + "' is an external reference, which cannot be read; bind it in the CAD "
                    "program (XBIND/BIND) or explode it");
      continue;
    }
    if (depth >= kMaxBlockDepth || std::find(stack.begin(), stack.end(), d.name) != stack.end()) {
      problems_.add(at, "INSERT on layer '" + layer + "'" + via,
                    "block '" + d.name + "' inserts itself (directly or through other blocks); break the cycle");
      continue;
    }
    if (e.off_plane) {
      problems_.add(at, "INSERT on layer '" + layer + "'" + via,
                    "is not drawn in the XY plane (its extrusion direction is not the z axis); a floor plan must be "
                    "drawn in plan view");
      continue;
    }
    const Block& block = found->second;
    const double angle = d.angle * std::numbers::pi / 180.0;
    const Vec2 ux{std::cos(angle), std::sin(angle)}, uy{-std::sin(angle), std::cos(angle)};
    const double sx = d.sx == 0.0 ? 1.0 : d.sx, sy = d.sy == 0.0 ? 1.0 : d.sy;
    const int cols = std::max(1, d.cols), rows = std::max(1, d.rows);
    stack.push_back(d.name);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        // Block point p -> insertion point + R(angle)·(S·(p - base) + (c·colSp, r·rowSp)), in
        // object coordinates of the INSERT (x flipped for a -z extrusion).
        Affine local;
        local.a = ux * sx;
        local.b = uy * sy;
        const Vec2 offset{c * d.colSp, r * d.rowSp};
        local.t = Vec2{d.ipx, d.ipy} + ux * offset.x + uy * offset.y -
                  (ux * (sx * block.base.x) + uy * (sy * block.base.y));
        if (e.mirrored) {
          local.a.x = -local.a.x;
          local.b.x = -local.b.x;
          local.t.x = -local.t.x;
        }
        flatten(block.entities, local.then(map), layer,
                " in block '" + d.name + "' inserted at line " + std::to_string(e.line) + via, depth + 1, stack);
      }
    stack.pop_back();
  }
}

void DxfVenueReader::flatten_entity(const Entity& e, const Affine& map, const std::string& layer,
                                    const std::string& via) {
  if (!classify_layer(layer)) return;  // layers with other names are not part of the venue
  Origin origin;
  origin.type = e.type;
  origin.layer = layer;
  origin.where.file = name_;
  origin.where.line = e.line;
  origin.via = via;
  if (e.kind == Entity::Kind::Unsupported) {
    problems_.add(origin.where, origin.element(),
                  e.type + " entities cannot be read on a venue layer; crowdsafe reads LINE, LWPOLYLINE, POLYLINE, "
                  "ARC, CIRCLE and INSERT: convert it to a polyline (or explode it), or move it to another layer");
    return;
  }
  if (e.off_plane) {
    problems_.add(origin.where, origin.element(),
                  "is not drawn in the XY plane (its extrusion direction is not the z axis); a floor plan must be "
                  "drawn in plan view");
    return;
  }
  // Object coordinates -> block coordinates (a -z extrusion mirrors x), then the block map, then
  // metres (done on the finished points so that exact values stay exact).
  auto place = [&](Vec2 p) { return map(e.mirrored ? Vec2{-p.x, p.y} : p); };
  // Chord tolerance in the entity's own units.
  const double tol = kChordError_m / (units_to_m_ * std::max(map.scale(), 1e-300));
  Piece piece;
  piece.origin = origin;
  switch (e.kind) {
    case Entity::Kind::Line:
      piece.points = {map(e.points[0]), map(e.points[1])};
      break;
    case Entity::Kind::Arc:
    case Entity::Kind::Circle: {
      const bool circle = e.kind == Entity::Kind::Circle;
      if (!(e.radius > 0.0)) {
        problems_.add(origin.where, origin.element(), "has radius " + format_number(e.radius) + "; must be > 0");
        return;
      }
      const double a0 = circle ? 0.0 : e.angle0_deg * std::numbers::pi / 180.0;
      double sweep = 2.0 * std::numbers::pi;
      if (!circle) {
        sweep = (e.angle1_deg - e.angle0_deg) * std::numbers::pi / 180.0;
        while (sweep <= 0.0) sweep += 2.0 * std::numbers::pi;
      }
      std::vector<Vec2> pts{{e.centre.x + e.radius * std::cos(a0), e.centre.y + e.radius * std::sin(a0)}};
      arc_points(e.centre, e.radius, a0, sweep, tol, pts);
      if (circle) pts.pop_back();  // back at the start
      for (Vec2 p : pts) piece.points.push_back(place(p));
      piece.closed = circle;
      break;
    }
    case Entity::Kind::Polyline: {
      const auto& v = e.points;
      if (v.empty()) {
        problems_.add(origin.where, origin.element(), "has no vertices; delete it");
        return;
      }
      std::vector<Vec2> pts{v[0]};
      const std::size_t segments = e.closed ? v.size() : v.size() - 1;
      for (std::size_t i = 0; i < segments; ++i) {
        const Vec2 p = v[i], q = v[(i + 1) % v.size()];
        const double bulge = e.bulges[i];
        if (std::abs(bulge) > 1e-12 && !(p == q)) {
          // Bulge = tan(θ/4), θ the included angle (+ = counter-clockwise): the centre lies
          // (c/2)/tan(θ/2) to the left of the chord's midpoint.
          const double theta = 4.0 * std::atan(bulge);
          const Vec2 d = q - p;
          const double c = norm(d);
          const Vec2 centre = (p + q) * 0.5 + perp(d / c) * (0.5 * c / std::tan(0.5 * theta));
          const double r = norm(p - centre);
          arc_points(centre, r, std::atan2(p.y - centre.y, p.x - centre.x), theta, tol, pts);
          pts.back() = q;  // exactly the next vertex
        } else {
          pts.push_back(q);
        }
      }
      if (e.closed) pts.pop_back();  // the closing segment ended back at the first vertex
      for (Vec2 p : pts) piece.points.push_back(place(p));
      piece.closed = e.closed;
      break;
    }
    default:
      return;
  }
  const UnitScale scale(units_to_m_);
  for (Vec2& p : piece.points) {
    p = scale(p);
    if (!is_finite(p)) {
      problems_.add(origin.where, origin.element(), "has a coordinate that is not finite; fix the drawing");
      return;
    }
  }
  if (!pieces_.count(layer)) layer_order_.push_back(layer);
  pieces_[layer].push_back(std::move(piece));
}

// Joins open pieces whose ends meet (within eps, m) into closed rings; pieces that do not close
// are returned in `open` (already joined as far as they go).
void DxfVenueReader::chain(const std::vector<Piece>& pieces, double eps, std::vector<Piece>& rings,
                           std::vector<Piece>& open) {
  std::vector<bool> used(pieces.size(), false);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (used[i]) continue;
    used[i] = true;
    Piece p = pieces[i];
    if (p.closed) {
      rings.push_back(std::move(p));
      continue;
    }
    auto close = [&](Vec2 a, Vec2 b) { return norm(a - b) <= eps; };
    // Grow the chain at its end, then at its start, until it closes or nothing more fits.
    bool grew = true;
    while (!close(p.points.front(), p.points.back()) && grew) {
      grew = false;
      for (std::size_t j = i + 1; j < pieces.size() && !grew; ++j) {
        if (used[j] || pieces[j].closed) continue;
        const auto& q = pieces[j].points;
        auto& pts = p.points;
        if (close(pts.back(), q.front())) pts.insert(pts.end(), q.begin() + 1, q.end());
        else if (close(pts.back(), q.back())) pts.insert(pts.end(), q.rbegin() + 1, q.rend());
        else if (close(pts.front(), q.back())) pts.insert(pts.begin(), q.begin(), q.end() - 1);
        else if (close(pts.front(), q.front())) pts.insert(pts.begin(), q.rbegin(), q.rend() - 1);
        else continue;
        used[j] = true;
        grew = true;
      }
    }
    if (p.points.size() >= 3 && close(p.points.front(), p.points.back())) {
      p.points.pop_back();
      p.closed = true;
      rings.push_back(std::move(p));
    } else {
      open.push_back(std::move(p));
    }
  }
  // Consecutive points closer than eps (from snapping ends together) would be zero-length walls.
  for (Piece& r : rings) {
    std::vector<Vec2> kept;
    for (Vec2 q : r.points)
      if (kept.empty() || norm(q - kept.back()) > eps) kept.push_back(q);
    while (kept.size() > 1 && norm(kept.front() - kept.back()) <= eps) kept.pop_back();
    r.points = std::move(kept);
  }
}

// Rings nested by containment: a ring inside an odd number of others is a hole of the smallest
// of them, otherwise an outer ring. Outer rings keep the file's order.
std::vector<PlanPolygon> DxfVenueReader::nest(const std::vector<Piece>& rings) {
  const std::size_t n = rings.size();
  std::vector<double> size(n);
  for (std::size_t i = 0; i < n; ++i) size[i] = std::abs(signed_area(rings[i].points));
  // Each ring's edges in bands: testing every vertex of a ring against another is then not
  // quadratic (an arc of a few thousand vertices took more than 10 s under ASan, fuzz_dxf).
  std::vector<PointInRing> locate;
  locate.reserve(n);
  for (const Piece& r : rings) locate.emplace_back(r.points);
  auto inside = [&](std::size_t i, std::size_t j) {  // ring i inside ring j
    if (size[j] <= size[i]) return false;
    std::size_t in = 0;
    for (Vec2 v : rings[i].points) in += locate[j].contains(v);
    return 2 * in > rings[i].points.size();
  };
  std::vector<int> depth(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j && inside(i, j)) ++depth[i];
  std::vector<PlanPolygon> out;
  std::vector<std::optional<std::size_t>> slot(n);
  auto add_outer = [&](std::size_t i) {
    slot[i] = out.size();
    out.push_back({Polygon{rings[i].points, {}}, rings[i].origin.where, rings[i].origin.element()});
  };
  for (std::size_t i = 0; i < n; ++i)
    if (depth[i] % 2 == 0) add_outer(i);
  // A hole goes into the smallest outer ring around it. Rings that cross each other can leave
  // a ring at odd depth with no outer ring around it ("inside" is a majority of vertices, not
  // a strict order); it stays an outer ring, and the polygon checks report the crossing.
  for (std::size_t i = 0; i < n; ++i) {
    if (depth[i] % 2 == 0) continue;
    std::optional<std::size_t> host;
    for (std::size_t j = 0; j < n; ++j)
      if (j != i && slot[j] && inside(i, j) && (!host || size[j] < size[*host])) host = j;
    if (host) out[*slot[*host]].poly.holes.push_back(rings[i].points);
    else add_outer(i);
  }
  return out;
}

Venue DxfVenueReader::read() {
  {
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw InputError({name_, 0, 0}, "", "cannot open the file; check that it exists and is readable");
    char head[22] = {};
    in.read(head, sizeof head);
    if (std::string(head, static_cast<std::size_t>(in.gcount())).rfind("AutoCAD Binary DXF", 0) == 0)
      throw InputError({name_, 0, 0}, "", "binary DXF cannot be read; save the drawing as ASCII DXF");
  }
  DL_Dxf dxf;
  if (!dxf.in(file_.string(), &dxf_))
    throw InputError({name_, 0, 0}, "", "cannot be read as DXF; save the drawing as ASCII DXF (R12 or later)");
  dxf_.finish();

  // $INSUNITS: the drawing's unit; 0 (unitless) or absent leaves the scenario's choice.
  LengthUnit unit = options_.unit;
  std::string unit_fix = "set venue.unit in the scenario (m, cm, mm, in or ft) or $INSUNITS in the drawing";
  if (dxf_.insunits && *dxf_.insunits != 0) {
    const int u = *dxf_.insunits;
    const std::map<int, LengthUnit> units = {{1, LengthUnit::Inch},
                                             {2, LengthUnit::Foot},
                                             {4, LengthUnit::Millimetre},
                                             {5, LengthUnit::Centimetre},
                                             {6, LengthUnit::Metre}};
    const auto found = units.find(u);
    if (found == units.end())
      throw InputError({name_, 0, 0}, "$INSUNITS",
                       "unit code " + std::to_string(u) +
                           " is not supported; use 1 (inches), 2 (feet), 4 (millimetres), 5 (centimetres), "
                           "6 (metres) or 0 (unitless: venue.unit in the scenario decides)");
    unit = found->second;
    unit_fix = "the drawing says $INSUNITS = " + std::to_string(u) + " (" + unit_words(unit) +
               "); correct $INSUNITS in the drawing";
  }
  units_to_m_ = metres_per_unit(unit);

  std::vector<std::string> stack;
  flatten(dxf_.model, Affine{}, "", "", 0, stack);

  // Ends closer than a millionth of the drawing's size (or the weld tolerance) are the same point.
  Box box;
  for (const auto& [layer, pieces] : pieces_)
    for (const auto& p : pieces)
      for (Vec2 q : p.points) box.expand(q);
  const double size = pieces_.empty() ? 0.0 : norm(box.max - box.min);
  const double eps = std::max(1e-6 * size, options_.weld_tolerance_m);

  std::vector<PlanPolygon> walkable, obstacles;
  std::vector<Region> regions;
  std::map<RegionRole, int> numbered;
  for (const std::string& layer : layer_order_) {
    const LayerKind kind = *classify_layer(layer);
    std::vector<Piece> rings, open;
    chain(pieces_[layer], eps, rings, open);
    const bool line_role = kind.kind == LayerKind::Kind::Region && is_line_role(kind.role);
    if (line_role) {
      // A gate or measurement line is one open line per layer.
      if (!rings.empty()) {
        const Piece& r = rings.front();
        problems_.add(r.origin.where, r.origin.element(),
                      "is a closed outline, but a " + std::string(role_name(kind.role)) +
                          " is a line; draw it as a LINE or an open polyline");
      } else if (open.size() != 1) {
        problems_.add(open[1].origin.where, open[1].origin.element(),
                      "layer '" + layer + "' holds " + std::to_string(open.size()) +
                          " separate lines, but a " + role_name(kind.role) +
                          " is one line; join them or put each on its own layer ('" + layer + "-2', ...)");
      } else {
        regions.push_back({kind.name, kind.role, {}, open.front().points, open.front().origin.where});
      }
      continue;
    }
    for (const Piece& o : open)
      problems_.add(o.origin.where, o.origin.element(),
                    "outline on layer '" + layer + "' is open: its end at " +
                        format_point(o.points.back()) + " m meets no other line (start at " +
                        format_point(o.points.front()) +
                        " m); close the polyline or join the lines so that the ends meet");
    switch (kind.kind) {
      case LayerKind::Kind::Walkable: {
        auto polys = nest(rings);
        walkable.insert(walkable.end(), polys.begin(), polys.end());
        break;
      }
      case LayerKind::Kind::Obstacle:
        for (const Piece& r : rings)
          obstacles.push_back({Polygon{r.points, {}}, r.origin.where, r.origin.element()});
        break;
      case LayerKind::Kind::Numbered:
        for (const Piece& r : rings) {
          const int k = ++numbered[kind.role];
          regions.push_back(
              {kind.name + "-" + std::to_string(k), kind.role, {Polygon{r.points, {}}}, {}, r.origin.where});
        }
        break;
      case LayerKind::Kind::Region: {
        if (rings.empty()) break;
        Region reg{kind.name, kind.role, {}, {}, rings.front().origin.where};
        for (auto& p : nest(rings)) reg.area.push_back(std::move(p.poly));
        regions.push_back(std::move(reg));
        break;
      }
    }
  }

  const SourceLocation top{name_, 0, 0};
  if (walkable.empty() && problems_.empty())
    problems_.add(top, "walkable",
                  "no closed outline on a walkable layer; draw the walkable area as closed polylines on layer "
                  "'walkable' (or 'jps-walkablearea')");
  return assemble_floor_plan(file_, std::move(walkable), obstacles, std::move(regions), unit, unit_fix, top, problems_);
}

}  // namespace

namespace {

// dxflib 3.26 allocates an LWPOLYLINE's vertex array from its group code 90 (vertex count)
// unchecked: a huge or negative count is an allocation of gigabytes (found by fuzz/fuzz_dxf,
// docs/reliability.md). Such counts are refused before dxflib reads the file.
void check_lwpolyline_counts(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (bytes.find("LWPOLYLINE") == std::string::npos) return;
  const auto size = static_cast<long long>(bytes.size());
  // The lines as dxflib sees them: fgets() into a buffer of DL_DXF_MAXLINE bytes, so a line
  // ends after '\n' or after DL_DXF_MAXLINE - 1 bytes (a longer line becomes several), and only
  // what comes before a NUL byte counts. It reads a group code with strtol() and keeps it as an
  // unsigned int, so "90,", " +090" and 2^32 + 90 are all code 90. Its line pairing can differ
  // from any we would guess, so every line that dxflib could read as code 90 is checked, for
  // both buffer sizes that an off-by-one in that reading could mean.
  for (const std::size_t chunk : {std::size_t{DL_DXF_MAXLINE} - 1, std::size_t{DL_DXF_MAXLINE}}) {
    std::vector<std::string> lines;
    std::vector<int> line_numbers;
    int number = 1;
    for (std::size_t pos = 0; pos < bytes.size();) {
      const std::size_t nl = bytes.find('\n', pos);
      const std::size_t stop = std::min({nl == std::string::npos ? bytes.size() : nl + 1, pos + chunk, bytes.size()});
      std::string l = bytes.substr(pos, stop - pos);
      l = l.substr(0, l.find('\0'));
      lines.push_back(std::move(l));
      line_numbers.push_back(number);
      if (stop > 0 && bytes[stop - 1] == '\n') ++number;
      pos = stop;
    }
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      if (static_cast<unsigned>(static_cast<int>(std::strtol(lines[i].c_str(), nullptr, 10))) != 90u) continue;
      const std::string& v = lines[i + 1];
      char* end = nullptr;
      errno = 0;
      const long long count = std::strtoll(v.c_str(), &end, 10);
      if (end == v.c_str()) continue;  // no number: dxflib reads 0
      if (errno == ERANGE || count < 0 || count > size) {
        std::string shown = v.substr(0, v.find_last_not_of(" \t\r\n") + 1).substr(0, 20);
        for (char& c : shown)
          if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
        throw InputError({file.string(), line_numbers[i + 1], 1}, "",
                         "LWPOLYLINE vertex count (group code 90) '" + shown +
                             "' is not a whole number from 0 to what the file can hold; export the file again");
      }
    }
  }
}

}  // namespace

Venue read_dxf_venue(const std::filesystem::path& file, const VenueOptions& options) {
  check_lwpolyline_counts(file);
  return DxfVenueReader(file, options).read();
}

}  // namespace crowdsafe::detail
