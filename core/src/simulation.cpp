#include "crowdsafe/simulation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <thread>

#include "checkpoint.hpp"
#include "models/social_force.hpp"
#include "navigation/flow_field.hpp"
#include "navigation/navigation.hpp"
#include "navigation/surface_field.hpp"
#include "neighbor_grid.hpp"
#include "random.hpp"
#include "venue/placement.hpp"
#include "wall_grid.hpp"
#include "format.hpp"

namespace crowdsafe {

using detail::Stream;

namespace {

// Parallel blocks have a fixed size so the split never depends on the thread count (results do
// not either: each agent's force is computed alone from frozen state).
constexpr std::size_t kGrain = 256;

// Two bodies whose centres come closer than this fraction of their contact distance (or a
// centre closer to a wall than this fraction of the radius) have passed into each other: no
// real crowd compresses people that far, so the step stops with an error instead.
constexpr double kMinContactRatio = 0.4;

// Stall detection: progress is a 0.5 m shorter remaining route, checked every 0.5 s.
constexpr double kProgress_m = 0.5;
constexpr double kProgressCheck_s = 0.5;

// Keep-right perception: people look along their route up to kLookAhead_m in 1 m cells and
// count who there wants to go the other way; kOpposingPersons of them is full urgency.
constexpr double kFlowCell_m = 1.0;
constexpr double kLookAhead_m = 6.0;
constexpr double kOpposingPersons = 1.0;

// Gates (docs/model.md, "Gates"). People without a permit whose route crosses a gate line in a
// controlled direction brake so that their centre stops kGateHold_m upstream of the line; the
// braking starts within kGateApproach_m, with a desired speed of (d - kGateHold_m) / (4 τ),
// which is critically damped under the relaxation to the desired velocity: no overshoot.
constexpr double kGateHold_m = 0.6;
constexpr double kGateApproach_m = 5.0;
// Queue statistics: people without a permit within this distance upstream, slower than this.
constexpr double kGateQueueReach_m = 5.0;
constexpr double kGateQueueSpeed_m_s = 0.2;
// A permit is kept until its holder is this far past the line.
constexpr double kGateRelease_m = 1.0;
// People this far beside the ends of a gate line still count as approaching it.
constexpr double kGateSideMargin_m = 0.5;
// Gate ends may lie this far outside the walkable area (a line drawn onto the wall).
constexpr double kGateEndTolerance_m = 0.5;

double clock_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// What must match between a checkpoint and the simulation it is restored into.
std::string fnv_identity(const Scenario& sc) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  const std::string wkt = to_wkt(sc.walkable);
  mix(wkt.data(), wkt.size());
  mix(&sc.seed, sizeof sc.seed);
  mix(&sc.time_step_s, sizeof sc.time_step_s);
  mix(&sc.model, sizeof sc.model);
  const std::size_t counts[] = {sc.groups.size(), sc.sources.size(), sc.exits.size()};
  mix(counts, sizeof counts);
  // Only scenarios with gates mix them in, so checkpoints of gate-free scenarios keep their identity.
  if (!sc.gates.empty()) {
    const std::size_t gates = sc.gates.size();
    mix(&gates, sizeof gates);
  }
  return detail::format("%016llx", static_cast<unsigned long long>(h));
}

const char* violation(std::uint8_t kind) {
  switch (kind) {
    case 1: return "position or velocity became non-finite";
    case 2: return "crossed a wall";
    default: return "was pressed into another person or a wall deeper than a body allows";
  }
}

/// Arrival state of one source (piecewise-constant Poisson process).
struct Arrivals {
  double next_s = 0.0;          // time of the next arrival, s (+inf when the schedule is over)
  std::uint64_t drawn = 0;      // arrivals drawn so far (random key)
  std::int64_t waiting = 0;     // arrived but not yet placed (area full)
  std::uint64_t placed = 0;
};

/// Mutable state of one gate (token bucket and counters); trivially copyable for checkpoints.
struct GateRuntime {
  double tokens = 1.0;            // permits that may be granted now (at most 1: no bursts)
  std::int64_t crossings_in = 0;
  std::int64_t crossings_out = 0;
  std::int64_t forced = 0;
  std::int64_t max_queue = 0;
  std::int64_t permits = 0;
  double wait_sum_s = 0.0;        // Σ waits of people granted a permit, person·s
  double max_wait_s = 0.0;
};

/// Constant geometry of one gate line.
struct GateGeometry {
  Vec2 a;          // first end, m
  Vec2 u;          // unit vector from a to b
  Vec2 left;       // unit normal to the left of a -> b (the "in" side)
  double length_m = 0.0;
  bool controls_in = true;   // crossings right -> left are held
  bool controls_out = true;  // crossings left -> right are held
};

}  // namespace

struct Simulation::Impl {
  Scenario sc;
  SimulationOptions options;
  tbb::task_arena arena;
  detail::WallGrid walls;
  std::unique_ptr<detail::Navigation> nav;
  detail::SurfaceField surface;
  std::unique_ptr<detail::Model> model;
  detail::NeighborGrid neighbors;
  detail::FlowField flow;
  AgentState agents;
  std::vector<AgentRecord> records;
  std::vector<std::size_t> id_to_slot;  // by id value; npos when gone
  std::vector<Vec2> desired_dir;
  std::vector<Vec2> route_dir;  // scratch: direction before sidestepping
  std::vector<double> desired_speed;
  std::vector<std::uint8_t> standing;  // by slot: waiting to start or arrived (the model walks round them)
  std::vector<Vec2> accel;
  std::vector<double> closest;  // per agent, see StepOutput::closest_ratio
  std::vector<Vec2> previous_position;
  std::vector<std::uint8_t> bad;   // per agent, this step: kind of violation found (0 = none)
  std::vector<std::uint8_t> gone;  // per agent, this step: 1 = left through an exit
  std::vector<std::int32_t> group_target;   // nav target per group (groups then sources)
  std::vector<const Profile*> group_profile;
  std::vector<std::string> group_names;
  std::vector<Arrivals> arrivals;
  std::vector<Box> exit_boxes;
  // Gates: constant geometry, mutable runtime, per-id permits and waits (indexed by AgentId
  // value like records; only kept when the scenario has gates), per-slot scratch.
  std::vector<GateGeometry> gate_geometry;
  std::vector<GateRuntime> gate_runtime;
  std::vector<std::int32_t> permit_gate;   // by id: gate whose permit the person holds; -1 none
  std::vector<std::int32_t> permit_side;   // by id: upstream side at the grant (-1 right, +1 left)
  std::vector<std::int32_t> held_gate;     // by id: gate the person waits at; -1 none
  std::vector<double> held_since_s;        // by id: when the wait began, s
  std::vector<std::int32_t> approach_gate; // by slot, this step: gate approached without a permit; -1 none
  std::vector<double> approach_dist;       // by slot, this step: distance upstream of that gate, m
  std::vector<std::int32_t> approach_side; // by slot, this step: upstream side (-1 right, +1 left)
  std::vector<std::int32_t> barrier_gate;  // by slot, this step: gate that is a wall to them; -1 none
  double max_radius = 0.0;
  double keep_right = 0.0;
  double max_speed = 0.0;
  std::int64_t steps = 0;
  std::int64_t updates = 0;
  PhaseTimes times;

  static constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();

  Impl(Scenario s, SimulationOptions o)
      : sc(std::move(s)), options(o), arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic) {}

  double now() const { return static_cast<double>(steps) * sc.time_step_s; }

  // ------------------------------------------------------------------ set-up
  void setup() {
    ProblemList problems;
    if (sc.walkable.empty()) problems.add({sc.file.string()}, "venue.walkable", "no walkable area given");
    if (!(sc.time_step_s > 0.0 && sc.time_step_s <= 0.1) || !std::isfinite(sc.time_step_s))
      problems.add({sc.file.string()}, "time_step_s", "must be in (0, 0.1] s");
    if (!(sc.duration_s > 0.0) || !std::isfinite(sc.duration_s))
      problems.add({sc.file.string()}, "duration_s", "must be a finite number > 0 s");
    if (!(sc.navigation_cell_m >= 0.02 && sc.navigation_cell_m <= 2.0))
      problems.add({sc.file.string()}, "navigation_cell_m", "must be in [0.02, 2] m");
    problems.throw_if_any();

    auto collect_profile = [&](const Profile& p) {
      max_radius = std::max(max_radius, p.radius_max_m);
      max_speed = std::max(max_speed, p.speed_max_m_s);
    };
    for (const auto& g : sc.groups) collect_profile(g.profile);
    for (const auto& s : sc.sources) collect_profile(s.profile);
    if (max_radius <= 0.0) max_radius = 0.35;
    if (max_speed <= 0.0) max_speed = 2.0;

    model = std::make_unique<detail::SocialForce>(sc.model, max_radius, max_speed);
    keep_right = sc.model.keep_right;
    const Box box = bounds(sc.walkable);
    walls = detail::WallGrid(detail::scenario_walls(sc), box, 1.0,
                             std::max(model->wall_reach_m(), 2.0 * max_radius + 0.5));
    neighbors.configure(box, model->cutoff_m(), sc.periodic, sc.portals);
    flow.configure(box, kFlowCell_m);

    build_targets();
    for (const auto& e : sc.exits) exit_boxes.push_back(bounds(e.shape));
    check_reachability();
    setup_gates();
    place_groups();
    start_sources();
  }

  void build_targets() {
    std::vector<detail::NavTarget> targets;
    std::map<std::string, std::int32_t> index;
    auto target_of = [&](const Target& t, const SourceLocation& where, const std::string& field) -> std::int32_t {
      std::string key;
      detail::NavTarget nt;
      switch (t.kind) {
        case Target::Kind::NearestExit: {
          key = "nearest_exit";
          if (sc.exits.empty()) throw InputError(where, field, "targets the nearest exit but the scenario has no exits; add an exit or set a target");
          nt.name = "nearest exit";
          for (const auto& e : sc.exits) nt.area.insert(nt.area.end(), e.shape.begin(), e.shape.end());
          break;
        }
        case Target::Kind::Exit:
        case Target::Kind::Destination: {
          const bool exit = t.kind == Target::Kind::Exit;
          const auto& list = exit ? sc.exits : sc.destinations;
          auto it = std::find_if(list.begin(), list.end(), [&](const Area& a) { return a.name == t.name; });
          if (it == list.end())
            throw InputError(where, field, detail::format("unknown %s '%s'", exit ? "exit" : "destination", t.name.c_str()));
          key = (exit ? "exit:" : "destination:") + t.name;
          nt.name = key;
          nt.area = it->shape;
          break;
        }
        case Target::Kind::Direction:
          key = detail::format("direction:%.17g,%.17g", t.direction.x, t.direction.y);
          nt.name = key;
          nt.direction = normalized(t.direction);
          if (norm2(nt.direction) == 0.0) throw InputError(where, field, "direction must be a non-zero vector");
          break;
      }
      // One-way routing: the same target with other avoided areas is a field of its own.
      nt.avoid = t.avoid;
      key += detail::avoid_key(t.avoid);
      auto [it, inserted] = index.emplace(key, static_cast<std::int32_t>(targets.size()));
      if (inserted) targets.push_back(std::move(nt));
      return it->second;
    };
    for (std::size_t g = 0; g < sc.groups.size(); ++g) {
      const auto& grp = sc.groups[g];
      group_target.push_back(target_of(grp.target, grp.where, detail::format("groups[%zu].target", g)));
      group_profile.push_back(&grp.profile);
      group_names.push_back(grp.name);
    }
    for (std::size_t s = 0; s < sc.sources.size(); ++s) {
      const auto& src = sc.sources[s];
      group_target.push_back(target_of(src.target, src.where, detail::format("sources[%zu].target", s)));
      group_profile.push_back(&src.profile);
      group_names.push_back(src.name);
    }
    surface = detail::SurfaceField(sc.surface, detail::Navigation::grid_for(sc.walkable, sc.navigation_cell_m));
    nav = std::make_unique<detail::Navigation>(sc.walkable, walls, sc.navigation_cell_m, std::move(targets), surface,
                                               sc.terrain, sc.portals);
  }

  // Every group and source area must be walkable and connected to its target.
  void check_reachability() {
    ProblemList problems;
    auto check_area = [&](const std::vector<Polygon>& area, std::int32_t target, const SourceLocation& where,
                          const std::string& field, const std::string& name) {
      const Vec2 c = centroid(area.front());
      std::size_t inside = 0, reachable = 0;
      const Box b = bounds(area);
      for (int iy = 0; iy < 9; ++iy)
        for (int ix = 0; ix < 9; ++ix) {
          const Vec2 p{b.min.x + (ix + 0.5) / 9 * b.width(), b.min.y + (iy + 0.5) / 9 * b.height()};
          if (!contains(area, p)) continue;
          if (!contains(sc.walkable, p)) continue;
          ++inside;
          if (std::isfinite(nav->distance(static_cast<std::size_t>(target), p))) ++reachable;
        }
      if (inside == 0)
        problems.add(where, field + ".area",
                     detail::format("'%s' (centred at %.2f, %.2f m) lies outside the walkable area; move it inside the venue",
                         name.c_str(), c.x, c.y));
      else if (reachable == 0)
        problems.add(where, field + ".target",
                     detail::format("'%s' cannot reach its target '%s': no walkable path connects them; check the geometry "
                         "for a closed door or a gap narrower than the navigation grid (%.2f m)",
                         name.c_str(), nav->target(static_cast<std::size_t>(target)).name.c_str(), sc.navigation_cell_m));
    };
    for (std::size_t g = 0; g < sc.groups.size(); ++g)
      if (!sc.groups[g].area.empty())
        check_area(sc.groups[g].area, group_target[g], sc.groups[g].where, detail::format("groups[%zu]", g), sc.groups[g].name);
    for (std::size_t s = 0; s < sc.sources.size(); ++s)
      if (!sc.sources[s].area.empty())
        check_area(sc.sources[s].area, group_target[sc.groups.size() + s], sc.sources[s].where, detail::format("sources[%zu]", s),
                   sc.sources[s].name);
    problems.throw_if_any();
  }

  Profile profile_for(std::int32_t group) const { return *group_profile[static_cast<std::size_t>(group)]; }

  // Desired speed and radius are drawn once per agent id from the keyed generator.
  void draw_body(std::int64_t id, const Profile& p, double& speed, double& radius) const {
    const auto key = static_cast<std::uint64_t>(id);
    double v = p.speed_mean_m_s + p.speed_sd_m_s * detail::normal(sc.seed, Stream::DesiredSpeed, key);
    speed = std::clamp(v, p.speed_min_m_s, p.speed_max_m_s);
    radius = p.radius_min_m + (p.radius_max_m - p.radius_min_m) * detail::uniform(sc.seed, Stream::Radius, key);
  }

  // Explicit positions must be walkable, clear of walls and connected to the target.
  void check_positions(std::size_t g) {
    const Group& grp = sc.groups[g];
    ProblemList problems;
    for (std::size_t k = 0; k < grp.positions.size(); ++k) {
      const Vec2 p = grp.positions[k];
      const std::string field = detail::format("groups[%zu].positions[%zu]", g, k);
      if (!is_finite(p) || !contains(sc.walkable, p))
        problems.add(grp.where, field, detail::format("(%.3f, %.3f) m is outside the walkable area", p.x, p.y));
      else if (walls.clearance(p) < grp.profile.radius_min_m)
        problems.add(grp.where, field, detail::format("(%.3f, %.3f) m is inside a wall (closer than a body radius)", p.x, p.y));
      else if (!std::isfinite(nav->distance(static_cast<std::size_t>(group_target[g]), p)))
        problems.add(grp.where, field, detail::format("(%.3f, %.3f) m cannot reach its target", p.x, p.y));
    }
    problems.throw_if_any();
  }

  void place_groups() {
    for (std::size_t g = 0; g < sc.groups.size(); ++g) {
      const Group& grp = sc.groups[g];
      std::int64_t count = grp.count.value_or(0);
      if (!grp.count && grp.density_per_m2) count = static_cast<std::int64_t>(std::llround(*grp.density_per_m2 * area(grp.area)));
      std::vector<Vec2> pts;
      if (!grp.positions.empty()) {
        pts = grp.positions;
        count = static_cast<std::int64_t>(pts.size());
        check_positions(g);
      } else {
        // Across a periodic seam people must not overlap their neighbours' ghosts either.
        const double r = grp.profile.radius_max_m;
        const double x_min = sc.periodic ? sc.periodic->x0_m + r : -1e300;
        const double x_max = sc.periodic ? sc.periodic->x0_m + sc.periodic->length_m - r : 1e300;
        pts = detail::place_on_lattice(grp.area, sc.walkable, walls, count, r, sc.seed, static_cast<std::uint64_t>(g),
                                       x_min, x_max);
      }
      if (static_cast<std::int64_t>(pts.size()) < count)
        throw InputError(grp.where, detail::format("groups[%zu].count", g),
                         detail::format("cannot place %lld persons in '%s': its walkable part (%.1f m²) holds at most %zu at "
                             "10 persons/m²; enlarge the area or lower the count",
                             static_cast<long long>(count), grp.name.c_str(), area(grp.area), pts.size()));
      for (const Vec2 p : pts) {
        AgentDef def;
        def.position = p;
        def.group = static_cast<std::int32_t>(g);
        def.target = group_target[g];
        def.start_time_s = grp.premovement_s;
        const auto id = static_cast<std::int64_t>(records.size());
        draw_body(id, grp.profile, def.desired_speed_m_s, def.radius_m);
        insert(def);
      }
    }
  }


  // ------------------------------------------------------------------ gates
  void setup_gates() {
    ProblemList problems;
    const auto boundary = boundary_segments(sc.walkable);
    auto near_walkable = [&](Vec2 p) {
      if (contains(sc.walkable, p)) return true;
      for (const auto& seg : boundary)
        if (distance(seg, p) <= kGateEndTolerance_m) return true;
      return false;
    };
    for (std::size_t g = 0; g < sc.gates.size(); ++g) {
      const Gate& gate = sc.gates[g];
      const std::string field = detail::format("gates[%zu]", g);
      GateGeometry geo;
      geo.a = gate.line.a;
      const Vec2 d = gate.line.b - gate.line.a;
      geo.length_m = norm(d);
      if (!is_finite(gate.line.a) || !is_finite(gate.line.b) || !(geo.length_m > 0.0)) {
        problems.add(gate.where, field + ".line", "must be a line of length > 0 m with finite ends");
      } else {
        geo.u = d * (1.0 / geo.length_m);
        geo.left = perp(geo.u);
        for (const Vec2 p : {gate.line.a, gate.line.b})
          if (!near_walkable(p))
            problems.add(gate.where, field + ".line",
                         detail::format("end (%.2f, %.2f) m is more than %.1f m outside the walkable area; draw the gate "
                             "across a passage", p.x, p.y, kGateEndTolerance_m));
      }
      geo.controls_in = gate.direction != Gate::Direction::Out;
      geo.controls_out = gate.direction != Gate::Direction::In;
      if (!(gate.rate_persons_per_min >= 0.0) || !std::isfinite(gate.rate_persons_per_min))
        problems.add(gate.where, field + ".rate_persons_per_min", "must be a finite rate >= 0 persons/min");
      if (gate.rate_persons_per_min == 0.0 && gate.schedule.empty())
        problems.add(gate.where, field + ".rate_persons_per_min",
                     "missing; a gate needs a metered rate, a schedule, or both");
      for (std::size_t k = 0; k < gate.schedule.size(); ++k) {
        const GateWindow& w = gate.schedule[k];
        const std::string wf = detail::format("%s.schedule[%zu]", field.c_str(), k);
        if (!(w.begin_s >= 0.0) || !(w.end_s > w.begin_s) || !std::isfinite(w.end_s))
          problems.add(gate.where, wf + ".end_s", "must be finite and > begin_s >= 0 s");
        if (k > 0 && w.begin_s < gate.schedule[k - 1].end_s)
          problems.add(gate.where, wf + ".begin_s", "overlaps the previous window; windows must be in time order");
        const bool rate_ok = w.rate_persons_per_min > 0.0 && std::isfinite(w.rate_persons_per_min);
        if (w.mode == GateWindow::Mode::Metered && !rate_ok)
          problems.add(gate.where, wf + ".rate_persons_per_min", "a metered window needs a rate > 0 persons/min");
      }
      gate_geometry.push_back(geo);
    }
    problems.throw_if_any();
    gate_runtime.assign(sc.gates.size(), GateRuntime{});
  }

  // Mode and rate (persons/min) of gate g at time t.
  std::pair<GateWindow::Mode, double> gate_mode(std::size_t g, double t) const {
    const Gate& gate = sc.gates[g];
    for (const auto& w : gate.schedule)
      if (w.begin_s <= t && t < w.end_s) return {w.mode, w.rate_persons_per_min};
    if (gate.rate_persons_per_min > 0.0) return {GateWindow::Mode::Metered, gate.rate_persons_per_min};
    return {GateWindow::Mode::Open, 0.0};
  }

  // Distance upstream of gate g of a person at p walking along dir, when their route crosses the
  // line in a controlled direction; side = the upstream side (-1 right, +1 left). Else -1.
  double upstream_distance(std::size_t g, Vec2 p, Vec2 dir, std::int32_t& side) const {
    const GateGeometry& geo = gate_geometry[g];
    const Vec2 r = p - geo.a;
    const double along = dot(r, geo.u);
    if (along < -kGateSideMargin_m || along > geo.length_m + kGateSideMargin_m) return -1.0;
    const double s = dot(r, geo.left);  // > 0: left ("in") side
    const double heading = dot(dir, geo.left);
    if (s < 0.0 && geo.controls_in && heading > 0.0) {
      side = -1;
      return -s;
    }
    if (s >= 0.0 && geo.controls_out && heading < 0.0) {
      side = 1;
      return s;
    }
    return -1.0;
  }

  void grant(std::size_t g, std::size_t id, std::int32_t side, double t) {
    GateRuntime& rt = gate_runtime[g];
    const bool waited = held_since_s[id] >= 0.0 && held_gate[id] == static_cast<std::int32_t>(g);
    const double wait = waited ? t - held_since_s[id] : 0.0;
    rt.wait_sum_s += wait;
    rt.max_wait_s = std::max(rt.max_wait_s, wait);
    ++rt.permits;
    permit_gate[id] = static_cast<std::int32_t>(g);
    permit_side[id] = side;
    held_gate[id] = -1;
    held_since_s[id] = -1.0;
  }

  // Gates phase (after routing): who approaches which gate without a permit (parallel, own
  // slots), then tokens and permits (serial, id order), then the held people brake.
  void hold_at_gates(double t, const std::vector<Vec2>& dir) {
    const std::size_t n = agents.size();
    const std::size_t gates = sc.gates.size();
    approach_gate.resize(n);
    approach_dist.resize(n);
    approach_side.resize(n);
    parallel(n, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        approach_gate[i] = -1;
        approach_dist[i] = std::numeric_limits<double>::infinity();
        if (desired_speed[i] <= 0.0) continue;  // waiting to start or arrived
        const auto id = static_cast<std::size_t>(agents.id[i].value);
        for (std::size_t g = 0; g < gates; ++g) {
          if (permit_gate[id] == static_cast<std::int32_t>(g)) continue;
          std::int32_t side = 0;
          const double d = upstream_distance(g, agents.position[i], dir[i], side);
          if (d < 0.0 || d > kGateQueueReach_m || d >= approach_dist[i]) continue;
          approach_gate[i] = static_cast<std::int32_t>(g);
          approach_dist[i] = d;
          approach_side[i] = side;
        }
      }
    });

    const double dt = sc.time_step_s;
    std::vector<std::int64_t> queue(gates, 0);
    std::vector<std::vector<std::size_t>> candidates(gates);  // slots, in id order
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t g = approach_gate[i];
      if (g < 0) continue;
      const auto gi = static_cast<std::size_t>(g);
      if (norm2(agents.velocity[i]) < kGateQueueSpeed_m_s * kGateQueueSpeed_m_s) ++queue[gi];
      if (approach_dist[i] > kGateApproach_m) continue;
      const auto id = static_cast<std::size_t>(agents.id[i].value);
      if (held_gate[id] != g) {
        held_gate[id] = g;
        held_since_s[id] = t;
      }
      candidates[gi].push_back(i);
    }
    for (std::size_t g = 0; g < gates; ++g) {
      GateRuntime& rt = gate_runtime[g];
      rt.max_queue = std::max(rt.max_queue, queue[g]);
      const auto [mode, rate] = gate_mode(g, t);
      auto& c = candidates[g];
      if (mode == GateWindow::Mode::Closed) {
        rt.tokens = 0.0;
        continue;
      }
      if (mode == GateWindow::Mode::Open) {
        for (const std::size_t i : c)
          grant(g, static_cast<std::size_t>(agents.id[i].value), approach_side[i], t);
        c.clear();
        rt.tokens = 1.0;
        continue;
      }
      // Metered: one token per 60/rate s, at most one in store; each grants the permit to the
      // waiting person closest to the line (ties: the smaller id, i.e. the earlier slot).
      rt.tokens = std::min(1.0, rt.tokens + rate / 60.0 * dt);
      while (rt.tokens >= 1.0 && !c.empty()) {
        auto best = c.begin();
        for (auto it = c.begin(); it != c.end(); ++it)
          if (approach_dist[*it] < approach_dist[*best]) best = it;
        grant(g, static_cast<std::size_t>(agents.id[*best].value), approach_side[*best], t);
        c.erase(best);
        rt.tokens -= 1.0;
      }
    }
    // Everybody still without a permit brakes to a stop kGateHold_m before the line; the line
    // itself is a barrier to them (see gate_barriers), as a closed turnstile or door is.
    const double approach_time = 4.0 * sc.model.relaxation_time_s;
    barrier_gate.assign(n, -1);
    for (std::size_t g = 0; g < gates; ++g)
      for (const std::size_t i : candidates[g]) {
        desired_speed[i] = std::min(desired_speed[i], std::max(0.0, approach_dist[i] - kGateHold_m) / approach_time);
        barrier_gate[i] = static_cast<std::int32_t>(g);
      }
  }

  // Forces phase, after the model: a gate line pushes people without a permit back like a wall
  // (the model's wall force: A_w exp((r - d) / B_w) plus body compression k (r - d) on contact,
  // d = centre distance to the line), so a pushing crowd cannot press them through.
  void gate_barriers() {
    const SocialForceParameters& p = sc.model;
    parallel(agents.size(), [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        if (barrier_gate[i] < 0) continue;
        const GateGeometry& geo = gate_geometry[static_cast<std::size_t>(barrier_gate[i])];
        const Vec2 up = geo.left * static_cast<double>(approach_side[i]);  // towards the upstream side
        const double d = approach_dist[i];
        const double r = agents.radius_m[i];
        const double f = p.wall_strength_N * std::exp((r - d) / p.wall_range_m) +
                         (d < r ? p.body_stiffness_kg_s2 * (r - d) : 0.0);
        accel[i] += up * (f / p.mass_kg);
      }
    });
  }

  // After integration: count crossings of every gate line (centre path from the previous to the
  // new position), flag those in a controlled direction without a permit, release permits 1 m
  // past the line.
  void count_gate_crossings() {
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const auto id = static_cast<std::size_t>(agents.id[i].value);
      const Vec2 p0 = previous_position[i], p1 = agents.position[i];
      for (std::size_t g = 0; g < gate_geometry.size(); ++g) {
        const GateGeometry& geo = gate_geometry[g];
        const double s0 = dot(p0 - geo.a, geo.left), s1 = dot(p1 - geo.a, geo.left);
        const bool in = s0 < 0.0 && s1 >= 0.0, out = s0 >= 0.0 && s1 < 0.0;
        if (!in && !out) continue;
        const Vec2 hit = p0 + (p1 - p0) * (s0 / (s0 - s1));
        const double along = dot(hit - geo.a, geo.u);
        if (along < 0.0 || along > geo.length_m) continue;
        GateRuntime& rt = gate_runtime[g];
        ++(in ? rt.crossings_in : rt.crossings_out);
        const bool controlled = in ? geo.controls_in : geo.controls_out;
        if (controlled && permit_gate[id] != static_cast<std::int32_t>(g)) ++rt.forced;
      }
      const std::int32_t pg = permit_gate[id];
      if (pg >= 0) {
        const GateGeometry& geo = gate_geometry[static_cast<std::size_t>(pg)];
        const double past = -permit_side[id] * dot(p1 - geo.a, geo.left);
        if (past >= kGateRelease_m) permit_gate[id] = -1;
      }
    }
  }

  std::vector<GateStats> gate_stats() const {
    std::vector<GateStats> out(sc.gates.size());
    if (out.empty()) return out;  // no per-id gate state is kept without gates
    std::vector<std::int64_t> waiting(sc.gates.size(), 0);
    std::vector<double> waiting_s(sc.gates.size(), 0.0);
    std::vector<double> longest_s(sc.gates.size(), 0.0);
    const double t = now();
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const auto id = static_cast<std::size_t>(agents.id[i].value);
      if (held_gate[id] < 0) continue;
      const auto g = static_cast<std::size_t>(held_gate[id]);
      ++waiting[g];
      waiting_s[g] += t - held_since_s[id];
      longest_s[g] = std::max(longest_s[g], t - held_since_s[id]);
    }
    for (std::size_t g = 0; g < out.size(); ++g) {
      const GateRuntime& rt = gate_runtime[g];
      GateStats& s = out[g];
      s.name = sc.gates[g].name;
      s.crossings_in = rt.crossings_in;
      s.crossings_out = rt.crossings_out;
      s.forced_crossings = rt.forced;
      s.max_queue_persons = rt.max_queue;
      s.permits = rt.permits;
      s.total_wait_person_s = rt.wait_sum_s + waiting_s[g];
      const std::int64_t people = rt.permits + waiting[g];
      s.mean_wait_s = people > 0 ? s.total_wait_person_s / static_cast<double>(people) : 0.0;
      s.max_wait_s = std::max(rt.max_wait_s, longest_s[g]);
    }
    return out;
  }

  // ------------------------------------------------------------------ arrivals
  double draw_next_arrival(std::size_t s, double after) {
    const Source& src = sc.sources[s];
    Arrivals& a = arrivals[s];
    double t = after;
    for (const auto& w : src.schedule) {
      if (w.end_s <= t || w.rate_per_s <= 0.0) continue;
      t = std::max(t, w.begin_s);
      const double u = detail::uniform(sc.seed, Stream::Arrival, s, a.drawn++);
      const double gap = -std::log(1.0 - u) / w.rate_per_s;
      if (t + gap < w.end_s) return t + gap;
      t = w.end_s;  // memoryless: restart in the next window
    }
    return std::numeric_limits<double>::infinity();
  }

  void start_sources() {
    arrivals.resize(sc.sources.size());
    for (std::size_t s = 0; s < sc.sources.size(); ++s) arrivals[s].next_s = draw_next_arrival(s, 0.0);
  }

  bool sources_done() const {
    return std::all_of(arrivals.begin(), arrivals.end(),
                       [](const Arrivals& a) { return !std::isfinite(a.next_s) && a.waiting == 0; });
  }

  // Tries a few keyed random points of the source area that overlap neither walls nor people.
  bool try_spawn(std::size_t s, double t, std::size_t first_new) {
    const Source& src = sc.sources[s];
    Arrivals& a = arrivals[s];
    const auto group = static_cast<std::int32_t>(sc.groups.size() + s);
    const auto id = static_cast<std::int64_t>(records.size());
    double speed = 0.0, radius = 0.0;
    draw_body(id, src.profile, speed, radius);
    const Box b = bounds(src.area);
    const auto nx = neighbors.x(), ny = neighbors.y(), nrad = neighbors.radius();
    for (std::uint64_t attempt = 0; attempt < 16; ++attempt) {
      const std::uint64_t key = (a.placed << 4) + attempt;
      const Vec2 p{b.min.x + b.width() * detail::uniform(sc.seed, Stream::SpawnPosition, s, 2 * key),
                   b.min.y + b.height() * detail::uniform(sc.seed, Stream::SpawnPosition, s, 2 * key + 1)};
      if (!contains(src.area, p) || !contains(sc.walkable, p) || walls.clearance(p) < radius) continue;
      bool free = true;
      neighbors.for_each_near(p, [&](std::uint32_t j) {
        free &= norm2(Vec2{nx[j], ny[j]} - p) >= (radius + nrad[j]) * (radius + nrad[j]);
      });
      for (std::size_t k = first_new; free && k < agents.size(); ++k) {
        const double r = radius + agents.radius_m[k];
        free &= norm2(agents.position[k] - p) >= r * r;
      }
      if (!free) continue;
      AgentDef def;
      def.position = p;
      def.desired_speed_m_s = speed;
      def.radius_m = radius;
      def.group = group;
      def.target = group_target[static_cast<std::size_t>(group)];
      def.start_time_s = t;
      insert(def);
      ++a.placed;
      return true;
    }
    return false;
  }

  void spawn_arrivals() {
    const double t = now();
    const std::size_t first_new = agents.size();
    for (std::size_t s = 0; s < sc.sources.size(); ++s) {
      Arrivals& a = arrivals[s];
      while (a.next_s <= t) {
        ++a.waiting;
        a.next_s = draw_next_arrival(s, a.next_s);
      }
      // People who cannot enter yet (area full) wait outside and try again next step.
      while (a.waiting > 0 && try_spawn(s, t, first_new)) --a.waiting;
    }
  }

  // ------------------------------------------------------------------ agents
  AgentId insert(const AgentDef& def) {
    const AgentId id{static_cast<std::int64_t>(records.size())};
    agents.id.push_back(id);
    agents.position.push_back(def.position);
    agents.velocity.push_back(def.velocity);
    agents.contact_force_N.push_back(0.0);
    agents.desired_speed_m_s.push_back(def.desired_speed_m_s);
    agents.radius_m.push_back(def.radius_m);
    agents.group.push_back(def.group);
    agents.target.push_back(def.target);
    agents.start_time_s.push_back(def.start_time_s);
    agents.best_distance_m.push_back(std::numeric_limits<double>::infinity());
    agents.last_progress_s.push_back(now());
    AgentRecord rec;
    rec.id = id;
    rec.group = def.group;
    rec.spawn_time_s = now();
    rec.desired_speed_m_s = def.desired_speed_m_s;
    rec.radius_m = def.radius_m;
    records.push_back(rec);
    id_to_slot.push_back(agents.size() - 1);
    if (!sc.gates.empty()) {
      permit_gate.push_back(-1);
      permit_side.push_back(0);
      held_gate.push_back(-1);
      held_since_s.push_back(-1.0);
    }
    return id;
  }

  // Stable compaction keeps slot order equal to id order, which keeps results deterministic.
  void compact(const std::vector<std::uint8_t>& gone) {
    std::size_t w = 0;
    for (std::size_t r = 0; r < agents.size(); ++r) {
      if (gone[r]) {
        id_to_slot[static_cast<std::size_t>(agents.id[r].value)] = kNoSlot;
        continue;
      }
      if (w != r) agents.move_slot(r, w);
      id_to_slot[static_cast<std::size_t>(agents.id[w].value)] = w;
      ++w;
    }
    agents.resize(w);
  }

  std::int32_t exit_at(Vec2 p) const {
    for (std::size_t e = 0; e < sc.exits.size(); ++e) {
      const Box& b = exit_boxes[e];
      if (p.x < b.min.x || p.x > b.max.x || p.y < b.min.y || p.y > b.max.y) continue;
      if (contains(sc.exits[e].shape, p)) return static_cast<std::int32_t>(e);
    }
    return -1;
  }

  // ------------------------------------------------------------------ step
  template <class F>
  void parallel(std::size_t n, F&& body) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kGrain),
                        [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); },
                        tbb::simple_partitioner());
    });
  }

  // Turns the route direction e to the right (keep_right > 0) when people within a few metres
  // ahead want to go the other way, so opposing streams settle into lanes instead of locking.
  Vec2 sidestep(Vec2 e, Vec2 p) const {
    if (norm2(e) == 0.0) return e;
    double opposing = 0.0;  // persons ahead heading against me
    for (double ahead = 1.0; ahead <= kLookAhead_m; ahead += kFlowCell_m)
      opposing += std::max(0.0, -dot(flow.velocity_sum(p + e * ahead), e));
    const double urgency = std::min(1.0, opposing / kOpposingPersons);
    return urgency > 0.0 ? normalized(e + Vec2{e.y, -e.x} * (keep_right * urgency)) : e;
  }

  // Directions e with dot(e, axis) > min_dot make a positive dot product (at least sin 2°)
  // with every route direction in the crowd.
  struct UnopposedCone {
    Vec2 axis;
    double min_dot = 2.0;  // > 1: nobody
  };

  // Nobody can see oncoming people when every route direction in the crowd points within 88° of
  // theirs: each flow cell's sum then has a positive dot product with their direction, sidestep()
  // adds exactly 0 and returns the direction unchanged. Such people skip the six look-ups; the
  // rest (and everybody in bidirectional crowds) take the full path, so results are identical.
  // All route directions lie within α of their mean direction u (cos α = the smallest dot
  // product with u); e is safe when its angle to u is below 88° − α.
  static UnopposedCone unopposed_cone(std::span<const Vec2> dir) {
    constexpr double kMargin = 0.034899496702500969;  // sin 2°
    Vec2 sum;
    for (const Vec2 d : dir) sum += d;
    const Vec2 u = normalized(sum);
    if (norm2(u) == 0.0) return {};
    double cos_a = 1.0;
    for (const Vec2 d : dir)
      if (norm2(d) > 0.0) cos_a = std::min(cos_a, dot(d, u) / norm(d));
    if (cos_a <= kMargin) return {};
    // cos(88° − α) = sin(α + 2°) = sin α cos 2° + cos α sin 2°
    const double sin_a = std::sqrt(std::max(0.0, 1.0 - cos_a * cos_a));
    const double min_dot = sin_a * std::sqrt(1.0 - kMargin * kMargin) + cos_a * kMargin;
    return {u, min_dot};
  }

  // The cone of the desired directions (see unopposed_cone), for the model's "walks my way"
  // test: a person within 88° − α of its axis walks less than 88° from every walker. None when a
  // walker has no direction (such a person walks nobody's way).
  UnopposedCone walkers_cone() const {
    for (std::size_t i = 0; i < desired_dir.size(); ++i)
      if (desired_speed[i] > 0.0 && norm2(desired_dir[i]) == 0.0) return {};
    return unopposed_cone(desired_dir);
  }

  // Who got closer to their target since the last check; waiting and arrived people and
  // people heading in a fixed direction never count as stalled.
  void track_progress() {
    const double t = now();
    parallel(agents.size(), [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const auto target = static_cast<std::size_t>(agents.target[i]);
        const Vec2 p = agents.position[i];
        if (t < agents.start_time_s[i] || nav->in_target(target, p) || nav->target(target).area.empty()) {
          agents.last_progress_s[i] = t;
          continue;
        }
        const double d = nav->distance(target, p);
        if (d < agents.best_distance_m[i] - kProgress_m || !std::isfinite(agents.best_distance_m[i])) {
          agents.best_distance_m[i] = d;
          agents.last_progress_s[i] = t;
        }
      }
    });
  }

  // A person who stepped across the seam at the head or foot of a stair carries on from the
  // same place on the other level's part of the layout (levels lie side by side in plan).
  void cross_portals() {
    parallel(agents.size(), [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        for (const Portal& p : sc.portals)
          if (segments_intersect(previous_position[i], agents.position[i], p.line.a, p.line.b)) {
            agents.position[i] += p.shift;
            break;
          }
    });
  }

  void step() {
    const std::size_t n = agents.size();
    const double t = now();
    double t0 = clock_s();

    // neighbours
    neighbors.build(agents.position, agents.velocity, agents.radius_m);
    double t1 = clock_s();
    times.seconds[0] += t1 - t0;

    // routing: route direction from the precomputed fields, then a sidestep to the right where
    // people ahead want to go the other way (their intent, not their speed: a jam stands still)
    desired_dir.resize(n);
    desired_speed.resize(n);
    standing.resize(n);
    // In the neighbour grid's processing order: people near each other read the same cells of the
    // route fields one after the other.
    const auto order = neighbors.order();
    parallel(n, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) {
        const std::size_t i = order[k];
        const auto target = static_cast<std::size_t>(agents.target[i]);
        const Vec2 p = agents.position[i];
        const bool waiting = t < agents.start_time_s[i];
        const bool arrived = nav->in_target(target, p);
        desired_dir[i] = arrived ? Vec2{} : nav->direction(target, p);
        desired_speed[i] = (waiting || arrived) ? 0.0 : agents.desired_speed_m_s[i];
        standing[i] = waiting || arrived;
      }
    });
    if (!surface.flat()) {
      // Slopes and stairs change how fast people want to walk in the direction they walk.
      const TerrainParameters& tp = sc.terrain;
      parallel(n, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
          desired_speed[i] *= surface.speed_factor(agents.position[i], desired_dir[i], tp.stairs_up_speed_m_s,
                                                   tp.stairs_down_speed_m_s, tp.level_speed_m_s);
      });
    }
    if (keep_right != 0.0) {
      flow.build(agents.position, desired_dir);
      // The route direction before sidestepping is kept only for the gates (16 bytes a person).
      if (!sc.gates.empty()) route_dir.assign(desired_dir.begin(), desired_dir.end());
      const UnopposedCone cone = unopposed_cone(desired_dir);
      parallel(n, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
          if (dot(desired_dir[i], cone.axis) <= cone.min_dot) desired_dir[i] = sidestep(desired_dir[i], agents.position[i]);
      });
    }
    // gates (timed with routing): people without a permit brake before a controlled gate line
    if (!sc.gates.empty()) hold_at_gates(t, keep_right != 0.0 ? route_dir : desired_dir);
    double t2 = clock_s();
    times.seconds[1] += t2 - t1;

    // forces: agents processed in cell order for locality; each writes only its own slot
    accel.resize(n);
    closest.resize(n);
    // Only the passing rule asks whether others walk my way.
    const UnopposedCone one_way = sc.model.overtake > 0.0 ? walkers_cone() : UnopposedCone{};
    const detail::StepInput in{agents.position, agents.velocity, agents.radius_m, desired_speed, desired_dir,
                               &neighbors, &walls, sc.time_step_s, standing, one_way.axis, one_way.min_dot};
    const detail::StepOutput out{accel, agents.contact_force_N, closest};
    parallel(n, [&](std::size_t b, std::size_t e) { model->accelerate(in, b, e, out); });
    if (!sc.gates.empty()) gate_barriers();
    double t3 = clock_s();
    times.seconds[2] += t3 - t2;

    // integrate (semi-implicit Euler) and check
    previous_position.assign(agents.position.begin(), agents.position.end());
    const double dt = sc.time_step_s;
    const double cap_factor = sc.model.max_speed_factor;
    bad.assign(n, 0);
    parallel(n, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        Vec2 v = agents.velocity[i] + accel[i] * dt;
        const double vmax = cap_factor * std::max(agents.desired_speed_m_s[i], 1.0);
        const double s2 = norm2(v);
        if (s2 > vmax * vmax) v *= vmax / std::sqrt(s2);
        const Vec2 x = agents.position[i] + v * dt;
        agents.velocity[i] = v;
        agents.position[i] = x;
        if (!is_finite(x) || !is_finite(v)) bad[i] = 1;
        else if (walls.crosses_wall(previous_position[i], x)) bad[i] = 2;
        else if (closest[i] < kMinContactRatio) bad[i] = 3;
      }
    });
    for (std::size_t i = 0; i < n; ++i) {
      if (!bad[i]) continue;
      const Vec2 a = previous_position[i], x = agents.position[i];
      throw SimulationError(detail::format(
          "agent %lld (group '%s') at step %lld, t = %.2f s: %s (from (%.3f, %.3f) to (%.3f, %.3f) m); "
          "reduce time_step_s or check model parameters",
          static_cast<long long>(agents.id[i].value), group_names[static_cast<std::size_t>(agents.group[i])].c_str(),
          static_cast<long long>(steps), t + dt, violation(bad[i]),
          a.x, a.y, x.x, x.y));
    }
    if (!sc.gates.empty()) count_gate_crossings();
    if (sc.periodic) {
      const double x0 = sc.periodic->x0_m, len = sc.periodic->length_m;
      for (auto& p : agents.position) {
        if (p.x >= x0 + len) p.x -= len;
        else if (p.x < x0) p.x += len;
      }
    }
    if (!sc.portals.empty()) cross_portals();
    double t4 = clock_s();
    times.seconds[3] += t4 - t3;

    // leave + spawn (serial, id order)
    ++steps;
    updates += static_cast<std::int64_t>(n);
    if (!sc.exits.empty()) {
      gone.assign(n, 0);
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t e = exit_at(agents.position[i]);
        if (e < 0) continue;
        AgentRecord& rec = records[static_cast<std::size_t>(agents.id[i].value)];
        rec.exit = e;
        rec.exit_time_s = now();
        gone[i] = 1;
        any = true;
      }
      if (any) compact(gone);
    }
    spawn_arrivals();
    if (steps % std::max<std::int64_t>(1, std::llround(kProgressCheck_s / sc.time_step_s)) == 0) track_progress();
    times.seconds[4] += clock_s() - t4;
  }
};

Simulation::Simulation(Scenario scenario, SimulationOptions options)
    : impl_(std::make_unique<Impl>(std::move(scenario), options)) {
  impl_->setup();
}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

void Simulation::step() { impl_->step(); }

bool Simulation::finished() const {
  const Impl& s = *impl_;
  if (s.now() >= s.sc.duration_s - 0.5 * s.sc.time_step_s) return true;
  return s.sc.stop_when_empty && s.agents.size() == 0 && s.sources_done();
}

double Simulation::time_s() const { return impl_->now(); }
std::int64_t Simulation::step_count() const { return impl_->steps; }
std::int64_t Simulation::agent_updates() const { return impl_->updates; }
const AgentState& Simulation::agents() const { return impl_->agents; }
const std::vector<AgentRecord>& Simulation::records() const { return impl_->records; }
const Scenario& Simulation::scenario() const { return impl_->sc; }
double Simulation::cutoff_m() const { return impl_->model->cutoff_m(); }
PhaseTimes Simulation::phase_times() const { return impl_->times; }
std::vector<std::string> Simulation::group_names() const { return impl_->group_names; }
std::vector<GateStats> Simulation::gate_stats() const { return impl_->gate_stats(); }

std::vector<AgentId> Simulation::stalled() const {
  const Impl& s = *impl_;
  std::vector<AgentId> out;
  for (std::size_t i = 0; i < s.agents.size(); ++i)
    if (s.now() - s.agents.last_progress_s[i] > s.sc.stall_time_s) out.push_back(s.agents.id[i]);
  return out;
}

AgentId Simulation::add_agent(const AgentDef& def) {
  Impl& s = *impl_;
  const std::string field = "add_agent";
  if (!is_finite(def.position) || !is_finite(def.velocity))
    throw InputError({}, field, "position and velocity must be finite");
  if (!(def.radius_m > 0.0 && def.radius_m <= 1.5)) throw InputError({}, field + ".radius_m", "must be in (0, 1.5] m");
  if (!(def.desired_speed_m_s >= 0.0 && def.desired_speed_m_s <= 10.0))
    throw InputError({}, field + ".desired_speed_m_s", "must be in [0, 10] m/s");
  if (def.group < 0 || static_cast<std::size_t>(def.group) >= s.group_target.size())
    throw InputError({}, field + ".group", "unknown group index");
  if (def.target < 0 || static_cast<std::size_t>(def.target) >= s.nav->target_count())
    throw InputError({}, field + ".target", "unknown target index");
  if (!contains(s.sc.walkable, def.position))
    throw InputError({}, field + ".position",
                     detail::format("(%.3f, %.3f) m is outside the walkable area", def.position.x, def.position.y));
  if (s.walls.clearance(def.position) < def.radius_m)
    throw InputError({}, field + ".position",
                     detail::format("(%.3f, %.3f) m is closer to a wall than the body radius %.2f m", def.position.x,
                         def.position.y, def.radius_m));
  return s.insert(def);
}

namespace {
constexpr std::uint64_t kCheckpointMagic = 0x315450434b435343ULL;  // "CSCKPT1" + version
}

void Simulation::save(std::ostream& out) const {
  const Impl& s = *impl_;
  detail::CheckpointWriter w(out);
  w.value(kCheckpointMagic);
  // Identify the scenario by its geometry, parameters and seed, so a checkpoint cannot be
  // resumed into a different run.
  w.text(fnv_identity(s.sc));
  w.value(s.steps);
  w.value(s.updates);
  const AgentState& a = s.agents;
  w.vector(a.id);
  w.vector(a.position);
  w.vector(a.velocity);
  w.vector(a.contact_force_N);
  w.vector(a.desired_speed_m_s);
  w.vector(a.radius_m);
  w.vector(a.group);
  w.vector(a.target);
  w.vector(a.start_time_s);
  w.vector(a.best_distance_m);
  w.vector(a.last_progress_s);
  w.vector(s.records);
  w.vector(s.id_to_slot);
  w.vector(s.arrivals);
  // Gate state only where there are gates: checkpoints of gate-free scenarios keep their format.
  if (!s.sc.gates.empty()) {
    w.vector(s.gate_runtime);
    w.vector(s.permit_gate);
    w.vector(s.permit_side);
    w.vector(s.held_gate);
    w.vector(s.held_since_s);
  }
  w.finish();
}

void Simulation::restore(std::istream& in) {
  Impl& s = *impl_;
  detail::CheckpointReader r(in);
  if (r.value<std::uint64_t>() != kCheckpointMagic) throw std::runtime_error("checkpoint: not a crowdsafe checkpoint");
  if (r.text() != fnv_identity(s.sc))
    throw std::runtime_error("checkpoint: written for another scenario or seed; resume with the scenario it came from");
  const auto steps = r.value<std::int64_t>();
  const auto updates = r.value<std::int64_t>();
  constexpr std::uint64_t kMax = 1ULL << 32;
  AgentState a;
  a.id = r.vector<AgentId>(kMax);
  a.position = r.vector<Vec2>(kMax);
  a.velocity = r.vector<Vec2>(kMax);
  a.contact_force_N = r.vector<double>(kMax);
  a.desired_speed_m_s = r.vector<double>(kMax);
  a.radius_m = r.vector<double>(kMax);
  a.group = r.vector<std::int32_t>(kMax);
  a.target = r.vector<std::int32_t>(kMax);
  a.start_time_s = r.vector<double>(kMax);
  a.best_distance_m = r.vector<double>(kMax);
  a.last_progress_s = r.vector<double>(kMax);
  auto records = r.vector<AgentRecord>(kMax);
  auto id_to_slot = r.vector<std::size_t>(kMax);
  auto arrivals = r.vector<Arrivals>(kMax);
  std::vector<GateRuntime> gate_runtime;
  std::vector<std::int32_t> permit_gate, permit_side, held_gate;
  std::vector<double> held_since_s;
  if (!s.sc.gates.empty()) {
    gate_runtime = r.vector<GateRuntime>(kMax);
    permit_gate = r.vector<std::int32_t>(kMax);
    permit_side = r.vector<std::int32_t>(kMax);
    held_gate = r.vector<std::int32_t>(kMax);
    held_since_s = r.vector<double>(kMax);
  }
  r.finish();
  const std::size_t n = a.id.size();
  const bool consistent = a.position.size() == n && a.velocity.size() == n && a.radius_m.size() == n &&
                          a.group.size() == n && a.target.size() == n && a.last_progress_s.size() == n &&
                          arrivals.size() == s.arrivals.size() && id_to_slot.size() == records.size() &&
                          gate_runtime.size() == s.gate_runtime.size() &&
                          (s.sc.gates.empty() || (permit_gate.size() == records.size() &&
                                                  permit_side.size() == records.size() &&
                                                  held_gate.size() == records.size() &&
                                                  held_since_s.size() == records.size()));
  if (!consistent) throw std::runtime_error("checkpoint: inconsistent array sizes (damaged file)");
  s.agents = std::move(a);
  s.records = std::move(records);
  s.id_to_slot = std::move(id_to_slot);
  s.arrivals = std::move(arrivals);
  s.gate_runtime = std::move(gate_runtime);
  s.permit_gate = std::move(permit_gate);
  s.permit_side = std::move(permit_side);
  s.held_gate = std::move(held_gate);
  s.held_since_s = std::move(held_since_s);
  s.steps = steps;
  s.updates = updates;
}

bool Simulation::remove_agent(AgentId id) {
  Impl& s = *impl_;
  if (!id.valid() || static_cast<std::size_t>(id.value) >= s.id_to_slot.size()) return false;
  const std::size_t slot = s.id_to_slot[static_cast<std::size_t>(id.value)];
  if (slot == Impl::kNoSlot) return false;
  std::vector<std::uint8_t> gone(s.agents.size(), 0);
  gone[slot] = 1;
  s.compact(gone);
  return true;
}

}  // namespace crowdsafe
