#include "crowdsafe/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
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

RunMetadata metadata_of(const Scenario& scenario, const Simulation& sim, int threads) {
  RunMetadata meta;
  meta.scenario_name = scenario.name;
  meta.scenario_file = scenario.file.empty() ? std::string() : std::filesystem::absolute(scenario.file).string();
  meta.scenario_hash = fnv1a64_hex(scenario.source_text);
  meta.version = kVersion;
  meta.walkable_wkt = to_wkt(scenario.walkable);
  meta.group_names = sim.group_names();
  for (const auto& e : scenario.exits) meta.exit_names.push_back(e.name);
  nlohmann::ordered_json levels = nlohmann::ordered_json::array();
  for (const Level& l : scenario.levels)
    levels.push_back({{"name", l.name}, {"offset_x_m", l.offset.x}, {"offset_y_m", l.offset.y},
                      {"z_min_m", l.z_min_m}, {"z_max_m", l.z_max_m}});
  meta.levels_json = levels.dump();
  meta.seed = scenario.seed;
  meta.time_step_s = scenario.time_step_s;
  meta.output_interval_s = scenario.output_interval_s;
  meta.threads = threads;
  return meta;
}

// Writes a file beside its final name and renames it, so readers never see half a file.
template <class Write>
void write_atomically(const std::filesystem::path& file, Write&& write) {
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + ": check that the folder is writable");
    write(out);
    out.flush();
    if (!out) throw std::runtime_error("failed writing " + tmp.string() + ": disk full?");
  }
  std::filesystem::rename(tmp, file);
}

constexpr const char* kCheckpointState = "checkpoint.bin";
constexpr const char* kCheckpointInfo = "checkpoint.json";

/// Steps `sim` to the end, recording frames from `frame` on; shared by run and resume.
RunSummary run_loop(Simulation& sim, const Scenario& scenario, const std::filesystem::path& out_dir,
                    const RunOptions& options, std::optional<TrajectoryWriter>& writer, std::int64_t frame,
                    double wall_before_s) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto wall = [&] { return wall_before_s + std::chrono::duration<double>(clock::now() - start).count(); };

  RunSummary sum;
  sum.scenario = scenario.name;
  sum.seed = scenario.seed;
  sum.threads = options.threads;
  sum.cutoff_m = sim.cutoff_m();
  if (writer) sum.trajectory_file = "trajectories.h5";

  const auto frame_every = std::max<std::int64_t>(1, std::llround(scenario.output_interval_s / scenario.time_step_s));
  double last_checkpoint_s = sim.time_s();
  auto checkpoint = [&] {
    write_atomically(out_dir / kCheckpointState, [&](std::ostream& o) { sim.save(o); });
    nlohmann::ordered_json j;
    j["scenario_file"] = scenario.file.empty() ? std::string() : std::filesystem::absolute(scenario.file).string();
    j["seed"] = scenario.seed;
    j["duration_s"] = scenario.duration_s;
    j["frames"] = frame;
    j["simulated_time_s"] = sim.time_s();
    j["wall_time_s"] = wall();
    write_atomically(out_dir / kCheckpointInfo, [&](std::ostream& o) { o << j.dump(2) << "\n"; });
    last_checkpoint_s = sim.time_s();
  };
  auto record = [&] {
    const AgentState& a = sim.agents();
    for (double f : a.contact_force_N) sum.max_contact_force_N = std::max(sum.max_contact_force_N, f);
    if (writer) writer->write_frame(FrameView{frame, sim.time_s(), a.id, a.position, a.velocity, a.contact_force_N});
    ++frame;
    if (options.checkpoint_every_s > 0.0 && sim.time_s() - last_checkpoint_s >= options.checkpoint_every_s - 1e-9) checkpoint();
    if (options.on_progress) {
      const auto evacuated = std::count_if(sim.records().begin(), sim.records().end(), [](const AgentRecord& r) { return r.exit >= 0; });
      options.on_progress(Progress{sim.time_s(), scenario.duration_s, wall(), a.size(), evacuated});
    }
  };

  sum.status = "completed";
  try {
    if (frame == 0) record();
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
  sum.gates = sim.gate_stats();

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

}  // namespace

RunSummary run_scenario(const Scenario& scenario, const std::filesystem::path& out_dir, const RunOptions& options) {
  Simulation sim(scenario, SimulationOptions{options.threads});
  std::filesystem::create_directories(out_dir);
  std::optional<TrajectoryWriter> writer;
  if (options.record) writer.emplace(out_dir / "trajectories.h5", metadata_of(scenario, sim, options.threads));
  return run_loop(sim, scenario, out_dir, options, writer, 0, 0.0);
}

RunSummary resume_run(const std::filesystem::path& out_dir, const RunOptions& options) {
  std::ifstream info_in(out_dir / kCheckpointInfo);
  if (!info_in)
    throw std::runtime_error("no checkpoint in " + out_dir.string() +
                             ": run with --checkpoint-every S to be able to resume");
  const auto info = nlohmann::json::parse(info_in);
  Scenario scenario = read_scenario(info.at("scenario_file").get<std::string>());
  scenario.seed = info.at("seed").get<std::uint64_t>();
  scenario.duration_s = info.at("duration_s").get<double>();
  Simulation sim(scenario, SimulationOptions{options.threads});
  std::ifstream state(out_dir / kCheckpointState, std::ios::binary);
  if (!state) throw std::runtime_error("checkpoint state " + (out_dir / kCheckpointState).string() + " is missing");
  sim.restore(state);
  const auto frames = info.at("frames").get<std::int64_t>();
  std::optional<TrajectoryWriter> writer;
  if (options.record) writer.emplace(out_dir / "trajectories.h5", metadata_of(scenario, sim, options.threads), frames);
  return run_loop(sim, scenario, out_dir, options, writer, frames, info.at("wall_time_s").get<double>());
}

}  // namespace crowdsafe
