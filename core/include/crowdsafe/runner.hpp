#pragma once
/// @file runner.hpp
/// Runs a scenario to the end and writes its run folder: trajectories.h5 and summary.json.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace crowdsafe {

/// Progress reported to a callback about once per output frame.
struct Progress {
  double simulated_s = 0.0;    ///< simulated time so far, s
  double duration_s = 0.0;     ///< simulated time limit, s
  double wall_s = 0.0;         ///< wall time so far, s
  std::size_t agents = 0;      ///< agents present now
  std::int64_t evacuated = 0;  ///< agents that have left through an exit
};

/// How to run (never changes results).
struct RunOptions {
  int threads = 0;                                    ///< 0 = all cores
  bool record = true;                                 ///< write trajectories.h5
  std::function<void(const Progress&)> on_progress;   ///< optional
  const std::atomic<bool>* stop = nullptr;            ///< set to true to stop early (SIGINT)
  /// Save a checkpoint (checkpoint.bin + checkpoint.json in the run folder) every this many
  /// simulated seconds, at the next recorded frame; 0 = never.
  double checkpoint_every_s = 0.0;
};

/// Figures of a finished (or interrupted) run; also written to summary.json.
struct RunSummary {
  std::string scenario;
  std::string status;                    ///< "completed", "interrupted" or "failed: ..."
  std::uint64_t seed = 0;
  int threads = 0;
  std::int64_t agents_total = 0;         ///< persons who entered the simulation
  std::int64_t agents_evacuated = 0;     ///< persons who left through an exit
  std::int64_t agents_remaining = 0;     ///< persons still inside at the end
  std::int64_t agents_stalled = 0;       ///< of those, persons stalled at the end (see Simulation::stalled)
  std::vector<std::int64_t> stalled_ids; ///< their ids (first 100)
  double simulated_time_s = 0.0;
  double wall_time_s = 0.0;
  std::int64_t steps = 0;
  std::int64_t agent_updates = 0;        ///< Σ over steps of agents present
  double agent_updates_per_second = 0.0; ///< agent_updates / wall_time_s
  double real_time_factor = 0.0;         ///< simulated_time_s / wall_time_s
  double evacuation_time_p50_s = -1.0;   ///< exit-time percentiles of evacuated persons, s (-1 if none)
  double evacuation_time_p95_s = -1.0;
  double evacuation_time_max_s = -1.0;
  double max_contact_force_N = 0.0;      ///< largest body compression force seen, N
  double cutoff_m = 0.0;                 ///< neighbour cut-off used, m
  std::string trajectory_file;           ///< relative to the run folder
  /// Per-gate counts, queues and waits at the end, like Scenario::gates (summary.json "gates").
  std::vector<GateStats> gates;
};

/// Runs `scenario` and writes `out_dir` (created if missing). Never throws SimulationError:
/// a failed step ends the run with status "failed: ..." and the file keeps every frame so far.
/// Throws InputError for invalid scenarios and std::runtime_error when outputs cannot be written.
RunSummary run_scenario(const Scenario& scenario, const std::filesystem::path& out_dir, const RunOptions& options = {});

/// Continues the run in `out_dir` from its last checkpoint: re-reads the scenario the checkpoint
/// names, restores the state, truncates trajectories.h5 to the checkpoint's frame and goes on.
/// The result is bit-identical to an uninterrupted run. Throws std::runtime_error when there
/// is no usable checkpoint, InputError when the scenario file no longer reads.
RunSummary resume_run(const std::filesystem::path& out_dir, const RunOptions& options = {});

/// Writes a summary as JSON (keys as the RunSummary members), atomically (temp file + rename).
void write_summary_json(const RunSummary& summary, const std::filesystem::path& file);

/// The summary as JSON text, exactly as written to summary.json (docs/output-format.md).
std::string summary_json(const RunSummary& summary);

/// Reads a summary.json back (keys missing from older files keep their defaults). Throws
/// std::runtime_error naming the file when it cannot be read or is not a summary.
RunSummary read_summary_json(const std::filesystem::path& file);

}  // namespace crowdsafe
