#pragma once
// Shared between the analysis passes and the output writers.

#include <filesystem>
#include <string>
#include <vector>

#include "crowdsafe/analysis.hpp"

namespace crowdsafe::detail {

/// Replay samples for report.html: frames chosen evenly, agents thinned evenly by id.
struct Replay {
  std::vector<double> time_s;                  ///< per replay frame, s
  std::vector<std::size_t> frame_index;        ///< index into AnalysisResult::times_s
  std::vector<std::vector<float>> xyd;         ///< per replay frame: x, y (m), local density (persons/m²)
  std::int64_t agent_stride = 1;               ///< every agent_stride-th id is shown
};

/// What the writers need beyond AnalysisResult.
struct RunFacts {
  std::string summary_json;   ///< summary.json text, empty if absent
  std::string status;         ///< run status from the file
  std::vector<std::string> group_names;
  std::vector<std::pair<std::string, std::vector<Polygon>>> exits;
  std::vector<Level> levels;  // of a multi-level venue, for labels on the map
  std::vector<std::string> exit_names;     ///< from the run file, index = exit
  std::vector<std::vector<double>> exit_times_s;  ///< per exit index: times persons left, s
  std::vector<std::vector<std::uint8_t>> hotspot_active;  ///< [hotspot][frame] 1 when active
  Replay replay;
};

/// hotspots.json and hotspots.geojson.
void write_hotspot_files(const AnalysisResult& r, const RunFacts& facts);
/// The /analysis group of trajectories.h5 (replaced if present).
void write_analysis_h5(const AnalysisResult& r, const std::filesystem::path& h5_file);
/// report.html.
void write_report(const AnalysisResult& r, const RunFacts& facts);
/// Puts plan.json's text into an existing report.html (its plan section); throws std::runtime_error.
void embed_plan_in_report(const std::filesystem::path& report, const std::string& plan_json);
/// Writes text to a file atomically (temp file + rename); throws std::runtime_error.
void write_text_file(const std::filesystem::path& file, const std::string& text);

}  // namespace crowdsafe::detail
