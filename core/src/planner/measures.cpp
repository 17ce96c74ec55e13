// Measures against hotspots, derived from who reached each hotspot and which cross-sections they
// passed on the way (from the run's trajectories): a metered gate upstream of a crush hotspot,
// and for a counterflow hotspot one-way routing where the venue has another way, else a divider
// (off by default), a later release or a gate that holds the smaller stream while the larger
// one passes. Method: docs/planner.md.

#include "measures.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "../analysis/trajectory_reader.hpp"

namespace crowdsafe::detail {
namespace {

constexpr float kNever = std::numeric_limits<float>::quiet_NaN();
constexpr double kHoldingRadius_m = 20.0;  // queue room counted upstream of a gate, m
constexpr double kBottleneckSearch_m = 30.0;
constexpr double kMeasureWindow_s = 30.0;  // measured capacity: busiest window of this length

bool in_windows(const Hotspot& h, double t) {
  for (const auto& [a, b] : h.active_windows)
    if (t >= a && t <= b) return true;
  return false;
}

// The line drawn so that crossings with `sign` (+1 right -> left) are "in": people walk into
// its left side, so a recommended gate always controls direction `in`.
Segment inward(const Segment& line, int sign) { return sign > 0 ? line : Segment{line.b, line.a}; }

}  // namespace

// ------------------------------------------------------------------------------------------
// Trajectory statistics

TrajectoryStats collect_stats(const std::filesystem::path& h5_file, const AnalysisResult& analysis,
                              const std::vector<std::size_t>& hotspots, const std::vector<Segment>& lines) {
  TrajectoryReader reader(h5_file);
  const RunFileInfo& info = reader.info();
  TrajectoryStats st;
  const std::size_t N = info.agents.size(), H = hotspots.size(), L = lines.size();
  st.agents = N;
  for (const auto& a : info.agents) st.group.push_back(a.group);
  st.hotspots = hotspots;
  st.lines = lines;
  st.entry_time.assign(N * H, kNever);
  st.last_time.assign(N * H, kNever);
  st.entry_pos.assign(N * H, Vec2{0, 0});
  st.last_pos.assign(N * H, Vec2{0, 0});
  st.first_pos.assign(N, Vec2{0, 0});
  st.cross_time.assign(N * L, kNever);
  st.cross_sign.assign(N * L, 0);
  st.crossings.resize(L);
  if (!info.frame_time.empty()) st.end_s = info.frame_time.back();

  const FieldGrid& g = analysis.grid;
  std::vector<std::vector<std::uint8_t>> member(H, std::vector<std::uint8_t>(g.size(), 0));
  // A counterflow hotspot is where the kernel fluxes of two streams overlap; the people who make
  // it walk within about 2.5 kernel radii of its cells, so those cells count too.
  for (std::size_t k = 0; k < H; ++k) {
    const Hotspot& h = analysis.hotspots[hotspots[k]];
    const int reach = h.kind == HotspotKind::Counterflow
                          ? static_cast<int>(std::ceil(2.5 * analysis.options.kernel_radius_m / g.cell_m))
                          : 0;
    for (std::size_t c : h.cells) {
      const int cx = static_cast<int>(c % static_cast<std::size_t>(g.nx)), cy = static_cast<int>(c / static_cast<std::size_t>(g.nx));
      for (int dy = -reach; dy <= reach; ++dy)
        for (int dx = -reach; dx <= reach; ++dx) {
          const int x = cx + dx, y = cy + dy;
          if (x < 0 || y < 0 || x >= g.nx || y >= g.ny || dx * dx + dy * dy > reach * reach) continue;
          member[k][static_cast<std::size_t>(y) * static_cast<std::size_t>(g.nx) + static_cast<std::size_t>(x)] = 1;
        }
    }
  }
  std::vector<Box> line_box(L);
  std::vector<Vec2> line_left(L);
  for (std::size_t l = 0; l < L; ++l) {
    line_box[l] = {{std::min(lines[l].a.x, lines[l].b.x), std::min(lines[l].a.y, lines[l].b.y)},
                   {std::max(lines[l].a.x, lines[l].b.x), std::max(lines[l].a.y, lines[l].b.y)}};
    line_left[l] = perp(normalized(lines[l].b - lines[l].a));
  }

  std::vector<Vec2> prev(N);
  std::vector<std::int64_t> prev_frame(N, -2);
  FrameRows rows;
  while (reader.next(rows)) {
    for (std::size_t r = 0; r < rows.id.size(); ++r) {
      const auto a = static_cast<std::size_t>(rows.id[r]);
      if (a >= N) continue;
      const Vec2 p = rows.position[r];
      const auto t = static_cast<float>(rows.time_s);
      if (prev_frame[a] == -2) st.first_pos[a] = p;
      const double fx = (p.x - g.origin.x) / g.cell_m, fy = (p.y - g.origin.y) / g.cell_m;
      if (fx >= 0 && fy >= 0 && fx < g.nx && fy < g.ny) {
        const std::size_t c = static_cast<std::size_t>(fy) * static_cast<std::size_t>(g.nx) + static_cast<std::size_t>(fx);
        for (std::size_t k = 0; k < H; ++k) {
          if (!member[k][c] || !in_windows(analysis.hotspots[hotspots[k]], rows.time_s)) continue;
          const std::size_t i = a * H + k;
          if (std::isnan(st.entry_time[i])) {
            st.entry_time[i] = t;
            st.entry_pos[i] = p;
          }
          st.last_time[i] = t;
          st.last_pos[i] = p;
        }
      }
      if (prev_frame[a] == rows.frame - 1) {
        const Vec2 q = prev[a];
        for (std::size_t l = 0; l < L; ++l) {
          const Box& b = line_box[l];
          if (std::max(p.x, q.x) < b.min.x || std::min(p.x, q.x) > b.max.x || std::max(p.y, q.y) < b.min.y ||
              std::min(p.y, q.y) > b.max.y)
            continue;
          if (!segments_intersect(q, p, lines[l].a, lines[l].b)) continue;
          const std::int8_t sign = dot(p - q, line_left[l]) > 0.0 ? 1 : -1;  // +1: right -> left ("in")
          st.crossings[l].push_back({t, sign});
          const std::size_t i = a * L + l;
          if (std::isnan(st.cross_time[i])) {
            st.cross_time[i] = t;
            st.cross_sign[i] = sign;
          }
        }
      }
      prev[a] = p;
      prev_frame[a] = rows.frame;
    }
  }
  for (auto& c : st.crossings) std::sort(c.begin(), c.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return st;
}

// ------------------------------------------------------------------------------------------
// Shared pieces

std::vector<Passage> candidate_sections(const Scenario& sc, const GeometryReport& geometry, const PlanOptions& opt) {
  constexpr std::size_t kStretched = 10;  // narrowest passages whose stretch is sampled
  constexpr double kStep_m = 3.0, kReach_m = 45.0;
  std::vector<Passage> out = geometry.passages;
  const auto walls = scenario_walls(sc);
  for (std::size_t i = 0; i < std::min(kStretched, geometry.passages.size()); ++i) {
    const Passage& p = geometry.passages[i];
    const Vec2 along = perp(p.direction);
    for (const double side : {-1.0, 1.0})
      for (double shift = kStep_m; shift <= kReach_m + 1e-9; shift += kStep_m) {
        const Vec2 q = p.position + along * (side * shift);
        if (!contains(sc.walkable, q)) break;
        const double left = ray_distance(q, p.direction, walls), right = ray_distance(q, p.direction * -1.0, walls);
        const double w = left + right;
        if (!std::isfinite(w) || w > 1.25 * p.clear_width_m) break;  // the stretch has ended
        Passage s = p;
        s.position = q + p.direction * (0.5 * (left - right));
        s.clear_width_m = w;
        s.capacity_persons_per_s = w * opt.design_specific_flow_per_m_s * (p.stairs ? 66.0 / 82.0 : 1.0);
        out.push_back(s);
      }
  }
  return out;
}

double holding_area_m2(const Scenario& sc, const AnalysisResult& analysis, const Segment& line, int upstream_side) {
  Polygon strip;
  const Vec2 u = normalized(line.b - line.a), n = perp(u) * 0.1;
  strip.outer = {line.a - n, line.b - n, line.b + n, line.a + n};
  const RouteFields fields(sc, {NavTarget{"gate", {strip}, {}, {}}});
  const FieldGrid& g = analysis.grid;
  double total = 0.0;
  for (std::size_t c = 0; c < g.size(); ++c) {
    const double wf = analysis.walkable_fraction[c];
    if (!(wf > 0.0)) continue;
    const Vec2 p = g.center(c);
    if (dot(p - line.a, perp(u)) * upstream_side <= 0.0) continue;
    if (fields.nav().distance(0, p) <= kHoldingRadius_m) total += wf * g.cell_m * g.cell_m;
  }
  return total;
}

QueueEstimate estimate_queue(const std::vector<std::pair<float, std::int8_t>>& crossings, int sign, double rate_per_s,
                             double begin_s, double end_s) {
  QueueEstimate q;
  double free_at = begin_s;  // when the gate can next let somebody through
  std::vector<double> departures;
  for (const auto& [t, s] : crossings) {
    if (s != sign || t < begin_s || t > end_s) continue;
    const double leave = std::max<double>(t, free_at);
    free_at = leave + 1.0 / rate_per_s;
    q.max_wait_s = std::max(q.max_wait_s, leave - t);
    departures.push_back(leave);
    // Queue when this person arrives: those who arrived before and have not left yet.
    const auto waiting = std::count_if(departures.begin(), departures.end(), [&](double d) { return d > t; });
    q.max_persons = std::max(q.max_persons, static_cast<double>(waiting));
  }
  return q;
}

// ------------------------------------------------------------------------------------------
// Crush: a metered gate upstream

std::optional<GateRecommendation> recommend_gate(const Scenario& sc, const AnalysisResult& analysis,
                                                 const GeometryReport& geometry, const TrajectoryStats& st,
                                                 std::size_t k, const PlanOptions& opt, std::string& why_not) {
  const Hotspot& h = analysis.hotspots[st.hotspots[k]];
  const std::size_t N = st.agents, H = st.hotspots.size(), L = st.lines.size();
  std::vector<std::size_t> feeders;
  for (std::size_t a = 0; a < N; ++a)
    if (!std::isnan(st.entry_time[a * H + k])) feeders.push_back(a);
  if (feeders.size() < 10) {
    why_not = format("only %zu persons passed through it while it was active; too few to place a gate", feeders.size());
    return std::nullopt;
  }
  const double nf = static_cast<double>(feeders.size());

  // The capacity-limiting passage: the narrowest one near the hotspot that most of its people
  // cross after reaching it.
  std::optional<std::size_t> bottleneck;
  for (std::size_t l = 0; l < L; ++l) {
    if (norm(geometry.passages[l].position - h.centroid) > kBottleneckSearch_m) continue;
    double after = 0;
    for (std::size_t a : feeders) {
      const float t = st.cross_time[a * L + l];
      after += !std::isnan(t) && t >= st.entry_time[a * H + k] - 2.0f;
    }
    if (after / nf < 0.5) continue;
    if (!bottleneck || geometry.passages[l].capacity_persons_per_s < geometry.passages[*bottleneck].capacity_persons_per_s)
      bottleneck = l;
  }

  // Capacity: design value of that passage (or of the hotspot's own width) and, where enough
  // people crossed it, the busiest 30 s measured in the run; the smaller counts.
  GateRecommendation rec;
  double theory;
  std::string basis;
  if (bottleneck) {
    const Passage& b = geometry.passages[*bottleneck];
    theory = b.clear_width_m * (b.stairs ? opt.design_specific_flow_per_m_s * 66.0 / 82.0 : opt.design_specific_flow_per_m_s);
    basis = format("the %.2f m passage at (%.1f, %.1f) m downstream: %.2f persons/s at %.0f persons/(m·min)", b.clear_width_m,
                 b.position.x, b.position.y, theory, opt.design_specific_flow_per_m_s * 60.0);
    const auto& cr = st.crossings[*bottleneck];
    // Busiest window of crossings in either direction while the hotspot was active.
    std::size_t best = 0;
    for (std::size_t i = 0, j = 0; j < cr.size(); ++j) {
      if (cr[j].first < h.start_s || cr[j].first > h.end_s) continue;
      while (i < j && (cr[i].first < h.start_s || cr[j].first - cr[i].first > kMeasureWindow_s)) ++i;
      best = std::max(best, j - i + 1);
    }
    if (best >= 20) {
      const double measured = static_cast<double>(best) / kMeasureWindow_s;
      if (measured < theory) {
        theory = measured;
        basis += format("; measured in the run: %.2f persons/s (busiest %.0f s), which is lower and used", measured,
                      kMeasureWindow_s);
      } else {
        basis += format("; the run carried up to %.2f persons/s there (busiest %.0f s)", measured, kMeasureWindow_s);
      }
    }
  } else {
    const double w = h.geometry.bottleneck_at ? h.geometry.bottleneck_width_m : h.geometry.clear_width_m;
    theory = w * opt.design_specific_flow_per_m_s;
    basis = format("the hotspot's own %.1f m width: %.2f persons/s at %.0f persons/(m·min)", w, theory,
                 opt.design_specific_flow_per_m_s * 60.0);
  }
  const double rate_per_min = std::floor(60.0 * opt.rate_margin * theory);
  if (!(rate_per_min >= 1.0)) {
    why_not = "the downstream capacity is below one person per minute";
    return std::nullopt;
  }

  // Gate: a passage most of the hotspot's people cross before the bottleneck, with room to queue.
  struct Candidate {
    std::size_t line;
    double coverage;
    int sign;
    double holding, needed;
    QueueEstimate queue;
    bool inside;  // the line passes through the hotspot: the queue would stand in it
  };
  std::vector<Candidate> candidates;
  const double t0 = std::max(0.0, h.start_s - kMeasureWindow_s), t1 = h.end_s + kMeasureWindow_s;
  for (std::size_t l = 0; l < L; ++l) {
    if (bottleneck && l == *bottleneck) continue;
    double crossed = 0, before = 0, both = 0, signs = 0;
    for (std::size_t a : feeders) {
      const float t = st.cross_time[a * L + l];
      if (std::isnan(t)) continue;
      crossed += 1;
      signs += st.cross_sign[a * L + l];
      if (bottleneck) {
        const float tb = st.cross_time[a * L + *bottleneck];
        if (!std::isnan(tb)) {
          both += 1;
          before += t < tb;
        }
      } else {
        both += 1;
        before += t <= st.entry_time[a * H + k] + 2.0f;
      }
    }
    const double coverage = crossed / nf;
    if (coverage < opt.min_coverage || both == 0 || before / both < 0.8) continue;
    Candidate c{l, coverage, signs >= 0 ? 1 : -1, 0, 0, {}, false};
    const Segment line = passage_line(geometry.passages[l]);
    for (std::size_t cell : h.cells) c.inside |= distance(line, analysis.grid.center(cell)) < 1.0;
    c.queue = estimate_queue(st.crossings[l], c.sign, rate_per_min / 60.0, t0, t1);
    c.needed = c.queue.max_persons / opt.holding_density_per_m2;
    // Crossing +1 goes right -> left, so the people queue on the right (-1) side.
    c.holding = holding_area_m2(sc, analysis, passage_line(geometry.passages[l]), -c.sign);
    candidates.push_back(c);
  }
  if (candidates.empty()) {
    why_not = format("no cross-section upstream is passed by %.0f %% of the %zu persons who reached it (they come from "
                   "several directions or were already there at the start); consider staggering their release or "
                   "arrivals instead",
                   100.0 * opt.min_coverage, feeders.size());
    return std::nullopt;
  }
  // Room to queue, as multiples of the expected queue's need (capped at 3: beyond that, more room
  // does not matter and a gate nearer the hotspot meters fewer bystanders).
  auto room = [](const Candidate& c) { return c.needed > 0 ? std::min(3.0, c.holding / c.needed) : 3.0; };
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.inside != b.inside) return !a.inside;
    if (std::abs(room(a) - room(b)) > 0.5) return room(a) > room(b);
    if (std::abs(a.coverage - b.coverage) > 0.05) return a.coverage > b.coverage;
    return norm(geometry.passages[a.line].position - h.centroid) < norm(geometry.passages[b.line].position - h.centroid);
  });
  const Candidate& c = candidates.front();
  const Passage& gp = geometry.passages[c.line];
  rec.gate.line = inward(passage_line(gp), c.sign);
  rec.gate.direction = Gate::Direction::In;
  if (t0 <= 1.0 && t1 >= st.end_s) {
    rec.gate.rate_persons_per_min = rate_per_min;
  } else {
    rec.gate.schedule.push_back({t0, t1, GateWindow::Mode::Metered, rate_per_min});
  }
  rec.hotspot = h.id;
  rec.purpose = "meter inflow";
  rec.clear_width_m = gp.clear_width_m;
  rec.capacity_persons_per_s = theory;
  rec.capacity_basis = basis;
  rec.coverage = c.coverage;
  rec.holding_area_m2 = c.holding;
  rec.holding_needed_m2 = c.needed;
  rec.expected_queue_persons = c.queue.max_persons;
  rec.expected_max_wait_s = c.queue.max_wait_s;
  rec.rationale = format(
      "%.0f %% of the %zu persons who reached %s passed the %.1f m passage at (%.1f, %.1f) m first. Metering it at "
      "%.0f persons/min (%.0f %% of the downstream capacity: %s) keeps the stretch to the bottleneck below capacity, so "
      "the queue forms here, where %.0f m² lie within %.0f m upstream (the expected queue of %.0f persons needs %.0f m² at "
      "%.1f persons/m²; longest expected wait %.0f s).",
      100.0 * c.coverage, feeders.size(), h.id.c_str(), gp.clear_width_m, gp.position.x, gp.position.y, rate_per_min,
      100.0 * opt.rate_margin, basis.c_str(), c.holding, kHoldingRadius_m, c.queue.max_persons, c.needed,
      opt.holding_density_per_m2, c.queue.max_wait_s);
  rec.queue_in_hotspot = c.inside;
  if (c.inside)
    rec.rationale += " Every such cross-section lies inside the hotspot (the crowd gathers there from the start), so the "
                     "queue will stand in it: release the crowd in waves (staggered premovement) instead or as well.";
  if (c.holding < c.needed) rec.rationale += " The holding area is smaller than the expected queue: add queue lanes or meter further upstream.";
  return rec;
}

// ------------------------------------------------------------------------------------------
// Counterflow: one-way routing where the venue has another way

namespace {

constexpr double kStrip_m = 1.0;       // depth of an avoided strip along the way, m
constexpr double kWayShare = 0.8;      // share of a stream's passage users that must have another way
constexpr std::size_t kMaxOrigins = 60;  // start positions sampled per group
constexpr int kMaxCuts = 8;            // cross-sections of the other way tried

// A cross-section of a way: the line wall to wall through q across `along` (unit), and the strip
// of kStrip_m around it that a route avoids.
struct WayCut {
  Segment line;
  Polygon strip;
  double width_m = 0;
};

std::optional<WayCut> cut_at(const Scenario& sc, const std::vector<Segment>& walls, Vec2 q, Vec2 along) {
  if (!contains(sc.walkable, q)) return std::nullopt;
  const Vec2 n = perp(along);
  const double left = ray_distance(q, n, walls), right = ray_distance(q, n * -1.0, walls);
  if (!std::isfinite(left) || !std::isfinite(right)) return std::nullopt;
  WayCut c;
  // 0.1 m past the walls: every route-field cell of the way lies in the strip, nothing beyond them.
  c.line = {q - n * (right + 0.1), q + n * (left + 0.1)};
  c.width_m = left + right;
  const Vec2 h = along * (0.5 * kStrip_m);
  c.strip.outer = {c.line.a - h, c.line.b - h, c.line.b + h, c.line.a + h};
  if (signed_area(c.strip.outer) < 0) std::reverse(c.strip.outer.begin(), c.strip.outer.end());
  return c;
}

double path_length(const std::vector<Vec2>& path) {
  double s = 0;
  for (std::size_t i = 1; i < path.size(); ++i) s += norm(path[i] - path[i - 1]);
  return s;
}

const Target& target_of(const Scenario& sc, std::int32_t g) {
  const auto G = static_cast<std::int32_t>(sc.groups.size());
  return g < G ? sc.groups[static_cast<std::size_t>(g)].target : sc.sources[static_cast<std::size_t>(g - G)].target;
}
const std::string& name_of(const Scenario& sc, std::int32_t g) {
  const auto G = static_cast<std::int32_t>(sc.groups.size());
  return g < G ? sc.groups[static_cast<std::size_t>(g)].name : sc.sources[static_cast<std::size_t>(g - G)].name;
}

std::vector<Polygon> target_area(const Scenario& sc, const Target& t) {
  std::vector<Polygon> area;
  if (t.kind == Target::Kind::NearestExit) {
    for (const auto& e : sc.exits) area.insert(area.end(), e.shape.begin(), e.shape.end());
  } else if (t.kind == Target::Kind::Exit || t.kind == Target::Kind::Destination) {
    for (const auto& a : t.kind == Target::Kind::Exit ? sc.exits : sc.destinations)
      if (a.name == t.name) area = a.shape;
  }
  return area;
}

// How a group's routes change when they avoid `cut`: of the sampled origins whose route crossed
// the cut, the share that reaches the target another way within max_factor × the route length.
struct RouteChange {
  std::size_t users = 0;     // sampled origins whose route crossed the cut
  std::size_t rerouted = 0;  // of those, with another way within the detour limit
  double detour_m = 0;       // mean extra path length of the re-routed, m
  std::vector<std::vector<Vec2>> paths;  // the re-routed paths
};

RouteChange route_change(const Scenario& sc, const Target& t, const std::vector<Vec2>& origins, const WayCut& cut,
                         double max_factor) {
  RouteChange rc;
  NavTarget plain{"route", target_area(sc, t), {}, t.avoid};
  if (plain.area.empty()) return rc;
  NavTarget avoiding = plain;
  avoiding.avoid.push_back(cut.strip);
  const RouteFields f(sc, {plain, avoiding});
  for (const Vec2 p : origins) {
    const double d0 = f.nav().distance(0, p);
    if (!std::isfinite(d0)) continue;
    const auto before = f.trace(0, p);
    if (!polyline_crosses(before, cut.line.a, cut.line.b)) continue;
    ++rc.users;
    auto after = f.trace(1, p);
    const double d1 = f.nav().distance(1, p);
    if (!f.nav().in_target(1, after.back()) || polyline_crosses(after, cut.line.a, cut.line.b) || !(d1 <= max_factor * d0))
      continue;
    ++rc.rerouted;
    rc.detour_m += path_length(after) - path_length(before);
    rc.paths.push_back(std::move(after));
  }
  if (rc.rerouted > 0) rc.detour_m /= static_cast<double>(rc.rerouted);
  return rc;
}

// Every `step`-th of the group's people, at most kMaxOrigins: where they were first seen.
std::vector<Vec2> origins_of(const TrajectoryStats& st, std::int32_t g) {
  std::vector<std::size_t> members;
  for (std::size_t a = 0; a < st.agents; ++a)
    if (st.group[a] == g) members.push_back(a);
  std::vector<Vec2> out;
  const std::size_t step = std::max<std::size_t>(1, (members.size() + kMaxOrigins - 1) / kMaxOrigins);
  for (std::size_t i = 0; i < members.size(); i += step) out.push_back(st.first_pos[members[i]]);
  return out;
}

// The change summed over a stream's groups; std::nullopt when a group's users lack another way.
std::optional<RouteChange> stream_change(const Scenario& sc, const TrajectoryStats& st,
                                         const std::vector<std::int32_t>& groups, const WayCut& cut, double max_factor) {
  RouteChange sum;
  for (std::int32_t g : groups) {
    const Target& t = target_of(sc, g);
    if (t.kind == Target::Kind::Direction) return std::nullopt;
    RouteChange c = route_change(sc, t, origins_of(st, g), cut, max_factor);
    if (static_cast<double>(c.rerouted) < kWayShare * static_cast<double>(c.users)) return std::nullopt;
    sum.detour_m = (sum.detour_m * static_cast<double>(sum.rerouted) + c.detour_m * static_cast<double>(c.rerouted)) /
                   std::max<double>(1.0, static_cast<double>(sum.rerouted + c.rerouted));
    sum.users += c.users;
    sum.rerouted += c.rerouted;
    for (auto& p : c.paths) sum.paths.push_back(std::move(p));
  }
  return sum;
}

// One stream avoids the hotspot's passage and takes another way; the other stream avoids that
// other way. Empty when the venue has no other way within the detour limit.
std::vector<RoutingRecommendation> one_way_routing(const Scenario& sc, const AnalysisResult& analysis,
                                                   const TrajectoryStats& st, std::size_t k, Vec2 axis,
                                                   const std::vector<std::size_t> (&stream)[2], const PlanOptions& opt,
                                                   std::vector<std::int32_t>& routed_groups) {
  const Hotspot& h = analysis.hotspots[st.hotspots[k]];
  const auto walls = scenario_walls(sc);
  // The hotspot's passage: cut across the streams' axis through its centre (or its walkable
  // cell nearest to it).
  Vec2 centre = h.centroid;
  if (!contains(sc.walkable, centre)) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c : h.cells) {
      const Vec2 q = analysis.grid.center(c);
      if (contains(sc.walkable, q) && norm(q - h.centroid) < best) {
        best = norm(q - h.centroid);
        centre = q;
      }
    }
  }
  const auto cut1 = cut_at(sc, walls, centre, axis);
  if (!cut1) return {};

  // Each stream's groups and sources: those with 90 % or more of their people here in it.
  std::map<std::int32_t, std::array<std::size_t, 2>> count;
  for (int s = 0; s < 2; ++s)
    for (std::size_t a : stream[s]) ++count[st.group[a]][static_cast<std::size_t>(s)];
  std::vector<std::int32_t> groups[2];
  std::size_t covered[2] = {0, 0};
  for (const auto& [g, c] : count)
    for (std::size_t s = 0; s < 2; ++s)
      if (g >= 0 && static_cast<double>(c[s]) >= 0.9 * static_cast<double>(c[0] + c[1])) {
        groups[s].push_back(g);
        covered[s] += c[s];
      }

  const int major = stream[0].size() >= stream[1].size() ? 0 : 1;
  for (const int r : {1 - major, major}) {  // re-route the smaller stream if it can go round
    const int o = 1 - r;
    if (static_cast<double>(covered[r]) < opt.min_coverage * static_cast<double>(stream[r].size())) continue;
    const auto moved = stream_change(sc, st, groups[r], *cut1, opt.max_detour_factor);
    if (!moved || moved->rerouted == 0) continue;

    // The other way: cross-sections along the re-routed paths, narrowest first, that the
    // re-routed paths cross and the kept stream can avoid within the detour limit.
    struct Cand {
      WayCut cut;
      Vec2 at;
    };
    std::vector<Cand> cands;
    const std::size_t stride = std::max<std::size_t>(1, moved->paths.size() / 5);
    for (std::size_t i = 0; i < moved->paths.size(); i += stride) {
      const auto& path = moved->paths[i];
      for (std::size_t j = 10; j + 10 < path.size(); j += 2) {  // not within 5 m of either end
        const Vec2 q = path[j];
        if (distance(cut1->line, q) < 3.0) continue;
        bool in_area = false;
        for (const auto& e : sc.exits) in_area |= contains(e.shape, q);
        for (const auto& d : sc.destinations) in_area |= contains(d.shape, q);
        if (in_area) continue;
        const auto c = cut_at(sc, walls, q, normalized(path[j + 1] - path[j - 1]));
        if (!c || segments_intersect(c->line.a, c->line.b, cut1->line.a, cut1->line.b) ||
            distance(cut1->line, c->line.a) < 1.0 || distance(cut1->line, c->line.b) < 1.0)
          continue;
        cands.push_back({*c, q});
      }
    }
    std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.cut.width_m < b.cut.width_m; });
    std::optional<WayCut> cut2;
    RouteChange kept;
    std::vector<Vec2> tried;
    for (const Cand& c : cands) {
      if (static_cast<int>(tried.size()) >= kMaxCuts) break;
      if (std::any_of(tried.begin(), tried.end(), [&](Vec2 t) { return norm(t - c.at) < 2.0; })) continue;
      tried.push_back(c.at);
      std::size_t crossing = 0;
      for (const auto& p : moved->paths) crossing += polyline_crosses(p, c.cut.line.a, c.cut.line.b);
      if (static_cast<double>(crossing) < kWayShare * static_cast<double>(moved->paths.size())) continue;
      if (groups[o].empty() ||
          static_cast<double>(covered[o]) < opt.min_coverage * static_cast<double>(stream[o].size()))
        break;  // the kept stream cannot be routed as a whole: one-sided routing only
      if (auto ch = stream_change(sc, st, groups[o], c.cut, opt.max_detour_factor)) {
        cut2 = c.cut;
        kept = std::move(*ch);
        break;
      }
    }

    std::vector<RoutingRecommendation> out;
    auto recommend = [&](int s, const WayCut& cut, const RouteChange& ch, const char* role) {
      RoutingRecommendation rec;
      rec.hotspot = h.id;
      for (std::int32_t g : groups[s]) rec.groups.push_back(name_of(sc, g));
      rec.line = cut.line;
      rec.avoid = cut.strip;
      rec.role = role;
      rec.persons = static_cast<std::int64_t>(stream[s].size());
      rec.detour_m = ch.detour_m;
      std::size_t sampled = 0;
      for (std::int32_t g : groups[s]) sampled += origins_of(st, g).size();
      rec.rerouted_share = sampled ? static_cast<double>(ch.rerouted) / static_cast<double>(sampled) : 0.0;
      routed_groups.insert(routed_groups.end(), groups[s].begin(), groups[s].end());
      out.push_back(std::move(rec));
    };
    recommend(r, *cut1, *moved, "re-routed stream");
    if (cut2) recommend(o, *cut2, kept, "kept stream");
    std::string names[2];
    for (int s = 0; s < 2; ++s)
      for (std::int32_t g : groups[s]) names[s] += (names[s].empty() ? "'" : ", '") + name_of(sc, g) + "'";
    out.front().rationale = format(
        "%zu persons walked against %zu through %s, and the venue has another way between their origins and "
        "destinations: routing %s round it (their route avoids the %.1f m cross-section at (%.1f, %.1f) m; %.0f %% of "
        "them take the other way, %.0f m longer on average, within the %.1f× detour limit) separates the streams by "
        "route. %s",
        stream[r].size(), stream[o].size(), h.id.c_str(), names[r].c_str(), cut1->width_m, centre.x, centre.y,
        100.0 * out.front().rerouted_share, moved->detour_m, opt.max_detour_factor,
        cut2 ? format("%s in turn avoid the %.1f m cross-section of the other way at (%.1f, %.1f) m, so each way "
                      "carries one direction.",
                      names[o].c_str(), cut2->width_m, 0.5 * (cut2->line.a.x + cut2->line.b.x),
                      0.5 * (cut2->line.a.y + cut2->line.b.y))
                   .c_str()
             : "The opposing stream is not routed (no cross-section of the other way that it can avoid within the "
               "detour limit, or it is not one group); some of it may still meet the re-routed stream there.");
    if (cut2)
      out.back().rationale = format("Kept on the passage of %s: %s avoid the other way (%.0f %% of them change route, "
                                    "%.0f m longer on average), which the re-routed stream %s now takes.",
                                    h.id.c_str(), names[o].c_str(), 100.0 * out.back().rerouted_share, kept.detour_m,
                                    names[r].c_str());
    return out;
  }
  return {};
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Counterflow: a divider, else hold the smaller stream

std::optional<SeparationMeasure> recommend_separation(const Scenario& sc, const AnalysisResult& analysis,
                                                      const GeometryReport& geometry, const TrajectoryStats& st,
                                                      std::size_t k, const PlanOptions& opt, std::string& why_not) {
  const Hotspot& h = analysis.hotspots[st.hotspots[k]];
  const std::size_t N = st.agents, H = st.hotspots.size(), L = st.lines.size();
  // Main axis of movement through the hotspot (sign-free mean of the displacement directions).
  double c2 = 0, s2 = 0;
  for (std::size_t a = 0; a < N; ++a) {
    const std::size_t i = a * H + k;
    if (std::isnan(st.entry_time[i])) continue;
    const Vec2 d = st.last_pos[i] - st.entry_pos[i];
    const double len = norm(d);
    if (len < 0.5) continue;
    const double th = std::atan2(d.y, d.x);
    c2 += len * std::cos(2 * th);
    s2 += len * std::sin(2 * th);
  }
  if (c2 == 0 && s2 == 0) {
    why_not = "nobody moved through it far enough to tell the streams apart";
    return std::nullopt;
  }
  const double th = 0.5 * std::atan2(s2, c2);
  const Vec2 axis{std::cos(th), std::sin(th)};
  std::vector<std::size_t> stream[2];  // [0] along +axis, [1] along -axis
  for (std::size_t a = 0; a < N; ++a) {
    const std::size_t i = a * H + k;
    if (std::isnan(st.entry_time[i])) continue;
    const double along = dot(st.last_pos[i] - st.entry_pos[i], axis);
    if (std::abs(along) >= 0.5) stream[along > 0 ? 0 : 1].push_back(a);
  }
  const int major = stream[0].size() >= stream[1].size() ? 0 : 1, minor = 1 - major;
  if (stream[minor].size() < 5) {
    why_not = format("the opposing stream is only %zu persons; no separation needed", stream[minor].size());
    return std::nullopt;
  }

  SeparationMeasure m;
  if (opt.one_way) {
    std::vector<std::int32_t> routed;
    m.routings = one_way_routing(sc, analysis, st, k, axis, stream, opt, routed);
    if (!m.routings.empty()) {
      // Everybody of the routed groups: a later hotspot of the same streams is treated too.
      for (std::size_t a = 0; a < N; ++a)
        if (std::find(routed.begin(), routed.end(), st.group[a]) != routed.end()) m.people.push_back(a);
      return m;
    }
  }
  const auto walls = scenario_walls(sc);
  // Divider: along the passage's centre line where it leaves a lane of min_lane_width_m on each side.
  double lo = 0, hi = 0;
  for (std::size_t c : h.cells) {
    const double s = dot(analysis.grid.center(c) - h.centroid, axis);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  const Vec2 normal = perp(axis);
  const double need_half = opt.min_lane_width_m + 0.5 * opt.divider_width_m;
  // A divider halves the passage for each stream: only worth it when both streams are large
  // (the smaller at least a quarter of all); a small stream is better held back for a while.
  const double minor_share = static_cast<double>(stream[minor].size()) /
                             static_cast<double>(stream[0].size() + stream[1].size());
  std::vector<Vec2> best_run, run;
  double narrowest = std::numeric_limits<double>::infinity(), run_narrowest = narrowest;
  for (double s = lo - 3.0; s <= hi + 3.0 + 1e-9 && opt.dividers && minor_share >= 0.25; s += 0.5) {
    const Vec2 q = h.centroid + axis * s;
    bool ok = contains(sc.walkable, q);
    Vec2 centre = q;
    double width = 0.0;
    if (ok) {
      const double left = ray_distance(q, normal, walls), right = ray_distance(q, normal * -1.0, walls);
      centre = q + normal * (0.5 * (left - right));
      width = left + right;
      ok = std::isfinite(width) && 0.5 * width >= need_half;
    }
    if (ok) {
      run.push_back(centre);
      run_narrowest = std::min(run_narrowest, width);
      if (run.size() > best_run.size()) {
        best_run = run;
        narrowest = run_narrowest;
      }
    } else {
      run.clear();
      run_narrowest = std::numeric_limits<double>::infinity();
    }
  }
  const double length = best_run.size() >= 2 ? norm(best_run.back() - best_run.front()) : 0.0;
  if (length >= 3.0) {
    DividerRecommendation d;
    d.hotspot = h.id;
    d.line = best_run;
    const double half = 0.5 * opt.divider_width_m;
    for (const Vec2 p : best_run) d.shape.outer.push_back(p + normal * half);
    for (auto it = best_run.rbegin(); it != best_run.rend(); ++it) d.shape.outer.push_back(*it - normal * half);
    if (signed_area(d.shape.outer) < 0) std::reverse(d.shape.outer.begin(), d.shape.outer.end());
    d.passage_width_m = narrowest;
    d.rationale = format(
        "%zu persons walked one way and %zu the other through %s. The passage is at least %.1f m wide, enough for a "
        "%.1f m barrier with at least %.1f m on each side: a %.0f m divider along its centre line gives each stream its "
        "own side (people keep to the right).",
        stream[major].size(), stream[minor].size(), h.id.c_str(), narrowest, opt.divider_width_m,
        opt.min_lane_width_m, length);
    m.divider = std::move(d);
    return m;
  }

  // Separation in time: the smaller stream waits until the larger one has passed.
  std::vector<double> major_last;
  for (std::size_t a : stream[major]) major_last.push_back(st.last_time[a * H + k]);
  const double t_end = *std::max_element(major_last.begin(), major_last.end()) + 5.0;
  const double nm = static_cast<double>(stream[minor].size());
  m.people = stream[0];
  m.people.insert(m.people.end(), stream[1].begin(), stream[1].end());

  // A stream that is (80 %) one group present from the start waits best where it stands: a
  // later release keeps its queue out of the other stream's way.
  {
    std::map<std::int32_t, std::size_t> count;
    for (std::size_t a : stream[minor]) ++count[a < st.group.size() ? st.group[a] : -1];
    for (const auto& [g, n] : count) {
      if (g < 0 || static_cast<std::size_t>(g) >= sc.groups.size() ||
          static_cast<double>(n) < opt.min_coverage * static_cast<double>(stream[minor].size()))
        continue;
      ReleaseRecommendation r;
      r.hotspot = h.id;
      r.group = sc.groups[static_cast<std::size_t>(g)].name;
      r.release_s = std::ceil(std::max(t_end, sc.groups[static_cast<std::size_t>(g)].premovement_s));
      r.persons = static_cast<std::int64_t>(n);
      r.rationale = format(
          "%zu persons walked against %zu through %s. %.0f %% of the smaller stream is the group '%s', present from the "
          "start: releasing it at %.0f s, when the larger stream has passed, separates the streams in time and keeps its "
          "waiting crowd out of the other stream's way (a gate would make them queue in it).",
          stream[minor].size(), stream[major].size(), h.id.c_str(), 100.0 * static_cast<double>(n) / nm,
          r.group.c_str(), r.release_s);
      m.release = std::move(r);
      return m;
    }
  }
  struct Candidate {
    std::size_t line;
    double coverage;
    int sign;
    double holding;
    bool inside;  // crosses the hotspot's own cells
    float first;  // earliest crossing by the held stream, s
  };
  // The held stream walks along minor_dir; it must be stopped before the streams meet, i.e.
  // at a cross-section behind the hotspot's centre from its point of view.
  const Vec2 minor_dir = axis * (minor == 0 ? 1.0 : -1.0);
  std::vector<Candidate> candidates;
  for (std::size_t l = 0; l < L; ++l) {
    if (dot(geometry.passages[l].position - h.centroid, minor_dir) >= 0.0) continue;
    double crossed = 0, signs = 0, crossed_major = 0;
    float first = std::numeric_limits<float>::infinity();
    for (std::size_t a : stream[minor]) {
      const float t = st.cross_time[a * L + l];
      if (std::isnan(t)) continue;
      crossed += 1;
      signs += st.cross_sign[a * L + l];
      first = std::min(first, t);
    }
    if (crossed / nm < opt.min_coverage) continue;
    const int sign = signs >= 0 ? 1 : -1;
    for (std::size_t a : stream[major]) crossed_major += st.cross_sign[a * L + l] == sign;
    if (crossed_major > 0.1 * static_cast<double>(stream[major].size())) continue;  // would hold the main stream too
    const Segment line = passage_line(geometry.passages[l]);
    bool inside = false;
    for (std::size_t cell : h.cells) inside |= distance(line, analysis.grid.center(cell)) < 1.0;
    candidates.push_back({l, crossed / nm, sign, holding_area_m2(sc, analysis, line, -sign), inside, first});
  }
  if (candidates.empty()) {
    why_not = format("no divider (it needs %.1f m of width and both streams large) and no cross-section behind the "
                   "hotspot is passed by %.0f %% of the smaller stream (%zu persons) and not by the larger one; "
                   "separate the streams by route or schedule by hand",
                   2.0 * need_half, 100.0 * opt.min_coverage, stream[minor].size());
    return std::nullopt;
  }
  const double needed = nm / opt.holding_density_per_m2;
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    // Most of the stream held first: people who start past a gate are not held by it.
    if (std::abs(a.coverage - b.coverage) > 0.05) return a.coverage > b.coverage;
    const bool ra = a.holding >= needed, rb = b.holding >= needed;
    if (ra != rb) return ra;
    if (a.inside != b.inside) return !a.inside;
    // The farthest: the held people then wait well away from where the streams meet.
    return norm(geometry.passages[a.line].position - h.centroid) > norm(geometry.passages[b.line].position - h.centroid);
  });
  const Candidate& c = candidates.front();
  const Passage& gp = geometry.passages[c.line];
  // Closed from before the first of the held stream reached it (or the hotspot began).
  const double t_begin = std::max(0.0, std::min<double>(h.start_s, c.first) - 5.0);
  GateRecommendation rec;
  rec.gate.line = inward(passage_line(gp), c.sign);
  rec.gate.direction = Gate::Direction::In;
  rec.gate.schedule.push_back({t_begin, std::max(t_end, t_begin + 1.0), GateWindow::Mode::Closed, 0.0});
  rec.hotspot = h.id;
  rec.purpose = "hold opposing stream";
  rec.clear_width_m = gp.clear_width_m;
  rec.coverage = c.coverage;
  rec.holding_area_m2 = c.holding;
  rec.holding_needed_m2 = needed;
  rec.expected_queue_persons = nm;
  rec.expected_max_wait_s = t_end - t_begin;
  rec.rationale = format(
      "%zu persons walked against %zu through %s (no divider: it needs %.1f m of width, both streams large and people "
      "who keep to their side). Holding the smaller stream at the %.1f m passage at (%.1f, %.1f) m from %.0f s to %.0f s, until 95 %% of the larger stream "
      "has passed, separates the streams in time; the price is a wait of up to %.0f s for up to %.0f persons.",
      stream[minor].size(), stream[major].size(), h.id.c_str(), 2.0 * need_half, gp.clear_width_m, gp.position.x, gp.position.y, t_begin, t_end, t_end - t_begin, nm);
  if (t_end >= st.end_s) rec.rationale += " The larger stream lasts until the end of the run, so the hold does too.";
  m.gate = std::move(rec);
  return m;
}

// ------------------------------------------------------------------------------------------

void add_divider(Scenario& sc, const Polygon& shape) {
  const Vec2 c = centroid(shape);
  for (Polygon& p : sc.walkable)
    if (contains(p, c)) {
      Ring hole = shape.outer;
      if (signed_area(hole) > 0) std::reverse(hole.begin(), hole.end());  // holes run clockwise
      p.holes.push_back(std::move(hole));
      return;
    }
  throw std::logic_error("divider outside the walkable area");
}

}  // namespace crowdsafe::detail
