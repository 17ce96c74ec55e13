#include "crowdsafe/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "crowdsafe/output.hpp"
#include "crowdsafe/simulation.hpp"
#include "crowdsafe/version.hpp"

namespace crowdsafe {

namespace {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return -1.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

RunSummary run_scenario(const Scenario& scenario, const std::filesystem::path& out_dir, const RunOptions& options) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto wall = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };

  Simulation sim(scenario, SimulationOptions{options.threads});
  std::filesystem::create_directories(out_dir);

  RunSummary sum;
  sum.scenario = scenario.name;
  sum.seed = scenario.seed;
  sum.threads = options.threads;
  sum.cutoff_m = sim.cutoff_m();

  std::optional<TrajectoryWriter> writer;
  if (options.record) {
    RunMetadata meta;
    meta.scenario_name = scenario.name;
    meta.scenario_file = scenario.file.string();
    meta.scenario_hash = fnv1a64_hex(scenario.source_text);
    meta.version = kVersion;
    meta.walkable_wkt = to_wkt(scenario.walkable);
    meta.group_names = sim.group_names();
    for (const auto& e : scenario.exits) meta.exit_names.push_back(e.name);
    meta.seed = scenario.seed;
    meta.time_step_s = scenario.time_step_s;
    meta.output_interval_s = scenario.output_interval_s;
    meta.threads = options.threads;
    sum.trajectory_file = "trajectories.h5";
    writer.emplace(out_dir / sum.trajectory_file, meta);
  }

  const auto frame_every = std::max<std::int64_t>(1, std::llround(scenario.output_interval_s / scenario.time_step_s));
  std::int64_t frame = 0;
  std::int64_t evacuated = 0;
  auto record = [&] {
    const AgentState& a = sim.agents();
    for (double f : a.contact_force_N) sum.max_contact_force_N = std::max(sum.max_contact_force_N, f);
    if (writer)
      writer->write_frame(FrameView{frame, sim.time_s(), a.id, a.position, a.velocity, a.contact_force_N});
    ++frame;
    if (options.on_progress) {
      evacuated = std::count_if(sim.records().begin(), sim.records().end(), [](const AgentRecord& r) { return r.exit >= 0; });
      options.on_progress(Progress{sim.time_s(), scenario.duration_s, wall(), a.size(), evacuated});
    }
  };

  sum.status = "completed";
  try {
    record();
    while (!sim.finished()) {
      if (options.stop && options.stop->load()) {
        sum.status = "interrupted";
        break;
      }
      sim.step();
      if (sim.step_count() % frame_every == 0) record();
    }
  } catch (const SimulationError& e) {
    sum.status = std::string("failed: ") + e.what();
  }

  sum.wall_time_s = wall();
  sum.simulated_time_s = sim.time_s();
  sum.steps = sim.step_count();
  sum.agent_updates = sim.agent_updates();
  sum.agent_updates_per_second = sum.wall_time_s > 0 ? static_cast<double>(sum.agent_updates) / sum.wall_time_s : 0.0;
  sum.real_time_factor = sum.wall_time_s > 0 ? sum.simulated_time_s / sum.wall_time_s : 0.0;
  std::vector<double> exit_times;
  for (const auto& r : sim.records())
    if (r.exit >= 0) exit_times.push_back(r.exit_time_s);
  sum.agents_total = static_cast<std::int64_t>(sim.records().size());
  sum.agents_evacuated = static_cast<std::int64_t>(exit_times.size());
  sum.agents_remaining = static_cast<std::int64_t>(sim.agents().size());
  const auto stalled = sim.stalled();
  sum.agents_stalled = static_cast<std::int64_t>(stalled.size());
  for (std::size_t k = 0; k < stalled.size() && k < 100; ++k) sum.stalled_ids.push_back(stalled[k].value);
  sum.evacuation_time_p50_s = percentile(exit_times, 0.50);
  sum.evacuation_time_p95_s = percentile(exit_times, 0.95);
  sum.evacuation_time_max_s = percentile(exit_times, 1.0);

  if (writer) {
    RunEnd end;
    end.complete = sum.status == "completed";
    end.status = sum.status;
    end.simulated_time_s = sum.simulated_time_s;
    end.steps = sum.steps;
    end.wall_time_s = sum.wall_time_s;
    writer->finish(sim.records(), end);
  }
  write_summary_json(sum, out_dir / "summary.json");
  return sum;
}

}  // namespace crowdsafe
