#pragma once
/// @file preflight.hpp
/// Pre-flight geometry report (`crowdsafe check`): walkable area, the narrowest passages with
/// their clear widths and capacities, exits, stairs and slopes, and everything doubtful.

#include <string>
#include <vector>

#include "crowdsafe/scenario.hpp"

namespace crowdsafe {

/// Specific flows used for theoretical capacities, persons/(m·s): the UK Green Guide's
/// 82 persons per metre per minute on level ground and 66 on stairs (SGSA 2018, 6th ed.).
struct CapacityRates {
  double level_persons_per_m_s = 82.0 / 60.0;
  double stairs_persons_per_m_s = 66.0 / 60.0;
};

/// A local narrowing of the walkable area.
struct Passage {
  Vec2 position;                      ///< centre of the narrowest cross-section, m
  Vec2 direction;                     ///< unit vector across the passage (wall to wall)
  double clear_width_m = 0.0;         ///< wall-to-wall width, m (± one navigation cell)
  double capacity_persons_per_s = 0.0;///< clear width × specific flow, persons/s
  bool stairs = false;
};

/// An exit's opening.
struct ExitReport {
  std::string name;
  double width_m = 0.0;                ///< longer side of the exit area's bounding box, m
  double capacity_persons_per_s = 0.0; ///< width × level specific flow, persons/s
};

/// One level of a multi-level venue.
struct LevelReport {
  std::string name;
  double walkable_area_m2 = 0.0;  ///< plan area, m²
  double z_min_m = 0.0;           ///< lowest surface height, m
  double z_max_m = 0.0;           ///< highest surface height, m
  Vec2 offset;                    ///< venue coordinates minus world coordinates on this level, m
  int seams = 0;                  ///< stair or ramp seams leading to other levels
};

/// The whole report.
struct GeometryReport {
  std::string scenario;
  double walkable_area_m2 = 0.0;
  double stairs_area_m2 = 0.0;
  double steepest_grade = 0.0;        ///< largest |rise/run| of the surface (0 = flat)
  int walkable_pieces = 0;            ///< connected pieces of walkable area (across levels)
  std::vector<LevelReport> levels;    ///< empty for a single-level venue
  std::vector<Passage> passages;      ///< narrowest first
  std::vector<ExitReport> exits;
  std::vector<std::string> doubts;    ///< things a planner should look at, one sentence each
};

/// Analyses the scenario's geometry on its navigation grid. `max_passages` limits the list.
GeometryReport check_geometry(const Scenario& scenario, std::size_t max_passages = 10,
                              const CapacityRates& rates = {});

/// Human-readable report (plain text, units on every number).
std::string format_report(const GeometryReport& report);

/// The report as JSON text (keys as the struct members).
std::string report_json(const GeometryReport& report);

}  // namespace crowdsafe
