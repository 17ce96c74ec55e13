/// @file analyse.cpp
/// The analysis of a run in two streaming passes over trajectories.h5 (docs/analysis.md):
///   pass 1: fields per frame -> per-cell statistics (peaks, LOS time fractions, runs of
///           exceedance), measurement-line crossings, replay samples;
///   regions: cells meeting a criterion for a sustained time -> connected hotspots;
///   pass 2: per hotspot activity, exposure, percentiles and the flows that feed it;
///   context and ranking; outputs.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "analysis/analysis_internal.hpp"
#include "analysis/regions.hpp"
#include "analysis/trajectory_reader.hpp"
#include "crowdsafe/analysis.hpp"

namespace crowdsafe {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// A density below this counts as empty for mean speeds, persons/m².
constexpr double kOccupied = 0.1;
/// Marker line that ends a scenario copy; the original path follows it.
constexpr const char* kCopyMarker = "# crowdsafe: copied from ";

/// Longest unbroken run of frames in which a per-cell criterion held.
struct RunTracker {
  std::vector<std::int64_t> start, last;
  std::vector<std::int32_t> longest;  ///< frames
  explicit RunTracker(std::size_t n) : start(n, -2), last(n, -2), longest(n, 0) {}
  void hit(std::size_t c, std::int64_t frame) {
    if (last[c] != frame - 1) start[c] = frame;
    last[c] = frame;
    longest[c] = std::max<std::int32_t>(longest[c], static_cast<std::int32_t>(frame - start[c] + 1));
  }
};

double percentile(std::vector<float>& v, double q) {
  if (v.empty()) return 0.0;
  const auto k = static_cast<std::size_t>(std::llround(q * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

const char* heading_of(Vec2 v) {
  static const char* names[8] = {"E", "NE", "N", "NW", "W", "SW", "S", "SE"};
  if (norm2(v) < 1e-8) return "still";
  const double a = std::atan2(v.y, v.x);
  const int k = static_cast<int>(std::lround(a / (3.14159265358979323846 / 4))) & 7;
  return names[k];
}

double distance_to_polygons(const std::vector<Polygon>& polys, Vec2 p) {
  if (contains(polys, p)) return 0.0;
  double d = std::numeric_limits<double>::infinity();
  for (const Segment& s : boundary_segments(polys)) d = std::min(d, distance(s, p));
  return d;
}

/// Does p0→p1 cross segment a→b? Returns +1 left→right (forward), -1 right→left, 0 none.
int crossing(Vec2 p0, Vec2 p1, Vec2 a, Vec2 b) {
  const Vec2 d = b - a;
  const double s0 = cross(d, p0 - a), s1 = cross(d, p1 - a);
  if ((s0 > 0) == (s1 > 0) || (s0 == 0 && s1 == 0)) return 0;
  if (s1 == 0) return 0;  // landing on the line counts when leaving it
  const Vec2 e = p1 - p0;
  const double t0 = cross(e, a - p0), t1 = cross(e, b - p0);
  if ((t0 > 0) == (t1 > 0) && t0 != 0 && t1 != 0) return 0;
  return s0 > 0 ? +1 : -1;
}

}  // namespace

void write_run_scenario_copy(const Scenario& scenario, const std::filesystem::path& run_dir) {
  if (scenario.source_text.empty()) return;
  std::filesystem::create_directories(run_dir);
  std::string text = scenario.source_text;
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::error_code ec;
  const auto original = scenario.file.empty() ? std::filesystem::path() : std::filesystem::absolute(scenario.file, ec);
  text += std::string(kCopyMarker) + original.string() + "\n";
  detail::write_text_file(run_dir / "scenario.yaml", text);
}

std::optional<Scenario> load_run_scenario(const std::filesystem::path& run_dir) {
  const auto copy = run_dir / "scenario.yaml";
  if (std::filesystem::exists(copy)) {
    std::ifstream in(copy);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::filesystem::path origin = copy;
    if (const auto at = text.rfind(kCopyMarker); at != std::string::npos) {
      std::string rest = text.substr(at + std::string(kCopyMarker).size());
      while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.pop_back();
      if (!rest.empty()) origin = rest;
      text.resize(at);
    }
    // Relative paths in the scenario resolve against the original file's folder; if that has
    // moved, against the copy's.
    for (const auto& where : {origin, copy}) {
      try {
        return parse_scenario(text, where);
      } catch (const InputError&) {
      }
    }
  }
  try {
    detail::TrajectoryReader reader(run_dir / "trajectories.h5");
    const std::string& f = reader.info().scenario_file;
    if (!f.empty() && std::filesystem::exists(f)) return read_scenario(f);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

AnalysisResult analyse_run(const std::filesystem::path& run_dir, const Scenario* scenario_in,
                           const AnalysisOptions& options) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  validate(options);
  const HotspotThresholds& th = options.thresholds;

  // Closed before the outputs are written: /analysis goes into the same file.
  auto reader_holder = std::make_unique<detail::TrajectoryReader>(run_dir / "trajectories.h5");
  detail::TrajectoryReader& reader = *reader_holder;
  const detail::RunFileInfo info = reader.info();

  std::optional<Scenario> loaded;
  if (!scenario_in) {
    loaded = load_run_scenario(run_dir);
    if (loaded) scenario_in = &*loaded;
  }
  AnalysisResult r;
  r.run_dir = run_dir;
  r.options = options;
  r.scenario_name = scenario_in ? scenario_in->name : info.scenario_name;
  r.walkable = scenario_in ? scenario_in->walkable : parse_wkt(info.wkt, {(run_dir / "trajectories.h5").string(), 0, 0}, "wkt_geometry");

  const FieldEstimator est(r.walkable, options);
  const FieldGrid& g = est.grid();
  const std::size_t n = g.size();
  r.grid = g;
  r.walkable_fraction = est.walkable_fraction();
  auto walkable = [&](std::size_t c) { return r.walkable_fraction[c] > 0.0; };
  auto map = [&](double init) {
    std::vector<double> m(n, init);
    for (std::size_t c = 0; c < n; ++c)
      if (!walkable(c)) m[c] = kNaN;
    return m;
  };

  // Distance to the nearest wall from each cell centre (geometry context).
  r.wall_distance_m = map(0.0);
  {
    const std::vector<Segment> walls = boundary_segments(r.walkable);
    for (std::size_t c = 0; c < n; ++c) {
      if (!walkable(c)) continue;
      double d = std::numeric_limits<double>::infinity();
      const Vec2 p = g.center(c);
      for (const Segment& s : walls) d = std::min(d, distance(s, p));
      r.wall_distance_m[c] = d;
    }
  }

  const double dt = info.output_interval_s > 0 ? info.output_interval_s : 0.1;
  r.frame_interval_s = dt;
  const std::size_t n_frames = info.frame_time.size();
  r.frames = static_cast<std::int64_t>(n_frames);
  r.times_s = info.frame_time;
  r.agents_total = static_cast<std::int64_t>(info.agents.size());
  for (const auto& a : info.agents)
    if (std::isfinite(a.exit_time_s)) r.exit_times_s.push_back(a.exit_time_s);
  std::sort(r.exit_times_s.begin(), r.exit_times_s.end());
  // Evacuation time for the IMO rule: from the first frame to the last frame with anyone present.
  std::size_t last_occupied = 0;
  for (std::size_t k = 0; k < n_frames; ++k)
    if (info.frame_count[k] > 0) last_occupied = k;
  r.duration_s = n_frames ? info.frame_time[last_occupied] - info.frame_time[0] + dt : 0.0;

  // Per-cell statistics of pass 1.
  r.peak_density = map(0.0);
  r.peak_density_time_s = map(0.0);
  r.mean_density = map(0.0);
  r.mean_speed = map(kNaN);
  r.mean_flow_x = map(0.0);
  r.mean_flow_y = map(0.0);
  r.time_above_imo_s = map(0.0);
  r.peak_pressure = map(0.0);
  r.peak_contact_force = map(0.0);
  r.peak_counterflow = map(0.0);
  r.counterflow_time_s = map(0.0);
  std::vector<std::int64_t> los_count[2][kLevelsOfService];
  for (auto& scheme : los_count)
    for (auto& level : scheme) level.assign(n, 0);
  std::vector<double> speed_sum(n, 0.0);
  std::vector<std::int64_t> speed_n(n, 0);
  std::vector<double> lane_sum(n, 0.0);
  std::vector<std::int64_t> lane_n(n, 0);
  RunTracker run_danger(n), run_fatal(n), run_pressure(n), run_counter(n);

  auto is_counterflow = [&](const FrameFields& f, std::size_t c) {
    return f.flux_backward[c] >= th.counterflow_min_flux_per_m_s && f.flux_backward[c] >= th.counterflow_min_ratio * f.flux_forward[c];
  };
  auto is_pressure = [&](const FrameFields& f, std::size_t c) {
    return f.pressure[c] >= th.pressure_s2 && f.density[c] >= th.pressure_min_density_per_m2;
  };

  // Measurement lines.
  if (scenario_in)
    for (const MeasurementLine& ml : scenario_in->measurement_lines) {
      LineSeries s;
      s.name = ml.name;
      s.line = ml.line;
      for (std::size_t i = 1; i < ml.line.size(); ++i) s.length_m += norm(ml.line[i] - ml.line[i - 1]);
      s.forward.assign(n_frames, 0);
      s.backward.assign(n_frames, 0);
      s.density.assign(n_frames, 0.0F);
      s.speed.assign(n_frames, 0.0F);
      r.lines.push_back(std::move(s));
    }
  // Sample points along each line, every half cell.
  std::vector<std::vector<Vec2>> line_samples;
  for (const LineSeries& s : r.lines) {
    std::vector<Vec2> pts;
    for (std::size_t i = 1; i < s.line.size(); ++i) {
      const Vec2 a = s.line[i - 1], b = s.line[i];
      const int k = std::max(1, static_cast<int>(std::ceil(norm(b - a) / (0.5 * g.cell_m))));
      for (int j = 0; j < k; ++j) pts.push_back(a + (b - a) * ((j + 0.5) / k));
    }
    line_samples.push_back(std::move(pts));
  }
  std::vector<Vec2> last_pos;
  std::vector<std::int64_t> last_frame;

  // Replay sampling: evenly spaced frames, then agents thinned by id to fit the budget.
  detail::RunFacts facts;
  {
    const std::size_t stride = std::max<std::size_t>(1, (n_frames + static_cast<std::size_t>(options.replay_max_frames) - 1) /
                                                            static_cast<std::size_t>(options.replay_max_frames));
    std::int64_t samples = 0;
    for (std::size_t k = 0; k < n_frames; k += stride) {
      facts.replay.frame_index.push_back(k);
      facts.replay.time_s.push_back(info.frame_time[k]);
      samples += info.frame_count[k];
    }
    facts.replay.agent_stride = std::max<std::int64_t>(1, (samples + options.replay_max_samples - 1) / options.replay_max_samples);
    facts.replay.xyd.resize(facts.replay.frame_index.size());
  }

  // Velocities as displacement over the last frame interval, as video analyses measure them
  // (docs/analysis.md): the engine's instantaneous velocity carries sub-second oscillations of
  // the force model that would inflate the velocity variance. A person's first frame, and a jump
  // faster than kMaxDisplacementSpeed (periodic wrap), keep the recorded velocity.
  struct Smoother {
    std::vector<Vec2> pos;
    std::vector<std::int64_t> frame;
    void reset() { frame.assign(frame.size(), -2); }
    void apply(detail::FrameRows& rows, std::int64_t k, double dt) {
      constexpr double kMaxDisplacementSpeed = 4.0;  // m/s
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        const auto id = static_cast<std::size_t>(rows.id[j]);
        if (id >= pos.size()) {
          pos.resize(id + 1024);
          frame.resize(id + 1024, -2);
        }
        if (frame[id] == k - 1) {
          const Vec2 v = (rows.position[j] - pos[id]) / dt;
          if (norm(v) <= kMaxDisplacementSpeed) rows.velocity[j] = v;
        }
        pos[id] = rows.position[j];
        frame[id] = k;
      }
    }
  } smoother;

  // Crowd pressure after Helbing, Johansson & Al-Abideen 2007: P(r, t) = ρ(r, t) · Var_t(V),
  // with V the kernel-weighted local velocity and Var_t its variance about its own running mean
  // at that place, both exponentially weighted over pressure_window_s. Steady converging streams
  // have a large spatial but a small temporal variance; stop-and-go and turbulence have both.
  struct TemporalPressure {
    std::vector<Vec2> mean;
    std::vector<double> var;
    std::vector<std::int64_t> last;
    double alpha = 0.1;
    void reset(std::size_t n, double a) {
      mean.assign(n, Vec2{});
      var.assign(n, 0.0);
      last.assign(n, -2);
      alpha = a;
    }
    void apply(FrameFields& f, std::int64_t frame) {
      for (std::uint32_t c : f.active_cells) {
        const double rho = f.density[c];
        if (!(rho >= kOccupied)) {
          f.pressure[c] = 0.0;
          continue;
        }
        const Vec2 v{f.flow_x[c] / rho, f.flow_y[c] / rho};
        if (last[c] != frame - 1) {
          mean[c] = v;
          var[c] = 0.0;
        } else {
          const Vec2 d = v - mean[c];
          mean[c] += alpha * d;
          var[c] = (1.0 - alpha) * (var[c] + alpha * norm2(d));
        }
        last[c] = frame;
        f.pressure[c] = crowd_pressure(rho, var[c]);
      }
    }
  } pressure;
  const double pressure_alpha = std::min(1.0, dt / options.pressure_window_s);
  pressure.reset(n, pressure_alpha);

  // ---- Pass 1 -------------------------------------------------------------------------------
  detail::FrameRows rows;
  FrameFields f;
  std::vector<std::int32_t> cnt_plus(n, 0), cnt_minus(n, 0);
  std::vector<std::size_t> person_cell;
  std::size_t k = 0, replay_next = 0;
  while (reader.next(rows)) {
    const std::int64_t frame = static_cast<std::int64_t>(k);
    const double t = rows.time_s;
    r.rows += static_cast<std::int64_t>(rows.id.size());
    r.persons.push_back(static_cast<std::int32_t>(rows.id.size()));
    if (options.displacement_velocity) smoother.apply(rows, frame, dt);
    est.compute(rows.position, rows.velocity, rows.contact_force, f);
    pressure.apply(f, frame);
    bool any_counterflow = false;
    for (std::uint32_t c : f.active_cells) {
      const double rho = f.density[c];
      if (rho > r.peak_density[c]) {
        r.peak_density[c] = rho;
        r.peak_density_time_s[c] = t;
      }
      r.mean_density[c] += rho;
      r.mean_flow_x[c] += f.flow_x[c];
      r.mean_flow_y[c] += f.flow_y[c];
      if (rho >= kOccupied) {
        speed_sum[c] += f.speed[c];
        ++speed_n[c];
      }
      for (int s = 0; s < 2; ++s) {
        const auto level = static_cast<int>(level_of_service(rho, s == 0 ? LosScheme::FruinWalkway : LosScheme::FruinQueuing));
        if (level > 0) ++los_count[s][level][c];
      }
      if (rho > th.imo_density_per_m2) r.time_above_imo_s[c] += dt;
      if (rho >= th.danger_density_per_m2) run_danger.hit(c, frame);
      if (rho >= th.fatal_density_per_m2) run_fatal.hit(c, frame);
      if (rho >= th.pressure_min_density_per_m2) r.peak_pressure[c] = std::max(r.peak_pressure[c], f.pressure[c]);
      if (is_pressure(f, c)) run_pressure.hit(c, frame);
      r.peak_contact_force[c] = std::max(r.peak_contact_force[c], f.contact_force[c]);
      r.peak_counterflow[c] = std::max(r.peak_counterflow[c], f.flux_backward[c]);
      if (is_counterflow(f, c)) {
        run_counter.hit(c, frame);
        r.counterflow_time_s[c] += dt;
        any_counterflow = true;
      }
    }

    // Lane order in counterflow cells: among people in the same lateral band (the cell row
    // along the flow axis, ±2 cells), ((n_same − n_opp) / (n_same + n_opp))² per person.
    if (any_counterflow) {
      person_cell.assign(rows.id.size(), n);
      auto canonical_sign = [&](std::size_t c, Vec2 v) {
        double ax = f.axis_x[c], ay = f.axis_y[c];
        if (ax < 0 || (ax == 0 && ay < 0)) ax = -ax, ay = -ay;
        return v.x * ax + v.y * ay >= 0 ? 1 : -1;
      };
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        const Vec2 p = rows.position[j];
        const int cx = static_cast<int>(std::floor((p.x - g.origin.x) / g.cell_m));
        const int cy = static_cast<int>(std::floor((p.y - g.origin.y) / g.cell_m));
        if (cx < 0 || cy < 0 || cx >= g.nx || cy >= g.ny) continue;
        const std::size_t c = static_cast<std::size_t>(cy) * g.nx + cx;
        if (!walkable(c)) continue;
        person_cell[j] = c;
        (canonical_sign(c, rows.velocity[j]) > 0 ? cnt_plus : cnt_minus)[c] += 1;
      }
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        const std::size_t c = person_cell[j];
        if (c == n || !is_counterflow(f, c)) continue;
        const bool along_x = std::abs(f.axis_x[c]) >= std::abs(f.axis_y[c]);
        const int cx = static_cast<int>(c % g.nx), cy = static_cast<int>(c / g.nx);
        std::int64_t plus = 0, minus = 0;
        for (int d = -2; d <= 2; ++d) {
          const int bx = along_x ? cx + d : cx, by = along_x ? cy : cy + d;
          if (bx < 0 || by < 0 || bx >= g.nx || by >= g.ny) continue;
          const std::size_t b = static_cast<std::size_t>(by) * g.nx + bx;
          plus += cnt_plus[b];
          minus += cnt_minus[b];
        }
        const bool mine_plus = canonical_sign(c, rows.velocity[j]) > 0;
        const std::int64_t same = (mine_plus ? plus : minus) - 1, opp = mine_plus ? minus : plus;
        if (same + opp <= 0) continue;
        const double phi = static_cast<double>(same - opp) / static_cast<double>(same + opp);
        lane_sum[c] += phi * phi;
        ++lane_n[c];
      }
      for (std::size_t c : person_cell)
        if (c != n) cnt_plus[c] = cnt_minus[c] = 0;
    }

    // Measurement lines: crossings since the previous frame, density and speed along the line.
    if (!r.lines.empty()) {
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        const auto id = static_cast<std::size_t>(rows.id[j]);
        if (id >= last_pos.size()) {
          last_pos.resize(id + 1024);
          last_frame.resize(id + 1024, -2);
        }
        if (last_frame[id] == frame - 1)
          for (LineSeries& s : r.lines)
            for (std::size_t i = 1; i < s.line.size(); ++i) {
              const int x = crossing(last_pos[id], rows.position[j], s.line[i - 1], s.line[i]);
              if (x > 0) ++s.forward[k];
              if (x < 0) ++s.backward[k];
              if (x != 0) break;
            }
        last_pos[id] = rows.position[j];
        last_frame[id] = frame;
      }
      for (std::size_t l = 0; l < r.lines.size(); ++l) {
        double dsum = 0, vsum = 0;
        for (const Vec2 p : line_samples[l]) {
          const double d = est.sample(f.density, p);
          dsum += d;
          vsum += d * est.sample(f.speed, p);
        }
        r.lines[l].density[k] = static_cast<float>(dsum / static_cast<double>(line_samples[l].size()));
        r.lines[l].speed[k] = dsum > 1e-9 ? static_cast<float>(vsum / dsum) : 0.0F;
      }
    }

    // Replay samples with each person's local density.
    if (replay_next < facts.replay.frame_index.size() && facts.replay.frame_index[replay_next] == k) {
      auto& out = facts.replay.xyd[replay_next];
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        if (rows.id[j] % facts.replay.agent_stride != 0) continue;
        out.push_back(static_cast<float>(rows.position[j].x));
        out.push_back(static_cast<float>(rows.position[j].y));
        out.push_back(static_cast<float>(est.sample(f.density, rows.position[j])));
      }
      ++replay_next;
    }
    ++k;
  }
  const double frames_d = std::max<double>(1.0, static_cast<double>(n_frames));
  for (std::size_t c = 0; c < n; ++c) {
    if (!walkable(c)) continue;
    r.mean_density[c] /= frames_d;
    r.mean_flow_x[c] /= frames_d;
    r.mean_flow_y[c] /= frames_d;
    if (speed_n[c] > 0) r.mean_speed[c] = speed_sum[c] / static_cast<double>(speed_n[c]);
  }
  for (int s = 0; s < 2; ++s) {
    for (int level = 0; level < kLevelsOfService; ++level) r.los_fraction[s][level] = map(0.0);
    for (std::size_t c = 0; c < n; ++c) {
      if (!walkable(c)) continue;
      std::int64_t worse = 0;
      for (int level = 1; level < kLevelsOfService; ++level) {
        r.los_fraction[s][level][c] = static_cast<double>(los_count[s][level][c]) / frames_d;
        worse += los_count[s][level][c];
      }
      r.los_fraction[s][0][c] = static_cast<double>(static_cast<std::int64_t>(n_frames) - worse) / frames_d;
    }
  }
  r.lane_order = map(kNaN);
  for (std::size_t c = 0; c < n; ++c)
    if (walkable(c) && lane_n[c] > 0) r.lane_order[c] = lane_sum[c] / static_cast<double>(lane_n[c]);
  for (LineSeries& s : r.lines) {
    s.total_forward = std::accumulate(s.forward.begin(), s.forward.end(), std::int64_t{0});
    s.total_backward = std::accumulate(s.backward.begin(), s.backward.end(), std::int64_t{0});
    const auto window = static_cast<std::size_t>(std::max(1.0, std::round(10.0 / dt)));
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < s.forward.size(); ++i) {
      sum += s.forward[i] + s.backward[i];
      if (i >= window) sum -= s.forward[i - window] + s.backward[i - window];
      s.peak_flow_per_s = std::max(s.peak_flow_per_s, static_cast<double>(sum) / (static_cast<double>(std::min(i + 1, window)) * dt));
    }
  }

  // ---- Regions --------------------------------------------------------------------------------
  const auto sustained = static_cast<std::int32_t>(std::ceil(th.sustained_s / dt - 1e-9));
  const auto counter_sustained = static_cast<std::int32_t>(std::ceil(th.counterflow_sustained_s / dt - 1e-9));
  std::vector<std::uint8_t> crush_flag(n, 0), counter_flag(n, 0);
  auto danger_cell = [&](std::size_t c) { return run_danger.longest[c] > 0 && run_danger.longest[c] >= sustained; };
  auto fatal_cell = [&](std::size_t c) { return run_fatal.longest[c] > 0 && run_fatal.longest[c] >= sustained; };
  auto pressure_cell = [&](std::size_t c) { return run_pressure.longest[c] > 0 && run_pressure.longest[c] >= sustained; };
  auto imo_cell = [&](std::size_t c) { return walkable(c) && r.time_above_imo_s[c] > th.imo_time_fraction * r.duration_s; };
  for (std::size_t c = 0; c < n; ++c) {
    crush_flag[c] = danger_cell(c) || pressure_cell(c) || imo_cell(c);
    counter_flag[c] = run_counter.longest[c] > 0 && run_counter.longest[c] >= counter_sustained;
  }
  struct Pending {
    Hotspot h;
    double active_density = 0;  ///< crush: density at which a cell is active
    bool pressure = false;
  };
  std::vector<Pending> pending;
  const double cell_area = g.cell_m * g.cell_m;
  for (int kind = 0; kind < 2; ++kind) {
    for (auto& cells : detail::connected_regions(g, kind == 0 ? crush_flag : counter_flag)) {
      const double area = static_cast<double>(cells.size()) * cell_area;
      if (area < th.min_area_m2 - 1e-9) continue;
      Pending p;
      Hotspot& h = p.h;
      h.kind = kind == 0 ? HotspotKind::Crush : HotspotKind::Counterflow;
      h.area_m2 = area;
      Vec2 sum;
      for (std::size_t c : cells) sum += g.center(c);
      h.centroid = sum / static_cast<double>(cells.size());
      if (kind == 0) {
        const bool danger = std::any_of(cells.begin(), cells.end(), danger_cell);
        const bool fatal = std::any_of(cells.begin(), cells.end(), fatal_cell);
        p.pressure = std::any_of(cells.begin(), cells.end(), pressure_cell);
        const bool imo = std::any_of(cells.begin(), cells.end(), imo_cell);
        auto num = [](double v) {
          std::ostringstream s;
          s << v;
          return s.str();
        };
        if (danger) h.criteria.push_back("density>=" + num(th.danger_density_per_m2));
        if (fatal) h.criteria.push_back("density>=" + num(th.fatal_density_per_m2));
        if (p.pressure) h.criteria.push_back("pressure>=" + num(th.pressure_s2));
        if (imo) h.criteria.push_back("imo");
        h.severity = fatal ? Severity::Critical : (danger || p.pressure) ? Severity::High : Severity::Elevated;
        p.active_density = danger ? th.danger_density_per_m2 : th.imo_density_per_m2;
      } else {
        h.criteria.push_back("counterflow");
      }
      for (std::size_t c : cells) {
        if (r.peak_density[c] > h.peak_density_per_m2) {
          h.peak_density_per_m2 = r.peak_density[c];
          h.peak_density_time_s = r.peak_density_time_s[c];
        }
        h.peak_pressure_s2 = std::max(h.peak_pressure_s2, r.peak_pressure[c]);
        h.peak_contact_force_N = std::max(h.peak_contact_force_N, r.peak_contact_force[c]);
        h.peak_opposing_flux_per_m_s = std::max(h.peak_opposing_flux_per_m_s, r.peak_counterflow[c]);
      }
      double ls = 0, ln = 0;
      for (std::size_t c : cells) {
        ls += lane_sum[c];
        ln += static_cast<double>(lane_n[c]);
      }
      h.lane_order = ln > 0 ? ls / ln : 0.0;
      h.shape = detail::outline(g, cells);
      h.cells = std::move(cells);
      pending.push_back(std::move(p));
    }
  }

  // ---- Pass 2 ---------------------------------------------------------------------------------
  const std::size_t nh = pending.size();
  facts.hotspot_active.assign(nh, std::vector<std::uint8_t>(n_frames, 0));
  if (nh > 0) {
    // Cell -> hotspot, one map per kind (a cell may be in a crush and a counterflow hotspot).
    std::vector<std::int32_t> label[2] = {std::vector<std::int32_t>(n, -1), std::vector<std::int32_t>(n, -1)};
    for (std::size_t h = 0; h < nh; ++h)
      for (std::size_t c : pending[h].h.cells) label[static_cast<int>(pending[h].h.kind)][c] = static_cast<std::int32_t>(h);
    std::vector<std::int32_t> group_of;
    for (const auto& a : info.agents) {
      if (a.id >= static_cast<std::int64_t>(group_of.size())) group_of.resize(static_cast<std::size_t>(a.id) + 1, -1);
      group_of[static_cast<std::size_t>(a.id)] = a.group;
    }
    std::vector<std::int32_t> prev_label[2];
    std::vector<std::map<std::pair<std::string, std::string>, std::int64_t>> feeding(nh);
    std::vector<std::vector<float>> dens_samples(nh), pres_samples(nh), flux_samples(nh);
    std::vector<std::int64_t> persons_in(nh);
    for (auto& p : pending) p.h.mean_density_series.assign(n_frames, 0.0F);
    reader.rewind();
    smoother.reset();
    pressure.reset(n, pressure_alpha);
    k = 0;
    while (reader.next(rows)) {
      if (options.displacement_velocity) smoother.apply(rows, static_cast<std::int64_t>(k), dt);
      est.compute(rows.position, rows.velocity, rows.contact_force, f);
      pressure.apply(f, static_cast<std::int64_t>(k));
      std::fill(persons_in.begin(), persons_in.end(), 0);
      std::vector<std::uint8_t> active(nh, 0);
      for (std::size_t h = 0; h < nh; ++h) {
        Pending& p = pending[h];
        double dsum = 0;
        bool on = false;
        for (std::size_t c : p.h.cells) {
          dsum += f.density[c];
          if (p.h.kind == HotspotKind::Crush) on = on || f.density[c] >= p.active_density || (p.pressure && is_pressure(f, c));
          else on = on || is_counterflow(f, c);
        }
        p.h.mean_density_series[k] = static_cast<float>(dsum / static_cast<double>(p.h.cells.size()));
        active[h] = on;
        facts.hotspot_active[h][k] = on;
        if (on)
          for (std::size_t c : p.h.cells) {
            dens_samples[h].push_back(static_cast<float>(f.density[c]));
            if (p.h.kind == HotspotKind::Crush) pres_samples[h].push_back(static_cast<float>(f.pressure[c]));
            else flux_samples[h].push_back(static_cast<float>(f.flux_backward[c]));
          }
      }
      for (std::size_t j = 0; j < rows.id.size(); ++j) {
        const Vec2 pos = rows.position[j];
        const int cx = static_cast<int>(std::floor((pos.x - g.origin.x) / g.cell_m));
        const int cy = static_cast<int>(std::floor((pos.y - g.origin.y) / g.cell_m));
        const bool in_grid = cx >= 0 && cy >= 0 && cx < g.nx && cy < g.ny;
        const std::size_t c = in_grid ? static_cast<std::size_t>(cy) * g.nx + cx : 0;
        const auto id = static_cast<std::size_t>(rows.id[j]);
        for (int kind = 0; kind < 2; ++kind) {
          auto& prev = prev_label[kind];
          if (id >= prev.size()) prev.resize(id + 1024, -1);
          const std::int32_t h = in_grid ? label[kind][c] : -1;
          if (h >= 0) {
            ++persons_in[static_cast<std::size_t>(h)];
            if (prev[id] != h && active[static_cast<std::size_t>(h)]) {
              const std::int32_t gi = id < group_of.size() ? group_of[id] : -1;
              const std::string group = gi >= 0 && static_cast<std::size_t>(gi) < info.group_names.size()
                                            ? info.group_names[static_cast<std::size_t>(gi)]
                                            : "unknown";
              ++feeding[static_cast<std::size_t>(h)][{group, heading_of(rows.velocity[j])}];
            }
          }
          prev[id] = h;
        }
      }
      for (std::size_t h = 0; h < nh; ++h)
        if (active[h]) {
          pending[h].h.exposure_person_s += static_cast<double>(persons_in[h]) * dt;
          pending[h].h.max_persons = std::max(pending[h].h.max_persons, persons_in[h]);
        }
      ++k;
    }
    for (std::size_t h = 0; h < nh; ++h) {
      Hotspot& hs = pending[h].h;
      const auto& act = facts.hotspot_active[h];
      for (std::size_t i = 0; i < n_frames; ++i) {
        if (!act[i]) continue;
        const double t = r.times_s[i];
        if (hs.active_windows.empty() || i == 0 || !act[i - 1]) hs.active_windows.push_back({t, t + dt});
        else hs.active_windows.back().second = t + dt;
        hs.active_s += dt;
      }
      if (!hs.active_windows.empty()) {
        hs.start_s = hs.active_windows.front().first;
        hs.end_s = hs.active_windows.back().second;
      }
      hs.p95_density_per_m2 = percentile(dens_samples[h], 0.95);
      hs.p95_pressure_s2 = percentile(pres_samples[h], 0.95);
      hs.p95_opposing_flux_per_m_s = percentile(flux_samples[h], 0.95);
      for (const auto& [key, persons] : feeding[h]) hs.feeding_flows.push_back({key.first, key.second, persons});
      std::sort(hs.feeding_flows.begin(), hs.feeding_flows.end(),
                [](const FeedingFlow& a, const FeedingFlow& b) { return a.persons > b.persons; });
      if (hs.kind == HotspotKind::Counterflow)
        hs.severity = hs.p95_density_per_m2 >= 2.0 ? Severity::High : Severity::Elevated;
    }
  }

  // ---- Geometry context, risk, rank -----------------------------------------------------------
  auto ridge = [&](std::size_t c) {
    const int cx = static_cast<int>(c % g.nx), cy = static_cast<int>(c / g.nx);
    auto d = [&](int x, int y) {
      if (x < 0 || y < 0 || x >= g.nx || y >= g.ny) return -1.0;
      const double v = r.wall_distance_m[static_cast<std::size_t>(y) * g.nx + x];
      return std::isfinite(v) ? v : -1.0;
    };
    const double v = d(cx, cy);
    if (!(v > 0) || !contains(r.walkable, g.center(c))) return false;
    const double l = d(cx - 1, cy), rr = d(cx + 1, cy), b = d(cx, cy - 1), t = d(cx, cy + 1);
    // A local maximum across x or y, strictly above one side (a long street is flat along it).
    return (l >= 0 && rr >= 0 && v >= l && v >= rr && (v > l || v > rr)) ||
           (b >= 0 && t >= 0 && v >= b && v >= t && (v > b || v > t));
  };
  for (Pending& p : pending) {
    Hotspot& h = p.h;
    GeometryContext& gc = h.geometry;
    // Clear width: median ridge width over the hotspot (robust to corners it touches).
    std::vector<double> ridge_d;
    double max_d = 0;
    for (std::size_t c : h.cells) {
      max_d = std::max(max_d, r.wall_distance_m[c]);
      if (ridge(c)) ridge_d.push_back(r.wall_distance_m[c]);
    }
    if (!ridge_d.empty()) {
      std::nth_element(ridge_d.begin(), ridge_d.begin() + static_cast<std::ptrdiff_t>(ridge_d.size() / 2), ridge_d.end());
      gc.clear_width_m = 2.0 * ridge_d[ridge_d.size() / 2];
    } else {
      gc.clear_width_m = 2.0 * max_d;
    }
    // Narrowest passage (smallest ridge width) within 10 m.
    const double radius = 10.0;
    double best = std::numeric_limits<double>::infinity();
    const int reach = static_cast<int>(std::ceil(radius / g.cell_m));
    const int hx = static_cast<int>(std::floor((h.centroid.x - g.origin.x) / g.cell_m));
    const int hy = static_cast<int>(std::floor((h.centroid.y - g.origin.y) / g.cell_m));
    for (int y = std::max(0, hy - reach); y <= std::min(g.ny - 1, hy + reach); ++y)
      for (int x = std::max(0, hx - reach); x <= std::min(g.nx - 1, hx + reach); ++x) {
        const std::size_t c = static_cast<std::size_t>(y) * g.nx + x;
        if (!walkable(c) || r.walkable_fraction[c] < 1.0 || !ridge(c)) continue;
        const double dist = norm(g.center(c) - h.centroid);
        if (dist > radius) continue;
        if (r.wall_distance_m[c] < best) {
          best = r.wall_distance_m[c];
          gc.bottleneck_at = g.center(c);
          gc.bottleneck_width_m = 2.0 * best;
          gc.bottleneck_distance_m = dist;
        }
      }
    if (scenario_in) {
      double best_exit = std::numeric_limits<double>::infinity();
      for (const Area& e : scenario_in->exits) {
        const double d = distance_to_polygons(e.shape, h.centroid);
        if (d < best_exit) {
          best_exit = d;
          gc.nearest_exit = e.name;
          gc.nearest_exit_distance_m = d;
        }
      }
      const Surface& s = scenario_in->surface;
      for (std::size_t t = 0; t < s.triangles.size(); ++t) {
        const Vec3 a = s.vertices[s.triangles[t][0]], b = s.vertices[s.triangles[t][1]], c3 = s.vertices[s.triangles[t][2]];
        const Ring tri = {{a.x, a.y}, {b.x, b.y}, {c3.x, c3.y}};
        bool under = false;
        for (std::size_t c : h.cells)
          if (contains(tri, g.center(c))) {
            under = true;
            break;
          }
        if (!under) continue;
        // Gradient of the plane through the triangle: |∇z| = |n_xy| / |n_z|.
        const double ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z, vx = c3.x - a.x, vy = c3.y - a.y, vz = c3.z - a.z;
        const double nx_ = uy * vz - uz * vy, ny_ = uz * vx - ux * vz, nz_ = ux * vy - uy * vx;
        if (std::abs(nz_) > 1e-12) gc.max_slope_percent = std::max(gc.max_slope_percent, 100.0 * std::hypot(nx_, ny_) / std::abs(nz_));
        if (t < s.stairs.size() && s.stairs[t]) gc.stairs = true;
      }
    }
    // Risk score (docs/analysis.md): severity weight × intensity × log10(10 + exposure).
    const double weight = h.severity == Severity::Critical ? 9.0 : h.severity == Severity::High ? 3.0 : 1.0;
    double intensity = 1.0;
    if (h.kind == HotspotKind::Crush) {
      intensity = h.peak_density_per_m2 / th.danger_density_per_m2;
      if (p.pressure) intensity = std::max(intensity, h.peak_pressure_s2 / th.pressure_s2);
    } else {
      intensity = h.peak_opposing_flux_per_m_s / th.counterflow_min_flux_per_m_s;
    }
    intensity = std::clamp(intensity, 0.5, 5.0);
    h.risk_score = weight * intensity * std::log10(10.0 + h.exposure_person_s);
  }
  std::vector<std::size_t> order(nh);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pending[a].h.risk_score > pending[b].h.risk_score; });
  std::vector<std::vector<std::uint8_t>> active_ranked;
  for (std::size_t i = 0; i < nh; ++i) {
    Hotspot h = std::move(pending[order[i]].h);
    h.rank = static_cast<int>(i) + 1;
    h.id = std::string("H").append(std::to_string(h.rank));  // (not "H" + …: GCC 12 -Wrestrict false positive)
    r.hotspots.push_back(std::move(h));
    active_ranked.push_back(std::move(facts.hotspot_active[order[i]]));
  }
  facts.hotspot_active = std::move(active_ranked);
  r.hotspot_cell.assign(n, -1);
  for (int kind = 0; kind < 2; ++kind)
    for (const Hotspot& h : r.hotspots)
      if (static_cast<int>(h.kind) == kind)
        for (std::size_t c : h.cells)
          if (r.hotspot_cell[c] < 0) r.hotspot_cell[c] = h.rank - 1;

  r.read_s = reader.read_seconds();
  reader_holder.reset();
  if (options.write_outputs) {
    facts.status = info.status;
    facts.group_names = info.group_names;
    facts.exit_names = info.exit_names;
    facts.exit_times_s.resize(info.exit_names.size());
    for (const auto& a : info.agents)
      if (a.exit >= 0 && static_cast<std::size_t>(a.exit) < info.exit_names.size() && std::isfinite(a.exit_time_s))
        facts.exit_times_s[static_cast<std::size_t>(a.exit)].push_back(a.exit_time_s);
    if (scenario_in) {
      for (const Area& e : scenario_in->exits) facts.exits.push_back({e.name, e.shape});
      facts.levels = scenario_in->levels;
    }
    if (std::ifstream in(run_dir / "summary.json"); in) {
      std::stringstream ss;
      ss << in.rdbuf();
      facts.summary_json = ss.str();
    }
    detail::write_hotspot_files(r, facts);
    detail::write_analysis_h5(r, run_dir / "trajectories.h5");
    r.total_s = std::chrono::duration<double>(clock::now() - t_start).count();
    if (options.write_report) detail::write_report(r, facts);
  }
  r.total_s = std::chrono::duration<double>(clock::now() - t_start).count();
  return r;
}

}  // namespace crowdsafe
