#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "edit_distance.hpp"
#include "format.hpp"

namespace crowdsafe {
namespace {

// Beyond this many people the agent arrays alone would take gigabytes; refuse early with a
// clear message instead of failing in an allocation.
constexpr double kMaxAgents = 10'000'000.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Allowed interval of a number and how to describe it in messages.
struct Range {
  double lo = -kInf;
  bool lo_open = true;
  double hi = kInf;
  bool hi_open = true;
  const char* unit = "";
  const char* what = "a number";  // "a number of seconds", used when the type is wrong
};

constexpr Range kSeconds{0.0, true, kInf, true, "s", "a number of seconds"};
constexpr Range kSecondsOrZero{0.0, false, kInf, true, "s", "a number of seconds"};
constexpr Range kMetres{-kInf, true, kInf, true, "m", "a length in metres"};
constexpr Range kPositiveMetres{0.0, true, kInf, true, "m", "a length in metres"};
constexpr Range kSpeed{0.0, true, 10.0, false, "m/s", "a speed in m/s"};
constexpr Range kSpeedSd{0.0, false, 10.0, false, "m/s", "a speed in m/s"};
constexpr Range kRadius{0.0, true, 1.5, false, "m", "a radius in metres"};
constexpr Range kPersons{0.0, true, kInf, true, "persons", "a whole number of persons"};
constexpr Range kDensity{0.0, true, 10.0, false, "persons/m²", "a density in persons/m²"};
constexpr Range kRate{0.0, false, kInf, true, "persons/s", "a rate in persons/s"};
constexpr Range kRatePerMin{0.0, true, kInf, true, "persons/min", "a rate in persons/min"};

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string range_text(const Range& r) {
  std::string s;
  if (r.hi == kInf) {
    s = (r.lo_open ? "> " : ">= ") + fmt(r.lo);
  } else {
    s = std::string("in ") + (r.lo_open ? "(" : "[") + fmt(r.lo) + ", " + fmt(r.hi) + (r.hi_open ? ")" : "]");
  }
  if (*r.unit) s += std::string(" ") + r.unit;
  return s;
}

bool in_range(double v, const Range& r) {
  const bool lo_ok = r.lo_open ? v > r.lo : v >= r.lo;
  const bool hi_ok = r.hi_open ? v < r.hi : v <= r.hi;
  return lo_ok && hi_ok;
}

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < words.size(); ++i) s += (i ? sep : "") + words[i];
  return s;
}

// "; did you mean 'x'?" for a close option, else the list of valid options.
std::string suggestion(const std::string& word, const std::vector<std::string>& options,
                       const std::string& what = "valid keys") {
  if (options.empty()) return "";
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& o : options) {
    // A key written without its unit suffix ("duration" for "duration_s") is a near miss too.
    const bool prefix = o.size() > word.size() && o.compare(0, word.size(), word) == 0 && o[word.size()] == '_';
    const std::size_t d = prefix ? 1 : detail::edit_distance(word, o);
    if (d < best_d) {
      best_d = d;
      best = o;
    }
  }
  if (best_d <= std::max<std::size_t>(2, word.size() / 3)) return "; did you mean '" + best + "'?";
  return "; " + what + ": " + join(options, ", ");
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  const std::string s = n.Scalar();
  return "'" + (s.size() > 40 ? s.substr(0, 37) + "..." : s) + "'";
}

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string item(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::vector<Profile> builtin_profiles() {
  Profile adults;  // the struct defaults are the adult values (Weidmann 1993)
  Profile elderly;
  elderly.name = "elderly";
  elderly.speed_mean_m_s = 1.0;
  elderly.speed_sd_m_s = 0.2;
  return {adults, elderly};
}

// A value in the YAML tree with the key that introduced it (null values carry no useful mark).
struct Field {
  YAML::Node key;
  YAML::Node value;
  std::string path;

  bool present() const { return value.IsDefined() && !value.IsNull(); }
};

// The entries of one mapping, looked up by key.
class Fields {
 public:
  std::vector<Field> entries;
  YAML::Node node;
  std::string path;

  const Field* find(const std::string& key) const {
    for (const auto& e : entries)
      if (e.key.Scalar() == key) return &e;
    return nullptr;
  }
  bool has(const std::string& key) const {
    const Field* f = find(key);
    return f && f->present();
  }
};

template <class T>
struct NumberField {
  const char* key;
  T member;
  Range range;
};

const std::vector<NumberField<double SocialForceParameters::*>>& model_fields() {
  using P = SocialForceParameters;
  static const std::vector<NumberField<double P::*>> fields = {
      {"mass_kg", &P::mass_kg, {0.0, true, kInf, true, "kg", "a mass in kg"}},
      {"relaxation_time_s", &P::relaxation_time_s, kSeconds},
      {"agent_strength_N", &P::agent_strength_N, {0.0, false, kInf, true, "N", "a force in N"}},
      {"agent_range_m", &P::agent_range_m, kPositiveMetres},
      {"wall_strength_N", &P::wall_strength_N, {0.0, false, kInf, true, "N", "a force in N"}},
      {"wall_range_m", &P::wall_range_m, kPositiveMetres},
      {"body_stiffness_kg_s2", &P::body_stiffness_kg_s2, {0.0, false, kInf, true, "kg/s²", "a stiffness in kg/s²"}},
      {"friction_kg_m_s", &P::friction_kg_m_s, {0.0, false, kInf, true, "kg/(m·s)", "a friction in kg/(m·s)"}},
      {"anisotropy", &P::anisotropy, {0.0, false, 1.0, false, "", "a number"}},
      {"time_headway_s", &P::time_headway_s, kSecondsOrZero},
      {"headway_lateral_factor", &P::headway_lateral_factor, {0.0, false, 2.0, false, "", "a number"}},
      {"push_fraction", &P::push_fraction, {0.0, false, 1.0, false, "", "a fraction"}},
      {"keep_right", &P::keep_right, {-2.0, false, 2.0, false, "", "a number"}},
      {"file_headway_s", &P::file_headway_s, kSecondsOrZero},
      {"overtake", &P::overtake, {0.0, false, 2.0, false, "", "a number"}},
      {"cutoff_m", &P::cutoff_m, {0.0, false, kInf, true, "m", "a length in metres"}},
      {"cutoff_tolerance", &P::cutoff_tolerance, {0.0, true, 1.0, true, "", "a fraction"}},
      {"max_speed_factor", &P::max_speed_factor, {1.0, false, kInf, true, "", "a number"}},
  };
  return fields;
}

const std::vector<NumberField<double Profile::*>>& profile_fields() {
  static const std::vector<NumberField<double Profile::*>> fields = {
      {"speed_mean_m_s", &Profile::speed_mean_m_s, kSpeed}, {"speed_sd_m_s", &Profile::speed_sd_m_s, kSpeedSd},
      {"speed_min_m_s", &Profile::speed_min_m_s, kSpeed},   {"speed_max_m_s", &Profile::speed_max_m_s, kSpeed},
      {"radius_min_m", &Profile::radius_min_m, kRadius},    {"radius_max_m", &Profile::radius_max_m, kRadius},
  };
  return fields;
}

template <class T>
std::vector<std::string> keys_of(const std::vector<NumberField<T>>& fields, std::vector<std::string> extra = {}) {
  for (const auto& f : fields) extra.push_back(f.key);
  return extra;
}

class Reader {
 public:
  Reader(const std::string& text, const std::filesystem::path& file) : text_(text), file_(file) {
    std::istringstream in(text_);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(line);
    }
  }

  Scenario read();

 private:
  SourceLocation at(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0) return {file_.string(), 0, 0};
    return {file_.string(), m.line + 1, m.column + 1};
  }
  SourceLocation at(const Field& f) const { return at(f.present() ? f.value : f.key); }
  void problem(const Field& f, const std::string& message) { problems_.add(at(f), f.path, message); }
  void problem(const YAML::Node& n, const std::string& path, const std::string& message) {
    problems_.add(at(n), path, message);
  }

  std::optional<Fields> mapping(const Field& f, const std::vector<std::string>& keys);
  std::vector<Field> sequence(const Field& f);
  Field missing(const Fields& parent, const std::string& key) const {
    return {parent.node, YAML::Node(), child(parent.path, key)};
  }

  std::optional<double> number(const Field& f, const Range& r);
  std::optional<std::int64_t> whole(const Field& f, const Range& r);
  std::optional<std::string> text(const Field& f);
  std::optional<bool> flag(const Field& f);
  template <class T>
  void read_number(const Fields& m, const std::string& key, const Range& r, T& out) {
    if (const Field* f = m.find(key))
      if (auto v = number(*f, r)) out = *v;
  }

  std::optional<std::vector<Polygon>> wkt(const Field& f, const std::string& wkt_text, const SourceLocation& where,
                                          const std::string& context = "");
  std::optional<std::vector<Polygon>> wkt_node(const Field& f);
  std::optional<Polygon> rect(const Field& f);
  std::vector<Polygon> shape(const Fields& m, bool required, bool allow_region = false);
  std::vector<Polygon> region_shape(const Field& f);
  std::optional<Vec2> level_offset(const Field& f);
  void validate(const std::vector<Polygon>& polys, const Field& f);

  void read_venue(const Field& f, Scenario& sc);
  std::optional<std::vector<Polygon>> read_venue_file(const Fields& m, const Field& file_field, Scenario& sc);
  // An entry given as [x0, y0, x1, y1] (a rectangle) or as WKT; empty (with a problem) if neither.
  std::vector<Polygon> rect_or_wkt(const Field& o);
  void read_obstacles(const Field& f, std::vector<Polygon>& walkable);
  std::vector<Polygon> avoid_areas(const Field& f);
  void read_areas(const Field& f, std::vector<Area>& out, const std::string& kind);
  void read_measurement_lines(const Field& f, Scenario& sc);
  void read_gates(const Field& f, Scenario& sc);
  std::optional<Segment> gate_line(const Field& f);
  std::vector<GateWindow> gate_schedule(const Field& f);
  void check_not_in_venue(const std::string& name, const Field& name_field, const std::string& kind,
                          const std::vector<SourceLocation>& venue_places);
  void read_profiles(const Field& f);
  Profile profile_mapping(const Field& f, const std::string& name);
  Profile profile(const Field* f, const std::string& owner_name);
  void read_placement(const Fields& m, Group& g);
  void read_groups(const Field& f, Scenario& sc);
  void read_sources(const Field& f, Scenario& sc);
  std::vector<ArrivalWindow> schedule(const Field& f);
  void read_model(const Field& f, SocialForceParameters& model);
  void read_periodic(const Field& f, Scenario& sc);
  void check_unique(const std::vector<std::pair<std::string, Field>>& names);
  Target target(const Field* f, const std::string& path, const SourceLocation& owner, const Scenario& sc,
                bool report_names);

  const std::string& text_;
  std::filesystem::path file_;
  std::vector<std::string> lines_;
  ProblemList problems_;
  std::map<std::string, Profile> profiles_;
  std::vector<std::string> profile_names_;
  // Target nodes of groups and sources, resolved once every exit and destination is known.
  std::vector<std::optional<Field>> group_targets_;
  std::vector<std::optional<Field>> source_targets_;
  // Areas each group's and source's route avoids (`avoid:`), with their node.
  std::vector<std::pair<std::vector<Polygon>, std::optional<Field>>> group_avoid_, source_avoid_;
  std::vector<std::pair<std::string, Field>> group_names_;
  std::vector<std::pair<std::string, Field>> source_names_;
  // Named regions of the venue file (venue.file), for `region:` in groups and sources.
  std::optional<std::filesystem::path> venue_file_;
  bool venue_file_failed_ = false;  // its problems are reported; do not add their consequences
  std::vector<Region> venue_regions_;
  std::vector<Level> venue_levels_;  // of a multi-level venue file
};

std::optional<Fields> Reader::mapping(const Field& f, const std::vector<std::string>& keys) {
  if (!f.value.IsMap()) {
    problem(f, "expected a mapping (key: value lines), found " + describe(f.value));
    return std::nullopt;
  }
  Fields m;
  m.node = f.value;
  m.path = f.path;
  for (auto it = f.value.begin(); it != f.value.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      problem(key, f.path, "keys must be plain names, found " + describe(key));
      continue;
    }
    Field e{key, it->second, child(f.path, key.Scalar())};
    if (std::find(keys.begin(), keys.end(), key.Scalar()) == keys.end()) {
      problems_.add(at(key), e.path, "unknown key '" + key.Scalar() + "'" + suggestion(key.Scalar(), keys));
      continue;
    }
    if (const Field* first = m.find(key.Scalar())) {
      problems_.add(at(key), e.path,
                    "duplicate key; already given on line " + std::to_string(at(first->key).line) + ", remove one");
      continue;
    }
    m.entries.push_back(std::move(e));
  }
  return m;
}

std::vector<Field> Reader::sequence(const Field& f) {
  std::vector<Field> out;
  if (!f.value.IsSequence()) {
    problem(f, "expected a list (lines starting with '- '), found " + describe(f.value));
    return out;
  }
  for (std::size_t i = 0; i < f.value.size(); ++i) out.push_back({f.value[i], f.value[i], item(f.path, i)});
  return out;
}

std::optional<double> Reader::number(const Field& f, const Range& r) {
  double v = 0.0;
  if (!f.present() || !f.value.IsScalar() || !YAML::convert<double>::decode(f.value, v)) {
    problem(f, std::string("expected ") + r.what + ", found " + describe(f.value));
    return std::nullopt;
  }
  if (!std::isfinite(v)) {
    problem(f, std::string("must be a finite number, found ") + describe(f.value));
    return std::nullopt;
  }
  if (!in_range(v, r)) {
    problem(f, "must be " + range_text(r) + ", found " + fmt(v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> Reader::whole(const Field& f, const Range& r) {
  long long i = 0;
  double d = 0.0;
  const bool scalar = f.present() && f.value.IsScalar();
  if (scalar && YAML::convert<long long>::decode(f.value, i)) {
    d = static_cast<double>(i);
  } else if (scalar && YAML::convert<double>::decode(f.value, d) && std::isfinite(d) && d == std::floor(d) &&
             std::abs(d) < 9e18) {
    // Accept "1e6" and "500.0": written as floats, but whole numbers.
    i = static_cast<long long>(d);
  } else {
    problem(f, std::string("expected ") + r.what + ", found " + describe(f.value));
    return std::nullopt;
  }
  if (!in_range(d, r)) {
    problem(f, "must be " + range_text(r) + ", found " + fmt(d));
    return std::nullopt;
  }
  return i;
}

std::optional<std::string> Reader::text(const Field& f) {
  if (!f.present() || !f.value.IsScalar()) {
    problem(f, "expected text, found " + describe(f.value));
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<bool> Reader::flag(const Field& f) {
  bool b = false;
  if (!f.present() || !f.value.IsScalar() || !YAML::convert<bool>::decode(f.value, b)) {
    problem(f, "expected true or false, found " + describe(f.value));
    return std::nullopt;
  }
  return b;
}

std::optional<std::vector<Polygon>> Reader::wkt(const Field& f, const std::string& wkt_text,
                                                const SourceLocation& where, const std::string& context) {
  try {
    return parse_wkt(wkt_text, where, f.path);
  } catch (const InputError& e) {
    for (const auto& p : e.problems()) {
      // parse_wkt only knows columns relative to `where`; without one, point at the node.
      SourceLocation w = p.where;
      if (w.line == 0 || w.column == 0) w = at(f);
      problems_.add(w, f.path, context + p.message);
    }
    return std::nullopt;
  }
}

std::optional<std::vector<Polygon>> Reader::wkt_node(const Field& f) {
  auto s = text(f);
  if (!s) return std::nullopt;
  SourceLocation where = at(f);
  // parse_wkt adds its character offset to the column; that is only right when the WKT stands
  // verbatim on the node's line (not folded over lines, no escapes).
  bool verbatim = false;
  if (where.line > 0 && static_cast<std::size_t>(where.line) <= lines_.size()) {
    const std::string& line = lines_[static_cast<std::size_t>(where.line - 1)];
    std::size_t col = static_cast<std::size_t>(where.column - 1);
    if (col < line.size() && (line[col] == '"' || line[col] == '\'')) ++col;
    if (col <= line.size() && line.compare(col, s->size(), *s) == 0) {
      where.column = static_cast<int>(col) + 1;
      verbatim = true;
    }
  }
  if (!verbatim) where.column = 0;
  return wkt(f, *s, where);
}

std::optional<Polygon> Reader::rect(const Field& f) {
  if (!f.value.IsSequence() || f.value.size() != 4) {
    problem(f, "expected [x0, y0, x1, y1] in metres, found " + describe(f.value));
    return std::nullopt;
  }
  double c[4];
  bool ok = true;
  for (std::size_t i = 0; i < 4; ++i) {
    auto v = number({f.value[i], f.value[i], item(f.path, i)}, kMetres);
    ok = ok && v;
    c[i] = v.value_or(0.0);
  }
  if (!ok) return std::nullopt;
  if (!(c[2] > c[0]) || !(c[3] > c[1])) {
    problem(f, "must have x1 > x0 and y1 > y0, found [" + fmt(c[0]) + ", " + fmt(c[1]) + ", " + fmt(c[2]) + ", " +
                   fmt(c[3]) + "]");
    return std::nullopt;
  }
  return rectangle(c[0], c[1], c[2], c[3]);
}

void Reader::validate(const std::vector<Polygon>& polys, const Field& f) {
  for (std::size_t i = 0; i < polys.size(); ++i)
    for (const auto& msg : validate_polygon(polys[i]))
      problem(f, (polys.size() > 1 ? "polygon " + std::to_string(i + 1) + ": " : std::string()) + msg);
}

std::vector<Polygon> Reader::shape(const Fields& m, bool required, bool allow_region) {
  const Field* a = m.find("area");
  const Field* r = m.find("rect");
  const Field* g = allow_region ? m.find("region") : nullptr;
  if (a && r) {
    problem(*r, "give either area (WKT) or rect, not both");
    return {};
  }
  if (g && (a || r)) {
    problem(*g, std::string("give either region or ") + (a ? "area" : "rect") + ", not both");
    return {};
  }
  if (g) return region_shape(*g);
  // On a multi-level venue, `level:` says whose world coordinates area and rect are in;
  // without it they are venue coordinates (world coordinates on level 0).
  Vec2 offset;
  if (const Field* l = m.find("level")) {
    const auto o = level_offset(*l);
    if (!o) return {};
    offset = *o;
  }
  auto shifted = [&](std::vector<Polygon> polys) {
    if (offset == Vec2{}) return polys;
    for (Polygon& p : polys) {
      for (Vec2& q : p.outer) q += offset;
      for (Ring& h : p.holes)
        for (Vec2& q : h) q += offset;
    }
    return polys;
  };
  if (a) {
    auto polys = wkt_node(*a);
    if (!polys) return {};
    validate(*polys, *a);
    return shifted(std::move(*polys));
  }
  if (r) {
    auto p = rect(*r);
    return p ? shifted(std::vector<Polygon>{*p}) : std::vector<Polygon>{};
  }
  if (required)
    problem(missing(m, "area"), std::string("missing; give area: \"POLYGON ((...))\" or rect: [x0, y0, x1, y1]") +
                                    (allow_region ? " or region: <name of a region in the venue file>" : ""));
  return {};
}

std::optional<Vec2> Reader::level_offset(const Field& f) {
  if (venue_file_failed_) return std::nullopt;
  if (venue_levels_.empty()) {
    problem(f, "level needs a multi-level venue (this venue has one level); remove level");
    return std::nullopt;
  }
  std::string names;
  for (std::size_t k = 0; k < venue_levels_.size(); ++k)
    names += (k ? ", " : "") + detail::format("%zu ('%s', z %.1f to %.1f m)", k, venue_levels_[k].name.c_str(),
                                             venue_levels_[k].z_min_m, venue_levels_[k].z_max_m);
  if (f.value.IsScalar()) {
    const std::string v = f.value.Scalar();
    for (std::size_t k = 0; k < venue_levels_.size(); ++k)
      if (v == std::to_string(k) || v == venue_levels_[k].name) return venue_levels_[k].offset;
  }
  problem(f, "no such level; the venue's levels are " + names + ": give the number or the name");
  return std::nullopt;
}

std::vector<Polygon> Reader::region_shape(const Field& f) {
  auto s = text(f);
  if (!s) return {};
  if (venue_file_failed_) return {};
  if (!venue_file_) {
    problem(f, "region needs a venue file with named regions (venue: {file: ...}); give area or rect instead");
    return {};
  }
  // "source:north" picks a role when one name is used by regions of several roles.
  std::string name = *s;
  std::string role;
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    role = name.substr(0, colon);
    name = name.substr(colon + 1);
  }
  std::vector<const Region*> found;
  std::vector<std::string> names;
  for (const Region& r : venue_regions_) {
    if (r.area.empty()) continue;  // lines (gates, measurement lines) have no area
    names.push_back(r.name);
    if (r.name == name && (role.empty() || role == role_name(r.role))) found.push_back(&r);
  }
  const std::string venue = venue_file_->string();
  if (found.empty()) {
    problem(f, "no area region named '" + *s + "' in '" + venue + "'" +
                   (names.empty() ? "; the file defines no area regions" : suggestion(name, names, "regions")));
    return {};
  }
  if (found.size() > 1) {
    std::string roles;
    for (const Region* r : found) roles += (roles.empty() ? "" : " and ") + std::string(role_name(r->role));
    problem(f, "'" + name + "' names a " + roles + " region in '" + venue + "'; write <role>:" + name +
                   " (e.g. " + role_name(found[0]->role) + ":" + name + ")");
    return {};
  }
  return found[0]->area;
}

void Reader::read_venue(const Field& f, Scenario& sc) {
  auto m = mapping(f, {"walkable", "walkable_file", "file", "obstacles", "unit", "up_axis", "weld_tolerance_m"});
  if (!m) return;
  const Field* w = m->find("walkable");
  const Field* wf = m->find("walkable_file");
  const Field* vf = m->find("file");
  if ((w != nullptr) + (wf != nullptr) + (vf != nullptr) > 1) {
    problem(*(vf ? vf : wf), "give one of walkable (WKT text), walkable_file (a WKT file) or file (a venue file)");
    return;
  }
  if (!vf)
    for (const char* key : {"unit", "up_axis", "weld_tolerance_m"})
      if (const Field* o = m->find(key)) problem(*o, "only applies to a venue file; give file: <path> or remove it");
  const Field* used = w ? w : wf ? wf : vf;
  if (!used) {
    problem(missing(*m, "walkable"),
            "missing; give walkable: \"POLYGON ((...))\", walkable_file: <path> or file: <venue file>");
    return;
  }
  std::optional<std::vector<Polygon>> polys;
  if (w) {
    polys = wkt_node(*w);
  } else if (vf) {
    polys = read_venue_file(*m, *vf, sc);
  } else if (auto name = text(*wf)) {
    const std::filesystem::path path = file_.parent_path() / *name;
    std::ifstream in(path);
    if (!in) {
      const char* why = std::filesystem::exists(path) ? "cannot be read" : "does not exist";
      problem(*wf, "file '" + path.string() + "' " + why + "; paths are relative to the scenario's folder");
      return;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    // The WKT's own file has no line structure we track; report at the walkable_file key.
    polys = wkt(*wf, ss.str(), {}, "in '" + path.string() + "': ");
    if (!polys) return;
  }
  if (!polys) return;
  if (polys->empty()) {
    problem(*used, "needs at least one walkable polygon");
    return;
  }
  if (const Field* obs = m->find("obstacles")) read_obstacles(*obs, *polys);
  validate(*polys, *used);
  sc.walkable = std::move(*polys);
}

std::optional<std::vector<Polygon>> Reader::read_venue_file(const Fields& m, const Field& file_field, Scenario& sc) {
  // Whatever stops the venue from being read also stops checks that need its regions.
  venue_file_failed_ = true;
  auto name = text(file_field);
  if (!name) return std::nullopt;
  VenueOptions options;
  if (const Field* u = m.find("unit"))
    if (auto t = text(*u)) {
      static const std::vector<std::pair<std::string, LengthUnit>> units = {{"m", LengthUnit::Metre},
                                                                             {"cm", LengthUnit::Centimetre},
                                                                             {"mm", LengthUnit::Millimetre},
                                                                             {"in", LengthUnit::Inch},
                                                                             {"ft", LengthUnit::Foot}};
      const auto it = std::find_if(units.begin(), units.end(), [&](const auto& p) { return p.first == *t; });
      if (it == units.end()) {
        problem(*u, "unknown unit '" + *t + "'" + suggestion(*t, {"m", "cm", "mm", "in", "ft"}, "units"));
        return std::nullopt;
      }
      options.unit = it->second;
      options.unit_given = true;
    }
  if (const Field* a = m.find("up_axis"))
    if (auto t = text(*a)) {
      if (*t == "z" || *t == "y") {
        options.up = *t == "z" ? UpAxis::Z : UpAxis::Y;
      } else {
        problem(*a, "expected z or y, found " + describe(a->value));
        return std::nullopt;
      }
    }
  read_number(m, "weld_tolerance_m", Range{0.0, false, 1.0, false, "m", "a length in metres"},
              options.weld_tolerance_m);

  const std::filesystem::path path = (file_.parent_path() / *name).lexically_normal();
  Venue venue;
  try {
    venue = crowdsafe::read_venue(path, options);
  } catch (const InputError& e) {
    // Each problem keeps its own place in the venue file, after the scenario's venue.file key.
    for (const auto& p : e.problems()) problem(file_field, p.str());
    return std::nullopt;
  }
  venue_file_failed_ = false;
  venue_file_ = path;
  for (const Region& r : venue.regions) {
    switch (r.role) {
      case RegionRole::Exit: sc.exits.push_back({r.name, r.area, r.where}); break;
      case RegionRole::Destination: sc.destinations.push_back({r.name, r.area, r.where}); break;
      case RegionRole::WaitingArea: sc.waiting_areas.push_back({r.name, r.area, r.where}); break;
      case RegionRole::MeasurementLine: sc.measurement_lines.push_back({r.name, r.line, r.where}); break;
      // Sources are used through `region:`; gates and stairs wait for the planner and terrain.
      case RegionRole::Source:
      case RegionRole::Gate:
      case RegionRole::Stairs: break;
    }
  }
  venue_regions_ = std::move(venue.regions);
  venue_levels_ = venue.levels;
  sc.surface = std::move(venue.surface);
  sc.levels = std::move(venue.levels);
  sc.portals = std::move(venue.portals);
  return std::move(venue.walkable);
}

std::vector<Polygon> Reader::rect_or_wkt(const Field& o) {
  if (o.value.IsSequence()) {
    if (auto r = rect(o)) return {*r};
  } else if (auto p = wkt_node(o)) {
    return *p;
  }
  return {};
}

void Reader::read_obstacles(const Field& f, std::vector<Polygon>& walkable) {
  for (const Field& o : sequence(f)) {
    for (const Polygon& p : rect_or_wkt(o)) {
      if (!p.holes.empty()) {
        problem(o, "an obstacle must not have holes; give its outline only");
        continue;
      }
      const auto msgs = validate_polygon(p);
      for (const auto& msg : msgs) problem(o, msg);
      if (!msgs.empty()) continue;
      // An obstacle becomes a hole of the walkable polygon that holds it entirely.
      auto holder = std::find_if(walkable.begin(), walkable.end(), [&](const Polygon& w) {
        return std::all_of(p.outer.begin(), p.outer.end(), [&](Vec2 v) { return contains(w.outer, v); });
      });
      if (holder == walkable.end()) {
        problem(o, "is not inside any walkable polygon; obstacles must lie wholly inside the walkable area");
        continue;
      }
      holder->holes.push_back(p.outer);
    }
  }
}

std::vector<Polygon> Reader::avoid_areas(const Field& f) {
  std::vector<Polygon> out;
  for (const Field& o : sequence(f)) {
    const std::vector<Polygon> polys = rect_or_wkt(o);
    validate(polys, o);
    out.insert(out.end(), polys.begin(), polys.end());
  }
  return out;
}

void Reader::read_areas(const Field& f, std::vector<Area>& out, const std::string& kind) {
  std::vector<std::pair<std::string, Field>> names;
  // Entries already present came from the venue file.
  std::vector<SourceLocation> venue_places;
  std::vector<std::string> venue_names;
  for (const Area& a : out) {
    venue_places.push_back(a.where);
    venue_names.push_back(a.name);
  }
  for (const Field& e : sequence(f)) {
    auto m = mapping(e, {"name", "area", "rect", "level"});
    if (!m) continue;
    Area a;
    a.where = at(e);
    if (const Field* n = m->find("name")) {
      if (auto s = text(*n)) {
        a.name = *s;
        names.emplace_back(*s, *n);
        std::vector<SourceLocation> same;
        for (std::size_t k = 0; k < venue_names.size(); ++k)
          if (venue_names[k] == *s) same.push_back(venue_places[k]);
        check_not_in_venue(*s, *n, kind, same);
      }
    } else {
      problem(missing(*m, "name"), "missing; every entry needs a name that targets can refer to");
    }
    a.shape = shape(*m, true);
    out.push_back(std::move(a));
  }
  check_unique(names);
}

void Reader::check_not_in_venue(const std::string& name, const Field& name_field, const std::string& kind,
                                const std::vector<SourceLocation>& venue_places) {
  if (venue_places.empty()) return;
  problem(name_field, kind + " '" + name + "' is defined both here and in the venue file at " +
                          venue_places.front().str() + "; rename or remove one of them");
}

void Reader::read_measurement_lines(const Field& f, Scenario& sc) {
  std::vector<std::pair<std::string, Field>> names;
  std::vector<MeasurementLine> from_venue = sc.measurement_lines;
  for (const Field& e : sequence(f)) {
    auto m = mapping(e, {"name", "line", "level"});
    if (!m) continue;
    MeasurementLine ml;
    ml.where = at(e);
    if (const Field* n = m->find("name")) {
      if (auto s = text(*n)) {
        ml.name = *s;
        names.emplace_back(*s, *n);
        std::vector<SourceLocation> same;
        for (const auto& v : from_venue)
          if (v.name == *s) same.push_back(v.where);
        check_not_in_venue(*s, *n, "measurement line", same);
      }
    } else {
      problem(missing(*m, "name"), "missing; every measurement line needs a name for the outputs");
    }
    const Field* l = m->find("line");
    if (!l) {
      problem(missing(*m, "line"), "missing; give line: [[x0, y0], [x1, y1], ...] in metres");
      continue;
    }
    bool ok = true;
    for (const Field& p : sequence(*l)) {
      if (!p.value.IsSequence() || p.value.size() != 2) {
        problem(p, "expected [x, y] in metres, found " + describe(p.value));
        ok = false;
        continue;
      }
      auto x = number({p.value[0], p.value[0], item(p.path, 0)}, kMetres);
      auto y = number({p.value[1], p.value[1], item(p.path, 1)}, kMetres);
      ok = ok && x && y;
      if (!x || !y) continue;
      if (!ml.line.empty() && ml.line.back() == Vec2{*x, *y}) {
        problem(p, "repeats the previous point; consecutive points must differ");
        ok = false;
        continue;
      }
      ml.line.push_back({*x, *y});
    }
    if (ok && l->value.IsSequence() && ml.line.size() < 2) problem(*l, "needs at least 2 points");
    if (const Field* lv = m->find("level"))
      if (const auto off = level_offset(*lv))
        for (Vec2& q : ml.line) q += *off;
    sc.measurement_lines.push_back(std::move(ml));
  }
  check_unique(names);
}

// A gate line: [[x0, y0], [x1, y1]] or "region:<name>" naming a gate region of the venue file.
std::optional<Segment> Reader::gate_line(const Field& l) {
  if (l.value.IsScalar()) {
    const std::string s = l.value.Scalar();
    const std::string prefix = "region:";
    if (s.rfind(prefix, 0) != 0) {
      problem(l, "expected [[x0, y0], [x1, y1]] in metres or region:<name of a gate in the venue file>, found " +
                     describe(l.value));
      return std::nullopt;
    }
    if (venue_file_failed_) return std::nullopt;
    if (!venue_file_) {
      problem(l, "region needs a venue file with named regions (venue: {file: ...}); "
                 "give [[x0, y0], [x1, y1]] instead");
      return std::nullopt;
    }
    const std::string name = s.substr(prefix.size());
    std::vector<std::string> names;
    for (const Region& r : venue_regions_) {
      if (r.role != RegionRole::Gate) continue;
      names.push_back(r.name);
      if (r.name != name) continue;
      if (r.line.size() != 2) {
        problem(l, "gate region '" + name + "' has " + std::to_string(r.line.size()) +
                       " points; a gate line must be straight (2 points)");
        return std::nullopt;
      }
      return Segment{r.line[0], r.line[1]};
    }
    problem(l, "no gate region named '" + name + "' in '" + venue_file_->string() + "'" +
                   (names.empty() ? "; the file defines no gate regions" : suggestion(name, names, "gates")));
    return std::nullopt;
  }
  if (!l.value.IsSequence() || l.value.size() != 2) {
    problem(l, "expected [[x0, y0], [x1, y1]] in metres (a straight line of 2 points), found " + describe(l.value));
    return std::nullopt;
  }
  std::vector<Vec2> pts;
  for (const Field& p : sequence(l)) {
    if (!p.value.IsSequence() || p.value.size() != 2) {
      problem(p, "expected [x, y] in metres, found " + describe(p.value));
      continue;
    }
    auto x = number({p.value[0], p.value[0], item(p.path, 0)}, kMetres);
    auto y = number({p.value[1], p.value[1], item(p.path, 1)}, kMetres);
    if (x && y) pts.push_back({*x, *y});
  }
  if (pts.size() != 2) return std::nullopt;
  if (pts[0] == pts[1]) {
    problem(l, "has zero length (both ends at the same point); a gate line must cross a passage");
    return std::nullopt;
  }
  return Segment{pts[0], pts[1]};
}

std::vector<GateWindow> Reader::gate_schedule(const Field& f) {
  std::vector<GateWindow> out;
  const auto windows = sequence(f);
  if (f.value.IsSequence() && windows.empty()) problem(f, "needs at least one window {begin_s, end_s, mode}");
  std::optional<std::size_t> previous;
  for (const Field& w : windows) {
    auto m = mapping(w, {"begin_s", "end_s", "mode", "rate_persons_per_min"});
    if (!m) continue;
    GateWindow gw;
    bool ok = true;
    for (auto [key, member, range] : {std::tuple{"begin_s", &GateWindow::begin_s, kSecondsOrZero},
                                      std::tuple{"end_s", &GateWindow::end_s, kSeconds}}) {
      const Field* v = m->find(key);
      if (!v) {
        problem(missing(*m, key), std::string("missing; expected ") + range.what);
        ok = false;
      } else if (auto x = number(*v, range)) {
        gw.*member = *x;
      } else {
        ok = false;
      }
    }
    if (const Field* md = m->find("mode")) {
      if (auto t = text(*md)) {
        if (*t == "open") gw.mode = GateWindow::Mode::Open;
        else if (*t == "closed") gw.mode = GateWindow::Mode::Closed;
        else if (*t == "metered") gw.mode = GateWindow::Mode::Metered;
        else {
          problem(*md, "expected open, closed or metered, found '" + *t + "'" +
                           suggestion(*t, {"open", "closed", "metered"}));
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      problem(missing(*m, "mode"), "missing; expected open, closed or metered");
      ok = false;
    }
    const Field* r = m->find("rate_persons_per_min");
    if (r) {
      if (auto x = number(*r, kRatePerMin)) gw.rate_persons_per_min = *x;
      else ok = false;
    }
    if (ok && gw.mode == GateWindow::Mode::Metered && !r) {
      problem(missing(*m, "rate_persons_per_min"), "missing; a metered window needs a rate > 0 persons/min");
      ok = false;
    }
    if (!ok) continue;
    if (gw.end_s <= gw.begin_s) {
      problem(*m->find("end_s"), "must be > begin_s (" + fmt(gw.begin_s) + " s), found " + fmt(gw.end_s));
      continue;
    }
    if (previous && gw.begin_s < out[*previous].end_s)
      problem(*m->find("begin_s"), "overlaps the previous window (which ends at " + fmt(out[*previous].end_s) +
                                       " s); windows must be in time order and must not overlap");
    previous = out.size();
    out.push_back(gw);
  }
  return out;
}

void Reader::read_gates(const Field& f, Scenario& sc) {
  std::vector<std::pair<std::string, Field>> names;
  for (const Field& e : sequence(f)) {
    auto m = mapping(e, {"name", "line", "level", "direction", "rate_persons_per_min", "schedule"});
    if (!m) continue;
    Gate g;
    g.where = at(e);
    g.name = "gate-" + std::to_string(sc.gates.size() + 1);
    if (const Field* n = m->find("name")) {
      if (auto s = text(*n)) {
        g.name = *s;
        names.emplace_back(*s, *n);
      }
    }
    if (const Field* l = m->find("line")) {
      if (auto seg = gate_line(*l)) {
        if (const Field* lv = m->find("level"))
          if (const auto off = level_offset(*lv)) *seg = Segment{seg->a + *off, seg->b + *off};
        g.line = *seg;
        // A gate must cross a passage: both ends on or near the walkable area (drawn onto walls).
        if (!sc.walkable.empty()) {
          const auto boundary = boundary_segments(sc.walkable);
          for (const Vec2 p : {seg->a, seg->b}) {
            bool near = contains(sc.walkable, p);
            for (std::size_t k = 0; !near && k < boundary.size(); ++k) near = distance(boundary[k], p) <= 0.5;
            if (!near)
              problem(*l, "end (" + fmt(p.x) + ", " + fmt(p.y) +
                              ") m is more than 0.5 m outside the walkable area; draw the gate across a passage");
          }
        }
      }
    } else {
      problem(missing(*m, "line"), "missing; give line: [[x0, y0], [x1, y1]] in metres or line: region:<name>");
    }
    if (const Field* d = m->find("direction")) {
      if (auto t = text(*d)) {
        if (*t == "in") g.direction = Gate::Direction::In;
        else if (*t == "out") g.direction = Gate::Direction::Out;
        else if (*t == "both") g.direction = Gate::Direction::Both;
        else problem(*d, "expected in, out or both, found '" + *t + "'" + suggestion(*t, {"in", "out", "both"}));
      }
    }
    const Field* rate = m->find("rate_persons_per_min");
    if (rate)
      if (auto x = number(*rate, kRatePerMin)) g.rate_persons_per_min = *x;
    const Field* sch = m->find("schedule");
    if (sch) g.schedule = gate_schedule(*sch);
    if (!rate && !sch)
      problem(missing(*m, "rate_persons_per_min"),
              "missing; a gate needs a metered rate (persons/min), a schedule, or both");
    sc.gates.push_back(std::move(g));
  }
  check_unique(names);
}

void Reader::check_unique(const std::vector<std::pair<std::string, Field>>& names) {
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (names[i].first == names[j].first) {
        problem(names[i].second, "duplicate name '" + names[i].first + "'; already used on line " +
                                     std::to_string(at(names[j].second).line) + ", names must be unique");
        break;
      }
}

Profile Reader::profile_mapping(const Field& f, const std::string& name) {
  Profile p = profiles_["adults"];
  auto m = mapping(f, keys_of(profile_fields(), {"base"}));
  if (!m) return p;
  if (const Field* b = m->find("base"))
    if (auto s = text(*b)) {
      if (profiles_.count(*s)) p = profiles_[*s];
      else problem(*b, "unknown profile '" + *s + "'" + suggestion(*s, profile_names_, "known profiles"));
    }
  p.name = name;
  bool ok = true;
  for (const auto& pf : profile_fields())
    if (const Field* v = m->find(pf.key)) {
      const auto x = number(*v, pf.range);
      if (x) p.*(pf.member) = *x;
      ok = ok && x;
    }
  // Cross-field checks on a half-read profile would blame values the user did not write.
  if (!ok) return p;
  if (p.speed_min_m_s > p.speed_max_m_s)
    problem(f, "speed_min_m_s (" + fmt(p.speed_min_m_s) + ") must be <= speed_max_m_s (" + fmt(p.speed_max_m_s) + ")");
  else if (p.speed_mean_m_s < p.speed_min_m_s || p.speed_mean_m_s > p.speed_max_m_s)
    problem(f, "speed_mean_m_s (" + fmt(p.speed_mean_m_s) + ") must lie in [speed_min_m_s, speed_max_m_s] = [" +
                   fmt(p.speed_min_m_s) + ", " + fmt(p.speed_max_m_s) + "] m/s");
  if (p.radius_min_m > p.radius_max_m)
    problem(f, "radius_min_m (" + fmt(p.radius_min_m) + ") must be <= radius_max_m (" + fmt(p.radius_max_m) + ")");
  return p;
}

void Reader::read_profiles(const Field& f) {
  const auto builtins = builtin_profiles();
  for (const Profile& b : builtins) {
    profiles_[b.name] = b;
    profile_names_.push_back(b.name);
  }
  if (!f.present()) return;
  if (!f.value.IsMap()) {
    problem(f, "expected a mapping of profile names to profiles, found " + describe(f.value));
    return;
  }
  for (auto it = f.value.begin(); it != f.value.end(); ++it) {
    const std::string name = it->first.Scalar();
    const Field e{it->first, it->second, child(f.path, name)};
    if (profiles_.count(name)) {
      const bool builtin =
          std::any_of(builtins.begin(), builtins.end(), [&](const Profile& b) { return b.name == name; });
      problem(it->first, e.path,
              builtin ? "redefines the built-in profile '" + name + "'; choose another name"
                      : "duplicate profile name");
      continue;
    }
    profiles_[name] = profile_mapping(e, name);
    profile_names_.push_back(name);
  }
}

Profile Reader::profile(const Field* f, const std::string& owner_name) {
  if (!f) return profiles_["adults"];
  if (f->value.IsMap()) return profile_mapping(*f, owner_name);
  auto s = text(*f);
  if (!s) return profiles_["adults"];
  if (!profiles_.count(*s)) {
    problem(*f, "unknown profile '" + *s + "'" + suggestion(*s, profile_names_, "known profiles"));
    return profiles_["adults"];
  }
  return profiles_[*s];
}

void Reader::read_placement(const Fields& m, Group& g) {
  const Field* pos = m.find("positions");
  const Field* c = m.find("count");
  const Field* d = m.find("density_per_m2");
  if (pos) {
    // Explicit positions fix both where and how many; a second source of either would conflict.
    for (const char* key : {"area", "rect", "region", "count", "density_per_m2"})
      if (const Field* other = m.find(key))
        problem(*other, std::string("give either positions or ") + key + ", not both");
    const auto points = sequence(*pos);
    if (pos->value.IsSequence() && points.empty()) problem(*pos, "needs at least one [x, y] position");
    if (points.size() > kMaxAgents) {
      problem(*pos, std::to_string(points.size()) + " persons would not fit in memory; at most " + fmt(kMaxAgents));
      return;
    }
    for (const Field& p : points) {
      if (!p.value.IsSequence() || p.value.size() != 2) {
        problem(p, "expected [x, y] in metres, found " + describe(p.value));
        continue;
      }
      auto x = number({p.value[0], p.value[0], item(p.path, 0)}, kMetres);
      auto y = number({p.value[1], p.value[1], item(p.path, 1)}, kMetres);
      if (x && y) g.positions.push_back({*x, *y});
    }
    g.count = static_cast<std::int64_t>(g.positions.size());
    return;
  }
  g.area = shape(m, true, true);
  if (c && d) {
    problem(*d, "give either count or density_per_m2, not both");
  } else if (!c && !d) {
    problem(missing(m, "count"), "missing; give count (persons), density_per_m2 (persons/m²) or positions");
  } else if (c) {
    g.count = whole(*c, kPersons);
    if (g.count && *g.count > kMaxAgents) {
      problem(*c, std::to_string(*g.count) + " persons would not fit in memory; at most " + fmt(kMaxAgents));
      g.count.reset();
    }
  } else {
    g.density_per_m2 = number(*d, kDensity);
    const double n = g.density_per_m2.value_or(0.0) * area(g.area);
    if (n > kMaxAgents) {
      problem(*d, fmt(*g.density_per_m2) + " persons/m² over " + fmt(area(g.area)) + " m² is " + fmt(n) +
                      " persons, which would not fit in memory; at most " + fmt(kMaxAgents));
      g.density_per_m2.reset();
    }
  }
}

void Reader::read_groups(const Field& f, Scenario& sc) {
  const std::vector<std::string> keys = {"name",    "area",   "rect",   "region", "level", "positions",    "count",
                                         "density_per_m2", "profile", "target", "avoid", "premovement_s"};
  double total = 0.0;
  for (const Field& e : sequence(f)) {
    Group g;
    g.where = at(e);
    g.name = "group-" + std::to_string(sc.groups.size() + 1);
    std::optional<Field> target;
    std::pair<std::vector<Polygon>, std::optional<Field>> avoid;
    if (auto m = mapping(e, keys)) {
      if (const Field* n = m->find("name"))
        if (auto s = text(*n)) {
          g.name = *s;
          group_names_.emplace_back(*s, *n);
        }
      read_placement(*m, g);
      total += g.count ? static_cast<double>(*g.count) : g.density_per_m2.value_or(0.0) * area(g.area);
      g.profile = profile(m->find("profile"), g.name);
      if (const Field* t = m->find("target")) target = *t;
      if (const Field* a = m->find("avoid")) avoid = {avoid_areas(*a), *a};
      read_number(*m, "premovement_s", kSecondsOrZero, g.premovement_s);
    }
    group_targets_.push_back(target);
    group_avoid_.push_back(std::move(avoid));
    sc.groups.push_back(std::move(g));
  }
  if (total > kMaxAgents)
    problem(f, "all groups together hold " + fmt(total) + " persons, which would not fit in memory; at most " +
                   fmt(kMaxAgents));
  check_unique(group_names_);
}

std::vector<ArrivalWindow> Reader::schedule(const Field& f) {
  std::vector<ArrivalWindow> out;
  const auto windows = sequence(f);
  if (f.value.IsSequence() && windows.empty()) problem(f, "needs at least one window {begin_s, end_s, rate_per_s}");
  std::optional<std::size_t> previous;
  for (const Field& w : windows) {
    auto m = mapping(w, {"begin_s", "end_s", "rate_per_s"});
    if (!m) continue;
    ArrivalWindow a;
    bool ok = true;
    for (auto [key, member, range] : {std::tuple{"begin_s", &ArrivalWindow::begin_s, kSecondsOrZero},
                                      std::tuple{"end_s", &ArrivalWindow::end_s, kSeconds},
                                      std::tuple{"rate_per_s", &ArrivalWindow::rate_per_s, kRate}}) {
      const Field* v = m->find(key);
      if (!v) {
        problem(missing(*m, key), std::string("missing; expected ") + range.what);
        ok = false;
      } else if (auto x = number(*v, range)) {
        a.*member = *x;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (a.end_s <= a.begin_s) {
      problem(*m->find("end_s"), "must be > begin_s (" + fmt(a.begin_s) + " s), found " + fmt(a.end_s));
      continue;
    }
    // Ordered, disjoint windows let the engine find the active rate without summing overlaps.
    if (previous && a.begin_s < out[*previous].end_s)
      problem(*m->find("begin_s"), "overlaps the previous window (which ends at " + fmt(out[*previous].end_s) +
                                       " s); windows must be in time order and must not overlap");
    previous = out.size();
    out.push_back(a);
  }
  return out;
}

void Reader::read_sources(const Field& f, Scenario& sc) {
  const std::vector<std::string> keys = {"name",    "area",   "rect",   "region", "level",
                                         "schedule", "profile", "target", "avoid"};
  for (const Field& e : sequence(f)) {
    Source s;
    s.where = at(e);
    s.name = "source-" + std::to_string(sc.sources.size() + 1);
    std::optional<Field> target;
    std::pair<std::vector<Polygon>, std::optional<Field>> avoid;
    if (auto m = mapping(e, keys)) {
      if (const Field* n = m->find("name"))
        if (auto t = text(*n)) {
          s.name = *t;
          source_names_.emplace_back(*t, *n);
        }
      s.area = shape(*m, true, true);
      if (const Field* sch = m->find("schedule")) {
        s.schedule = schedule(*sch);
        double arrivals = 0.0;
        for (const auto& w : s.schedule) arrivals += w.rate_per_s * (w.end_s - w.begin_s);
        if (arrivals > kMaxAgents)
          problem(*sch, "brings " + fmt(arrivals) + " persons, which would not fit in memory; at most " +
                            fmt(kMaxAgents));
      } else {
        problem(missing(*m, "schedule"), "missing; give a list of {begin_s, end_s, rate_per_s} windows");
      }
      s.profile = profile(m->find("profile"), s.name);
      if (const Field* t = m->find("target")) target = *t;
      if (const Field* a = m->find("avoid")) avoid = {avoid_areas(*a), *a};
    }
    source_targets_.push_back(target);
    source_avoid_.push_back(std::move(avoid));
    sc.sources.push_back(std::move(s));
  }
  check_unique(source_names_);
}

void Reader::read_model(const Field& f, SocialForceParameters& model) {
  auto m = mapping(f, keys_of(model_fields()));
  if (!m) return;
  for (const auto& mf : model_fields()) read_number(*m, mf.key, mf.range, model.*(mf.member));
}

void Reader::read_periodic(const Field& f, Scenario& sc) {
  auto m = mapping(f, {"x0_m", "length_m"});
  if (!m) return;
  Periodic p;
  read_number(*m, "x0_m", kMetres, p.x0_m);
  if (const Field* l = m->find("length_m")) {
    if (auto v = number(*l, kPositiveMetres)) p.length_m = *v;
  } else {
    problem(missing(*m, "length_m"), "missing; expected a length in metres");
  }
  sc.periodic = p;
}

Target Reader::target(const Field* f, const std::string& path, const SourceLocation& owner, const Scenario& sc,
                      bool report_names) {
  Target t;
  if (!f) {
    if (report_names && sc.exits.empty())
      problems_.add(owner, path,
                    "defaults to nearest_exit but the scenario has no exits; add exits or give a target");
    return t;
  }
  const std::string expected = "expected nearest_exit, exit:<name>, destination:<name> or {direction: [x, y]}";
  if (f->value.IsMap()) {
    auto m = mapping(*f, {"direction"});
    if (!m) return t;
    const Field* d = m->find("direction");
    if (!d) {
      problem(missing(*m, "direction"), "missing; expected [x, y]");
      return t;
    }
    t.kind = Target::Kind::Direction;
    if (!d->value.IsSequence() || d->value.size() != 2) {
      problem(*d, "expected [x, y], found " + describe(d->value));
      return t;
    }
    const Range any{-kInf, true, kInf, true, "", "a number"};
    auto x = number({d->value[0], d->value[0], item(d->path, 0)}, any);
    auto y = number({d->value[1], d->value[1], item(d->path, 1)}, any);
    if (!x || !y) return t;
    if (std::hypot(*x, *y) < 1e-12) {
      problem(*d, "must not be the zero vector");
      return t;
    }
    t.direction = normalized(Vec2{*x, *y});
    return t;
  }
  auto s = text(*f);
  if (!s) return t;
  auto trim = [](std::string v) {
    const auto b = v.find_first_not_of(" \t");
    const auto e = v.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  };
  auto names_of = [](const std::vector<Area>& areas) {
    std::vector<std::string> n;
    for (const auto& a : areas) n.push_back(a.name);
    return n;
  };
  const auto resolve = [&](const std::vector<Area>& areas, const std::string& kind, const std::string& name) {
    const auto names = names_of(areas);
    if (report_names && std::find(names.begin(), names.end(), name) == names.end())
      problem(*f, "no " + kind + " named '" + name + "'" +
                      (names.empty() ? "; the scenario has no " + kind + "s" : suggestion(name, names, kind + "s")));
  };
  if (*s == "nearest_exit") {
    if (report_names && sc.exits.empty()) problem(*f, "nearest_exit needs at least one exit; the scenario has none");
  } else if (s->rfind("exit:", 0) == 0) {
    t.kind = Target::Kind::Exit;
    t.name = trim(s->substr(5));
    resolve(sc.exits, "exit", t.name);
  } else if (s->rfind("destination:", 0) == 0) {
    t.kind = Target::Kind::Destination;
    t.name = trim(s->substr(12));
    resolve(sc.destinations, "destination", t.name);
  } else {
    // A bare area name is the most likely slip; say which prefix it needs.
    std::string hint;
    const auto exits = names_of(sc.exits);
    const auto dests = names_of(sc.destinations);
    if (std::find(exits.begin(), exits.end(), *s) != exits.end()) hint = "; did you mean 'exit:" + *s + "'?";
    else if (std::find(dests.begin(), dests.end(), *s) != dests.end())
      hint = "; did you mean 'destination:" + *s + "'?";
    problem(*f, expected + ", found " + describe(f->value) + hint);
  }
  return t;
}

Scenario Reader::read() {
  Scenario sc;
  sc.file = file_;
  sc.source_text = text_;
  sc.name = file_.empty() ? std::string("scenario") : file_.stem().string();
  const std::string file = file_.string();

  YAML::Node root;
  try {
    root = YAML::Load(text_);
  } catch (const YAML::ParserException& e) {
    throw InputError({file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw InputError({file, e.mark.line + 1, e.mark.column + 1}, "", "cannot read YAML: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull())
    throw InputError({file, 1, 1}, "", "the scenario is empty; expected at least venue, exits and groups");

  const std::vector<std::string> keys = {"name", "description", "seed", "duration_s", "time_step_s",
                                         "output_interval_s", "stop_when_empty", "navigation_cell_m", "venue",
                                         "exits", "destinations", "measurement_lines", "gates", "profiles", "groups",
                                         "sources", "periodic", "model", "terrain", "stall_time_s"};
  auto top = mapping({root, root, ""}, keys);
  if (!top) problems_.throw_if_any();

  if (const Field* f = top->find("name"))
    if (auto s = text(*f)) {
      if (s->empty()) problem(*f, "must not be empty");
      else sc.name = *s;
    }
  if (const Field* f = top->find("description"))
    if (auto s = text(*f)) sc.description = *s;
  if (const Field* f = top->find("seed")) {
    unsigned long long u = 0;
    if (f->present() && f->value.IsScalar() && YAML::convert<unsigned long long>::decode(f->value, u))
      sc.seed = u;
    else
      problem(*f, "expected a whole number >= 0, found " + describe(f->value));
  }
  read_number(*top, "duration_s", kSeconds, sc.duration_s);
  read_number(*top, "time_step_s", Range{0.0, true, 0.1, false, "s", "a number of seconds"}, sc.time_step_s);
  if (const Field* f = top->find("output_interval_s"))
    if (auto v = number(*f, kSeconds)) {
      if (*v < sc.time_step_s)
        problem(*f, "must be >= time_step_s (" + fmt(sc.time_step_s) + " s), found " + fmt(*v));
      else
        sc.output_interval_s = *v;
    }
  if (const Field* f = top->find("stop_when_empty"))
    if (auto b = flag(*f)) sc.stop_when_empty = *b;
  read_number(*top, "navigation_cell_m", Range{0.0, true, 1.0, false, "m", "a length in metres"},
              sc.navigation_cell_m);

  if (const Field* f = top->find("venue")) read_venue(*f, sc);
  else problem(missing(*top, "venue"), "missing; give venue: {walkable: \"POLYGON ((...))\"} or venue: {file: <path>}");

  if (const Field* f = top->find("exits")) read_areas(*f, sc.exits, "exit");
  if (const Field* f = top->find("destinations")) read_areas(*f, sc.destinations, "destination");
  if (const Field* f = top->find("measurement_lines")) read_measurement_lines(*f, sc);
  if (const Field* f = top->find("gates")) read_gates(*f, sc);
  {
    const Field* f = top->find("profiles");
    read_profiles(f ? *f : missing(*top, "profiles"));
  }
  if (const Field* f = top->find("groups")) read_groups(*f, sc);
  if (const Field* f = top->find("sources")) read_sources(*f, sc);
  if (const Field* f = top->find("periodic")) read_periodic(*f, sc);
  if (const Field* f = top->find("model")) read_model(*f, sc.model);
  if (const Field* f = top->find("terrain")) {
    if (auto m = mapping(*f, {"stairs_up_speed_m_s", "stairs_down_speed_m_s", "level_speed_m_s"})) {
      const Range speed{0.0, false, 10.0, true, "m/s", "a speed in m/s"};
      read_number(*m, "stairs_up_speed_m_s", speed, sc.terrain.stairs_up_speed_m_s);
      read_number(*m, "stairs_down_speed_m_s", speed, sc.terrain.stairs_down_speed_m_s);
      read_number(*m, "level_speed_m_s", speed, sc.terrain.level_speed_m_s);
    }
  }
  read_number(*top, "stall_time_s", kSeconds, sc.stall_time_s);

  if (sc.groups.empty() && sc.sources.empty() && !top->find("groups") && !top->find("sources"))
    problem(missing(*top, "groups"), "nobody to simulate; add groups (present at the start) or sources (arrivals)");
  else if (sc.groups.empty() && sc.sources.empty())
    problem(missing(*top, "groups"), "groups and sources are both empty; add at least one");

  // Targets are resolved last: they may name exits and destinations declared anywhere.
  auto is_direction = [](const std::optional<Field>& t) {
    return t && t->value.IsMap() && t->value["direction"].IsDefined();
  };
  const bool all_directions = std::all_of(group_targets_.begin(), group_targets_.end(), is_direction) &&
                              std::all_of(source_targets_.begin(), source_targets_.end(), is_direction);
  const bool no_areas = sc.exits.empty() && sc.destinations.empty();
  if (no_areas && !all_directions && !venue_file_failed_)
    problem(missing(*top, "exits"),
            "missing; at least one exit or destination is needed unless every group and source targets a direction");
  // Avoided areas shape the route to an area; a fixed direction has no route.
  auto set_avoid = [&](Target& t, const std::pair<std::vector<Polygon>, std::optional<Field>>& avoid) {
    if (!avoid.second) return;
    if (t.kind == Target::Kind::Direction)
      problem(*avoid.second, "applies to routes to an exit or destination, not to a direction target");
    t.avoid = avoid.first;
  };
  for (std::size_t i = 0; i < sc.groups.size(); ++i) {
    const auto& t = group_targets_[i];
    sc.groups[i].target = target(t ? &*t : nullptr, child(item("groups", i), "target"), sc.groups[i].where, sc,
                                  !no_areas);
    set_avoid(sc.groups[i].target, group_avoid_[i]);
  }
  for (std::size_t i = 0; i < sc.sources.size(); ++i) {
    const auto& t = source_targets_[i];
    sc.sources[i].target = target(t ? &*t : nullptr, child(item("sources", i), "target"), sc.sources[i].where, sc,
                                   !no_areas);
    set_avoid(sc.sources[i].target, source_avoid_[i]);
  }

  problems_.throw_if_any();
  return sc;
}

}  // namespace

Scenario read_scenario(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const char* why = std::filesystem::exists(file) ? "cannot be read" : "does not exist";
    throw InputError({file.string(), 0, 0}, "", std::string("scenario file ") + why);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str(), file);
}

Scenario parse_scenario(const std::string& yaml_text, const std::filesystem::path& file) {
  return Reader(yaml_text, file).read();
}

}  // namespace crowdsafe
