// The planner's driver: measures for the ranked hotspots, the evacuation plan, verification,
// and the plan files (plan.json, plan.geojson, the plan section of report.html).

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../analysis/analysis_internal.hpp"
#include "../analysis/trajectory_reader.hpp"
#include "measures.hpp"
#include "verification.hpp"
#include "crowdsafe/runner.hpp"

namespace crowdsafe {

using nlohmann::ordered_json;
using detail::format;

void validate(const PlanOptions& o) {
  ProblemList p;
  auto in = [&](double v, double lo, double hi, const char* field, const char* unit) {
    if (!(v >= lo && v <= hi)) p.add({}, field, format("must be in [%g, %g] %s", lo, hi, unit));
  };
  in(o.target_density_per_m2, 0.5, 10.0, "target_density_per_m2", "persons/m²");
  in(o.holding_density_per_m2, 0.1, 6.0, "holding_density_per_m2", "persons/m²");
  in(o.rate_margin, 0.1, 1.0, "rate_margin", "");
  in(o.design_specific_flow_per_m_s, 0.1, 5.0, "design_specific_flow_per_m_s", "persons/(m·s)");
  in(o.bound_specific_flow_per_m_s, 0.1, 10.0, "bound_specific_flow_per_m_s", "persons/(m·s)");
  in(o.min_coverage, 0.05, 1.0, "min_coverage", "");
  in(o.min_lane_width_m, 0.5, 10.0, "min_lane_width_m", "m");
  in(o.divider_width_m, 0.05, 2.0, "divider_width_m", "m");
  in(o.max_detour_factor, 1.0, 10.0, "max_detour_factor", "");
  in(o.evacuation_trigger_s, 0.0, 1e7, "evacuation_trigger_s", "s");
  in(o.zone_cell_m, 0.5, 50.0, "zone_cell_m", "m");
  in(o.flow_step_s, 0.05, 10.0, "flow_step_s", "s");
  if (o.max_hotspots < 0 || o.max_hotspots > 100) p.add({}, "max_hotspots", "must be in [0, 100]");
  if (o.replan_rounds < 0 || o.replan_rounds > 10) p.add({}, "replan_rounds", "must be in [0, 10]");
  if (o.seeds < 1 || o.seeds > 100) p.add({}, "seeds", "must be in [1, 100]");
  if (o.threads < 0) p.add({}, "threads", "must be >= 0 (0 = all cores)");
  p.throw_if_any();
}

namespace {

// Everybody inside at time `t` (s): positions, desired speeds and groups from the run's file.
void people_at(const std::filesystem::path& h5, double t, std::vector<Vec2>& pos, std::vector<double>& speed,
               std::vector<std::int32_t>& group) {
  detail::TrajectoryReader reader(h5);
  const auto& info = reader.info();
  if (info.frame_time.empty() || t > info.frame_time.back() + 1e-9)
    throw InputError({}, "evacuation_trigger_s",
                     format("%.1f s is after the run's last frame (%.1f s); trigger the evacuation earlier", t,
                          info.frame_time.empty() ? 0.0 : info.frame_time.back()));
  detail::FrameRows rows;
  while (reader.next(rows))
    if (rows.time_s >= t - 1e-9) break;
  for (std::size_t r = 0; r < rows.id.size(); ++r) {
    const auto a = static_cast<std::size_t>(rows.id[r]);
    if (a >= info.agents.size()) continue;
    pos.push_back(rows.position[r]);
    speed.push_back(info.agents[a].desired_speed_m_s);
    group.push_back(info.agents[a].group);
  }
}

// Sustained flow through each exit, persons/s, by name: persons between the 10th and the 90th
// percentile of its exit times over that time span (exits that 50 or more persons used).
std::map<std::string, double> measured_exit_flows(const std::filesystem::path& h5) {
  detail::TrajectoryReader reader(h5);
  const auto& info = reader.info();
  std::vector<std::vector<double>> times(info.exit_names.size());
  for (const auto& a : info.agents)
    if (a.exit >= 0 && static_cast<std::size_t>(a.exit) < times.size() && std::isfinite(a.exit_time_s))
      times[static_cast<std::size_t>(a.exit)].push_back(a.exit_time_s);
  std::map<std::string, double> out;
  for (std::size_t e = 0; e < times.size(); ++e) {
    auto& t = times[e];
    if (t.size() < 50) continue;
    std::sort(t.begin(), t.end());
    const std::size_t lo = t.size() / 10, hi = t.size() - 1 - t.size() / 10;
    if (t[hi] > t[lo]) out[info.exit_names[e]] = static_cast<double>(hi - lo) / (t[hi] - t[lo]);
  }
  return out;
}

// Mean exit time per origin zone and exit in an evacuation run, s after its start.
detail::RouteTimes observed_route_times(const std::filesystem::path& h5, const Scenario& sc, double zone_cell_m) {
  detail::TrajectoryReader reader(h5);
  const auto& info = reader.info();
  std::vector<Vec2> first(info.agents.size());
  std::vector<char> seen(info.agents.size(), 0);
  detail::FrameRows rows;
  // Everybody is there from the start (explicit positions); the first frame has them all.
  if (reader.next(rows))
    for (std::size_t r = 0; r < rows.id.size(); ++r) {
      const auto a = static_cast<std::size_t>(rows.id[r]);
      if (a < first.size()) {
        first[a] = rows.position[r];
        seen[a] = 1;
      }
    }
  std::map<std::pair<std::pair<int, int>, std::string>, std::pair<double, int>> sum;
  for (std::size_t a = 0; a < info.agents.size(); ++a) {
    const auto& ag = info.agents[a];
    if (!seen[a] || ag.exit < 0 || static_cast<std::size_t>(ag.exit) >= info.exit_names.size() ||
        !std::isfinite(ag.exit_time_s))
      continue;
    auto& s = sum[{detail::zone_cell_of(sc, first[a], zone_cell_m), info.exit_names[static_cast<std::size_t>(ag.exit)]}];
    s.first += ag.exit_time_s;
    ++s.second;
  }
  detail::RouteTimes out;
  for (const auto& [key, s] : sum) out[key] = s.first / s.second;
  return out;
}

// Congestion-aware re-planning: simulate the assigned routes with the run's seed, add what the
// crowd cost each zone on the way to each exit (observed minus the flow model's walking and
// queueing time) to its walking time, assign again; keep the plan whose simulation got the last
// person out first (then P95), the nearest-exit calibration run as the reference.
void replan(Plan& plan, const Scenario& sc, const std::vector<Vec2>& pos, const std::vector<double>& speed,
            const std::vector<std::int32_t>& group, const PlanOptions& opt, const GeometryReport& geometry,
            const std::map<std::string, double>& capacity, detail::RouteTimes predicted, const RunSummary& nearest) {
  auto routes_change = [](const EvacuationPlan& e) {
    return std::any_of(e.exits.begin(), e.exits.end(), [](const ExitLoad& x) { return x.persons_assigned != x.persons_nearest; });
  };
  auto better = [](const RunSummary& a, const RunSummary& b) {  // a gets everybody out sooner than b
    if (a.agents_remaining != b.agents_remaining) return a.agents_remaining < b.agents_remaining;
    if (std::abs(a.evacuation_time_max_s - b.evacuation_time_max_s) >= 1.0) return a.evacuation_time_max_s < b.evacuation_time_max_s;
    return a.evacuation_time_p95_s < b.evacuation_time_p95_s;
  };
  auto times = [](const RunSummary& s) { return format("P95 %.1f s, last out %.1f s", s.evacuation_time_p95_s, s.evacuation_time_max_s); };
  EvacuationPlan& e = *plan.evacuation;
  if (opt.replan_rounds == 0 || !routes_change(e)) return;
  e.replanning.push_back("nearest exits (calibration run): " + times(nearest));
  detail::RouteTimes delay;
  std::optional<EvacuationPlan> best;
  std::string best_label;
  std::vector<std::vector<std::int64_t>> tried;  // persons per exit of the plans simulated
  for (int round = 0; round <= opt.replan_rounds; ++round) {
    if (opt.stop && opt.stop->load()) break;
    EvacuationPlan candidate = round == 0 ? e : EvacuationPlan{};
    detail::RouteTimes predicted_now = predicted;
    if (round > 0) {
      predicted_now.clear();
      candidate = detail::plan_evacuation_impl(sc, pos, speed, group, opt, geometry, capacity, delay, &predicted_now);
      candidate.nearest_scenario.duration_s = candidate.assigned_scenario.duration_s = e.nearest_scenario.duration_s;
      std::vector<std::int64_t> load;
      for (const ExitLoad& x : candidate.exits) load.push_back(x.persons_assigned);
      if (!routes_change(candidate) || std::find(tried.begin(), tried.end(), load) != tried.end()) {
        e.replanning.push_back(format("round %d: the re-planned assignment %s; stopped", round,
                                      routes_change(candidate) ? "sends as many persons to each exit as one already simulated"
                                                               : "is the nearest exits"));
        break;
      }
    }
    std::vector<std::int64_t> load;
    for (const ExitLoad& x : candidate.exits) load.push_back(x.persons_assigned);
    tried.push_back(load);
    if (opt.on_progress) opt.on_progress(format("congestion-aware re-planning: simulating plan %d", round + 1));
    RunOptions ro;
    ro.threads = opt.threads;
    ro.stop = opt.stop;
    const auto dir = plan.run_dir / "plan" / format("evacuation-replan-%d", round + 1);
    RunSummary run = run_scenario(candidate.assigned_scenario, dir, ro);
    if (run.status != "completed") break;
    const detail::RouteTimes observed = observed_route_times(dir / "trajectories.h5", sc, opt.zone_cell_m);
    if (!opt.keep_trajectories) std::filesystem::remove(dir / "trajectories.h5");
    std::string moved;
    for (const ExitLoad& x : candidate.exits)
      moved += format("%s%s %lld", moved.empty() ? "" : ", ", x.name.c_str(), static_cast<long long>(x.persons_assigned));
    e.replanning.push_back(format("plan %d (%s): %s", round + 1, moved.c_str(), times(run).c_str()));
    candidate.assigned_run = run;
    if (!best || better(run, *best->assigned_run)) {
      best = candidate;
      best_label = format("plan %d", round + 1);
    }
    // What the crowd cost on the way, beyond the model's walking and queueing: added to the
    // walking times of the zones and exits this plan used (never below zero in total).
    for (const auto& [key, t_pred] : predicted_now)
      if (auto it = observed.find(key); it != observed.end()) delay[key] = std::max(0.0, delay[key] + it->second - t_pred);
  }
  if (!best) return;
  auto lines = std::move(e.replanning);
  lines.push_back("kept " + best_label);
  if (better(nearest, *best->assigned_run))
    lines.back() += "; the nearest exits were quicker still (the verification decides)";
  e = std::move(*best);
  e.replanning = std::move(lines);
}

// Are most people of counterflow hotspot k among `people` (the streams of a treated one)?
bool shares_people(const detail::TrajectoryStats& st, std::size_t k, const std::vector<std::size_t>& people) {
  std::vector<char> mark(st.agents, 0);
  for (std::size_t a : people) mark[a] = 1;
  std::size_t mine = 0, shared = 0;
  for (std::size_t a = 0; a < st.agents; ++a)
    if (!std::isnan(st.entry_time[a * st.hotspots.size() + k])) {
      ++mine;
      shared += mark[a];
    }
  return mine > 0 && 2 * shared >= mine;
}

}  // namespace

Plan plan_run(const std::filesystem::path& run_dir, const Scenario& sc, const AnalysisResult& analysis,
              const PlanOptions& opt) {
  validate(opt);
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  Plan plan;
  plan.run_dir = run_dir;
  plan.scenario_name = sc.name;
  plan.options = opt;
  plan.measures_scenario = sc;
  plan.measures_scenario.name = sc.name + "-with-measures";
  const GeometryReport geometry = check_geometry(sc, 40);
  const std::filesystem::path h5 = run_dir / "trajectories.h5";

  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < analysis.hotspots.size() && chosen.size() < static_cast<std::size_t>(opt.max_hotspots); ++i)
    chosen.push_back(i);
  if (!chosen.empty()) {
    if (opt.on_progress) opt.on_progress(format("finding measures for %zu hotspot(s)", chosen.size()));
    GeometryReport sections = geometry;
    sections.passages = detail::candidate_sections(sc, geometry, opt);
    std::vector<Segment> lines;
    for (const Passage& p : sections.passages) lines.push_back(detail::passage_line(p));
    const detail::TrajectoryStats st = detail::collect_stats(h5, analysis, chosen, lines);
    // Counterflow first: a crush that the same streams make (a jam where they meet) is treated
    // by separating them by route.
    struct Separated {
      std::string hotspot;
      std::vector<std::size_t> people;  // the streams' people (for routing: everybody routed)
      bool by_route = false;
    };
    std::vector<Separated> separated;
    std::vector<std::optional<detail::SeparationMeasure>> separation(chosen.size());
    std::vector<std::string> why_not(chosen.size()), covered_by(chosen.size());
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const Hotspot& h = analysis.hotspots[chosen[k]];
      if (h.kind == HotspotKind::Crush) continue;
      auto covered = std::find_if(separated.begin(), separated.end(),
                                  [&](const Separated& s) { return shares_people(st, k, s.people); });
      if (covered != separated.end()) {
        covered_by[k] = covered->hotspot;
        why_not[k] = "the same two streams as " + covered->hotspot + "; its measure treats both";
      } else if ((separation[k] = detail::recommend_separation(sc, analysis, sections, st, k, opt, why_not[k]))) {
        separated.push_back({h.id, separation[k]->people, !separation[k]->routings.empty()});
      }
    }
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const Hotspot& h = analysis.hotspots[chosen[k]];
      if (h.kind == HotspotKind::Crush) {
        auto routed = std::find_if(separated.begin(), separated.end(),
                                   [&](const Separated& s) { return s.by_route && shares_people(st, k, s.people); });
        std::string why;
        if (routed != separated.end())
          plan.unresolved.push_back({h.id, "made by the streams that " + routed->hotspot + "'s one-way routing separates; "
                                     "that measure treats it", routed->hotspot});
        else if (auto g = detail::recommend_gate(sc, analysis, sections, st, k, opt, why))
          plan.gates.push_back(std::move(*g));
        else
          plan.unresolved.push_back({h.id, why, {}});
        continue;
      }
      if (!separation[k]) {
        plan.unresolved.push_back({h.id, why_not[k], covered_by[k]});
        continue;
      }
      detail::SeparationMeasure& m = *separation[k];
      for (RoutingRecommendation& r : m.routings) {
        for (const std::string& name : r.groups) {
          for (Group& g : plan.measures_scenario.groups)
            if (g.name == name) g.target.avoid.push_back(r.avoid);
          for (Source& s : plan.measures_scenario.sources)
            if (s.name == name) s.target.avoid.push_back(r.avoid);
        }
        plan.routings.push_back(std::move(r));
      }
      if (m.release) {
        for (Group& g : plan.measures_scenario.groups)
          if (g.name == m.release->group) g.premovement_s = std::max(g.premovement_s, m.release->release_s);
        plan.releases.push_back(std::move(*m.release));
      }
      if (m.divider) {
        m.divider->name = format("D%zu", plan.dividers.size() + 1);
        detail::add_divider(plan.measures_scenario, m.divider->shape);
        plan.dividers.push_back(std::move(*m.divider));
      }
      if (m.gate) plan.gates.push_back(std::move(*m.gate));
    }
    for (std::size_t g = 0; g < plan.gates.size(); ++g) {
      plan.gates[g].gate.name = format("planned-G%zu", g + 1);
      plan.measures_scenario.gates.push_back(plan.gates[g].gate);
    }
  }

  if (opt.evacuation && !sc.exits.empty()) {
    if (opt.on_progress) opt.on_progress("planning evacuation routes");
    std::vector<Vec2> pos;
    std::vector<double> speed;
    std::vector<std::int32_t> group;
    people_at(h5, opt.evacuation_trigger_s, pos, speed, group);
    if (!pos.empty()) {
      plan.evacuation = detail::plan_evacuation_impl(sc, pos, speed, group, opt, geometry, {});
      if (opt.verify && !(opt.stop && opt.stop->load())) {
        // Calibration: how many persons per second each exit passes in this model, from one
        // nearest-exit simulation; the assignment then plans with those capacities.
        if (opt.on_progress) opt.on_progress("calibrating exit capacities (one nearest-exit evacuation)");
        RunOptions ro;
        ro.threads = opt.threads;
        ro.stop = opt.stop;
        const auto dir = run_dir / "plan" / "evacuation-calibration";
        RunSummary calibration = run_scenario(plan.evacuation->nearest_scenario, dir, ro);
        const auto capacity = measured_exit_flows(dir / "trajectories.h5");
        if (!opt.keep_trajectories) std::filesystem::remove(dir / "trajectories.h5");
        const double duration_s = plan.evacuation->nearest_scenario.duration_s;
        detail::RouteTimes predicted;
        plan.evacuation = detail::plan_evacuation_impl(sc, pos, speed, group, opt, geometry, capacity, {}, &predicted);
        // Same time limit as the calibration run, so that run is the verification's own for this seed.
        plan.evacuation->nearest_scenario.duration_s = plan.evacuation->assigned_scenario.duration_s = duration_s;
        if (calibration.status == "completed") {
          replan(plan, sc, pos, speed, group, opt, geometry, capacity, predicted, calibration);
          plan.evacuation->calibration_run = std::move(calibration);
        }
      }
    }
  }
  plan.plan_s = std::chrono::duration<double>(clock::now() - t_start).count();

  if (opt.verify && (!plan.gates.empty() || !plan.dividers.empty() || !plan.releases.empty() || !plan.routings.empty() ||
                     plan.evacuation)) {
    const auto t_verify = clock::now();
    bool interrupted = false;
    plan.verification = detail::verify_plan(plan, sc, analysis, opt, interrupted);
    plan.interrupted = interrupted;
    plan.verify_s = std::chrono::duration<double>(clock::now() - t_verify).count();
  }
  return plan;
}

// ------------------------------------------------------------------------------------------
// Outputs

namespace {

ordered_json pt(Vec2 p) { return ordered_json::array({std::round(p.x * 1000) / 1000, std::round(p.y * 1000) / 1000}); }
ordered_json pts(const std::vector<Vec2>& v) {
  ordered_json a = ordered_json::array();
  for (Vec2 p : v) a.push_back(pt(p));
  return a;
}
ordered_json ring(const Ring& r) {
  ordered_json a = pts(r);
  if (!r.empty()) a.push_back(pt(r.front()));  // GeoJSON rings are closed
  return a;
}
ordered_json num(double v, double step = 0.01) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v / step) * step;
}
// Every ~2 m of a route: enough to draw it.
std::vector<Vec2> thin(const std::vector<Vec2>& path) {
  std::vector<Vec2> out;
  for (Vec2 p : path)
    if (out.empty() || norm(p - out.back()) >= 2.0) out.push_back(p);
  if (!path.empty() && (out.empty() || norm(path.back() - out.back()) > 0)) out.push_back(path.back());
  return out;
}
const char* direction_name(Gate::Direction d) {
  return d == Gate::Direction::In ? "in" : d == Gate::Direction::Out ? "out" : "both";
}
const char* mode_name(GateWindow::Mode m) {
  return m == GateWindow::Mode::Open ? "open" : m == GateWindow::Mode::Closed ? "closed" : "metered";
}
ordered_json stats(const SeedStats& s, double step = 0.01) {
  return {{"mean", num(s.mean, step)}, {"min", num(s.min, step)}, {"max", num(s.max, step)}, {"seeds", s.n}};
}
ordered_json gate_json(const GateRecommendation& g) {
  ordered_json j;
  j["name"] = g.gate.name;
  j["hotspot"] = g.hotspot;
  j["purpose"] = g.purpose;
  j["line"] = ordered_json::array({pt(g.gate.line.a), pt(g.gate.line.b)});
  j["direction"] = direction_name(g.gate.direction);
  if (g.gate.rate_persons_per_min > 0) j["rate_persons_per_min"] = g.gate.rate_persons_per_min;
  j["schedule"] = ordered_json::array();
  for (const GateWindow& w : g.gate.schedule) {
    ordered_json s = {{"begin_s", num(w.begin_s, 0.1)}, {"end_s", num(w.end_s, 0.1)}, {"mode", mode_name(w.mode)}};
    if (w.mode == GateWindow::Mode::Metered) s["rate_persons_per_min"] = w.rate_persons_per_min;
    j["schedule"].push_back(s);
  }
  j["clear_width_m"] = num(g.clear_width_m);
  j["capacity_persons_per_s"] = num(g.capacity_persons_per_s);
  j["capacity_basis"] = g.capacity_basis;
  j["coverage"] = num(g.coverage, 0.001);
  j["holding_area_m2"] = num(g.holding_area_m2, 0.1);
  j["holding_needed_m2"] = num(g.holding_needed_m2, 0.1);
  j["expected_queue_persons"] = num(g.expected_queue_persons, 1);
  j["expected_max_wait_s"] = num(g.expected_max_wait_s, 0.1);
  j["queue_in_hotspot"] = g.queue_in_hotspot;
  j["rationale"] = g.rationale;
  return j;
}
ordered_json outcome_json(const ScenarioOutcome& o) {
  ordered_json j;
  j["label"] = o.label;
  j["seeds"] = o.seeds;
  j["status"] = o.status;
  j["evacuated_persons"] = stats(o.evacuated, 1);
  j["evacuation_time_p50_s"] = stats(o.evacuation_p50_s, 0.1);
  j["evacuation_time_p95_s"] = stats(o.evacuation_p95_s, 0.1);
  j["evacuation_time_max_s"] = stats(o.evacuation_max_s, 0.1);
  j["hotspots"] = stats(o.hotspots, 0.01);
  j["gates"] = ordered_json::array();
  for (const GateStats& g : o.gates)
    j["gates"].push_back({{"name", g.name},
                          {"crossings_in", g.crossings_in},
                          {"crossings_out", g.crossings_out},
                          {"forced_crossings", g.forced_crossings},
                          {"max_queue_persons", g.max_queue_persons},
                          {"mean_wait_s", num(g.mean_wait_s, 0.1)},
                          {"max_wait_s", num(g.max_wait_s, 0.1)}});
  j["wall_time_s"] = num(o.wall_s, 0.01);
  return j;
}

}  // namespace

std::string plan_json(const Plan& plan) {
  ordered_json j;
  j["scenario"] = plan.scenario_name;
  j["status"] = plan.interrupted ? "interrupted" : "completed";
  const PlanOptions& o = plan.options;
  j["options"] = {{"target_density_per_m2", o.target_density_per_m2},
                  {"holding_density_per_m2", o.holding_density_per_m2},
                  {"rate_margin", o.rate_margin},
                  {"design_specific_flow_per_m_s", num(o.design_specific_flow_per_m_s, 0.0001)},
                  {"bound_specific_flow_per_m_s", o.bound_specific_flow_per_m_s},
                  {"one_way", o.one_way},
                  {"max_detour_factor", o.max_detour_factor},
                  {"evacuation_trigger_s", o.evacuation_trigger_s},
                  {"replan_rounds", o.replan_rounds},
                  {"closed_exits", o.closed_exits},
                  {"seeds", o.seeds}};
  j["gates"] = ordered_json::array();
  for (const auto& g : plan.gates) j["gates"].push_back(gate_json(g));
  j["dividers"] = ordered_json::array();
  for (const auto& d : plan.dividers)
    j["dividers"].push_back({{"name", d.name},
                             {"hotspot", d.hotspot},
                             {"line", pts(d.line)},
                             {"polygon", ordered_json::array({ring(d.shape.outer)})},
                             {"passage_width_m", num(d.passage_width_m)},
                             {"rationale", d.rationale}});
  j["releases"] = ordered_json::array();
  for (const auto& r : plan.releases)
    j["releases"].push_back({{"hotspot", r.hotspot},
                             {"group", r.group},
                             {"release_s", num(r.release_s, 0.1)},
                             {"persons", r.persons},
                             {"rationale", r.rationale}});
  j["routings"] = ordered_json::array();
  for (const auto& r : plan.routings)
    j["routings"].push_back({{"hotspot", r.hotspot},
                             {"role", r.role},
                             {"groups", r.groups},
                             {"line", ordered_json::array({pt(r.line.a), pt(r.line.b)})},
                             {"avoid", ordered_json::array({ring(r.avoid.outer)})},
                             {"persons", r.persons},
                             {"rerouted_share", num(r.rerouted_share, 0.001)},
                             {"detour_m", num(r.detour_m, 0.1)},
                             {"rationale", r.rationale}});
  j["unresolved"] = ordered_json::array();
  for (const auto& u : plan.unresolved) {
    ordered_json uj = {{"hotspot", u.hotspot}, {"reason", u.reason}};
    if (!u.covered_by.empty()) uj["covered_by"] = u.covered_by;
    j["unresolved"].push_back(uj);
  }
  if (plan.evacuation) {
    const EvacuationPlan& e = *plan.evacuation;
    ordered_json ev;
    ev["trigger_s"] = e.trigger_s;
    ev["closed_exits"] = e.closed_exits;
    ev["persons"] = e.persons;
    ev["lower_bound_s"] = num(e.lower_bound_s, 0.1);
    ev["planned_time_s"] = num(e.planned_time_s, 0.1);
    ev["nearest_time_s"] = num(e.nearest_time_s, 0.1);
    ev["replanning"] = e.replanning;
    ev["exits"] = ordered_json::array();
    for (const ExitLoad& x : e.exits)
      ev["exits"].push_back({{"name", x.name},
                             {"width_m", num(x.width_m)},
                             {"capacity_persons_per_s", num(x.capacity_persons_per_s)},
                             {"closed", x.closed},
                             {"persons_nearest", x.persons_nearest},
                             {"persons_assigned", x.persons_assigned}});
    ev["routes"] = ordered_json::array();
    for (const EvacuationRoute& r : e.routes)
      ev["routes"].push_back({{"exit", r.exit},
                              {"persons", r.persons},
                              {"zone_center", pt(r.zone_center)},
                              {"zone", ordered_json::array({ring(r.zone.outer)})},
                              {"travel_time_s", num(r.travel_time_s, 0.1)},
                              {"path", pts(thin(r.path))}});
    j["evacuation"] = ev;
  } else {
    j["evacuation"] = nullptr;
  }
  if (plan.verification) {
    const Verification& v = *plan.verification;
    ordered_json vj;
    if (!v.baseline.seeds.empty()) {
      vj["baseline"] = outcome_json(v.baseline);
      vj["measures"] = outcome_json(v.measures);
    }
    vj["hotspots"] = ordered_json::array();
    for (const HotspotOutcome& h : v.hotspots)
      vj["hotspots"].push_back({{"hotspot", h.hotspot},
                                {"kind", h.kind},
                                {"peak_density_per_m2", {{"before", stats(h.peak_density_before)}, {"after", stats(h.peak_density_after)}}},
                                {"peak_pressure_s2", {{"before", stats(h.peak_pressure_before, 0.0001)}, {"after", stats(h.peak_pressure_after, 0.0001)}}},
                                {"exposure_los_ef_m2_s", {{"before", stats(h.exposure_ef_before, 1)}, {"after", stats(h.exposure_ef_after, 1)}}},
                                {"peak_opposing_flux_per_m_s", {{"before", stats(h.opposing_flux_before)}, {"after", stats(h.opposing_flux_after)}}},
                                {"seeds_remaining", h.seeds_remaining},
                                {"target_met", h.target_met},
                                {"verdict", h.verdict}});
    vj["new_hotspots"] = v.new_hotspots;
    if (v.evacuation_nearest) vj["evacuation_nearest"] = outcome_json(*v.evacuation_nearest);
    if (v.evacuation_assigned) vj["evacuation_assigned"] = outcome_json(*v.evacuation_assigned);
    if (!v.evacuation_verdict.empty()) vj["evacuation_verdict"] = v.evacuation_verdict;
    vj["notes"] = v.notes;
    j["verification"] = vj;
  } else {
    j["verification"] = nullptr;
  }
  j["timing"] = {{"plan_s", num(plan.plan_s, 0.01)}, {"verify_s", num(plan.verify_s, 0.01)}};
  return j.dump(2);
}

void write_plan_files(const Plan& plan) {
  const std::string text = plan_json(plan);
  detail::write_text_file(plan.run_dir / "plan.json", text + "\n");

  ordered_json fc = {{"type", "FeatureCollection"}, {"features", ordered_json::array()}};
  auto feature = [&](ordered_json geometry, ordered_json props) {
    fc["features"].push_back({{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(props)}});
  };
  for (const auto& g : plan.gates) {
    ordered_json p = gate_json(g);
    p.erase("line");
    p["role"] = "gate";
    feature({{"type", "LineString"}, {"coordinates", ordered_json::array({pt(g.gate.line.a), pt(g.gate.line.b)})}}, p);
  }
  for (const auto& d : plan.dividers)
    feature({{"type", "Polygon"}, {"coordinates", ordered_json::array({ring(d.shape.outer)})}},
            {{"role", "divider"}, {"name", d.name}, {"hotspot", d.hotspot}, {"rationale", d.rationale}});
  for (const auto& r : plan.routings)
    feature({{"type", "Polygon"}, {"coordinates", ordered_json::array({ring(r.avoid.outer)})}},
            {{"role", "avoid"}, {"hotspot", r.hotspot}, {"groups", r.groups}, {"rationale", r.rationale}});
  if (plan.evacuation)
    for (const auto& r : plan.evacuation->routes)
      feature({{"type", "LineString"}, {"coordinates", pts(thin(r.path))}},
              {{"role", "route"}, {"exit", r.exit}, {"persons", r.persons}, {"travel_time_s", num(r.travel_time_s, 0.1)}});
  detail::write_text_file(plan.run_dir / "plan.geojson", fc.dump(1) + "\n");

  if (std::filesystem::exists(plan.run_dir / "report.html")) detail::embed_plan_in_report(plan.run_dir / "report.html", text);
}

}  // namespace crowdsafe
