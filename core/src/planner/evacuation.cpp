// Evacuation routes: origin zones assigned to exits on a time-expanded flow network (Ford &
// Fulkerson's dynamic flows; Hamacher & Tjandra 2002 for evacuation). Each exit is a chain of
// time nodes: people reach it after their free walking time, may wait there (a queue), and
// leave at most capacity × Δt per step. The smallest horizon that lets everybody out is the
// evacuation time of the network; docs/planner.md gives the model and its assumptions.

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>

#include "network_flow.hpp"
#include "planner_internal.hpp"

namespace crowdsafe {
namespace detail {

RouteFields::RouteFields(const Scenario& sc, std::vector<NavTarget> targets) {
  walls_ = WallGrid(scenario_walls(sc), bounds(sc.walkable), 1.0, 2.0);
  const SurfaceField surface(sc.surface, Navigation::grid_for(sc.walkable, sc.navigation_cell_m));
  nav_ = std::make_unique<Navigation>(sc.walkable, walls_, sc.navigation_cell_m, std::move(targets), surface,
                                      sc.terrain, sc.portals);
  portals_ = sc.portals;
}

std::vector<Vec2> RouteFields::trace(std::size_t t, Vec2 p, double step_m, int max_points) const {
  std::vector<Vec2> path{p};
  for (int k = 0; k < max_points && !nav_->in_target(t, p); ++k) {
    const Vec2 d = nav_->direction(t, p);
    if (norm2(d) == 0.0) break;
    const Vec2 q = p + d * step_m;
    // Across the seam at a stair's foot or head the route continues on the other level.
    const auto seam = std::find_if(portals_.begin(), portals_.end(),
                                   [&](const Portal& s) { return segments_intersect(p, q, s.line.a, s.line.b); });
    p = seam == portals_.end() ? q : q + seam->shift;
    path.push_back(p);
  }
  return path;
}

bool polyline_crosses(const std::vector<Vec2>& path, Vec2 a, Vec2 b) {
  for (std::size_t i = 1; i < path.size(); ++i)
    if (segments_intersect(path[i - 1], path[i], a, b)) return true;
  return false;
}

Segment passage_line(const Passage& p, double overhang_m) {
  const double half = 0.5 * p.clear_width_m + overhang_m;
  return {p.position - p.direction * half, p.position + p.direction * half};
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Zones × exits: persons per zone, arrival time at each exit (s; +inf = unreachable), exit
// capacities (persons/s).
struct FlowProblem {
  std::vector<std::int64_t> persons;
  std::vector<std::vector<double>> arrival_s;
  std::vector<double> capacity;
  double step_s = 0.5;
  bool optimistic = false;  // lower bound: arrivals rounded down, capacities up
};

struct TimeExpanded {
  FlowNetwork net{0};
  int source = 0, sink = 1;
  std::vector<std::vector<int>> zone_arc;  // [zone][exit] arc index, -1 none
  std::vector<std::vector<int>> wait_arc;  // [exit][step] arc from step k to k + 1 (the queue)
};

TimeExpanded build(const FlowProblem& p, int steps) {
  const int Z = static_cast<int>(p.persons.size()), E = static_cast<int>(p.capacity.size());
  TimeExpanded te;
  te.net = FlowNetwork(2 + Z + E * steps);
  auto exit_node = [&](int e, int k) { return 2 + Z + e * steps + k; };
  te.zone_arc.assign(static_cast<std::size_t>(Z), std::vector<int>(static_cast<std::size_t>(E), -1));
  te.wait_arc.assign(static_cast<std::size_t>(E), {});
  for (int z = 0; z < Z; ++z) {
    te.net.add_arc(te.source, 2 + z, p.persons[static_cast<std::size_t>(z)]);
    for (int e = 0; e < E; ++e) {
      const double t = p.arrival_s[static_cast<std::size_t>(z)][static_cast<std::size_t>(e)];
      if (!std::isfinite(t)) continue;
      const double k_real = t / p.step_s;
      const auto k = static_cast<long long>(p.optimistic ? std::floor(k_real) : std::ceil(k_real - 1e-9));
      if (k >= steps) continue;
      te.zone_arc[static_cast<std::size_t>(z)][static_cast<std::size_t>(e)] =
          te.net.add_arc(2 + z, exit_node(e, static_cast<int>(k)), FlowNetwork::kInfinite, t);
    }
  }
  for (int e = 0; e < E; ++e) {
    const double c = p.capacity[static_cast<std::size_t>(e)] * p.step_s;
    auto cumulative = [&](int k) {
      const double v = c * k;
      return static_cast<std::int64_t>(p.optimistic ? std::ceil(v - 1e-9) : std::floor(v + 1e-9));
    };
    for (int k = 0; k < steps; ++k) {
      if (k + 1 < steps)
        te.wait_arc[static_cast<std::size_t>(e)].push_back(
            te.net.add_arc(exit_node(e, k), exit_node(e, k + 1), FlowNetwork::kInfinite, p.step_s));
      te.net.add_arc(exit_node(e, k), te.sink, cumulative(k + 1) - cumulative(k));
    }
  }
  return te;
}

std::int64_t total(const FlowProblem& p) { return std::accumulate(p.persons.begin(), p.persons.end(), std::int64_t{0}); }

bool feasible(const FlowProblem& p, int steps) {
  TimeExpanded te = build(p, steps);
  return te.net.max_flow(te.source, te.sink) == total(p);
}

// Fewest time steps in which everybody can leave; throws when nobody fits in 10⁵ steps.
int min_steps(const FlowProblem& p) {
  int hi = 16;
  while (!feasible(p, hi)) {
    if (hi > 100000) throw std::runtime_error("evacuation network: nobody can leave within 10^5 time steps");
    hi *= 2;
  }
  int lo = hi / 2;  // infeasible (or 8 when hi = 16 and that was feasible: checked below)
  if (feasible(p, lo)) lo = 0;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (feasible(p, mid) ? hi : lo) = mid;
  }
  return hi;
}

// Persons per zone and exit in the cheapest assignment that fits `steps`; `mean_wait` receives
// each exit's mean queueing time in it, s.
std::vector<std::vector<std::int64_t>> assign(const FlowProblem& p, int steps, std::vector<double>& mean_wait) {
  TimeExpanded te = build(p, steps);
  te.net.min_cost_flow(te.source, te.sink, total(p));
  std::vector<std::vector<std::int64_t>> x(p.persons.size(), std::vector<std::int64_t>(p.capacity.size(), 0));
  for (std::size_t z = 0; z < p.persons.size(); ++z)
    for (std::size_t e = 0; e < p.capacity.size(); ++e)
      if (te.zone_arc[z][e] >= 0) x[z][e] = te.net.flow(te.zone_arc[z][e]);
  mean_wait.assign(p.capacity.size(), 0.0);
  for (std::size_t e = 0; e < p.capacity.size(); ++e) {
    double waiting = 0, persons = 0;  // person-steps in the queue, persons through the exit
    for (int a : te.wait_arc[e]) waiting += static_cast<double>(te.net.flow(a));
    for (std::size_t z = 0; z < p.persons.size(); ++z) persons += static_cast<double>(x[z][e]);
    if (persons > 0) mean_wait[e] = waiting * p.step_s / persons;
  }
  return x;
}

const Profile& profile_of(const Scenario& sc, std::size_t g) {
  return g < sc.groups.size() ? sc.groups[g].profile : sc.sources[g - sc.groups.size()].profile;
}
const std::string& name_of(const Scenario& sc, std::size_t g) {
  return g < sc.groups.size() ? sc.groups[g].name : sc.sources[g - sc.groups.size()].name;
}

}  // namespace

std::pair<int, int> zone_cell_of(const Scenario& sc, Vec2 p, double zone_cell_m) {
  const Box box = bounds(sc.walkable);
  return {static_cast<int>(std::floor((p.y - box.min.y) / zone_cell_m)),
          static_cast<int>(std::floor((p.x - box.min.x) / zone_cell_m))};
}

EvacuationPlan plan_evacuation_impl(const Scenario& sc, const std::vector<Vec2>& positions,
                                    const std::vector<double>& speed, const std::vector<std::int32_t>& group,
                                    const PlanOptions& opt, const GeometryReport& geometry,
                                    const std::map<std::string, double>& measured_capacity, const RouteTimes& delay,
                                    RouteTimes* predicted) {
  validate(opt);
  if (positions.size() != speed.size() || positions.size() != group.size())
    throw std::invalid_argument("plan_evacuation: positions, speeds and groups differ in length");
  const std::size_t n_groups = sc.groups.size() + sc.sources.size();
  EvacuationPlan plan;
  plan.trigger_s = opt.evacuation_trigger_s;
  plan.closed_exits = opt.closed_exits;
  plan.persons = static_cast<std::int64_t>(positions.size());

  // Open exits; a closed exit must exist. plan.exits and geometry.exits follow sc.exits.
  std::vector<const Area*> open;
  std::vector<ExitLoad*> load_of;  // per open exit
  for (const std::string& name : opt.closed_exits)
    if (std::none_of(sc.exits.begin(), sc.exits.end(), [&](const Area& a) { return a.name == name; }))
      throw InputError({}, "closed_exits", format("unknown exit '%s'; the scenario's exits are listed by `crowdsafe check`", name.c_str()));
  plan.exits.resize(sc.exits.size());
  for (std::size_t k = 0; k < sc.exits.size(); ++k) {
    const Area& e = sc.exits[k];
    ExitLoad& load = plan.exits[k];
    load.name = e.name;
    load.width_m = geometry.exits[k].width_m;
    load.closed = std::find(opt.closed_exits.begin(), opt.closed_exits.end(), e.name) != opt.closed_exits.end();
    if (!load.closed) {
      open.push_back(&e);
      load_of.push_back(&load);
    }
  }
  if (open.empty()) throw InputError({}, "closed_exits", "closes every exit; leave at least one open");

  std::vector<NavTarget> targets;
  for (const Area* e : open) targets.push_back({e->name, e->shape, {}, {}});
  const RouteFields fields(sc, targets);
  const std::size_t E = open.size(), N = positions.size();

  // People pressed against a wall at the trigger may stand closer to it than a body radius;
  // they start a few centimetres further in (the simulation refuses start positions in walls).
  std::vector<Vec2> start = positions;
  for (std::size_t i = 0; i < N; ++i) {
    const auto g = static_cast<std::size_t>(std::max(0, group[i]));
    const double need = (g < n_groups ? profile_of(sc, g).radius_max_m : 0.25) + 0.01;
    if (fields.walls().clearance(start[i]) >= need) continue;
    for (int step = 1; step <= 10; ++step) {
      bool moved = false;
      for (int k = 0; k < 16 && !moved; ++k) {
        const double a = k * std::numbers::pi / 8.0;
        const Vec2 q = positions[i] + Vec2{std::cos(a), std::sin(a)} * (0.05 * step);
        if (contains(sc.walkable, q) && fields.walls().clearance(q) >= need) {
          start[i] = q;
          moved = true;
        }
      }
      if (moved) break;
    }
  }

  // Distance from every person to every open exit, m.
  std::vector<std::vector<double>> dist(N, std::vector<double>(E));
  for (std::size_t i = 0; i < N; ++i) {
    bool any = false;
    for (std::size_t e = 0; e < E; ++e) {
      dist[i][e] = fields.nav().distance(e, start[i]);
      any |= std::isfinite(dist[i][e]);
    }
    if (!any)
      throw InputError({}, "closed_exits",
                       format("the person at (%.1f, %.1f) m cannot reach any open exit; open an exit they can reach",
                            start[i].x, start[i].y));
  }

  // Origin zones: cells of zone_cell_m, numbered in row-major order of occupied cells.
  const Box box = bounds(sc.walkable);
  const double h = opt.zone_cell_m;
  std::map<std::pair<int, int>, std::vector<std::size_t>> cells;
  for (std::size_t i = 0; i < N; ++i) cells[zone_cell_of(sc, start[i], h)].push_back(i);
  std::vector<std::vector<std::size_t>> zone;
  std::vector<std::pair<int, int>> zone_cell;
  for (auto& [c, members] : cells) {
    zone.push_back(members);
    zone_cell.push_back(c);
  }
  const std::size_t Z = zone.size();

  // A route from each zone (from the member nearest the zone's mean position) to each exit.
  std::vector<Vec2> rep(Z);
  for (std::size_t z = 0; z < Z; ++z) {
    Vec2 mean{0, 0};
    for (std::size_t i : zone[z]) mean = mean + start[i];
    mean = mean * (1.0 / static_cast<double>(zone[z].size()));
    std::size_t best = zone[z].front();
    for (std::size_t i : zone[z])
      if (norm2(start[i] - mean) < norm2(start[best] - mean)) best = i;
    rep[z] = start[best];
  }
  std::vector<std::vector<std::vector<Vec2>>> path(Z, std::vector<std::vector<Vec2>>(E));
  for (std::size_t z = 0; z < Z; ++z)
    for (std::size_t e = 0; e < E; ++e)
      if (std::isfinite(fields.nav().distance(e, rep[z]))) path[z][e] = fields.trace(e, rep[z]);

  // Design capacity of an exit: its width or the narrowest passage on the way to it (persons-
  // weighted median over the zones' routes), × the design specific flow.
  std::vector<double> design_capacity(E), bound_capacity(E);
  for (std::size_t e = 0; e < E; ++e) {
    const double w_exit = load_of[e]->width_m;
    std::vector<std::pair<double, std::int64_t>> widths;  // (route bottleneck, persons)
    for (std::size_t z = 0; z < Z; ++z) {
      if (path[z][e].empty()) continue;
      double w = w_exit;
      for (const Passage& ps : geometry.passages) {
        const Segment line = passage_line(ps);
        if (polyline_crosses(path[z][e], line.a, line.b)) w = std::min(w, ps.clear_width_m);
      }
      widths.push_back({w, static_cast<std::int64_t>(zone[z].size())});
    }
    double w = w_exit;
    if (!widths.empty()) {
      std::sort(widths.begin(), widths.end());
      const std::int64_t half = std::accumulate(widths.begin(), widths.end(), std::int64_t{0},
                                                [](std::int64_t s, const auto& p) { return s + p.second; }) / 2;
      std::int64_t acc = 0;
      for (const auto& [wz, nz] : widths) {
        acc += nz;
        if (acc > half) {
          w = wz;
          break;
        }
      }
    }
    design_capacity[e] = w * opt.design_specific_flow_per_m_s;
    bound_capacity[e] = w_exit * opt.bound_specific_flow_per_m_s;
    // Where a simulation showed the exit passing more, the plan uses that (people press harder
    // than design flows assume) and the bound never assumes less.
    if (auto it = measured_capacity.find(open[e]->name); it != measured_capacity.end()) {
      design_capacity[e] = std::max(design_capacity[e], it->second);
      bound_capacity[e] = std::max(bound_capacity[e], it->second);
    }
    load_of[e]->capacity_persons_per_s = design_capacity[e];
  }

  // Free walking times: the lower bound takes each zone's fastest possible arrival (closest
  // member at the speed cap), the plan the members' mean walking time.
  FlowProblem design, bound, nearest;
  design.step_s = bound.step_s = nearest.step_s = opt.flow_step_s;
  bound.optimistic = true;
  design.capacity = nearest.capacity = design_capacity;
  bound.capacity = bound_capacity;
  std::vector<std::size_t> zone_nearest(Z);
  for (std::size_t z = 0; z < Z; ++z) {
    const auto nz = static_cast<std::int64_t>(zone[z].size());
    design.persons.push_back(nz);
    bound.persons.push_back(nz);
    nearest.persons.push_back(nz);
    std::vector<double> mean_t(E, 0.0), fastest(E, kInf), mean_d(E, 0.0);
    for (std::size_t e = 0; e < E; ++e)
      for (std::size_t i : zone[z]) {
        const double v = speed[i] > 0.0 ? speed[i] : 1.34;
        mean_t[e] += dist[i][e] / v / static_cast<double>(nz);
        mean_d[e] += dist[i][e] / static_cast<double>(nz);
        fastest[e] = std::min(fastest[e], dist[i][e] / (v * sc.model.max_speed_factor));
      }
    bound.arrival_s.push_back(fastest);
    // Crowd on the way, as a simulation of an earlier plan showed (congestion-aware re-planning).
    // Only measured zones and exits: spreading a delay to neighbouring zones made the festival
    // plan worse (docs/planner.md).
    for (std::size_t e = 0; e < E; ++e)
      if (auto it = delay.find({zone_cell[z], open[e]->name}); it != delay.end() && std::isfinite(mean_t[e]))
        mean_t[e] += it->second;
    design.arrival_s.push_back(mean_t);
    zone_nearest[z] = static_cast<std::size_t>(std::min_element(mean_d.begin(), mean_d.end()) - mean_d.begin());
    std::vector<double> only(E, kInf);
    only[zone_nearest[z]] = mean_t[zone_nearest[z]];
    nearest.arrival_s.push_back(only);
  }
  plan.lower_bound_s = (min_steps(bound) - 1) * opt.flow_step_s;
  const int plan_steps = min_steps(design);
  plan.planned_time_s = plan_steps * opt.flow_step_s;
  plan.nearest_time_s = min_steps(nearest) * opt.flow_step_s;
  std::vector<double> mean_wait;
  const auto x = assign(design, plan_steps, mean_wait);
  if (predicted)
    for (std::size_t z = 0; z < Z; ++z)
      for (std::size_t e = 0; e < E; ++e)
        if (x[z][e] > 0) (*predicted)[{zone_cell[z], open[e]->name}] = design.arrival_s[z][e] + mean_wait[e];

  // Persons within a zone: those who lose least (s) by not taking their own quickest exit go
  // to the other exits first.
  std::vector<std::size_t> exit_of(N, 0);
  for (std::size_t z = 0; z < Z; ++z) {
    std::vector<std::int64_t> quota = x[z];
    struct Choice {
      double regret;
      std::size_t i, e;
    };
    std::vector<Choice> choices;
    for (std::size_t i : zone[z]) {
      const double v = speed[i] > 0.0 ? speed[i] : 1.34;
      double best = kInf;
      for (std::size_t e = 0; e < E; ++e) best = std::min(best, dist[i][e] / v);
      for (std::size_t e = 0; e < E; ++e)
        if (std::isfinite(dist[i][e])) choices.push_back({dist[i][e] / v - best, i, e});
    }
    std::sort(choices.begin(), choices.end(), [](const Choice& a, const Choice& b) {
      return a.regret != b.regret ? a.regret < b.regret : (a.i != b.i ? a.i < b.i : a.e < b.e);
    });
    std::vector<char> done(N, 0);
    for (const Choice& c : choices)
      if (!done[c.i] && quota[c.e] > 0) {
        done[c.i] = 1;
        --quota[c.e];
        exit_of[c.i] = c.e;
      }
    for (std::size_t i : zone[z])
      if (!done[i]) exit_of[i] = zone_nearest[z];
  }

  // Loads, routes.
  for (std::size_t i = 0; i < N; ++i) {
    const auto nearest_e = static_cast<std::size_t>(std::min_element(dist[i].begin(), dist[i].end()) - dist[i].begin());
    ++load_of[nearest_e]->persons_nearest;
    ++load_of[exit_of[i]]->persons_assigned;
  }
  for (std::size_t z = 0; z < Z; ++z)
    for (std::size_t e = 0; e < E; ++e) {
      std::int64_t persons = 0;
      for (std::size_t i : zone[z]) persons += exit_of[i] == e;
      if (persons == 0) continue;
      EvacuationRoute r;
      r.exit = open[e]->name;
      const double x0 = box.min.x + h * zone_cell[z].second, y0 = box.min.y + h * zone_cell[z].first;
      r.zone = rectangle(x0, y0, x0 + h, y0 + h);
      r.zone_center = rep[z];
      r.persons = persons;
      r.travel_time_s = design.arrival_s[z][e];
      r.path = path[z][e];
      plan.routes.push_back(std::move(r));
    }

  // Verification scenarios: the same start positions, no arrivals, gates open, closed exits gone.
  Scenario base = sc;
  base.name = sc.name + "-evacuation";
  base.groups.clear();
  base.sources.clear();
  base.gates.clear();
  std::erase_if(base.exits, [&](const Area& a) {
    return std::find(opt.closed_exits.begin(), opt.closed_exits.end(), a.name) != opt.closed_exits.end();
  });
  base.duration_s = std::min(7200.0, std::max(300.0, 3.0 * plan.nearest_time_s + 120.0));
  base.stop_when_empty = true;
  base.source_text.clear();
  plan.nearest_scenario = base;
  plan.assigned_scenario = base;
  plan.assigned_scenario.name = sc.name + "-evacuation-assigned";
  for (std::size_t g = 0; g < n_groups; ++g) {
    Group nearest_group;
    nearest_group.name = name_of(sc, g);
    nearest_group.profile = profile_of(sc, g);
    nearest_group.target.kind = Target::Kind::NearestExit;
    std::vector<Group> by_exit(E);
    for (std::size_t i = 0; i < N; ++i) {
      if (group[i] != static_cast<std::int32_t>(g)) continue;
      nearest_group.positions.push_back(start[i]);
      by_exit[exit_of[i]].positions.push_back(start[i]);
    }
    if (nearest_group.positions.empty()) continue;
    plan.nearest_scenario.groups.push_back(nearest_group);
    for (std::size_t e = 0; e < E; ++e) {
      if (by_exit[e].positions.empty()) continue;
      by_exit[e].name = name_of(sc, g) + " to " + open[e]->name;
      by_exit[e].profile = profile_of(sc, g);
      by_exit[e].target = {Target::Kind::Exit, open[e]->name, {}, {}};
      plan.assigned_scenario.groups.push_back(std::move(by_exit[e]));
    }
  }
  return plan;
}

}  // namespace detail

EvacuationPlan plan_evacuation(const Scenario& scenario, const std::vector<Vec2>& positions,
                               const std::vector<double>& desired_speed_m_s, const std::vector<std::int32_t>& group,
                               const PlanOptions& options) {
  return detail::plan_evacuation_impl(scenario, positions, desired_speed_m_s, group, options,
                                      check_geometry(scenario, 40), {});
}

}  // namespace crowdsafe
