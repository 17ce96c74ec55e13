// GeoJSON floor plans: a FeatureCollection in projected coordinates (metres, or options.unit),
// one feature per walkable piece, obstacle or named region, told apart by a `role` property.
// Format and messages: docs/venue-formats.md.

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>

#include "floor_plan.hpp"
#include "readers.hpp"

namespace crowdsafe::detail {
namespace {

// The "type" member as text; a missing or non-text type reads as "" (and is then reported as
// the wrong type, never thrown as a JSON type error).
std::string type_member(const nlohmann::json& j) {
  const auto it = j.is_object() ? j.find("type") : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

using nlohmann::json;

// Roles a feature may have, as written in the file.
const std::vector<std::string>& role_words() {
  static const std::vector<std::string> words = {"walkable", "obstacle",     "exit",
                                                 "destination", "source",   "gate",
                                                 "waiting_area", "measurement_line", "stairs"};
  return words;
}

std::optional<RegionRole> region_role(const std::string& word) {
  if (word == "exit") return RegionRole::Exit;
  if (word == "destination") return RegionRole::Destination;
  if (word == "source") return RegionRole::Source;
  if (word == "gate") return RegionRole::Gate;
  if (word == "waiting_area") return RegionRole::WaitingArea;
  if (word == "measurement_line") return RegionRole::MeasurementLine;
  if (word == "stairs") return RegionRole::Stairs;
  return std::nullopt;
}

bool is_line_role(RegionRole r) { return r == RegionRole::Gate || r == RegionRole::MeasurementLine; }

// 1-based line and column of a byte offset.
SourceLocation location_of(const std::string& file, const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {file, line, static_cast<int>(offset - line_start) + 1};
}

// Byte offsets of the objects in the top-level "features" array. nlohmann::json keeps no
// positions, so this light scan (strings, nesting and keys only) lets messages name a line.
std::vector<std::size_t> feature_offsets(const std::string& text) {
  std::vector<std::size_t> out;
  int depth = 0;
  int features_depth = -1;  // depth inside the features array, once found
  std::string last_string;
  bool last_was_key = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      std::string s;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
        else s += text[i];
      }
      last_string = s;
      last_was_key = false;
      continue;
    }
    if (c == ':') {
      last_was_key = true;
      continue;
    }
    if (c == '{' || c == '[') {
      if (c == '{' && depth == features_depth) out.push_back(i);
      if (c == '[' && depth == 1 && last_was_key && last_string == "features") features_depth = depth + 1;
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth < features_depth) features_depth = -1;
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') last_was_key = false;
  }
  return out;
}

std::string type_of(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "the text \"" + j.get<std::string>() + "\"";
    case json::value_t::boolean: return j.get<bool>() ? "true" : "false";
    default: return "the number " + j.dump();
  }
}

class GeoJsonReader {
 public:
  GeoJsonReader(const std::filesystem::path& file, const VenueOptions& options)
      : file_(file), name_(file.string()), options_(options), scale_(metres_per_unit(options.unit)) {}

  Venue read();

 private:
  json parse(const std::string& text);
  void read_feature(std::size_t index, const json& feature);
  std::optional<Vec2> position(const json& p, const std::string& path);
  std::optional<Ring> ring(const json& r, const std::string& path);
  std::optional<Polygon> polygon(const json& rings, const std::string& path);
  std::optional<std::vector<Polygon>> areas(const json& geometry, const std::string& wanted_for);
  std::optional<std::vector<Vec2>> line(const json& geometry, const std::string& wanted_for);

  void problem(const std::string& message) { problems_.add(where_, element_, message); }

  std::filesystem::path file_;
  std::string name_;
  VenueOptions options_;
  UnitScale scale_;
  std::vector<std::size_t> offsets_;
  std::string text_;
  ProblemList problems_;
  // The feature being read: its location and how messages name it.
  SourceLocation where_;
  std::string element_;
  std::vector<PlanPolygon> walkable_;
  std::vector<PlanPolygon> obstacles_;
  std::vector<Region> regions_;
};

json GeoJsonReader::parse(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based: the last character read, where the syntax broke.
    std::string what = e.what();
    const auto colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    throw InputError(location_of(name_, text, e.byte > 0 ? e.byte - 1 : 0), "",
                     "JSON syntax error: " + what + "; check the file with a JSON validator");
  } catch (const json::out_of_range& e) {
    // 406: a number too large for a double ("1e999"); point at it.
    std::string what = e.what();
    const auto q0 = what.find('\'');
    const auto q1 = q0 == std::string::npos ? q0 : what.find('\'', q0 + 1);
    std::size_t at = 0;
    if (q1 != std::string::npos) at = text.find(what.substr(q0 + 1, q1 - q0 - 1));
    throw InputError(location_of(name_, text, at == std::string::npos ? 0 : at), "",
                     "number " + (q1 != std::string::npos ? what.substr(q0, q1 - q0 + 1) + " " : std::string()) +
                         "is not finite (too large for a double); coordinates must be finite numbers in " +
                         unit_words(options_.unit));
  } catch (const json::exception& e) {
    throw InputError({name_, 0, 0}, "", std::string("cannot read JSON: ") + e.what());
  }
}

std::optional<Vec2> GeoJsonReader::position(const json& p, const std::string& path) {
  if (!p.is_array() || p.size() < 2 || p.size() > 3) {
    problem(path + ": expected a position [x, y] (or [x, y, z]), found " + type_of(p));
    return std::nullopt;
  }
  for (std::size_t k = 0; k < p.size(); ++k)
    if (!p[k].is_number()) {
      problem(path + "[" + std::to_string(k) + "]: expected a number, found " + type_of(p[k]));
      return std::nullopt;
    }
  const Vec2 v = scale_(Vec2{p[0].get<double>(), p[1].get<double>()});
  if (!is_finite(v)) {
    problem(path + ": coordinate " + p.dump() + " is not finite after conversion to metres");
    return std::nullopt;
  }
  return v;
}

std::optional<Ring> GeoJsonReader::ring(const json& r, const std::string& path) {
  if (!r.is_array()) {
    problem(path + ": expected a ring (an array of positions), found " + type_of(r));
    return std::nullopt;
  }
  Ring out;
  bool ok = true;
  for (std::size_t k = 0; k < r.size(); ++k) {
    auto v = position(r[k], path + "[" + std::to_string(k) + "]");
    if (v) out.push_back(*v);
    ok = ok && v;
  }
  if (!ok) return std::nullopt;
  // GeoJSON repeats the first position at the end; the engine's rings do not.
  if (out.size() >= 2 && out.front() == out.back()) out.pop_back();
  if (out.size() < 3) {
    problem(path + ": a ring needs at least 3 distinct positions (4 with the closing one), found " +
            std::to_string(out.size()));
    return std::nullopt;
  }
  return out;
}

std::optional<Polygon> GeoJsonReader::polygon(const json& rings, const std::string& path) {
  if (!rings.is_array() || rings.empty()) {
    problem(path + ": expected an array of rings (outer ring first, then holes), found " + type_of(rings));
    return std::nullopt;
  }
  Polygon p;
  bool ok = true;
  for (std::size_t k = 0; k < rings.size(); ++k) {
    auto r = ring(rings[k], path + "[" + std::to_string(k) + "]");
    ok = ok && r;
    if (!r) continue;
    if (k == 0) p.outer = std::move(*r);
    else p.holes.push_back(std::move(*r));
  }
  if (!ok) return std::nullopt;
  return p;
}

std::optional<std::vector<Polygon>> GeoJsonReader::areas(const json& g, const std::string& wanted_for) {
  const std::string type = type_member(g);
  if (type != "Polygon" && type != "MultiPolygon") {
    problem("geometry is " + (type.empty() ? std::string("missing its type") : "a " + type) + ", but " + wanted_for +
            " needs a Polygon or MultiPolygon");
    return std::nullopt;
  }
  if (!g.contains("coordinates")) {
    problem("geometry has no coordinates");
    return std::nullopt;
  }
  const json& c = g["coordinates"];
  if (type == "Polygon") {
    auto p = polygon(c, "coordinates");
    return p ? std::optional(std::vector<Polygon>{*p}) : std::nullopt;
  }
  if (!c.is_array() || c.empty()) {
    problem("coordinates: expected an array of polygons, found " + type_of(c));
    return std::nullopt;
  }
  std::vector<Polygon> out;
  bool ok = true;
  for (std::size_t k = 0; k < c.size(); ++k) {
    auto p = polygon(c[k], "coordinates[" + std::to_string(k) + "]");
    if (p) out.push_back(std::move(*p));
    ok = ok && p;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<Vec2>> GeoJsonReader::line(const json& g, const std::string& wanted_for) {
  const std::string type = type_member(g);
  if (type != "LineString") {
    problem("geometry is " + (type.empty() ? std::string("missing its type") : "a " + type) + ", but " + wanted_for +
            " needs a LineString");
    return std::nullopt;
  }
  if (!g.contains("coordinates") || !g["coordinates"].is_array()) {
    problem("coordinates: expected an array of positions");
    return std::nullopt;
  }
  std::vector<Vec2> out;
  bool ok = true;
  const json& c = g["coordinates"];
  for (std::size_t k = 0; k < c.size(); ++k) {
    auto v = position(c[k], "coordinates[" + std::to_string(k) + "]");
    if (v && !out.empty() && *v == out.back()) continue;  // repeated point: no segment
    if (v) out.push_back(*v);
    ok = ok && v;
  }
  if (!ok) return std::nullopt;
  if (out.size() < 2) {
    problem("a line needs at least 2 distinct positions, found " + std::to_string(out.size()));
    return std::nullopt;
  }
  return out;
}

void GeoJsonReader::read_feature(std::size_t index, const json& f) {
  where_ = index < offsets_.size() ? location_of(name_, text_, offsets_[index]) : SourceLocation{name_, 0, 0};
  element_ = "features[" + std::to_string(index) + "]";
  if (!f.is_object() || type_member(f) != "Feature") {
    problem("expected a Feature object ({\"type\": \"Feature\", \"properties\": ..., \"geometry\": ...}), found " +
            (f.is_object() ? "an object with type " + (f.contains("type") ? f["type"].dump() : "missing")
                           : type_of(f)));
    return;
  }
  const json props = f.contains("properties") && f["properties"].is_object() ? f["properties"] : json::object();
  std::string name;
  if (props.contains("name")) {
    if (props["name"].is_string()) name = props["name"].get<std::string>();
    else problem("property 'name' must be text, found " + type_of(props["name"]));
  }
  if (!props.contains("role")) {
    if (!name.empty()) element_ += " '" + name + "'";
    std::string all;
    for (const auto& w : role_words()) all += (all.empty() ? "" : ", ") + w;
    problem("missing property 'role'; set \"role\" to one of " + all);
    return;
  }
  if (!props["role"].is_string()) {
    problem("property 'role' must be text, found " + type_of(props["role"]));
    return;
  }
  const std::string role = props["role"].get<std::string>();
  element_ += " (" + role + (name.empty() ? std::string() : " '" + name + "'") + ")";
  const auto& words = role_words();
  if (std::find(words.begin(), words.end(), role) == words.end()) {
    problem("unknown role '" + role + "'" + did_you_mean(role, words));
    return;
  }
  const std::optional<RegionRole> rr = region_role(role);
  if (rr && name.empty() && !(props.contains("name") && !props["name"].is_string())) {
    problem("missing property 'name'; every " + role + " needs a name that scenarios can refer to");
    return;
  }
  if (!f.contains("geometry") || !f["geometry"].is_object()) {
    problem("missing geometry; expected a " + std::string(rr && is_line_role(*rr) ? "LineString" : "Polygon") +
            " object");
    return;
  }
  const json& g = f["geometry"];
  const std::string wanted_for = "role '" + role + "'";
  if (rr && is_line_role(*rr)) {
    if (auto l = line(g, wanted_for)) {
      Region r;
      r.name = name;
      r.role = *rr;
      r.line = std::move(*l);
      r.where = where_;
      regions_.push_back(std::move(r));
    }
    return;
  }
  auto polys = areas(g, wanted_for);
  if (!polys) return;
  if (role == "walkable") {
    for (auto& p : *polys) walkable_.push_back({std::move(p), where_, element_});
  } else if (role == "obstacle") {
    for (auto& p : *polys) obstacles_.push_back({std::move(p), where_, element_});
  } else {
    Region r;
    r.name = name;
    r.role = *rr;
    r.area = std::move(*polys);
    r.where = where_;
    regions_.push_back(std::move(r));
  }
}

Venue GeoJsonReader::read() {
  std::ifstream in(file_, std::ios::binary);
  if (!in) throw InputError({name_, 0, 0}, "", "cannot open the file; check that it exists and is readable");
  std::ostringstream ss;
  ss << in.rdbuf();
  text_ = ss.str();
  const json root = parse(text_);
  offsets_ = feature_offsets(text_);

  const SourceLocation top{name_, 1, 1};
  if (!root.is_object() || type_member(root) != "FeatureCollection" || !root.contains("features") ||
      !root["features"].is_array())
    throw InputError(top, "", "expected a GeoJSON FeatureCollection: {\"type\": \"FeatureCollection\", "
                              "\"features\": [...]}, with one feature per walkable area, obstacle or region");
  // Longitude/latitude would be read as metres and give a venue a few millimetres across.
  if (root.contains("crs")) {
    const std::string crs = root["crs"].dump();
    if (crs.find("4326") != std::string::npos || crs.find("CRS84") != std::string::npos)
      throw InputError(top, "crs",
                       "coordinates are longitude/latitude (" + crs +
                           "); crowdsafe needs projected coordinates in metres: reproject the file, e.g. "
                           "ogr2ogr -t_srs EPSG:<your UTM zone> out.geojson in.geojson");
  }

  const json& features = root["features"];
  for (std::size_t i = 0; i < features.size(); ++i) read_feature(i, features[i]);

  if (walkable_.empty() && problems_.empty())
    problems_.add(top, "features",
                  "no feature has role 'walkable'; add a Polygon feature with \"properties\": {\"role\": "
                  "\"walkable\"} outlining the walkable area");
  return assemble_floor_plan(file_, std::move(walkable_), obstacles_, std::move(regions_), options_.unit,
                             "set venue.unit in the scenario (m, cm, mm, in or ft)", top, problems_);
}

}  // namespace

Venue read_geojson_venue(const std::filesystem::path& file, const VenueOptions& options) {
  return GeoJsonReader(file, options).read();
}

}  // namespace crowdsafe::detail
