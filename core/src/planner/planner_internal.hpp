#pragma once
// Shared between the planner's parts: route fields over a scenario's venue, and small helpers.

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../format.hpp"
#include "../navigation/navigation.hpp"
#include "../navigation/surface_field.hpp"
#include "../wall_grid.hpp"
#include "crowdsafe/planner.hpp"
#include "crowdsafe/preflight.hpp"

namespace crowdsafe::detail {


/// Travel-distance fields over a scenario's walkable area (its stairs and slopes included) to
/// each of `targets`, as the simulation's routing computes them.
class RouteFields {
 public:
  RouteFields(const Scenario& sc, std::vector<NavTarget> targets);
  const Navigation& nav() const { return *nav_; }
  const WallGrid& walls() const { return walls_; }
  /// The route from p to target t, following the field in steps of `step_m`, m (ends in the
  /// target area, or after `max_points` points).
  std::vector<Vec2> trace(std::size_t t, Vec2 p, double step_m = 0.5, int max_points = 4000) const;

 private:
  WallGrid walls_;
  std::unique_ptr<Navigation> nav_;
  std::vector<Portal> portals_;  // seams between levels: traced routes jump across them
};

/// Does the polyline cross the segment a-b?
bool polyline_crosses(const std::vector<Vec2>& path, Vec2 a, Vec2 b);

/// The cross-section of a passage as a gate line: wall to wall through its narrowest point,
/// `overhang_m` past each wall so both ends lie on or beyond the walls.
Segment passage_line(const Passage& p, double overhang_m = 0.2);

/// Times per (origin zone, exit), s: the zone's cell (row, column) of zone_cell_m counted from
/// the walkable area's lower-left corner, and the exit's name.
using RouteTimes = std::map<std::pair<std::pair<int, int>, std::string>, double>;

/// The origin zone cell of a start position (the keys of RouteTimes).
std::pair<int, int> zone_cell_of(const Scenario& sc, Vec2 p, double zone_cell_m);

/// Evacuation plan + verification scenarios (evacuation.cpp). `measured_capacity`: exit name ->
/// largest flow a simulation passed through it, persons/s (may be empty). `delay`: extra walking
/// time per zone and exit that a simulation showed (crowd on the way), added to the free walking
/// time of the plan (not of the lower bound). `predicted`, when given, receives the flow model's
/// mean exit time of each zone and exit it uses (walking + queue), s.
EvacuationPlan plan_evacuation_impl(const Scenario& sc, const std::vector<Vec2>& positions,
                                    const std::vector<double>& speed, const std::vector<std::int32_t>& group,
                                    const PlanOptions& opt, const GeometryReport& geometry,
                                    const std::map<std::string, double>& measured_capacity,
                                    const RouteTimes& delay = {}, RouteTimes* predicted = nullptr);

}  // namespace crowdsafe::detail
