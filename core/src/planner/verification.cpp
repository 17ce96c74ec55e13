// Proof by re-simulation: the baseline and the scenario with every measure, each with several
// seeds, analysed alike; the treated hotspots' cells compared before and after; the evacuation
// with nearest exits against the assigned routes and the lower bound.

#include "verification.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "crowdsafe/runner.hpp"

namespace crowdsafe::detail {
namespace {

// Differences smaller than this (s, or this share of the nearest-exit time) are seed noise.
constexpr double kEvacuationNoise_s = 1.0;
constexpr double kEvacuationNoiseShare = 0.02;

// The routes are recommended only when re-simulation proves them: the last person out (the
// evacuation time that codes ask for) leaves no later, and the last-out or P95 time is shorter.
void evacuation_verdict(Verification& v) {
  const auto& n95 = v.evacuation_nearest->evacuation_p95_s;
  const auto& a95 = v.evacuation_assigned->evacuation_p95_s;
  const auto& nmax = v.evacuation_nearest->evacuation_max_s;
  const auto& amax = v.evacuation_assigned->evacuation_max_s;
  if (a95.n == 0 || n95.n == 0 || amax.n == 0 || nmax.n == 0) return;
  auto change = [](const SeedStats& before, const SeedStats& after) {
    const double d = after.mean - before.mean;
    return std::abs(d) <= std::max(kEvacuationNoise_s, kEvacuationNoiseShare * before.mean) ? 0 : (d < 0 ? -1 : 1);
  };
  const int last = change(nmax, amax), p95 = change(n95, a95);
  const std::string figures = format("last out %.1f -> %.1f s, P95 %.1f -> %.1f s (means over %d seeds)", nmax.mean,
                                     amax.mean, n95.mean, a95.mean, amax.n);
  if (last <= 0 && (last < 0 || p95 < 0)) {
    v.evacuation_verdict = "recommended";
    return;
  }
  v.evacuation_verdict = "not recommended";
  if (last > 0 && p95 < 0)
    v.notes.push_back("Evacuation routes not recommended: most people leave sooner but the last person leaves later (" +
                      figures +
                      "); the flow model does not see the crowding on the longer routes it opens. Keep the nearest "
                      "exits, or open more exit width where the last people leave.");
  else
    v.notes.push_back("Evacuation routes not recommended: re-simulation shows no gain over the nearest exits (" + figures +
                      "): the exits are balanced already, or congestion inside the venue, which the flow model ignores, "
                      "dominates. Keep the nearest exits.");
}

SeedStats stats_of(const std::vector<double>& v) {
  SeedStats s;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    s.mean += x;
    s.min = s.n ? std::min(s.min, x) : x;
    s.max = s.n ? std::max(s.max, x) : x;
    ++s.n;
  }
  if (s.n) s.mean /= s.n;
  return s;
}

// Figures of one treated hotspot's cells in one (re-)analysed run.
struct CellFigures {
  double peak_density = 0, peak_pressure = 0, exposure_ef = 0, opposing_flux = 0;
  bool remaining = false;
};

CellFigures cell_figures(const AnalysisResult& r, const Hotspot& h) {
  CellFigures f;
  const double cell_area = r.grid.cell_m * r.grid.cell_m;
  const auto E = static_cast<std::size_t>(LevelOfService::E), F = static_cast<std::size_t>(LevelOfService::F);
  for (std::size_t c : h.cells) {
    if (c >= r.grid.size()) continue;
    auto mx = [](double& acc, double v) {
      if (std::isfinite(v)) acc = std::max(acc, v);
    };
    mx(f.peak_density, r.peak_density[c]);
    mx(f.peak_pressure, r.peak_pressure[c]);
    mx(f.opposing_flux, r.peak_counterflow[c]);
    const double frac = r.los_fraction[0][E][c] + r.los_fraction[0][F][c];
    if (std::isfinite(frac)) f.exposure_ef += frac * r.duration_s * cell_area * r.walkable_fraction[c];
  }
  std::vector<char> mine(r.grid.size(), 0);
  for (std::size_t c : h.cells)
    if (c < mine.size()) mine[c] = 1;
  for (const Hotspot& o : r.hotspots)
    if (o.kind == h.kind)
      for (std::size_t c : o.cells)
        if (c < mine.size() && mine[c]) f.remaining = true;
  return f;
}

bool overlaps(const Hotspot& a, const std::vector<Hotspot>& others, std::size_t cells) {
  std::vector<char> mark(cells, 0);
  for (const Hotspot& o : others)
    for (std::size_t c : o.cells)
      if (c < cells) mark[c] = 1;
  for (std::size_t c : a.cells)
    if (c < cells && mark[c]) return true;
  return false;
}

// Accumulates the outcome of one scenario over its seeds.
class OutcomeBuilder {
 public:
  explicit OutcomeBuilder(std::string label) { out_.label = std::move(label); }
  void add(const RunSummary& s, std::uint64_t seed, std::size_t hotspots) {
    out_.seeds.push_back(seed);
    out_.status.push_back(s.status);
    evacuated_.push_back(static_cast<double>(s.agents_evacuated));
    auto t = [](double v) { return v >= 0 ? v : std::nan(""); };
    p50_.push_back(t(s.evacuation_time_p50_s));
    p95_.push_back(t(s.evacuation_time_p95_s));
    max_.push_back(t(s.evacuation_time_max_s));
    hot_.push_back(static_cast<double>(hotspots));
    out_.wall_s += s.wall_time_s;
    for (const GateStats& g : s.gates) {
      auto it = std::find_if(out_.gates.begin(), out_.gates.end(), [&](const GateStats& x) { return x.name == g.name; });
      if (it == out_.gates.end()) {
        out_.gates.push_back(g);
        continue;
      }
      it->crossings_in += g.crossings_in;
      it->crossings_out += g.crossings_out;
      it->forced_crossings += g.forced_crossings;
      it->permits += g.permits;
      it->total_wait_person_s += g.total_wait_person_s;
      it->max_queue_persons = std::max(it->max_queue_persons, g.max_queue_persons);
      it->max_wait_s = std::max(it->max_wait_s, g.max_wait_s);
      it->mean_wait_s = std::max(it->mean_wait_s, g.mean_wait_s);
    }
  }
  ScenarioOutcome done() {
    out_.evacuated = stats_of(evacuated_);
    out_.evacuation_p50_s = stats_of(p50_);
    out_.evacuation_p95_s = stats_of(p95_);
    out_.evacuation_max_s = stats_of(max_);
    out_.hotspots = stats_of(hot_);
    return out_;
  }

 private:
  ScenarioOutcome out_;
  std::vector<double> evacuated_, p50_, p95_, max_, hot_;
};

}  // namespace

Verification verify_plan(const Plan& plan, const Scenario& sc, const AnalysisResult& base, const PlanOptions& opt,
                         bool& interrupted) {
  Verification v;
  const std::filesystem::path dir = plan.run_dir / "plan";
  std::filesystem::create_directories(dir);
  AnalysisOptions aopt = base.options;
  aopt.write_outputs = false;
  std::vector<std::uint64_t> seeds;
  for (int k = 0; k < opt.seeds; ++k) seeds.push_back(sc.seed + static_cast<std::uint64_t>(k));

  const bool has_measures =
      !plan.gates.empty() || !plan.dividers.empty() || !plan.releases.empty() || !plan.routings.empty();
  // Where the assignment is the nearest-exit one, there is nothing to compare.
  const bool route_change = plan.evacuation && std::any_of(plan.evacuation->exits.begin(), plan.evacuation->exits.end(),
                                                          [](const ExitLoad& x) { return x.persons_assigned != x.persons_nearest; });
  const int evac_runs =
      route_change ? 2 * opt.seeds - (plan.evacuation->calibration_run ? 1 : 0) - (plan.evacuation->assigned_run ? 1 : 0)
                   : 0;
  const int total_runs = (has_measures ? 2 * opt.seeds - 1 : 0) + evac_runs;
  int done_runs = 0;
  auto stopped = [&] { return opt.stop && opt.stop->load(); };

  // Every re-simulation (and the analysis of those that need one) runs up front, several at a
  // time on one thread each: a run of a few thousand people scales better across runs than
  // across threads, and each run's result does not depend on its thread count. The loops
  // below then read the results in seed order, as if they had run one after the other.
  struct Job {
    const Scenario* scenario;
    std::uint64_t seed;
    std::string label;
    bool record, analyse;
    std::optional<RunSummary> summary;  ///< std::nullopt when interrupted
    std::optional<AnalysisResult> analysis;
    std::exception_ptr error;  ///< thrown by the run or its analysis, rethrown in job order
  };
  std::vector<Job> jobs;
  if (has_measures)
    for (std::uint64_t seed : seeds) {
      if (seed != sc.seed) jobs.push_back({&sc, seed, "baseline", true, true, {}, {}, {}});
      jobs.push_back({&plan.measures_scenario, seed, "measures", true, true, {}, {}, {}});
    }
  if (route_change)
    for (std::uint64_t seed : seeds) {
      if (!(seed == sc.seed && plan.evacuation->calibration_run))
        jobs.push_back({&plan.evacuation->nearest_scenario, seed, "evacuation-nearest", opt.keep_trajectories, false, {}, {}, {}});
      if (!(seed == sc.seed && plan.evacuation->assigned_run))
        jobs.push_back({&plan.evacuation->assigned_scenario, seed, "evacuation-assigned", opt.keep_trajectories, false, {}, {}, {}});
    }
  const int cores = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::max(1, std::min(cores, static_cast<int>(jobs.size())));
  std::atomic<std::size_t> next{0};
  std::mutex progress;
  auto work = [&] {
    for (std::size_t k = next++; k < jobs.size() && !stopped(); k = next++) {
      Job& j = jobs[k];
      Scenario s = *j.scenario;
      s.seed = j.seed;
      if (opt.on_progress) {
        const std::lock_guard lock(progress);
        opt.on_progress(format("re-simulating %s, seed %llu (%d/%d)", j.label.c_str(),
                               static_cast<unsigned long long>(j.seed), ++done_runs, total_runs));
      }
      try {
        RunOptions ro;
        ro.threads = std::max(1, cores / workers);
        ro.record = j.record;
        ro.stop = opt.stop;
        const auto out = dir / format("%s-seed%llu", j.label.c_str(), static_cast<unsigned long long>(j.seed));
        RunSummary summary = run_scenario(s, out, ro);
        if (summary.status == "interrupted" || stopped()) continue;
        if (j.analyse) {
          j.analysis = analyse_run(out, &s, aopt);
          if (!opt.keep_trajectories) std::filesystem::remove(out / "trajectories.h5");
        }
        j.summary = std::move(summary);
      } catch (...) {
        j.error = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    for (int w = 1; w < workers; ++w) pool.emplace_back(work);
    work();
  }
  for (const Job& j : jobs)
    if (j.error) std::rethrow_exception(j.error);
  auto job = [&](const std::string& label, std::uint64_t seed) -> Job& {
    return *std::find_if(jobs.begin(), jobs.end(), [&](const Job& j) { return j.label == label && j.seed == seed; });
  };
  // A re-simulation's summary; std::nullopt when it was interrupted.
  auto simulated = [&](const std::string& label, std::uint64_t seed) -> std::optional<RunSummary> {
    const auto& summary = job(label, seed).summary;
    if (!summary) interrupted = true;
    return summary;
  };
  auto analysed = [&](const std::string& label, std::uint64_t seed) { return std::move(*job(label, seed).analysis); };

  if (has_measures) {
    // Treated hotspots: those a measure names.
    std::vector<const Hotspot*> treated;
    for (const Hotspot& h : base.hotspots) {
      bool named = false;
      for (const auto& g : plan.gates) named |= g.hotspot == h.id;
      for (const auto& d : plan.dividers) named |= d.hotspot == h.id;
      for (const auto& r : plan.releases) named |= r.hotspot == h.id;
      for (const auto& r : plan.routings) named |= r.hotspot == h.id;
      for (const auto& u : plan.unresolved) named |= u.hotspot == h.id && !u.covered_by.empty();
      if (named) treated.push_back(&h);
    }
    std::vector<std::vector<double>> before(treated.size() * 4), after(treated.size() * 4);
    std::vector<int> remaining(treated.size(), 0);
    struct NewSpot {
      std::string kind;
      Vec2 at;
      double peak = 0;
      int seeds = 0;
    };
    std::vector<NewSpot> fresh;
    OutcomeBuilder b("baseline"), m("with measures");
    for (std::uint64_t seed : seeds) {
      if (interrupted) break;
      // Baseline: the run itself for its own seed, a re-simulation for the others.
      std::optional<AnalysisResult> other;
      RunSummary bs;
      if (seed == sc.seed) {
        bs = read_summary_json(plan.run_dir / "summary.json");
      } else {
        auto s = simulated("baseline", seed);
        if (!s) break;
        bs = *s;
        other = analysed("baseline", seed);
      }
      const AnalysisResult& before_r = other ? *other : base;
      auto ms = simulated("measures", seed);
      if (!ms) break;
      const AnalysisResult after_r = analysed("measures", seed);
      b.add(bs, seed, before_r.hotspots.size());
      m.add(*ms, seed, after_r.hotspots.size());
      for (std::size_t k = 0; k < treated.size(); ++k) {
        const CellFigures fb = cell_figures(before_r, *treated[k]), fa = cell_figures(after_r, *treated[k]);
        before[4 * k].push_back(fb.peak_density);
        before[4 * k + 1].push_back(fb.peak_pressure);
        before[4 * k + 2].push_back(fb.exposure_ef);
        before[4 * k + 3].push_back(fb.opposing_flux);
        after[4 * k].push_back(fa.peak_density);
        after[4 * k + 1].push_back(fa.peak_pressure);
        after[4 * k + 2].push_back(fa.exposure_ef);
        after[4 * k + 3].push_back(fa.opposing_flux);
        remaining[k] += fa.remaining;
      }
      std::vector<char> seen(fresh.size(), 0);  // a new spot counts once per seed
      for (const Hotspot& h : after_r.hotspots) {
        if (overlaps(h, before_r.hotspots, after_r.grid.size())) continue;
        auto it = std::find_if(fresh.begin(), fresh.end(), [&](const NewSpot& f) {
          return f.kind == kind_name(h.kind) && norm(f.at - h.centroid) < 5.0;
        });
        if (it == fresh.end()) {
          fresh.push_back({kind_name(h.kind), h.centroid, h.peak_density_per_m2, 1});
          seen.push_back(1);
        } else {
          it->peak = std::max(it->peak, h.peak_density_per_m2);
          const auto i = static_cast<std::size_t>(it - fresh.begin());
          if (!seen[i]) ++it->seeds;
          seen[i] = 1;
        }
      }
    }
    v.baseline = b.done();
    v.measures = m.done();
    for (std::size_t k = 0; k < treated.size(); ++k) {
      const Hotspot& h = *treated[k];
      HotspotOutcome o;
      o.hotspot = h.id;
      o.kind = kind_name(h.kind);
      o.peak_density_before = stats_of(before[4 * k]);
      o.peak_pressure_before = stats_of(before[4 * k + 1]);
      o.exposure_ef_before = stats_of(before[4 * k + 2]);
      o.opposing_flux_before = stats_of(before[4 * k + 3]);
      o.peak_density_after = stats_of(after[4 * k]);
      o.peak_pressure_after = stats_of(after[4 * k + 1]);
      o.exposure_ef_after = stats_of(after[4 * k + 2]);
      o.opposing_flux_after = stats_of(after[4 * k + 3]);
      o.seeds_remaining = remaining[k];
      const int n = o.peak_density_after.n;
      if (h.kind == HotspotKind::Crush) {
        o.target_met = n > 0 && o.peak_density_after.max < opt.target_density_per_m2;
        o.verdict = format("peak density %.2f -> %.2f persons/m² (worst seed %.2f; target below %.1f): %s; the hotspot "
                         "remains in %d of %d seeds",
                         o.peak_density_before.mean, o.peak_density_after.mean, o.peak_density_after.max,
                         opt.target_density_per_m2, o.target_met ? "target met" : "target NOT met", o.seeds_remaining, n);
      } else {
        o.target_met = n > 0 && o.seeds_remaining == 0;
        o.verdict = format("opposing flux %.2f -> %.2f persons/(m·s); counterflow %s (remains in %d of %d seeds)",
                         o.opposing_flux_before.mean, o.opposing_flux_after.mean,
                         o.target_met ? "removed" : "NOT removed", o.seeds_remaining, n);
      }
      bool queue_inside = false;
      for (const auto& g : plan.gates) queue_inside |= g.hotspot == h.id && g.queue_in_hotspot;
      if (!o.target_met)
        v.notes.push_back(h.id + ": " + o.verdict + ". " +
                          (h.kind != HotspotKind::Crush
                               ? "Separate the streams by route (one-way system) or widen the passage."
                           : queue_inside
                               ? "The gate's queue stands in the hotspot itself, because the crowd is there from the "
                                 "start: release the crowd in waves (staggered premovement) or give it more room."
                               : "Lower the gate rate, meter further upstream or widen the bottleneck."));
      v.hotspots.push_back(std::move(o));
    }
    for (const NewSpot& f : fresh) {
      v.new_hotspots.push_back(format("%s at (%.1f, %.1f) m, peak %.2f persons/m², in %d of %zu seeds", f.kind.c_str(),
                                    f.at.x, f.at.y, f.peak, f.seeds, seeds.size()));
      v.notes.push_back("The measures create a new " + v.new_hotspots.back() +
                        " (often the queue at a gate): give it more holding area or lower the inflow further upstream.");
    }
  }

  if (plan.evacuation && !route_change)
    v.notes.push_back("The flow model's best assignment is the nearest exits; the evacuation needs no routing.");
  if (route_change && !interrupted) {
    OutcomeBuilder near("nearest exit"), assigned("assigned routes");
    for (std::uint64_t seed : seeds) {
      std::optional<RunSummary> a;
      if (seed == sc.seed && plan.evacuation->calibration_run) a = plan.evacuation->calibration_run;
      else a = simulated("evacuation-nearest", seed);
      if (!a) break;
      std::optional<RunSummary> c;
      if (seed == sc.seed && plan.evacuation->assigned_run) c = plan.evacuation->assigned_run;
      else c = simulated("evacuation-assigned", seed);
      if (!c) break;
      near.add(*a, seed, 0);
      assigned.add(*c, seed, 0);
      for (const RunSummary* s : {&*a, &*c})
        if (s->evacuation_time_max_s >= 0 && s->evacuation_time_max_s < plan.evacuation->lower_bound_s)
          v.notes.push_back(format("seed %llu: a simulation evacuated in %.1f s, below the lower bound %.1f s; the bound's "
                                 "assumptions (docs/planner.md) do not hold for this venue",
                                 static_cast<unsigned long long>(seed), s->evacuation_time_max_s,
                                 plan.evacuation->lower_bound_s));
      for (const RunSummary* s : {&*a, &*c})
        if (s->agents_remaining > 0)
          v.notes.push_back(format("seed %llu: %lld persons had not left after %.0f s", static_cast<unsigned long long>(seed),
                                 static_cast<long long>(s->agents_remaining), plan.evacuation->nearest_scenario.duration_s));
    }
    v.evacuation_nearest = near.done();
    v.evacuation_assigned = assigned.done();
    evacuation_verdict(v);
  }
  return v;
}

}  // namespace crowdsafe::detail
