/// @file report.cpp
/// report.html: the template (core/src/analysis/report_template.html, embedded at build time)
/// with the run's data inlined as JSON. Nothing is loaded from the network.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "analysis/analysis_internal.hpp"
#include "analysis/report_template.hpp"
#include "crowdsafe/version.hpp"

namespace crowdsafe::detail {

nlohmann::ordered_json hotspot_json(const Hotspot& h, bool with_shape);

namespace {

using nlohmann::ordered_json;

/// v rounded to `step`, or null when not finite.
ordered_json rounded(double v, double step) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v / step) * step;
}

ordered_json polygon_rings(const Polygon& p) {
  ordered_json rings = ordered_json::array();
  auto ring = [](const Ring& r) {
    ordered_json a = ordered_json::array();
    for (const Vec2& v : r) a.push_back({std::round(v.x * 1000) / 1000, std::round(v.y * 1000) / 1000});
    return a;
  };
  rings.push_back(ring(p.outer));
  for (const Ring& h : p.holes) rings.push_back(ring(h));
  return rings;
}

ordered_json polygons(const std::vector<Polygon>& ps) {
  ordered_json a = ordered_json::array();
  for (const Polygon& p : ps) a.push_back(polygon_rings(p));
  return a;
}

}  // namespace

// Inline JSON in a <script> element: "</" is escaped so no string can close the element.
static std::string script_safe(const std::string& json) {
  std::string safe;
  safe.reserve(json.size() + 64);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') safe += "<\\";
    else safe += json[i];
  }
  return safe;
}

// The report with `plan_json` between the plan markers (replacing an earlier plan).
static std::string with_plan(std::string html, const std::string& plan_json) {
  const std::string begin = "/*__CROWDSAFE_PLAN_BEGIN__*/", end = "/*__CROWDSAFE_PLAN_END__*/";
  const auto a = html.find(begin);
  const auto b = a == std::string::npos ? std::string::npos : html.find(end, a);
  if (b == std::string::npos) throw std::runtime_error("report.html lacks the plan markers; re-run `crowdsafe analyse`");
  html.replace(a + begin.size(), b - a - begin.size(), script_safe(plan_json));
  return html;
}

void write_report(const AnalysisResult& r, const RunFacts& facts) {
  ordered_json d;
  d["meta"] = {{"scenario", r.scenario_name}, {"status", facts.status}, {"version", kVersion}};
  d["summary"] = ordered_json::object();
  if (!facts.summary_json.empty()) {
    try {
      d["summary"] = ordered_json::parse(facts.summary_json);
    } catch (const std::exception&) {
      d["summary"] = {{"summary.json", "unreadable"}};
    }
  }
  auto text = [](double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return std::string(buf);
  };
  const HotspotThresholds& th = r.options.thresholds;
  d["analysis"] = ordered_json::array({
      {"grid cell", text(r.grid.cell_m, 2) + " m (" + std::to_string(r.grid.nx) + " × " + std::to_string(r.grid.ny) + ")"},
      {"density", "Gaussian kernel, R = " + text(r.options.kernel_radius_m, 2) + " m, wall-corrected"},
      {"frames analysed", std::to_string(r.frames) + " (" + std::to_string(r.rows) + " rows, every " + text(r.frame_interval_s, 2) + " s)"},
      {"evacuation time (IMO rule)", text(r.duration_s, 1) + " s"},
      {"crush thresholds", "ρ ≥ " + text(th.danger_density_per_m2, 1) + " and ≥ " + text(th.fatal_density_per_m2, 1) +
                               " persons/m² for " + text(th.sustained_s, 1) + " s; P ≥ " + text(th.pressure_s2, 3) +
                               " 1/s² (ρ ≥ " + text(th.pressure_min_density_per_m2, 1) + "); IMO ρ > " +
                               text(th.imo_density_per_m2, 1) + " for > " + text(100 * th.imo_time_fraction, 0) + " % of the time"},
      {"counterflow threshold", "both directions ≥ " + text(th.counterflow_min_flux_per_m_s, 2) + " persons/(m·s), minor/major ≥ " +
                                    text(th.counterflow_min_ratio, 2) + ", for " + text(th.counterflow_sustained_s, 1) + " s"},
      {"level-of-service schemes", "Fruin walkway and Fruin queuing"},
      {"analysis wall time", text(r.total_s, 2) + " s"},
  });

  // Venue.
  Box box = bounds(r.walkable);
  d["venue"]["bounds"] = {box.min.x, box.min.y, box.max.x, box.max.y};
  d["venue"]["walkable"] = polygons(r.walkable);
  d["venue"]["exits"] = ordered_json::array();
  for (const auto& [name, shape] : facts.exits) d["venue"]["exits"].push_back({{"name", name}, {"polygons", polygons(shape)}});
  d["venue"]["levels"] = ordered_json::array();
  for (const Level& l : facts.levels)
    d["venue"]["levels"].push_back({{"name", l.name},
                                    {"box", {l.bounds.min.x, l.bounds.min.y, l.bounds.max.x, l.bounds.max.y}},
                                    {"z_min_m", l.z_min_m},
                                    {"z_max_m", l.z_max_m}});
  d["venue"]["lines"] = ordered_json::array();
  for (const LineSeries& l : r.lines) {
    ordered_json pts = ordered_json::array();
    for (const Vec2& v : l.line) pts.push_back({v.x, v.y});
    d["venue"]["lines"].push_back({{"name", l.name}, {"points", pts}});
  }

  // Layers.
  const FieldGrid& g = r.grid;
  d["grid"] = {{"x0", g.origin.x}, {"y0", g.origin.y}, {"h", g.cell_m}, {"nx", g.nx}, {"ny", g.ny},
               {"kernel_radius_m", r.options.kernel_radius_m}, {"pressure_min_density", th.pressure_min_density_per_m2}};
  ordered_json dens = ordered_json::array(), lw = ordered_json::array(), lq = ordered_json::array(),
               pres = ordered_json::array(), cf = ordered_json::array();
  for (std::size_t c = 0; c < g.size(); ++c) {
    const double rho = r.peak_density[c];
    dens.push_back(rounded(rho, 0.01));
    if (std::isfinite(rho)) {
      lw.push_back(static_cast<int>(level_of_service(rho, LosScheme::FruinWalkway)));
      lq.push_back(static_cast<int>(level_of_service(rho, LosScheme::FruinQueuing)));
    } else {
      lw.push_back(nullptr);
      lq.push_back(nullptr);
    }
    pres.push_back(rounded(r.peak_pressure[c], 1e-4));
    cf.push_back(rounded(r.peak_counterflow[c], 0.01));
  }
  d["layers"] = {{"peak_density", dens}, {"los_walkway", lw}, {"los_queuing", lq}, {"pressure", pres}, {"counterflow", cf}};

  // Time series, at most ~1000 points (bin means).
  const std::size_t n = r.times_s.size();
  const std::size_t stride = std::max<std::size_t>(1, (n + 999) / 1000);
  ordered_json time = ordered_json::array(), persons = ordered_json::array(), out = ordered_json::array();
  for (std::size_t k = 0; k < n; k += stride) {
    time.push_back(std::round(r.times_s[k] * 100) / 100);
    persons.push_back(r.persons[k]);
    out.push_back(std::upper_bound(r.exit_times_s.begin(), r.exit_times_s.end(), r.times_s[k]) - r.exit_times_s.begin());
  }
  d["series"] = {{"time", time}, {"persons", persons}, {"evacuated", out}};
  // Flows in bins of 10 s (at least one frame interval).
  const double bin_s = std::max(10.0, r.frame_interval_s);
  const double t0 = n ? r.times_s.front() : 0.0, t1 = n ? r.times_s.back() + r.frame_interval_s : 0.0;
  const auto bins = static_cast<std::size_t>(std::max(1.0, std::ceil((t1 - t0) / bin_s)));
  ordered_json lines = ordered_json::array();
  for (const LineSeries& l : r.lines) {
    std::vector<double> fw(bins, 0), bw(bins, 0);
    for (std::size_t k = 0; k < n; ++k) {
      const auto b = std::min(bins - 1, static_cast<std::size_t>((r.times_s[k] - t0) / bin_s));
      fw[b] += l.forward[k];
      bw[b] += l.backward[k];
    }
    ordered_json t = ordered_json::array(), f = ordered_json::array(), bk = ordered_json::array();
    for (std::size_t b = 0; b < bins; ++b) {
      t.push_back(t0 + (static_cast<double>(b) + 0.5) * bin_s);
      f.push_back(std::round(fw[b] / bin_s * 1000) / 1000);
      bk.push_back(std::round(bw[b] / bin_s * 1000) / 1000);
    }
    lines.push_back({{"name", l.name}, {"t", t}, {"forward_per_s", f}, {"backward_per_s", bk}});
  }
  d["series"]["lines"] = lines;
  ordered_json exits = ordered_json::array();
  for (std::size_t e = 0; e < facts.exit_names.size(); ++e) {
    if (e >= facts.exit_times_s.size() || facts.exit_times_s[e].empty()) continue;
    std::vector<double> cnt(bins, 0);
    for (double t : facts.exit_times_s[e]) cnt[std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, t - t0) / bin_s))] += 1;
    ordered_json t = ordered_json::array(), f = ordered_json::array();
    for (std::size_t b = 0; b < bins; ++b) {
      t.push_back(t0 + (static_cast<double>(b) + 0.5) * bin_s);
      f.push_back(std::round(cnt[b] / bin_s * 1000) / 1000);
    }
    exits.push_back({{"name", facts.exit_names[e]}, {"t", t}, {"per_s", f}});
  }
  d["series"]["exits"] = exits;

  // Hotspots with outlines and density series.
  d["hotspots"] = ordered_json::array();
  for (const Hotspot& h : r.hotspots) {
    ordered_json j = hotspot_json(h, false);
    j["rings"] = polygons(h.shape);
    ordered_json s = ordered_json::array();
    for (std::size_t k = 0; k < n; k += stride) {
      double sum = 0;
      const std::size_t e = std::min(n, k + stride);
      for (std::size_t i = k; i < e; ++i) sum += h.mean_density_series[i];
      s.push_back(std::round(sum / static_cast<double>(e - k) * 100) / 100);
    }
    j["series"] = s;
    d["hotspots"].push_back(j);
  }

  // Replay: x, y in cm and density in 0.1 persons/m², as integers.
  const Replay& rp = facts.replay;
  ordered_json frames = ordered_json::array(), rt = ordered_json::array(), active = ordered_json::array();
  for (std::size_t i = 0; i < rp.xyd.size(); ++i) {
    ordered_json fr = ordered_json::array();
    const auto& v = rp.xyd[i];
    for (std::size_t j = 0; j + 2 < v.size(); j += 3) {
      fr.push_back(static_cast<std::int64_t>(std::lround(v[j] * 100)));
      fr.push_back(static_cast<std::int64_t>(std::lround(v[j + 1] * 100)));
      fr.push_back(static_cast<std::int64_t>(std::lround(v[j + 2] * 10)));
    }
    frames.push_back(std::move(fr));
    rt.push_back(std::round(rp.time_s[i] * 100) / 100);
  }
  for (const auto& act : facts.hotspot_active) {
    ordered_json a = ordered_json::array();
    for (std::size_t k : rp.frame_index) a.push_back(k < act.size() ? static_cast<int>(act[k]) : 0);
    active.push_back(std::move(a));
  }
  d["replay"] = {{"t", rt}, {"frames", frames}, {"active", active}, {"agent_stride", rp.agent_stride}};

  std::string html = kReportTemplate;
  const std::string marker = "/*__CROWDSAFE_DATA__*/";
  const auto at = html.find(marker);
  if (at == std::string::npos) throw std::logic_error("report template lacks " + marker);
  html.replace(at, marker.size(), script_safe(d.dump()));
  // A plan made earlier (`crowdsafe plan`) stays in a re-written report.
  if (std::ifstream in(r.run_dir / "plan.json"); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    html = with_plan(std::move(html), ss.str());
  }
  write_text_file(r.run_dir / "report.html", html);
}

void embed_plan_in_report(const std::filesystem::path& report, const std::string& plan_json) {
  std::ifstream in(report, std::ios::binary);
  if (!in) throw std::runtime_error(report.string() + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  write_text_file(report, with_plan(ss.str(), plan_json));
}

}  // namespace crowdsafe::detail
