#pragma once
/// @file planner.hpp
/// The planner: turns the hotspots of an analysed run into measures — metered gates upstream
/// of crush hotspots, separation of opposing streams (one-way routing where the venue has
/// another way, else holding the smaller stream back in time), and evacuation routes that assign origin
/// zones to exits — and proves each by re-simulating with several seeds, before and after.
/// Writes plan.json, plan.geojson and the plan section of report.html. Methods: docs/planner.md.
/// Every quantity is SI: m, s, persons, persons/s, persons/min (gate rates), persons/m².

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crowdsafe/analysis.hpp"
#include "crowdsafe/runner.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace crowdsafe {

/// How to plan. Defaults and their sources: docs/planner.md.
struct PlanOptions {
  /// Target: keep the density in every crush hotspot below this, persons/m² (IMO MSC.1/Circ.1533
  /// congestion criterion, 4 persons/m²).
  double target_density_per_m2 = 4.0;
  /// Density a queue is assumed to hold in a gate's holding area, persons/m² (Fruin queuing
  /// level D begins at 0.6 m²/person ≈ 1.7 persons/m²; 2 leaves a margin).
  double holding_density_per_m2 = 2.0;
  /// Metering rate = this fraction (0–1] of the downstream capacity.
  double rate_margin = 0.9;
  /// Specific flow used for design capacities, persons/(m·s): the UK Green Guide's 82 persons
  /// per metre per minute on level ground (SGSA 2018).
  double design_specific_flow_per_m_s = 82.0 / 60.0;
  /// At most this many hotspots get a measure (highest risk first).
  int max_hotspots = 5;
  /// Smallest share (0–1] of a hotspot's people that must pass a gate for it to be useful.
  double min_coverage = 0.8;
  /// Consider dividers for counterflow. Off by default: people pick a side of a divider by
  /// path length, not by walking direction, so in re-simulation both streams still meet on
  /// each side (docs/planner.md); separation in time is what the planner proves by default.
  bool dividers = false;
  /// Consider one-way routing for counterflow: where the venue has another way between the
  /// streams' origins and destinations, one stream's route avoids the hotspot's passage and the
  /// other's avoids that other way (Target::avoid), so each way carries one direction.
  bool one_way = true;
  /// One-way routing only where the re-routed stream's route grows by at most this factor
  /// (route length along the route field; at least 1).
  double max_detour_factor = 1.5;
  /// Narrowest lane per direction beside a divider, m (two people side by side, 2 × 0.6 m).
  double min_lane_width_m = 1.2;
  /// Divider (crowd barrier) width, m.
  double divider_width_m = 0.2;

  /// Plan an evacuation too.
  bool evacuation = true;
  /// The evacuation starts at this simulated time of the run, s (0 = from the start): everybody
  /// inside at that time leaves (people then start from rest; arrivals stop).
  double evacuation_trigger_s = 0.0;
  /// Exits closed or blocked during the evacuation (names); they take nobody.
  std::vector<std::string> closed_exits;
  /// Congestion-aware re-planning (with verify): up to this many rounds, each simulating the
  /// assigned routes with the run's seed, adding the extra time people took per zone and exit
  /// (beyond the flow model's walking and queueing time) to the walking times and assigning
  /// again. The plan whose simulation got the last person out earliest (then P95) is kept.
  /// 0 = off. In [0, 10].
  int replan_rounds = 2;
  /// Origin zones are cells of this edge, m.
  double zone_cell_m = 4.0;
  /// Time step of the time-expanded flow network, s.
  double flow_step_s = 0.5;
  /// Exit capacity assumed by the lower bound, persons/(m·s): above every specific flow the
  /// model reaches in its bottleneck validation (largest 2.28 at 0.9 m) and in experiments
  /// (about 1.9, Seyfried et al. 2009), so that no simulation can beat the bound.
  double bound_specific_flow_per_m_s = 2.5;

  /// Re-simulate every measure; else only recommend.
  bool verify = true;
  /// Verification seeds: the run's seed and the next seeds - 1 ones.
  int seeds = 2;
  /// Worker threads per re-simulation (0 = all cores); results do not depend on it.
  int threads = 0;
  /// Keep the re-simulations' trajectory files (plan/…/trajectories.h5); else only summaries.
  bool keep_trajectories = false;
  /// Progress lines ("re-simulating measures, seed 2027 (3/6)").
  std::function<void(const std::string&)> on_progress;
  /// Set to true to stop (SIGINT); what was verified so far is kept.
  const std::atomic<bool>* stop = nullptr;
};

/// Throws InputError naming the field when an option is out of range.
void validate(const PlanOptions& options);

/// A recommended gate: the gate itself (line, direction, rate, schedule) and why.
struct GateRecommendation {
  Gate gate;                        ///< ready to paste into a scenario's `gates:`
  std::string hotspot;              ///< id of the hotspot it treats ("H1")
  std::string purpose;              ///< "meter inflow" or "hold opposing stream"
  double clear_width_m = 0;         ///< width of the passage the gate spans, m
  /// Downstream capacity the rate is derived from, persons/s, and how it was found.
  double capacity_persons_per_s = 0;
  std::string capacity_basis;
  double coverage = 0;              ///< share (0–1) of the hotspot's people that pass the gate
  double holding_area_m2 = 0;       ///< walkable area within 20 m upstream of the gate, m²
  double holding_needed_m2 = 0;     ///< expected queue / holding density, m²
  double expected_queue_persons = 0;///< from the baseline arrivals at the gate, persons
  double expected_max_wait_s = 0;   ///< s
  /// Every usable cross-section passes through the hotspot, so the queue stands in it.
  bool queue_in_hotspot = false;
  std::string rationale;            ///< one paragraph for the report
};

/// A recommended divider (crowd barriers along a passage) separating two opposing streams.
struct DividerRecommendation {
  std::string name;                 ///< "D1"
  std::string hotspot;
  std::vector<Vec2> line;           ///< centre line, m
  Polygon shape;                    ///< the barrier as an obstacle, m
  double passage_width_m = 0;       ///< m
  std::string rationale;
};

/// A later start for a group present at the start: the smaller of two opposing streams waits
/// where it stands until the larger has passed (separation in time without a queue in the way).
struct ReleaseRecommendation {
  std::string hotspot;
  std::string group;                ///< group name (scenario `groups`)
  double release_s = 0;             ///< the group starts walking at this time, s (premovement)
  std::int64_t persons = 0;
  std::string rationale;
};

/// One-way routing: the groups and sources of one stream avoid a cross-section of a passage
/// (Target::avoid), so they take another way and each way carries one direction.
struct RoutingRecommendation {
  std::string hotspot;
  std::vector<std::string> groups;  ///< names of the groups and sources routed (scenario order)
  Segment line;                     ///< the cross-section they keep out of, wall to wall, m
  Polygon avoid;                    ///< the strip around it, ready for `avoid:`, m
  std::string role;                 ///< "re-routed stream" or "kept stream"
  std::int64_t persons = 0;         ///< persons of the stream in the hotspot in the run
  /// Mean extra route length for those of the groups whose route changes, m.
  double detour_m = 0;
  /// Share (0–1) of the groups' people whose route changes.
  double rerouted_share = 0;
  std::string rationale;
};

/// A hotspot the planner could not treat, and why.
struct Unresolved {
  std::string hotspot;
  std::string reason;
  /// Id of the hotspot whose measure treats this one too (the same two streams); empty if none.
  /// Verification then compares this hotspot as well.
  std::string covered_by;
};

/// One origin zone's share of the evacuation through one exit.
struct EvacuationRoute {
  std::string exit;
  Polygon zone;                     ///< the origin zone (a cell), m
  Vec2 zone_center;                 ///< m
  std::int64_t persons = 0;
  double travel_time_s = 0;         ///< free walking time from the zone to the exit, s
  std::vector<Vec2> path;           ///< route from the zone to the exit, m
};

/// Persons per exit: nearest-exit baseline against the assignment.
struct ExitLoad {
  std::string name;
  double width_m = 0;
  double capacity_persons_per_s = 0;  ///< design capacity, persons/s
  bool closed = false;
  std::int64_t persons_nearest = 0;   ///< by path length
  std::int64_t persons_assigned = 0;
};

/// Origin zones assigned to exits to minimise the evacuation time under exit capacities.
struct EvacuationPlan {
  double trigger_s = 0;
  std::vector<std::string> closed_exits;
  std::int64_t persons = 0;
  /// Time-expanded network-flow lower bound on the last exit time, s after the trigger, under
  /// free walking at up to max_speed_factor × desired speed and exit capacities of
  /// bound_specific_flow_per_m_s: no simulation can evacuate faster.
  double lower_bound_s = 0;
  /// Last exit time of the assignment in the flow model with design capacities, s.
  double planned_time_s = 0;
  /// The same for everybody going to the nearest exit, s.
  double nearest_time_s = 0;
  std::vector<ExitLoad> exits;
  std::vector<EvacuationRoute> routes;
  /// The verification scenarios: the same start positions (explicit, one group per original
  /// group and exit), no arrivals.
  Scenario nearest_scenario;        ///< everybody to the nearest exit (the baseline)
  Scenario assigned_scenario;       ///< everybody to the assigned exit
  /// The nearest-exit run with the run's seed that calibrated the exit capacities (plan/
  /// evacuation-calibration); the verification reuses it for that seed.
  std::optional<RunSummary> calibration_run;
  /// Congestion-aware re-planning: one line per plan simulated (its P95 and last-out times with
  /// the run's seed) and which was kept; empty when it did not run.
  std::vector<std::string> replanning;
  /// The kept plan's assigned-route run with the run's seed (plan/evacuation-replan-<n>); the
  /// verification reuses it for that seed.
  std::optional<RunSummary> assigned_run;
};

/// Mean, minimum and maximum of a figure over the verification seeds.
struct SeedStats {
  double mean = 0, min = 0, max = 0;
  int n = 0;
};

/// A hotspot before and after the measures, over the verification seeds.
struct HotspotOutcome {
  std::string hotspot;
  std::string kind;                    ///< "crush" / "counterflow"
  SeedStats peak_density_before;       ///< largest density in the hotspot's cells, persons/m²
  SeedStats peak_density_after;
  SeedStats peak_pressure_before;      ///< s⁻²
  SeedStats peak_pressure_after;
  SeedStats exposure_ef_before;        ///< area-time at Fruin walkway level E or F in its cells, m²·s
  SeedStats exposure_ef_after;
  SeedStats opposing_flux_before;      ///< peak min(forward, backward) flux, persons/(m·s)
  SeedStats opposing_flux_after;
  int seeds_remaining = 0;             ///< seeds in which a hotspot of the same kind still overlaps it
  bool target_met = false;
  std::string verdict;                 ///< one sentence
};

/// One re-simulated scenario over the seeds.
struct ScenarioOutcome {
  std::string label;                   ///< "baseline", "with measures", "nearest exit", "assigned routes"
  std::vector<std::uint64_t> seeds;
  std::vector<std::string> status;     ///< per seed
  SeedStats evacuated;                 ///< persons
  SeedStats evacuation_p50_s, evacuation_p95_s, evacuation_max_s;
  SeedStats hotspots;                  ///< number of hotspots found
  std::vector<GateStats> gates;        ///< summed over seeds (waits: max over seeds)
  double wall_s = 0;                   ///< s, all seeds
};

/// Verification of the measures (hotspots) and of the evacuation routes.
struct Verification {
  ScenarioOutcome baseline;
  ScenarioOutcome measures;
  std::vector<HotspotOutcome> hotspots;
  std::vector<std::string> new_hotspots;   ///< hotspots found only with the measures ("crush at (x, y) m in n seeds")
  std::optional<ScenarioOutcome> evacuation_nearest;
  std::optional<ScenarioOutcome> evacuation_assigned;
  /// Whether re-simulation proved the assigned routes: "recommended" when the last person
  /// leaves no later than with the nearest exits and the evacuation (last out or P95) is
  /// shorter, "not recommended" otherwise; empty when no routing was verified.
  std::string evacuation_verdict;
  std::vector<std::string> notes;          ///< targets not met and why
};

/// Everything the planner recommends and what re-simulation showed.
struct Plan {
  std::filesystem::path run_dir;
  std::string scenario_name;
  PlanOptions options;
  std::vector<GateRecommendation> gates;
  std::vector<DividerRecommendation> dividers;
  std::vector<ReleaseRecommendation> releases;
  std::vector<RoutingRecommendation> routings;
  std::vector<Unresolved> unresolved;
  std::optional<EvacuationPlan> evacuation;
  /// The scenario with every gate, divider, release and routing applied (what was verified).
  Scenario measures_scenario;
  std::optional<Verification> verification;
  double plan_s = 0;                       ///< wall time recommending, s
  double verify_s = 0;                     ///< wall time re-simulating, s
  bool interrupted = false;
};

/// Plans the analysed run in `run_dir` (trajectories.h5 + summary.json; analysed with
/// `analysis` as returned by analyse_run). `scenario` is the run's scenario. Writes the
/// re-simulations under run_dir/plan/. Throws InputError for invalid options.
Plan plan_run(const std::filesystem::path& run_dir, const Scenario& scenario, const AnalysisResult& analysis,
              const PlanOptions& options = {});

/// Writes plan.json and plan.geojson into plan.run_dir (atomically) and adds the plan section
/// to its report.html when there is one. Throws std::runtime_error when a file cannot be written.
void write_plan_files(const Plan& plan);

/// The plan as JSON text (docs/planner.md, "plan.json").
std::string plan_json(const Plan& plan);

/// The planner's time-expanded network-flow evacuation model on its own: assigns the persons
/// at `positions` (m; desired speeds in m/s, group indexes into scenario groups then sources)
/// to the open exits of `scenario`. Exposed for tests and studies.
EvacuationPlan plan_evacuation(const Scenario& scenario, const std::vector<Vec2>& positions,
                               const std::vector<double>& desired_speed_m_s, const std::vector<std::int32_t>& group,
                               const PlanOptions& options = {});

}  // namespace crowdsafe
