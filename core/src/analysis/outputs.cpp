/// @file outputs.cpp
/// hotspots.json, hotspots.geojson and the /analysis group of trajectories.h5
/// (docs/analysis-outputs.md; keep the two in step).

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analysis/analysis_internal.hpp"
#include "io/h5.hpp"
#include "crowdsafe/version.hpp"

namespace crowdsafe {

const char* kind_name(HotspotKind kind) { return kind == HotspotKind::Crush ? "crush" : "counterflow"; }

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Critical: return "critical";
    case Severity::High: return "high";
    default: return "elevated";
  }
}

namespace detail {

namespace {

using nlohmann::ordered_json;

/// GeoJSON rings: closed, [x, y] in m.
ordered_json rings_json(const Polygon& p) {
  ordered_json rings = ordered_json::array();
  auto ring = [](const Ring& r) {
    ordered_json a = ordered_json::array();
    for (const Vec2& v : r) a.push_back({v.x, v.y});
    if (!r.empty()) a.push_back({r.front().x, r.front().y});
    return a;
  };
  rings.push_back(ring(p.outer));
  for (const Ring& h : p.holes) rings.push_back(ring(h));
  return rings;
}

ordered_json geometry_json(const std::vector<Polygon>& shape) {
  ordered_json g;
  if (shape.size() == 1) {
    g["type"] = "Polygon";
    g["coordinates"] = rings_json(shape[0]);
  } else {
    g["type"] = "MultiPolygon";
    g["coordinates"] = ordered_json::array();
    for (const Polygon& p : shape) g["coordinates"].push_back(rings_json(p));
  }
  return g;
}

ordered_json thresholds_json(const HotspotThresholds& t) {
  ordered_json j;
  j["danger_density_per_m2"] = {{"value", t.danger_density_per_m2}, {"source", "Still 2014: >= 5 persons/m2 dangerous"}};
  j["fatal_density_per_m2"] = {{"value", t.fatal_density_per_m2}, {"source", "Still 2014: >= 7 persons/m2 risk of fatal compression"}};
  j["pressure_s2"] = {{"value", t.pressure_s2}, {"source", "Helbing, Johansson & Al-Abideen 2007: crowd turbulence at P ~ 0.02 1/s2"}};
  j["pressure_min_density_per_m2"] = {{"value", t.pressure_min_density_per_m2}, {"source", "proposed (docs/analysis.md)"}};
  j["imo_density_per_m2"] = {{"value", t.imo_density_per_m2}, {"source", "IMO MSC.1/Circ.1533: rho > 4 persons/m2 ..."}};
  j["imo_time_fraction"] = {{"value", t.imo_time_fraction}, {"source", "IMO MSC.1/Circ.1533: ... for > 10 % of the evacuation time"}};
  j["sustained_s"] = {{"value", t.sustained_s}, {"source", "proposed"}};
  j["counterflow_min_flux_per_m_s"] = {{"value", t.counterflow_min_flux_per_m_s}, {"source", "proposed"}};
  j["counterflow_min_ratio"] = {{"value", t.counterflow_min_ratio}, {"source", "proposed"}};
  j["counterflow_sustained_s"] = {{"value", t.counterflow_sustained_s}, {"source", "proposed"}};
  j["min_area_m2"] = {{"value", t.min_area_m2}, {"source", "proposed"}};
  return j;
}

}  // namespace

ordered_json hotspot_json(const Hotspot& h, bool with_shape);

ordered_json hotspot_json(const Hotspot& h, bool with_shape) {
  ordered_json j;
  j["rank"] = h.rank;
  j["id"] = h.id;
  j["kind"] = kind_name(h.kind);
  j["severity"] = severity_name(h.severity);
  j["criteria"] = h.criteria;
  j["risk_score"] = h.risk_score;
  j["centroid_m"] = {h.centroid.x, h.centroid.y};
  j["area_m2"] = h.area_m2;
  j["cells"] = h.cells.size();
  j["time_window"] = {{"start_s", h.start_s}, {"end_s", h.end_s}, {"active_s", h.active_s}};
  ordered_json windows = ordered_json::array();
  for (const auto& [a, b] : h.active_windows) windows.push_back({a, b});
  j["time_window"]["active_windows_s"] = windows;
  j["density"] = {{"peak_per_m2", h.peak_density_per_m2},
                  {"peak_time_s", h.peak_density_time_s},
                  {"p95_per_m2", h.p95_density_per_m2},
                  {"los_at_peak", {{los_scheme_name(LosScheme::FruinWalkway), std::string(1, los_letter(level_of_service(h.peak_density_per_m2, LosScheme::FruinWalkway)))},
                                   {los_scheme_name(LosScheme::FruinQueuing), std::string(1, los_letter(level_of_service(h.peak_density_per_m2, LosScheme::FruinQueuing)))}}}};
  j["pressure"] = {{"peak_s2", h.peak_pressure_s2}, {"p95_s2", h.p95_pressure_s2}};
  j["contact_force"] = {{"peak_N", h.peak_contact_force_N}};
  j["counterflow"] = {{"peak_opposing_flux_per_m_s", h.peak_opposing_flux_per_m_s},
                      {"p95_opposing_flux_per_m_s", h.p95_opposing_flux_per_m_s},
                      {"lane_order", h.lane_order}};
  j["exposure_person_s"] = h.exposure_person_s;
  j["max_persons"] = h.max_persons;
  const GeometryContext& g = h.geometry;
  ordered_json geo;
  geo["clear_width_m"] = g.clear_width_m;
  if (g.bottleneck_at)
    geo["nearest_bottleneck"] = {{"at_m", {g.bottleneck_at->x, g.bottleneck_at->y}},
                                 {"clear_width_m", g.bottleneck_width_m},
                                 {"distance_m", g.bottleneck_distance_m}};
  else
    geo["nearest_bottleneck"] = nullptr;
  if (!g.nearest_exit.empty())
    geo["nearest_exit"] = {{"name", g.nearest_exit}, {"distance_m", g.nearest_exit_distance_m}};
  else
    geo["nearest_exit"] = nullptr;
  geo["max_slope_percent"] = g.max_slope_percent;
  geo["stairs"] = g.stairs;
  j["geometry"] = geo;
  ordered_json feed = ordered_json::array();
  for (const FeedingFlow& f : h.feeding_flows) feed.push_back({{"group", f.group}, {"heading", f.heading}, {"persons", f.persons}});
  j["feeding_flows"] = feed;
  if (with_shape) j["outline"] = geometry_json(h.shape);
  return j;
}

void write_text_file(const std::filesystem::path& file, const std::string& text) {
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + ": check that the folder is writable");
    out << text;
    if (!out) throw std::runtime_error("failed writing " + tmp.string() + "; check free disk space");
  }
  std::filesystem::rename(tmp, file);
}

void write_hotspot_files(const AnalysisResult& r, const RunFacts& facts) {
  ordered_json j;
  j["schema"] = "crowdsafe.hotspots/1";
  j["crowdsafe_version"] = kVersion;
  j["scenario"] = r.scenario_name;
  j["run_status"] = facts.status;
  ordered_json a;
  a["cell_m"] = r.grid.cell_m;
  a["density_method"] = "Gaussian kernel exp(-r^2/R^2)/(pi R^2), wall-corrected (docs/analysis.md)";
  a["kernel_radius_m"] = r.options.kernel_radius_m;
  a["los_schemes"] = {los_scheme_name(LosScheme::FruinWalkway), los_scheme_name(LosScheme::FruinQueuing)};
  a["thresholds"] = thresholds_json(r.options.thresholds);
  a["frames"] = r.frames;
  a["rows"] = r.rows;
  a["frame_interval_s"] = r.frame_interval_s;
  a["evacuation_time_s"] = r.duration_s;
  a["risk_score"] = "severity weight (critical 9, high 3, elevated 1) x intensity (peak / threshold, 0.5..5) x log10(10 + exposure person-s)";
  j["analysis"] = a;
  double peak = 0;
  for (double v : r.peak_density)
    if (std::isfinite(v)) peak = std::max(peak, v);
  std::int64_t crush = 0, counter = 0;
  for (const Hotspot& h : r.hotspots) (h.kind == HotspotKind::Crush ? crush : counter) += 1;
  j["summary"] = {{"hotspots", r.hotspots.size()},
                  {"crush_hotspots", crush},
                  {"counterflow_hotspots", counter},
                  {"peak_density_per_m2", peak},
                  {"agents_total", r.agents_total},
                  {"agents_evacuated", r.exit_times_s.size()}};
  ordered_json hs = ordered_json::array();
  for (const Hotspot& h : r.hotspots) hs.push_back(hotspot_json(h, true));
  j["hotspots"] = hs;
  ordered_json lines = ordered_json::array();
  for (const LineSeries& l : r.lines)
    lines.push_back({{"name", l.name},
                     {"length_m", l.length_m},
                     {"total_forward", l.total_forward},
                     {"total_backward", l.total_backward},
                     {"peak_flow_per_s", l.peak_flow_per_s}});
  j["measurement_lines"] = lines;
  write_text_file(r.run_dir / "hotspots.json", j.dump(2) + "\n");

  ordered_json fc;
  fc["type"] = "FeatureCollection";
  fc["name"] = r.scenario_name + " hotspots";
  fc["crs_note"] = "local Cartesian venue coordinates in metres (the scenario's frame), not WGS 84";
  fc["features"] = ordered_json::array();
  for (const Hotspot& h : r.hotspots) {
    ordered_json props;
    props["rank"] = h.rank;
    props["id"] = h.id;
    props["kind"] = kind_name(h.kind);
    props["severity"] = severity_name(h.severity);
    props["criteria"] = h.criteria;
    props["risk_score"] = h.risk_score;
    props["start_s"] = h.start_s;
    props["end_s"] = h.end_s;
    props["active_s"] = h.active_s;
    props["peak_density_per_m2"] = h.peak_density_per_m2;
    props["p95_density_per_m2"] = h.p95_density_per_m2;
    props["peak_pressure_s2"] = h.peak_pressure_s2;
    props["peak_contact_force_N"] = h.peak_contact_force_N;
    props["peak_opposing_flux_per_m_s"] = h.peak_opposing_flux_per_m_s;
    props["exposure_person_s"] = h.exposure_person_s;
    props["clear_width_m"] = h.geometry.clear_width_m;
    fc["features"].push_back({{"type", "Feature"}, {"id", h.id}, {"geometry", geometry_json(h.shape)}, {"properties", props}});
  }
  for (const LineSeries& l : r.lines) {
    ordered_json coords = ordered_json::array();
    for (const Vec2& v : l.line) coords.push_back({v.x, v.y});
    fc["features"].push_back({{"type", "Feature"},
                              {"id", "line:" + l.name},
                              {"geometry", {{"type", "LineString"}, {"coordinates", coords}}},
                              {"properties", {{"kind", "measurement_line"}, {"name", l.name}, {"total_forward", l.total_forward}, {"total_backward", l.total_backward}}}});
  }
  write_text_file(r.run_dir / "hotspots.geojson", fc.dump(2) + "\n");
}

namespace {

struct H5Writer {
  std::string path;
  [[noreturn]] void fail(const std::string& what) const {
    const std::string why = h5::error_text();
    throw std::runtime_error("cannot write /analysis into '" + path + "': " + what + (why.empty() ? std::string() : " (HDF5: " + why + ")"));
  }
  hid_t check(hid_t id, const std::string& what) const {
    if (id < 0) fail(what);
    return id;
  }
  void dataset(hid_t parent, const std::string& name, std::vector<hsize_t> dims, hid_t file_type, hid_t mem_type,
               const void* data, const std::string& unit) {
    h5::Dataspace sp(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "dataspace " + name));
    h5::Dataset ds(check(H5Dcreate2(parent, name.c_str(), file_type, sp.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "creating " + name));
    if (H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) fail("writing " + name);
    if (!unit.empty()) string_attr(ds.get(), "unit", unit);
  }
  void map(hid_t parent, const std::string& name, const std::vector<double>& v, int ny, int nx, const std::string& unit) {
    dataset(parent, name, {static_cast<hsize_t>(ny), static_cast<hsize_t>(nx)}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), unit);
  }
  void string_attr(hid_t obj, const char* name, const std::string& value) {
    h5::Datatype t(check(H5Tcopy(H5T_C_S1), "string type"));
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    h5::Dataspace sp(check(H5Screate(H5S_SCALAR), "dataspace"));
    h5::Attribute a(check(H5Acreate2(obj, name, t.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT), std::string("attribute ") + name));
    const char* s = value.c_str();
    if (H5Awrite(a.get(), t.get(), &s) < 0) fail(std::string("attribute ") + name);
  }
  void f64_attr(hid_t obj, const char* name, double v) {
    h5::Dataspace sp(check(H5Screate(H5S_SCALAR), "dataspace"));
    h5::Attribute a(check(H5Acreate2(obj, name, H5T_IEEE_F64LE, sp.get(), H5P_DEFAULT, H5P_DEFAULT), std::string("attribute ") + name));
    if (H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(std::string("attribute ") + name);
  }
  void i32_attr(hid_t obj, const char* name, std::int32_t v) {
    h5::Dataspace sp(check(H5Screate(H5S_SCALAR), "dataspace"));
    h5::Attribute a(check(H5Acreate2(obj, name, H5T_STD_I32LE, sp.get(), H5P_DEFAULT, H5P_DEFAULT), std::string("attribute ") + name));
    if (H5Awrite(a.get(), H5T_NATIVE_INT32, &v) < 0) fail(std::string("attribute ") + name);
  }
};

}  // namespace

void write_analysis_h5(const AnalysisResult& r, const std::filesystem::path& file) {
  H5Writer w{file.string()};
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  h5::File f(w.check(H5Fopen(w.path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening for writing"));
  if (H5Lexists(f.get(), "analysis", H5P_DEFAULT) > 0 && H5Ldelete(f.get(), "analysis", H5P_DEFAULT) < 0)
    w.fail("removing the previous /analysis");
  h5::Group g(w.check(H5Gcreate2(f.get(), "analysis", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "creating /analysis"));
  const hid_t a = g.get();
  const int ny = r.grid.ny, nx = r.grid.nx;
  w.f64_attr(a, "cell_m", r.grid.cell_m);
  w.f64_attr(a, "origin_x_m", r.grid.origin.x);
  w.f64_attr(a, "origin_y_m", r.grid.origin.y);
  w.i32_attr(a, "nx", nx);
  w.i32_attr(a, "ny", ny);
  w.f64_attr(a, "kernel_radius_m", r.options.kernel_radius_m);
  w.f64_attr(a, "frame_interval_s", r.frame_interval_s);
  w.f64_attr(a, "evacuation_time_s", r.duration_s);
  w.string_attr(a, "density_method", "Gaussian kernel exp(-r^2/R^2)/(pi R^2), wall-corrected");
  w.string_attr(a, "los_schemes", "los_walkway: Fruin walkway; los_queuing: Fruin queuing; level index 0..5 = A..F");
  w.string_attr(a, "layout", "maps are (ny, nx), row iy covers y in [origin_y + iy*cell, origin_y + (iy+1)*cell); NaN outside the walkable area");
  w.string_attr(a, "crowdsafe_version", kVersion);
  w.string_attr(a, "thresholds", thresholds_json(r.options.thresholds).dump());

  w.map(a, "walkable_fraction", r.walkable_fraction, ny, nx, "1");
  w.map(a, "wall_distance", r.wall_distance_m, ny, nx, "m");
  w.map(a, "peak_density", r.peak_density, ny, nx, "persons/m^2");
  w.map(a, "peak_density_time", r.peak_density_time_s, ny, nx, "s");
  w.map(a, "mean_density", r.mean_density, ny, nx, "persons/m^2");
  w.map(a, "mean_speed", r.mean_speed, ny, nx, "m/s");
  w.map(a, "mean_flow_x", r.mean_flow_x, ny, nx, "persons/(m s)");
  w.map(a, "mean_flow_y", r.mean_flow_y, ny, nx, "persons/(m s)");
  w.map(a, "time_above_imo_density", r.time_above_imo_s, ny, nx, "s");
  w.map(a, "peak_pressure", r.peak_pressure, ny, nx, "1/s^2");
  w.map(a, "peak_contact_force", r.peak_contact_force, ny, nx, "N");
  w.map(a, "peak_counterflow", r.peak_counterflow, ny, nx, "persons/(m s)");
  w.map(a, "counterflow_time", r.counterflow_time_s, ny, nx, "s");
  w.map(a, "lane_order", r.lane_order, ny, nx, "1");
  for (int s = 0; s < 2; ++s) {
    std::vector<double> stack;
    stack.reserve(static_cast<std::size_t>(kLevelsOfService) * r.grid.size());
    for (int level = 0; level < kLevelsOfService; ++level)
      stack.insert(stack.end(), r.los_fraction[s][level].begin(), r.los_fraction[s][level].end());
    w.dataset(a, s == 0 ? "los_walkway" : "los_queuing", {kLevelsOfService, static_cast<hsize_t>(ny), static_cast<hsize_t>(nx)},
              H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, stack.data(), "fraction of the frames in level A..F");
  }
  w.dataset(a, "hotspot_rank", {static_cast<hsize_t>(ny), static_cast<hsize_t>(nx)}, H5T_STD_I32LE, H5T_NATIVE_INT32,
            r.hotspot_cell.data(), "rank - 1 of the hotspot owning the cell; -1 none");
  const auto frames = static_cast<hsize_t>(r.times_s.size());
  w.dataset(a, "time", {frames}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r.times_s.data(), "s");
  w.dataset(a, "persons", {frames}, H5T_STD_I32LE, H5T_NATIVE_INT32, r.persons.data(), "persons");
  const auto nh = static_cast<hsize_t>(r.hotspots.size());
  if (nh > 0 && frames > 0) {
    std::vector<float> series;
    for (const Hotspot& h : r.hotspots) series.insert(series.end(), h.mean_density_series.begin(), h.mean_density_series.end());
    w.dataset(a, "hotspot_mean_density", {nh, frames}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, series.data(), "persons/m^2; row = rank - 1");
  }
  if (!r.lines.empty()) {
    h5::Group lg(w.check(H5Gcreate2(a, "lines", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "creating /analysis/lines"));
    for (const LineSeries& l : r.lines) {
      std::string name = l.name;
      for (char& ch : name)
        if (ch == '/' || ch == '.') ch = '_';
      h5::Group one(w.check(H5Gcreate2(lg.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "creating line group " + name));
      w.string_attr(one.get(), "name", l.name);
      w.f64_attr(one.get(), "length_m", l.length_m);
      w.dataset(one.get(), "forward", {frames}, H5T_STD_I32LE, H5T_NATIVE_INT32, l.forward.data(), "persons per frame interval, left to right");
      w.dataset(one.get(), "backward", {frames}, H5T_STD_I32LE, H5T_NATIVE_INT32, l.backward.data(), "persons per frame interval, right to left");
      w.dataset(one.get(), "density", {frames}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, l.density.data(), "persons/m^2");
      w.dataset(one.get(), "speed", {frames}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, l.speed.data(), "m/s");
    }
  }
}

}  // namespace detail
}  // namespace crowdsafe
