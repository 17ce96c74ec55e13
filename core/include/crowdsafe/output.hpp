#pragma once
/// @file output.hpp
/// Run outputs: the HDF5 trajectory file (PedPy layout plus a /crowdsafe group) and summary.json.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crowdsafe/agents.hpp"
#include "crowdsafe/vec2.hpp"

namespace crowdsafe {

/// Facts about a run stored as attributes of /crowdsafe/metadata.
struct RunMetadata {
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_hash;      ///< FNV-1a 64-bit of the scenario text, hex
  std::string version;            ///< crowdsafe version
  std::string walkable_wkt;       ///< walkable area as WKT (root attribute wkt_geometry)
  std::vector<std::string> group_names;  ///< groups, then sources
  std::vector<std::string> exit_names;
  /// Levels of a multi-level venue as JSON: [{"name", "offset_x_m", "offset_y_m", "z_min_m",
  /// "z_max_m"}, ...]; world x = venue x − offset (empty array for one level).
  std::string levels_json = "[]";
  std::uint64_t seed = 0;
  double time_step_s = 0.01;
  double output_interval_s = 0.1;  ///< frame interval, s; fps = 1 / output_interval_s
  int threads = 1;
};

/// One recorded frame: all agents present at time_s. Spans are parallel (same length).
struct FrameView {
  std::int64_t frame = 0;                  ///< frame number, 0-based
  double time_s = 0.0;                     ///< simulated time, s
  std::span<const AgentId> id;
  std::span<const Vec2> position;          ///< m
  std::span<const Vec2> velocity;          ///< m/s
  std::span<const double> contact_force_N; ///< N
};

/// Final state of a run, written when the file is closed.
struct RunEnd {
  bool complete = true;           ///< false when interrupted or failed
  std::string status;             ///< "completed", "interrupted", "failed: <message>"
  double simulated_time_s = 0.0;
  std::int64_t steps = 0;
  double wall_time_s = 0.0;
};

/// Streams frames to an HDF5 file; the file is valid (flushed) after every `flush_every` frames
/// and after finish(). Throws std::runtime_error naming the path when the file cannot be written.
class TrajectoryWriter {
 public:
  TrajectoryWriter(const std::filesystem::path& path, const RunMetadata& meta);
  /// Reopens the file of an interrupted run and keeps its first `keep_frames` frames, to go on
  /// writing from a checkpoint taken there. Throws std::runtime_error when the file does not
  /// hold that many frames.
  TrajectoryWriter(const std::filesystem::path& path, const RunMetadata& meta, std::int64_t keep_frames);
  ~TrajectoryWriter();
  TrajectoryWriter(const TrajectoryWriter&) = delete;
  TrajectoryWriter& operator=(const TrajectoryWriter&) = delete;

  /// Appends one frame.
  void write_frame(const FrameView& frame);
  /// Writes the agent table and the run's end state, then closes the file.
  void finish(const std::vector<AgentRecord>& agents, const RunEnd& end);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// FNV-1a 64-bit hash of text, as 16 hex digits.
std::string fnv1a64_hex(const std::string& text);

}  // namespace crowdsafe
