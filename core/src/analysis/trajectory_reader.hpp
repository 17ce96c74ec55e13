#pragma once
// Streaming reader of a run's trajectories.h5 (layout: docs/output-format.md). Frames are read
// in batches of whole frames through /crowdsafe/frames, so memory stays bounded by one batch
// (about 64k rows) however long the run.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crowdsafe/vec2.hpp"

namespace crowdsafe::detail {

/// One frame's rows, parallel arrays.
struct FrameRows {
  std::int64_t frame = 0;
  double time_s = 0;                 ///< s
  std::vector<std::int64_t> id;
  std::vector<Vec2> position;        ///< m
  std::vector<Vec2> velocity;        ///< m/s
  std::vector<double> contact_force; ///< N
};

/// Row of /crowdsafe/agents that the analysis needs.
struct AgentInfo {
  std::int64_t id = 0;
  std::int32_t group = 0;
  double exit_time_s = 0;  ///< NaN if never left
  std::int32_t exit = -1;  ///< index into exit_names; -1 if never left
  double desired_speed_m_s = 0;  ///< m/s
};

/// What the file says about the run.
struct RunFileInfo {
  std::string wkt;                 ///< root attribute wkt_geometry
  std::string scenario_name;
  std::string scenario_file;
  std::string status;
  double output_interval_s = 0.1;  ///< s
  std::vector<std::string> group_names;
  std::vector<std::string> exit_names;
  std::vector<AgentInfo> agents;   ///< empty for an interrupted run
  std::vector<double> frame_time;  ///< s, per frame
  std::vector<std::int64_t> frame_count;  ///< rows per frame
};

class TrajectoryReader {
 public:
  /// Opens the file read-only and reads metadata, the frame index and the agent table.
  /// Throws std::runtime_error naming the file when it is missing or not a crowdsafe run.
  explicit TrajectoryReader(const std::filesystem::path& file);
  ~TrajectoryReader();
  TrajectoryReader(const TrajectoryReader&) = delete;
  TrajectoryReader& operator=(const TrajectoryReader&) = delete;

  const RunFileInfo& info() const;
  /// Restarts at frame 0.
  void rewind();
  /// Reads the next frame into `out`; false after the last one.
  bool next(FrameRows& out);
  /// Wall time spent in HDF5 reads so far, s.
  double read_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crowdsafe::detail
