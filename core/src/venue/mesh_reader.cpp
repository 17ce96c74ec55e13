// Walkable-surface meshes (OBJ, OFF, PLY, STL) -> Venue. The only translation unit that
// includes CGAL: CGAL reads the polygon soup, everything after that (welding, triangulation,
// walkable faces, plan-view outline, stairs, checks) is plain code below.
//
// Pipeline of read_mesh_venue():
//   read soup (CGAL) -> OBJ groups -> unit + up axis -> weld -> triangulate -> orient
//   -> checks (degenerate, non-manifold, flipped, overlaps, pieces, size) -> outline in plan
//   -> regions from groups -> stairs (tagged or detected) -> Surface.
// docs/venue-meshes.md describes the rules and every message.

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <CGAL/Simple_cartesian.h>
#include <CGAL/IO/OBJ.h>
#include <CGAL/IO/OFF.h>
#include <CGAL/IO/PLY.h>
#include <CGAL/IO/STL.h>

#include "levels.hpp"
#include "readers.hpp"
#include "union_find.hpp"

namespace crowdsafe::detail {
namespace {

using CgalPoint = CGAL::Simple_cartesian<double>::Point_3;
using Face = std::vector<std::size_t>;

/// |n_z| below this: a wall or a stair riser (steeper than ~78°), not walkable.
constexpr double kWalkableMinNz = 0.2;
/// |n_z| at or above this (slope under ~5°): a flat face that may be a stair tread.
constexpr double kFlatMinNz = 0.996;
/// A stair riser is a vertical face whose own height lies in this range, m.
constexpr double kRiserMinHeight = 0.10;
constexpr double kRiserMaxHeight = 0.25;
/// A flat patch between an up-riser and a down-riser is a tread when no deeper than this, m.
constexpr double kTreadMaxDepth = 0.5;
/// Overlapping walkable faces further apart than this in height are separate levels, m.
constexpr double kLevelHeight = 2.0;
/// Walkable faces steeper than this grade (rise/run) are ramps: like stairs they may lead from
/// one level to another.
constexpr double kRampMinGrade = 0.04;
/// Plan extents outside [kMinExtent, kMaxExtent] suggest a wrong unit, m.
constexpr double kMinExtent = 1.0;
constexpr double kMaxExtent = 10000.0;
/// Vertices closer than this in plan view are one plan vertex (stair risers collapse), m.
constexpr double kPlanWeld = 1e-6;
/// Overlaps shallower than this count as touching, m.
constexpr double kOverlapSlack = 1e-6;
/// Problems of one kind reported before summarising the rest.
constexpr std::size_t kMaxReports = 10;

struct Triangle {
  std::array<std::uint32_t, 3> v;
  std::size_t face;  ///< index of the file face it came from
};

struct Group {
  std::string name;
  int line = 0;
  std::optional<RegionRole> role;
};

// ---------------------------------------------------------------------------------------------
// Small geometry helpers

Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Vec3 cross3(Vec3 a, Vec3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
double norm3(Vec3 a) { return std::sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }
Vec2 plan(Vec3 a) { return {a.x, a.y}; }

std::string fmt(double v, int digits = 2) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

struct CellKey {
  std::int64_t x, y, z;
  bool operator==(const CellKey&) const = default;
};
struct CellHash {
  std::size_t operator()(const CellKey& k) const {
    return static_cast<std::size_t>(k.x * 73856093LL ^ k.y * 19349663LL ^ k.z * 83492791LL);
  }
};

// For each point, the first point within `tol` of it (transitively); tol == 0 merges only
// identical points. Grid hashing keeps it near-linear.
std::vector<std::size_t> cluster_points(const std::vector<Vec3>& pts, double tol) {
  UnionFind uf(pts.size());
  const double cell = tol > 0.0 ? tol : 1.0;
  // Cell indices are clamped so huge (finite) coordinates neither overflow the conversion nor the
  // hash; clamping is monotonic, so points within `tol` still land in neighbouring cells.
  auto index = [&](double v) {
    constexpr double kMaxCell = 1 << 30;
    return static_cast<std::int64_t>(std::clamp(std::floor(v / cell), -kMaxCell, kMaxCell));
  };
  auto key = [&](Vec3 p) { return CellKey{index(p.x), index(p.y), index(p.z)}; };
  std::unordered_map<CellKey, std::vector<std::size_t>, CellHash> grid;
  grid.reserve(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const CellKey k = key(pts[i]);
    for (std::int64_t dx = -1; dx <= 1; ++dx)
      for (std::int64_t dy = -1; dy <= 1; ++dy)
        for (std::int64_t dz = -1; dz <= 1; ++dz) {
          auto it = grid.find({k.x + dx, k.y + dy, k.z + dz});
          if (it == grid.end()) continue;
          for (std::size_t j : it->second) {
            const Vec3 d = pts[i] - pts[j];
            const bool close = tol > 0.0 ? d.x * d.x + d.y * d.y + d.z * d.z <= tol * tol
                                         : (d.x == 0.0 && d.y == 0.0 && d.z == 0.0);
            if (close) uf.unite(i, j);
          }
        }
    grid[k].push_back(i);
  }
  std::vector<std::size_t> rep(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) rep[i] = uf.find(i);
  return rep;
}

// ---------------------------------------------------------------------------------------------
// Reading

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char* format_name(const std::string& ext) {
  if (ext == ".obj") return "Wavefront OBJ";
  if (ext == ".off") return "OFF";
  if (ext == ".ply") return "PLY";
  return "STL";
}

// A binary STL announces its triangle count; a file of another size is truncated or corrupt.
// Returns the problem text, or nothing for ASCII STL and consistent binary files.
std::optional<std::string> check_binary_stl_size(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(84, '\0');
  in.read(head.data(), 84);
  const auto got = static_cast<std::size_t>(in.gcount());
  const std::size_t first = head.find_first_not_of(" \t\r\n");
  if (got >= 5 && first != std::string::npos && head.compare(first, 5, "solid") == 0) return std::nullopt;
  const auto size = std::filesystem::file_size(file);
  if (got < 84)
    return "binary STL is truncated: " + std::to_string(size) +
           " bytes, shorter than the 84-byte header; export the file again";
  std::uint32_t n = 0;
  for (int b = 3; b >= 0; --b) n = (n << 8) | static_cast<unsigned char>(head[80 + b]);
  const std::uintmax_t expected = 84 + 50 * static_cast<std::uintmax_t>(n);
  if (size == expected) return std::nullopt;
  return "binary STL is truncated or corrupt: its header announces " + std::to_string(n) + " triangles (" +
         std::to_string(expected) + " bytes) but the file has " + std::to_string(size) +
         " bytes; export the file again";
}

// CGAL 5.5's PLY and OFF readers trust their input in ways that are undefined behaviour or
// unbounded allocations on a corrupt file (found by fuzz/fuzz_ply and fuzz/fuzz_off; see
// docs/reliability.md). These checks refuse such files before CGAL sees them. They return the
// problem text, or nothing when the file may go to CGAL (which then judges everything else).

// PLY header: everything CGAL's reader assumes without checking. A `property` before any
// `element` (CGAL calls back() on its empty element list); an element count larger than the
// file could hold; a list length that is not an unsigned 8- or 16-bit integer (CGAL resizes a
// vector to it unchecked: a negative or 32-bit length is an allocation of gigabytes); and vertex,
// face or halfedge properties that CGAL reads with a type other than the file's (a null pointer
// dereference): x, y, z must be float or double; the colour channels CGAL picks must be uchar;
// halfedge source and target must be uint.
std::optional<std::string> check_ply_header(const std::filesystem::path& file) {
  struct Property {
    std::string type;  // scalar type, or the index type of a list
    bool list = false;
  };
  struct Element {
    std::string name;
    std::map<std::string, Property> properties;  // first property of each name, as CGAL looks up
  };
  static const std::set<std::string> kTypes{"char",  "int8",  "uchar", "uint8", "short", "int16",   "ushort",
                                            "uint16", "int",  "int32", "uint",  "uint32", "float", "float32",
                                            "double", "float64"};
  std::ifstream in(file, std::ios::binary);
  const auto size = std::filesystem::file_size(file);
  std::vector<Element> elements;
  std::string line;
  int number = 0;
  auto at = [&] { return "PLY header line " + std::to_string(number) + ": "; };
  while (std::getline(in, line)) {
    if (++number <= 2) continue;  // signature and format, which CGAL checks
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword)) continue;
    if (keyword == "end_header") break;
    if (keyword == "element") {
      std::string name, count;
      words >> name >> count;
      if (!count.empty() && (count[0] == '-' || std::strtod(count.c_str(), nullptr) > static_cast<double>(size)))
        return at() + "element '" + name + "' announces " + count + " entries, more than a file of " +
               std::to_string(size) + " bytes can hold; export the file again";
      elements.push_back({name, {}});
    } else if (keyword == "property") {
      if (elements.empty()) return at() + "'property' comes before any 'element'; export the file again";
      std::string type, name;
      words >> type >> name;
      Property p{type};
      if (type == "list") {
        const std::string length_type = name;
        words >> p.type >> name;
        p.list = true;
        if (!kTypes.count(p.type)) continue;  // CGAL ignores properties of unknown types
        if (length_type != "uchar" && length_type != "uint8" && length_type != "ushort" && length_type != "uint16")
          return at() + "list '" + name + "' has lengths of type '" + length_type +
                 "'; crowdsafe reads list lengths of type uchar or ushort only (export with 8-bit list lengths, as "
                 "'property list uchar int vertex_indices')";
      } else if (!kTypes.count(type)) {
        continue;
      }
      elements.back().properties.emplace(name, p);
    }
  }
  for (const Element& e : elements) {
    auto find = [&](const char* name) -> const Property* {
      const auto it = e.properties.find(name);
      return it == e.properties.end() ? nullptr : &it->second;
    };
    auto must_be = [&](const char* name, std::initializer_list<const char*> types) -> std::optional<std::string> {
      const Property* p = find(name);
      if (!p) return std::nullopt;
      if (!p->list)
        for (const char* t : types)
          if (p->type == t) return std::nullopt;
      std::string list;
      for (const char* t : types) list += (list.empty() ? "" : " or ") + std::string(t);
      return "PLY header: property '" + std::string(name) + "' of element '" + e.name + "' is " +
             (p->list ? "a list" : "of type " + p->type) + "; it must be " + list;
    };
    auto is_uchar = [&](const char* name) {
      const Property* p = find(name);
      return p && !p->list && (p->type == "uchar" || p->type == "uint8");
    };
    const bool vertex = e.name == "vertex" || e.name == "vertices";
    if (vertex)
      for (const char* axis : {"x", "y", "z"})
        if (auto why = must_be(axis, {"float", "float32", "double", "float64"})) return why;
    if ((vertex || e.name == "face" || e.name == "faces") && (is_uchar("red") || is_uchar("r")) &&
        (is_uchar("green") || is_uchar("g")) && (is_uchar("blue") || is_uchar("b"))) {
      static constexpr std::array<const char*, 3> kLong{"red", "green", "blue"}, kShort{"r", "g", "b"};
      for (const char* channel : is_uchar("red") ? kLong : kShort)
        if (auto why = must_be(channel, {"uchar", "uint8"})) return why;
    }
    if (e.name == "halfedge")
      for (const char* end : {"source", "target"})
        if (auto why = must_be(end, {"uint", "uint32"})) return why;
  }
  return std::nullopt;
}

// ASCII OFF, read line by line as CGAL's scanner does (blank and #-comment lines skipped, the
// rest of a line after # ignored). Refused: counts that are not three numbers on one line or are
// larger than the file could hold (CGAL allocates them up front); texture coordinates (STOFF:
// CGAL indexes them unchecked); a vertex line with fewer numbers than the keyword asks for; in
// COFF, colour entries other than 0, 1, 3 or 4 or not the same on every vertex line, or on every
// face line (CGAL reads three colour numbers past the end of a shorter line); and face lines
// whose vertex count or indices are negative, not finite or beyond the line (CGAL converts them
// to std::size_t unchecked). Binary OFF and nOFF go to CGAL unchecked.
std::optional<std::string> check_ascii_off(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const auto size = static_cast<double>(std::filesystem::file_size(file));
  std::string line;
  int number = 0;
  std::vector<double> values;
  // The numbers of the next line that is neither blank nor a comment; false at the end.
  auto next_line = [&](std::string* first_word) {
    while (std::getline(in, line)) {
      ++number;
      line = line.substr(0, line.find('#'));
      std::istringstream words(line);
      std::string probe;
      if (!(words >> probe)) continue;
      words.clear();
      words.str(line);
      if (first_word) words >> *first_word;
      values.clear();
      for (double v; words >> v;) values.push_back(v);
      return true;
    }
    return false;
  };
  auto problem = [&](const std::string& what) {
    return std::optional<std::string>("OFF line " + std::to_string(number) + ": " + what + "; export the file again");
  };
  // The header, in the one layout this check can follow exactly as CGAL does: a line with the
  // keyword ([ST][C][N][4]OFF) alone or followed by the three counts, or by BINARY; the counts,
  // three whole numbers, alone on the next line. CGAL parses anything else by characters across
  // lines (a keyword cut short by a control character, counts spread over lines), so it is
  // refused rather than guessed at.
  std::string keyword;
  if (!next_line(&keyword)) return std::nullopt;
  auto tokens = [&] {
    std::istringstream words(line);
    std::vector<std::string> t;
    for (std::string w; words >> w;) t.push_back(w);
    return t;
  };
  auto whole_numbers = [](const std::vector<std::string>& t, std::size_t from) {
    if (t.size() != from + 3) return false;
    for (std::size_t i = from; i < t.size(); ++i)
      if (t[i].empty() || t[i].size() > 12 ||
          !std::all_of(t[i].begin(), t[i].end(), [](unsigned char c) { return std::isdigit(c); }))
        return false;
    return true;
  };
  auto printable = [](std::string text) {
    for (char& c : text)
      if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    return text;
  };
  static const std::regex kKeyword("(ST)?C?N?4?OFF");
  if (!std::regex_match(keyword, kKeyword))
    return problem("the file must start with the keyword OFF (or COFF, NOFF, 4OFF, ...) on a line of its own or "
                   "followed by the counts; this one starts with '" + printable(keyword.substr(0, 20)) + "'");
  auto header = tokens();
  if (header.size() >= 2 && header[1] == "BINARY") return std::nullopt;
  const std::string prefix = keyword.substr(0, keyword.size() - 3);
  if (prefix.find("ST") != std::string::npos) return problem("texture coordinates (STOFF) are not supported");
  const bool colours = prefix.find('C') != std::string::npos;
  const std::size_t h = prefix.find('4') != std::string::npos ? 1 : 0;
  const std::size_t per_vertex = 3 + h + (prefix.find('N') != std::string::npos ? 3 + h : 0);
  bool counts_ok = whole_numbers(header, 1);
  if (header.size() == 1) counts_ok = next_line(nullptr) && whole_numbers(tokens(), 0);
  if (!counts_ok)
    return problem("the header needs the vertex, face and edge counts, three whole numbers on one line");
  const double vertices = values[0], faces = values[1];
  if (!(vertices >= 0 && vertices <= size / 2 && faces >= 0 && faces <= size / 2)) {
    std::ostringstream why;
    why << "the header announces " << vertices << " vertices and " << faces << " faces, more than a file of "
        << static_cast<std::uintmax_t>(size) << " bytes can hold";
    return problem(why.str());
  }
  const std::size_t kNotYet = std::numeric_limits<std::size_t>::max();
  auto colour_entries_ok = [&](std::size_t extra, std::size_t& first_seen) {
    if (!colours) return true;
    if (extra != 0 && extra != 1 && extra != 3 && extra != 4) return false;
    if (first_seen == kNotYet) first_seen = extra;
    return extra == first_seen;
  };
  std::size_t vertex_colours = kNotYet, face_colours = kNotYet;
  for (double v = 0; v < vertices; ++v) {
    if (!next_line(nullptr)) return problem("the file ends before the vertices the header announces");
    if (values.size() < per_vertex)
      return problem("a vertex needs " + std::to_string(per_vertex) + " numbers, this line has " +
                     std::to_string(values.size()));
    if (!colour_entries_ok(values.size() - per_vertex, vertex_colours))
      return problem("the colour after the vertex must be 1, 3 or 4 numbers, the same on every vertex line");
  }
  for (double f = 0; f < faces; ++f) {
    if (!next_line(nullptr)) return problem("the file ends before the faces the header announces");
    const double n = values.empty() ? -1 : values[0];
    bool ok = std::isfinite(n) && n >= 0 && n <= static_cast<double>(values.size() - 1);
    for (std::size_t k = 1; ok && k <= static_cast<std::size_t>(n); ++k)
      ok = std::isfinite(values[k]) && values[k] >= 0 && values[k] < 9.0e15;
    if (!ok)
      return problem("a face needs its vertex count and then that many vertex indices, each a whole number from 0");
    if (!colour_entries_ok(values.size() - 1 - static_cast<std::size_t>(n), face_colours))
      return problem("the colour after the face must be 1, 3 or 4 numbers, the same on every face line");
  }
  return std::nullopt;
}

bool read_soup(const std::filesystem::path& file, const std::string& ext, std::vector<CgalPoint>& pts,
               std::vector<Face>& faces) {
  const std::string name = file.string();
  const auto np = CGAL::parameters::verbose(false);
  if (ext == ".obj") return CGAL::IO::read_OBJ(name, pts, faces, np);
  if (ext == ".off") return CGAL::IO::read_OFF(name, pts, faces, np);
  if (ext == ".ply") return CGAL::IO::read_PLY(name, pts, faces, np);
  return CGAL::IO::read_STL(name, pts, faces, np);
}

std::optional<RegionRole> role_of(const std::string& group) {
  static const std::pair<const char*, RegionRole> kPrefixes[] = {
      {"exit", RegionRole::Exit},         {"destination", RegionRole::Destination},
      {"source", RegionRole::Source},     {"gate", RegionRole::Gate},
      {"waiting", RegionRole::WaitingArea}, {"measurement", RegionRole::MeasurementLine},
      {"stairs", RegionRole::Stairs},
  };
  const std::string g = lower(group);
  for (const auto& [prefix, role] : kPrefixes) {
    const std::size_t n = std::char_traits<char>::length(prefix);
    if (g.compare(0, n, prefix) == 0 && (g.size() == n || g[n] == '-' || g[n] == '_')) return role;
  }
  return std::nullopt;
}

// OBJ groups and objects: CGAL reads one polygon per `f` line in file order, so the i-th `f`
// line is face i. Returns the group index per face (-1: none) and the line of each face.
void scan_obj(const std::filesystem::path& file, std::vector<Group>& groups, std::vector<int>& face_group,
              std::vector<int>& face_line) {
  std::ifstream in(file);
  std::string text;
  int line_no = 0;
  int current = -1;
  std::map<std::string, int> index;
  while (std::getline(in, text)) {
    ++line_no;
    std::istringstream ss(text);
    std::string key;
    if (!(ss >> key)) continue;
    if (key == "f") {
      face_group.push_back(current);
      face_line.push_back(line_no);
    } else if (key == "g" || key == "o") {
      // `g a b` puts the faces in several groups; the first name with a role wins.
      std::vector<std::string> names;
      for (std::string n; ss >> n;) names.push_back(n);
      if (names.empty()) {
        current = -1;
        continue;
      }
      std::string chosen = names.front();
      for (const auto& n : names)
        if (role_of(n)) {
          chosen = n;
          break;
        }
      auto [it, inserted] = index.emplace(chosen, static_cast<int>(groups.size()));
      if (inserted) groups.push_back({chosen, line_no, role_of(chosen)});
      current = it->second;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Triangulation of polygon faces by ear clipping in the face's dominant plane. Triangles keep the
// face's winding. Returns false when the polygon has no ear left (self-intersecting polygon).

bool triangulate(const std::vector<Vec3>& pts, const Face& face, std::vector<std::array<std::size_t, 3>>& out) {
  if (face.size() == 3) {
    out.push_back({face[0], face[1], face[2]});
    return true;
  }
  // Newell normal picks the projection plane.
  Vec3 n;
  for (std::size_t i = 0; i < face.size(); ++i) {
    const Vec3 a = pts[face[i]], b = pts[face[(i + 1) % face.size()]];
    n.x += (a.y - b.y) * (a.z + b.z);
    n.y += (a.z - b.z) * (a.x + b.x);
    n.z += (a.x - b.x) * (a.y + b.y);
  }
  const double ax = std::abs(n.x), ay = std::abs(n.y), az = std::abs(n.z);
  auto proj = [&](std::size_t i) -> Vec2 {
    const Vec3 p = pts[i];
    if (az >= ax && az >= ay) return {p.x, p.y};
    if (ax >= ay) return {p.y, p.z};
    return {p.z, p.x};
  };
  std::vector<std::size_t> ring = face;
  std::vector<Vec2> q;
  for (std::size_t i : ring) q.push_back(proj(i));
  const double sign = signed_area(q) >= 0.0 ? 1.0 : -1.0;
  double scale = 0.0;
  for (std::size_t i = 0; i + 1 < q.size(); ++i) scale = std::max(scale, norm2(q[i + 1] - q[i]));
  const double eps = 1e-12 * scale;

  auto inside = [&](Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
    return sign * cross(b - a, p - a) >= -eps && sign * cross(c - b, p - b) >= -eps && sign * cross(a - c, p - c) >= -eps;
  };
  while (ring.size() > 3) {
    const std::size_t m = ring.size();
    bool clipped = false;
    for (std::size_t i = 0; i < m && !clipped; ++i) {
      const std::size_t ip = (i + m - 1) % m, in = (i + 1) % m;
      const Vec2 a = q[ip], b = q[i], c = q[in];
      if (sign * cross(b - a, c - b) <= eps) continue;  // reflex or collinear tip
      bool ear = true;
      for (std::size_t j = 0; j < m && ear; ++j) {
        if (j == ip || j == i || j == in) continue;
        if (q[j] == a || q[j] == b || q[j] == c) continue;
        if (inside(q[j], a, b, c)) ear = false;
      }
      if (!ear) continue;
      out.push_back({ring[ip], ring[i], ring[in]});
      ring.erase(ring.begin() + static_cast<std::ptrdiff_t>(i));
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
      clipped = true;
    }
    if (clipped) continue;
    // No strict ear: drop a collinear vertex (a zero-area sliver) if there is one.
    bool dropped = false;
    for (std::size_t i = 0; i < m && !dropped; ++i) {
      const Vec2 a = q[(i + m - 1) % m], b = q[i], c = q[(i + 1) % m];
      if (std::abs(cross(b - a, c - b)) <= eps) {
        ring.erase(ring.begin() + static_cast<std::ptrdiff_t>(i));
        q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
        dropped = true;
      }
    }
    if (!dropped) return false;
  }
  if (std::abs(cross(q[1] - q[0], q[2] - q[1])) > eps) out.push_back({ring[0], ring[1], ring[2]});
  return true;
}

// ---------------------------------------------------------------------------------------------
// Plan-view outline of a set of triangles: edges used by exactly one triangle, chained into rings
// that keep the surface on their left (outer rings counter-clockwise, holes clockwise).

std::vector<Polygon> outline(const std::vector<Vec2>& pv, const std::vector<std::array<std::size_t, 3>>& tris) {
  std::map<std::pair<std::size_t, std::size_t>, int> uses;  // undirected edge -> count
  for (const auto& t : tris)
    for (int k = 0; k < 3; ++k) {
      const std::size_t a = t[k], b = t[(k + 1) % 3];
      ++uses[{std::min(a, b), std::max(a, b)}];
    }
  std::unordered_map<std::size_t, std::vector<std::size_t>> out_edges;  // vertex -> edge ids
  std::vector<std::pair<std::size_t, std::size_t>> edges;
  for (const auto& t : tris)
    for (int k = 0; k < 3; ++k) {
      const std::size_t a = t[k], b = t[(k + 1) % 3];
      if (uses[{std::min(a, b), std::max(a, b)}] != 1) continue;
      out_edges[a].push_back(edges.size());
      edges.emplace_back(a, b);
    }
  std::vector<bool> used(edges.size(), false);
  std::vector<Ring> outers, holes;
  for (std::size_t e0 = 0; e0 < edges.size(); ++e0) {
    if (used[e0]) continue;
    Ring ring;
    std::size_t e = e0;
    while (true) {
      used[e] = true;
      const auto [a, b] = edges[e];
      ring.push_back(pv[a]);
      if (b == edges[e0].first) break;
      // At a vertex with several ways on, take the sharpest left turn: rings stay tight and
      // pieces touching at a corner come out as separate rings.
      const Vec2 d = pv[b] - pv[a];
      std::optional<std::size_t> next;
      double best = -10.0;
      for (std::size_t f : out_edges[b]) {
        if (used[f]) continue;
        const Vec2 o = pv[edges[f].second] - pv[b];
        const double turn = std::atan2(cross(d, o), dot(d, o));
        if (turn > best) {
          best = turn;
          next = f;
        }
      }
      if (!next) break;  // open chain: only with inconsistent input that is reported anyway
      e = *next;
    }
    // Drop vertices on straight runs so walls are single segments.
    Ring simple;
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Vec2 a = ring[(i + n - 1) % n], b = ring[i], c = ring[(i + 1) % n];
      if (std::abs(cross(b - a, c - b)) > 1e-9 * norm(b - a) * norm(c - b) || dot(b - a, c - b) < 0.0)
        simple.push_back(b);
    }
    if (simple.size() < 3) continue;
    const double a = signed_area(simple);
    if (std::abs(a) < 1e-9) continue;
    (a > 0.0 ? outers : holes).push_back(std::move(simple));
  }
  std::vector<Polygon> polys;
  for (auto& r : outers) polys.push_back({std::move(r), {}});
  // Each hole belongs to the smallest outer ring around a point just inside the hole.
  for (auto& h : holes) {
    const Vec2 mid = (h[0] + h[1]) * 0.5;
    const Vec2 p = mid - perp(normalized(h[1] - h[0])) * 1e-7;  // right of a hole edge = in the hole
    Polygon* best = nullptr;
    for (auto& poly : polys)
      if (contains(poly.outer, p) && (!best || signed_area(poly.outer) < signed_area(best->outer))) best = &poly;
    if (best) best->holes.push_back(std::move(h));
  }
  return polys;
}

// Separating-axis test: do two plan triangles overlap by more than kOverlapSlack?
bool overlap(const std::array<Vec2, 3>& a, const std::array<Vec2, 3>& b) {
  for (const auto* t : {&a, &b})
    for (int k = 0; k < 3; ++k) {
      const Vec2 axis = normalized(perp((*t)[(k + 1) % 3] - (*t)[k]));
      double amin = 1e300, amax = -1e300, bmin = 1e300, bmax = -1e300;
      for (int i = 0; i < 3; ++i) {
        amin = std::min(amin, dot(a[i], axis));
        amax = std::max(amax, dot(a[i], axis));
        bmin = std::min(bmin, dot(b[i], axis));
        bmax = std::max(bmax, dot(b[i], axis));
      }
      if (std::min(amax, bmax) - std::max(amin, bmin) <= kOverlapSlack) return false;
    }
  return true;
}

// Collects problems of one kind, keeping the first kMaxReports and counting the rest.
struct Capped {
  ProblemList& list;
  std::string what;
  std::size_t count = 0;
  SourceLocation where;
  void add(SourceLocation loc, std::string field, std::string message) {
    if (count++ < kMaxReports) list.add(std::move(loc), std::move(field), std::move(message));
  }
  ~Capped() {
    if (count > kMaxReports)
      list.add(where, "", "... and " + std::to_string(count - kMaxReports) + " more " + what);
  }
};

}  // namespace

// Axis mapping for y-up files (Blender, Maya, glTF-style exports): file (x, y, z) -> (x, -z, y),
// a +90° rotation about x. It is right-handed (determinant +1), so face windings and normals
// stay valid, the file's up (+y) becomes +z and the plan view is (x, -z) of the file.
Venue read_mesh_venue(const std::filesystem::path& file, const VenueOptions& options) {
  const std::string fname = file.string();
  const std::string ext = lower(file.extension().string());
  const SourceLocation at_file{fname};
  ProblemList problems;

  // --- read -----------------------------------------------------------------------------------
  if (ext == ".stl")
    if (auto why = check_binary_stl_size(file)) throw InputError(at_file, "", *why);
  if (ext == ".ply")
    if (auto why = check_ply_header(file)) throw InputError(at_file, "", *why);
  if (ext == ".off")
    if (auto why = check_ascii_off(file)) throw InputError(at_file, "", *why);
  std::vector<CgalPoint> cgal_pts;
  std::vector<Face> faces;
  if (!read_soup(file, ext, cgal_pts, faces))
    throw InputError(at_file, "",
                     std::string("cannot be read as ") + format_name(ext) +
                         ": the file is malformed or truncated; check that it is a valid " + format_name(ext) +
                         " file (export it again from the modelling tool)");
  if (faces.empty() || cgal_pts.empty())
    throw InputError(at_file, "", std::string("has no faces; a venue mesh needs the walkable surface as faces"));

  std::vector<Group> groups;
  std::vector<int> face_group, face_line;
  if (ext == ".obj") {
    scan_obj(file, groups, face_group, face_line);
    if (face_group.size() != faces.size()) {  // cannot happen with CGAL's reader; stay safe
      face_group.assign(faces.size(), -1);
      face_line.clear();
    }
  }
  auto face_at = [&](std::size_t f) {
    return f < face_line.size() ? SourceLocation{fname, face_line[f]} : at_file;
  };
  auto face_field = [](std::size_t f) { return "faces[" + std::to_string(f) + "]"; };

  // --- unit and up axis -------------------------------------------------------------------------
  const double s = metres_per_unit(options.unit);
  std::vector<Vec3> pts(cgal_pts.size());
  for (std::size_t i = 0; i < cgal_pts.size(); ++i) {
    const CgalPoint& p = cgal_pts[i];
    pts[i] = options.up == UpAxis::Y ? Vec3{p.x() * s, -p.z() * s, p.y() * s} : Vec3{p.x() * s, p.y() * s, p.z() * s};
    if (!std::isfinite(pts[i].x) || !std::isfinite(pts[i].y) || !std::isfinite(pts[i].z))
      problems.add(at_file, "vertices[" + std::to_string(i) + "]", "coordinate is not a finite number; fix or delete the vertex");
  }
  for (std::size_t f = 0; f < faces.size(); ++f)
    for (std::size_t v : faces[f])
      if (v >= pts.size()) {
        problems.add(face_at(f), face_field(f),
                     "refers to vertex " + std::to_string(v) + " but the file has " + std::to_string(pts.size()) +
                         " vertices; fix the face's vertex indices");
        faces[f].clear();
        break;
      }
  problems.throw_if_any();

  // --- weld -------------------------------------------------------------------------------------
  // Identical points are always one vertex (exporters split vertices at normal and UV seams);
  // points merely close are merged only when weld_tolerance_m asks for it.
  const std::vector<std::size_t> rep = cluster_points(pts, std::max(0.0, options.weld_tolerance_m));
  for (auto& face : faces) {
    Face merged;
    for (std::size_t v : face)
      if (merged.empty() || merged.back() != rep[v]) merged.push_back(rep[v]);
    while (merged.size() > 1 && merged.front() == merged.back()) merged.pop_back();
    face = std::move(merged);
  }

  // --- triangulate; degenerate faces ------------------------------------------------------------
  std::vector<Triangle> tris;
  {
    Capped degenerate{problems, "degenerate faces", 0, at_file};
    for (std::size_t f = 0; f < faces.size(); ++f) {
      const Face& face = faces[f];
      std::vector<std::array<std::size_t, 3>> out;
      bool ok = face.size() >= 3 && triangulate(pts, face, out);
      if (face.size() >= 3 && !ok) {
        problems.add(face_at(f), face_field(f), "polygon face crosses itself; split it into simple polygons or triangles");
        continue;
      }
      double face_area = 0.0, longest = 0.0;
      for (const auto& t : out) {
        face_area += 0.5 * norm3(cross3(pts[t[1]] - pts[t[0]], pts[t[2]] - pts[t[0]]));
        for (int k = 0; k < 3; ++k) longest = std::max(longest, norm3(pts[t[(k + 1) % 3]] - pts[t[k]]));
      }
      if (face.size() < 3 || out.empty() || face_area <= 1e-9 * longest * longest || face_area < 1e-12) {
        degenerate.add(face_at(f), face_field(f),
                       "degenerate face (zero area: its vertices coincide or lie on a line); delete it or merge its vertices");
        continue;
      }
      for (const auto& t : out)
        tris.push_back({{static_cast<std::uint32_t>(t[0]), static_cast<std::uint32_t>(t[1]), static_cast<std::uint32_t>(t[2])}, f});
    }
  }

  // --- unit plausibility ------------------------------------------------------------------------
  {
    Box box;
    for (const auto& t : tris)
      for (auto v : t.v) box.expand(plan(pts[v]));
    const double extent = tris.empty() ? 0.0 : std::max(box.width(), box.height());
    if (extent > kMaxExtent)
      problems.add(at_file, "unit",
                   "the venue is " + fmt(extent / 1000.0, 1) + " km across in plan view, which suggests the file is drawn in a " +
                       "smaller unit; set unit: cm or unit: mm");
    else if (!tris.empty() && extent < kMinExtent)
      problems.add(at_file, "unit",
                   "the venue is only " + fmt(extent, 3) + " m across in plan view, which suggests the file is drawn in a " +
                       "larger unit; set unit: m (or the unit the file was exported in)");
  }

  // --- non-manifold edges (all faces, walkable or not) -------------------------------------------
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::size_t>> edge_tris;
  for (std::size_t t = 0; t < tris.size(); ++t)
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t a = tris[t].v[k], b = tris[t].v[(k + 1) % 3];
      edge_tris[{std::min(a, b), std::max(a, b)}].push_back(t);
    }
  {
    Capped nonmanifold{problems, "non-manifold edges", 0, at_file};
    for (const auto& [edge, ts] : edge_tris) {
      std::vector<std::size_t> fs;
      for (std::size_t t : ts) fs.push_back(tris[t].face);
      std::sort(fs.begin(), fs.end());
      fs.erase(std::unique(fs.begin(), fs.end()), fs.end());
      if (fs.size() <= 2) continue;
      std::string list;
      for (std::size_t f : fs) list += (list.empty() ? "" : ", ") + face_field(f);
      nonmanifold.add(face_at(fs[0]), "vertices[" + std::to_string(edge.first) + "]-vertices[" + std::to_string(edge.second) + "]",
                      "non-manifold edge shared by " + std::to_string(fs.size()) + " faces (" + list +
                          "); a walkable surface has at most two faces per edge: delete the extra faces or split the surfaces");
    }
  }

  // --- orientation; walkable faces; flipped faces ------------------------------------------------
  std::vector<Vec3> normal(tris.size());
  std::vector<double> tri_area(tris.size());
  for (std::size_t t = 0; t < tris.size(); ++t) {
    const auto& v = tris[t].v;
    const Vec3 c = cross3(pts[v[1]] - pts[v[0]], pts[v[2]] - pts[v[0]]);
    const double len = norm3(c);
    tri_area[t] = 0.5 * len;
    normal[t] = len > 0.0 ? Vec3{c.x / len, c.y / len, c.z / len} : Vec3{};
  }
  // The orientation most of the walkable area agrees on is "up"; a mesh exported with all
  // normals down is read as it is meant.
  double up_area = 0.0, down_area = 0.0;
  for (std::size_t t = 0; t < tris.size(); ++t)
    if (std::abs(normal[t].z) >= kWalkableMinNz) (normal[t].z > 0.0 ? up_area : down_area) += tri_area[t];
  if (down_area > up_area)
    for (std::size_t t = 0; t < tris.size(); ++t) {
      std::swap(tris[t].v[1], tris[t].v[2]);
      normal[t] = {-normal[t].x, -normal[t].y, -normal[t].z};
    }
  std::vector<std::size_t> walk;  // walkable triangle ids
  {
    Capped flipped{problems, "flipped faces", 0, at_file};
    std::size_t last_face = static_cast<std::size_t>(-1);
    for (std::size_t t = 0; t < tris.size(); ++t) {
      if (std::abs(normal[t].z) < kWalkableMinNz) continue;
      if (normal[t].z < 0.0) {
        if (tris[t].face != last_face)
          flipped.add(face_at(tris[t].face), face_field(tris[t].face),
                      "flipped face: its normal points down while the rest of the walkable surface points up; reverse its "
                      "vertex order (recalculate normals outside in the modelling tool), or delete it if it is the underside "
                      "of a solid slab");
        last_face = tris[t].face;
        std::swap(tris[t].v[1], tris[t].v[2]);  // carry on with it the right way up
        normal[t] = {-normal[t].x, -normal[t].y, -normal[t].z};
      }
      walk.push_back(t);
    }
  }
  if (walk.empty() && !tris.empty())
    problems.add(at_file, "up",
                 "no walkable faces: every face is vertical (a wall); if the file was exported with y up, set up_axis: y "
                 "(or up_axis: z if it was set to y)");

  // --- plan view --------------------------------------------------------------------------------
  std::vector<Vec3> flat(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) flat[i] = {pts[i].x, pts[i].y, 0.0};
  const std::vector<std::size_t> plan_id = cluster_points(flat, kPlanWeld);
  std::vector<Vec2> pv(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) pv[i] = plan(pts[plan_id[i]]);
  auto plan_tri = [&](std::size_t t) {
    const auto& v = tris[t].v;
    return std::array<std::size_t, 3>{plan_id[v[0]], plan_id[v[1]], plan_id[v[2]]};
  };

  // Overlapping walkable triangles in plan view: other levels, or a self-intersecting surface.
  std::vector<std::pair<std::size_t, std::size_t>> stacked;  // triangle ids, lower first, storeys apart
  {
    Capped selfx{problems, "self-intersecting face pairs", 0, at_file};
    Box box;
    double edge_sum = 0.0;
    for (std::size_t t : walk)
      for (int k = 0; k < 3; ++k) {
        box.expand(pv[tris[t].v[k]]);
        edge_sum += norm(pv[tris[t].v[(k + 1) % 3]] - pv[tris[t].v[k]]);
      }
    const double cell = std::max(walk.empty() ? 1.0 : edge_sum / (3.0 * walk.size()), 1e-3);
    auto cell_of = [&](double v, double lo) { return static_cast<std::int64_t>(std::floor((v - lo) / cell)); };
    std::unordered_map<CellKey, std::vector<std::size_t>, CellHash> grid;
    std::vector<std::array<Vec2, 3>> tp(tris.size());
    std::vector<Box> tb(tris.size());
    for (std::size_t t : walk) {
      for (int k = 0; k < 3; ++k) {
        tp[t][k] = pv[tris[t].v[k]];
        tb[t].expand(tp[t][k]);
      }
      for (auto x = cell_of(tb[t].min.x, box.min.x); x <= cell_of(tb[t].max.x, box.min.x); ++x)
        for (auto y = cell_of(tb[t].min.y, box.min.y); y <= cell_of(tb[t].max.y, box.min.y); ++y) grid[{x, y, 0}].push_back(t);
    }
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& [key, ts] : grid)
      for (std::size_t i = 0; i < ts.size(); ++i)
        for (std::size_t j = i + 1; j < ts.size(); ++j) {
          const Box& a = tb[ts[i]];
          const Box& b = tb[ts[j]];
          // Test each pair once: in the cell holding the corner of their boxes' intersection.
          if (cell_of(std::max(a.min.x, b.min.x), box.min.x) != key.x || cell_of(std::max(a.min.y, b.min.y), box.min.y) != key.y)
            continue;
          if (std::max(a.min.x, b.min.x) > std::min(a.max.x, b.max.x) || std::max(a.min.y, b.min.y) > std::min(a.max.y, b.max.y))
            continue;
          if (overlap(tp[ts[i]], tp[ts[j]])) pairs.emplace_back(std::min(ts[i], ts[j]), std::max(ts[i], ts[j]));
        }
    for (const auto& [a, b] : pairs) {
      const double za = (pts[tris[a].v[0]].z + pts[tris[a].v[1]].z + pts[tris[a].v[2]].z) / 3.0;
      const double zb = (pts[tris[b].v[0]].z + pts[tris[b].v[1]].z + pts[tris[b].v[2]].z) / 3.0;
      if (std::abs(za - zb) > kLevelHeight) stacked.emplace_back(a, b);
    }
    // One report per pair of file faces, not per pair of their triangles.
    std::sort(pairs.begin(), pairs.end(), [&](const auto& p, const auto& q) {
      return std::pair(tris[p.first].face, tris[p.second].face) < std::pair(tris[q.first].face, tris[q.second].face);
    });
    pairs.erase(std::unique(pairs.begin(), pairs.end(),
                            [&](const auto& p, const auto& q) {
                              return tris[p.first].face == tris[q.first].face && tris[p.second].face == tris[q.second].face;
                            }),
                pairs.end());
    for (const auto& [a, b] : pairs) {
      const double za = (pts[tris[a].v[0]].z + pts[tris[a].v[1]].z + pts[tris[a].v[2]].z) / 3.0;
      const double zb = (pts[tris[b].v[0]].z + pts[tris[b].v[1]].z + pts[tris[b].v[2]].z) / 3.0;
      const std::string both = face_field(tris[a].face) + " and " + face_field(tris[b].face);
      if (std::abs(za - zb) <= kLevelHeight && tris[a].face != tris[b].face)
        selfx.add(face_at(tris[a].face), face_field(tris[a].face),
                  "self-intersecting mesh: " + both + " overlap in plan view; remove the duplicate or folded faces");
    }
  }

  // --- stairs tagged by groups ------------------------------------------------------------------
  std::vector<int> tri_group(tris.size(), -1);
  if (!face_group.empty())
    for (std::size_t t = 0; t < tris.size(); ++t) tri_group[t] = face_group[tris[t].face];
  std::vector<std::uint8_t> is_stairs(tris.size(), 0);
  for (std::size_t t : walk)
    if (tri_group[t] >= 0 && groups[static_cast<std::size_t>(tri_group[t])].role == RegionRole::Stairs) is_stairs[t] = 1;

  // --- stairs detected from risers ------------------------------------------------------------
  // Flat patches: flat walkable triangles joined by shared 3-D edges. Risers: vertical triangles
  // 0.10–0.25 m tall. A patch bordered by a riser going up and one going down and no deeper than
  // kTreadMaxDepth is a tread.
  {
    std::vector<bool> flat_tri(tris.size(), false);
    for (std::size_t t : walk) flat_tri[t] = normal[t].z >= kFlatMinNz;
    UnionFind uf(tris.size());
    for (const auto& [e, ts] : edge_tris)
      for (std::size_t i = 1; i < ts.size(); ++i)
        if (flat_tri[ts[0]] && flat_tri[ts[i]]) uf.unite(ts[0], ts[i]);
    std::unordered_map<std::size_t, std::array<double, 3>> patch;  // root -> area, up length, down length
    for (std::size_t t : walk)
      if (flat_tri[t]) patch[uf.find(t)][0] += tri_area[t];
    for (const auto& [e, ts] : edge_tris) {
      const Vec3 a = pts[e.first], b = pts[e.second];
      if (std::abs(a.z - b.z) > 1e-3) continue;  // risers meet treads along level edges
      for (std::size_t r : ts) {
        if (std::abs(normal[r].z) >= kWalkableMinNz) continue;
        double zmin = 1e300, zmax = -1e300;
        for (auto v : tris[r].v) {
          zmin = std::min(zmin, pts[v].z);
          zmax = std::max(zmax, pts[v].z);
        }
        if (zmax - zmin < kRiserMinHeight || zmax - zmin > kRiserMaxHeight) continue;
        const double len = norm(plan(b) - plan(a));
        for (std::size_t t : ts) {
          if (!flat_tri[t]) continue;
          auto& p = patch[uf.find(t)];
          if (std::abs(a.z - zmin) < 1e-3) p[1] += len;       // a step up from this patch
          else if (std::abs(a.z - zmax) < 1e-3) p[2] += len;  // a step down from this patch
        }
      }
    }
    for (std::size_t t : walk) {
      if (!flat_tri[t]) continue;
      const auto& p = patch[uf.find(t)];
      if (p[1] > 0.0 && p[2] > 0.0 && p[0] / std::max(p[1], p[2]) <= kTreadMaxDepth) is_stairs[t] = 1;
    }
  }

  // --- levels ---------------------------------------------------------------------------------
  // Floors above each other become levels laid out side by side; stairs and ramps join them.
  std::vector<int> level(tris.size(), 0);
  std::vector<Level> levels;
  std::vector<Portal> portals;
  std::vector<std::pair<std::size_t, std::size_t>> across;  // walk indices joined across a seam
  if (!stacked.empty()) {
    std::vector<std::size_t> walk_index(tris.size(), 0);
    std::vector<WalkTriangle> wt;
    for (std::size_t i = 0; i < walk.size(); ++i) {
      const std::size_t t = walk[i];
      walk_index[t] = i;
      const auto p = plan_tri(t);
      const double grade = std::hypot(normal[t].x, normal[t].y) / std::abs(normal[t].z);
      wt.push_back({p, {pts[tris[t].v[0]].z, pts[tris[t].v[1]].z, pts[tris[t].v[2]].z},
                    is_stairs[t] != 0 || grade > kRampMinGrade});
    }
    std::vector<std::pair<std::size_t, std::size_t>> stacked_walk;
    for (const auto& [a, b] : stacked) stacked_walk.emplace_back(walk_index[a], walk_index[b]);
    LevelSplit split = split_levels(wt, pv, stacked_walk);
    Capped conflicts{problems, "overlapping face pairs on one level", 0, at_file};
    std::set<std::pair<std::size_t, std::size_t>> reported;  // file face pairs
    for (const auto& [i, j] : split.conflicts) {
      const std::size_t a = walk[i], b = walk[j];
      if (!reported.insert({tris[a].face, tris[b].face}).second) continue;
      conflicts.add(face_at(tris[a].face), face_field(tris[a].face),
                    "overlapping surfaces: " + face_field(tris[a].face) + " and " + face_field(tris[b].face) +
                        " lie above each other but are joined without stairs or a ramp crowdsafe can separate the "
                        "levels at; put the stair faces in a group named stairs_..., make the ramp steeper than " +
                        fmt(100.0 * kRampMinGrade, 0) + " %, or split the venue into one mesh per level");
    }
    for (std::size_t i = 0; i < walk.size(); ++i) level[walk[i]] = split.level[i];
    across = std::move(split.across);
    levels = std::move(split.levels);
    portals = std::move(split.portals);
  }
  // Plan vertices per level, shifted to the level's place in the layout.
  const std::size_t n_plan = pv.size();
  std::vector<Vec2> layout(n_plan * std::max<std::size_t>(1, levels.size()));
  for (std::size_t l = 0; l < std::max<std::size_t>(1, levels.size()); ++l)
    for (std::size_t v = 0; v < n_plan; ++v) layout[l * n_plan + v] = pv[v] + (levels.empty() ? Vec2{} : levels[l].offset);
  auto layout_tri = [&](std::size_t t) {
    auto p = plan_tri(t);
    for (auto& v : p) v += static_cast<std::size_t>(level[t]) * n_plan;
    return p;
  };

  // Connected pieces: walkable triangles sharing an edge in plan view on one level (stair treads
  // are joined across their risers), or joined across a seam between levels.
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> plan_edges;
  for (std::size_t i = 0; i < walk.size(); ++i) {
    const auto p = layout_tri(walk[i]);
    for (int k = 0; k < 3; ++k) plan_edges[{std::min(p[k], p[(k + 1) % 3]), std::max(p[k], p[(k + 1) % 3])}].push_back(i);
  }
  {
    UnionFind uf(walk.size());
    for (const auto& [e, ws] : plan_edges)
      for (std::size_t i = 1; i < ws.size(); ++i) uf.unite(ws[0], ws[i]);
    for (const auto& [a, b] : across) uf.unite(a, b);
    std::map<std::size_t, std::pair<std::size_t, double>> pieces;  // root -> (triangles, plan area)
    for (std::size_t i = 0; i < walk.size(); ++i) {
      auto& piece = pieces[uf.find(i)];
      ++piece.first;
      piece.second += tri_area[walk[i]] * std::abs(normal[walk[i]].z);
    }
    if (pieces.size() > 1) {
      std::vector<std::tuple<double, std::size_t, std::size_t>> list;  // area, triangles, first face
      for (const auto& [root, piece] : pieces) list.emplace_back(piece.second, piece.first, tris[walk[root]].face);
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
      std::string text;
      for (std::size_t i = 0; i < list.size() && i < kMaxReports; ++i)
        text += (i ? "; " : "") + fmt(std::get<0>(list[i])) + " m² (" + std::to_string(std::get<1>(list[i])) +
                " triangles, from " + face_field(std::get<2>(list[i])) + ")";
      if (list.size() > kMaxReports) text += "; ...";
      problems.add(face_at(std::get<2>(list[1])), "",
                   "disconnected walkable surface: " + std::to_string(list.size()) + " separate pieces: " + text +
                       "; remove the stray pieces or join them to the rest (set weld_tolerance_m to close tiny gaps)");
    }
  }

  // --- groups -> regions ------------------------------------------------------------------------
  Venue venue;
  venue.file = file;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (!groups[g].role) continue;
    std::vector<std::array<std::size_t, 3>> mine;
    for (std::size_t t : walk)
      if (tri_group[t] == static_cast<int>(g)) mine.push_back(layout_tri(t));
    const SourceLocation where{fname, groups[g].line};
    if (mine.empty()) {
      problems.add(where, "g " + groups[g].name,
                   "region group has no walkable faces (only vertical ones, or none); put the region's floor faces in it");
      continue;
    }
    venue.regions.push_back({groups[g].name, *groups[g].role, outline(layout, mine), {}, where});
  }

  problems.throw_if_any();

  // --- output ---------------------------------------------------------------------------------
  {
    std::vector<std::array<std::size_t, 3>> all;
    for (std::size_t t : walk) all.push_back(layout_tri(t));
    venue.walkable = outline(layout, all);
  }
  // A vertex on a seam appears once per level, each copy at its level's place in the layout.
  std::vector<std::int64_t> new_index(pts.size() * std::max<std::size_t>(1, levels.size()), -1);
  for (std::size_t t : walk) {
    std::array<std::uint32_t, 3> tri{};
    const auto l = static_cast<std::size_t>(level[t]);
    const Vec2 off = levels.empty() ? Vec2{} : levels[l].offset;
    for (int k = 0; k < 3; ++k) {
      const std::size_t v = l * pts.size() + tris[t].v[k];
      if (new_index[v] < 0) {
        new_index[v] = static_cast<std::int64_t>(venue.surface.vertices.size());
        const Vec3 p = pts[tris[t].v[k]];
        venue.surface.vertices.push_back({p.x + off.x, p.y + off.y, p.z});
      }
      tri[k] = static_cast<std::uint32_t>(new_index[v]);
    }
    venue.surface.triangles.push_back(tri);
    venue.surface.stairs.push_back(is_stairs[t]);
  }
  venue.levels = std::move(levels);
  venue.portals = std::move(portals);
  return venue;
}

}  // namespace crowdsafe::detail
