#pragma once
// Measures against hotspots (measures.cpp): who reached each hotspot and which cross-sections
// they passed, gates for crush hotspots, dividers or holding gates for counterflow hotspots.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "planner_internal.hpp"

namespace crowdsafe::detail {

/// From one pass over a run's trajectories: for selected hotspots, when and where each person
/// first and last stood in its cells while it was active; for candidate lines, when each
/// person first crossed them and which way, and every crossing in time order.
struct TrajectoryStats {
  std::size_t agents = 0;
  std::vector<std::size_t> hotspots;  ///< indexes into AnalysisResult::hotspots
  std::vector<Segment> lines;
  std::vector<std::int32_t> group;           ///< per agent: index into groups, then sources
  std::vector<float> entry_time, last_time;  ///< [agent × hotspots + k], s; NaN = never
  std::vector<Vec2> entry_pos, last_pos;     ///< m
  std::vector<Vec2> first_pos;               ///< per agent: where it was first seen, m
  std::vector<float> cross_time;             ///< [agent × lines + l], s; NaN = never
  std::vector<std::int8_t> cross_sign;       ///< +1 right -> left ("in"), -1 left -> right
  std::vector<std::vector<std::pair<float, std::int8_t>>> crossings;  ///< per line: (time s, sign), sorted
  double end_s = 0;                          ///< last frame time, s
};

TrajectoryStats collect_stats(const std::filesystem::path& h5_file, const AnalysisResult& analysis,
                              const std::vector<std::size_t>& hotspots, const std::vector<Segment>& lines);

/// Cross-sections where a gate may go: the pre-flight passages, plus cross-sections every 3 m
/// along the stretch of each of the narrowest (up to 45 m each way, while as narrow), since a
/// gate may belong at the start of a long street rather than at its narrowest point.
std::vector<Passage> candidate_sections(const Scenario& sc, const GeometryReport& geometry, const PlanOptions& opt);

/// Queue at a gate metering the given crossings (one direction) at rate_per_s from begin_s to end_s.
struct QueueEstimate {
  double max_persons = 0;
  double max_wait_s = 0;
};
QueueEstimate estimate_queue(const std::vector<std::pair<float, std::int8_t>>& crossings, int sign, double rate_per_s,
                             double begin_s, double end_s);

/// Walkable area within 20 m (walking distance) of the line on side `upstream_side` (+1 left, -1 right), m².
double holding_area_m2(const Scenario& sc, const AnalysisResult& analysis, const Segment& line, int upstream_side);

/// Gate for crush hotspot k of `st` (lines of `st` = the passages of `geometry`, same order);
/// std::nullopt with `why_not` set when none fits.
std::optional<GateRecommendation> recommend_gate(const Scenario& sc, const AnalysisResult& analysis,
                                                 const GeometryReport& geometry, const TrajectoryStats& st,
                                                 std::size_t k, const PlanOptions& opt, std::string& why_not);

/// One-way routing, a divider or a holding gate for counterflow hotspot k.
struct SeparationMeasure {
  std::vector<RoutingRecommendation> routings;
  std::optional<DividerRecommendation> divider;
  std::optional<GateRecommendation> gate;
  std::optional<ReleaseRecommendation> release;
  std::vector<std::size_t> people;  ///< agents of both streams (to spot hotspots with the same streams)
};
std::optional<SeparationMeasure> recommend_separation(const Scenario& sc, const AnalysisResult& analysis,
                                                      const GeometryReport& geometry, const TrajectoryStats& st,
                                                      std::size_t k, const PlanOptions& opt, std::string& why_not);

/// Adds a divider to the walkable polygon that contains it, as a hole.
void add_divider(Scenario& sc, const Polygon& shape);

}  // namespace crowdsafe::detail
