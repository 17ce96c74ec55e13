#pragma once
/// @file scenario.hpp
/// A scenario: venue, people, where they go, and how long to simulate. Constant during a run.
/// Every quantity is SI: metres, seconds, m/s, persons/s, persons/m², kg, N.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/geometry.hpp"
#include "crowdsafe/venue.hpp"

namespace crowdsafe {

/// Social force model parameters (Helbing, Farkas & Vicsek 2000 unless noted).
struct SocialForceParameters {
  double mass_kg = 80.0;               ///< body mass, kg (HFV 2000)
  double relaxation_time_s = 0.5;      ///< τ, s (HFV 2000)
  double agent_strength_N = 2000.0;    ///< A, N (HFV 2000)
  double agent_range_m = 0.08;         ///< B, m (HFV 2000)
  double wall_strength_N = 2000.0;     ///< A_w, N (HFV 2000)
  double wall_range_m = 0.02;          ///< B_w, m (calibrated, docs/model.md; HFV 2000: 0.08)
  double body_stiffness_kg_s2 = 1.2e5; ///< k, kg/s² (HFV 2000)
  double friction_kg_m_s = 2.4e5;      ///< κ, kg/(m·s) (HFV 2000)
  /// Anisotropy λ in [0, 1]: weight of the social force from people behind (1 = isotropic,
  /// as HFV 2000; Helbing & Molnár 1995 form).
  double anisotropy = 1.0;
  /// Safe time headway T, s: desired speed is capped at (gap ahead) / T, so people keep the
  /// spacing that real walkers keep (Weidmann 1993 fundamental diagram). 0 turns this off.
  double time_headway_s = 0.45;
  /// Who counts as "ahead" for the headway rule: a person whose centre is within this fraction
  /// of the contact distance (r_i + r_j) of my line of travel. Below 1, people walking
  /// staggered (the zipper effect in bottlenecks, Hoogendoorn & Daamen 2005) do not block.
  double headway_lateral_factor = 0.45;
  /// Fraction of the desired speed people keep pressing forward with however close the person
  /// ahead is: crowds at the back do not see the front, so pressure builds up in jams.
  double push_fraction = 0.2;
  /// Sidestep when somebody comes head-on: the desired direction turns to the right by up to
  /// atan(keep_right) (0.5 ≈ 27°), strongest when close. Negative = keep left; 0 = off.
  /// Resolves the face-to-face deadlocks of the plain model and seeds lane formation.
  double keep_right = 0.5;
  /// Single-file time headway, s: where the walls leave no room to walk beside the person
  /// ahead, people keep this headway instead of `time_headway_s` (Seyfried et al. 2005:
  /// d = 0.36 m + 1.06 s · v in single file). 0 = same as `time_headway_s`.
  double file_headway_s = 1.06;
  /// Step aside to pass: somebody standing still in my path (waiting to start or arrived;
  /// centre within r_i + r_j of my line) turns my desired direction sideways by up to
  /// atan(overtake) (0.5 ≈ 27°), towards the side with room. 0 = off.
  double overtake = 0.5;
  /// Neighbour cut-off, m. 0 = derived: the distance beyond which the neglected repulsion is
  /// below `cutoff_tolerance` × the driving force m·v0/τ.
  double cutoff_m = 0.0;
  double cutoff_tolerance = 1e-3;      ///< fraction of the driving force, see cutoff_m
  double max_speed_factor = 1.3;       ///< speed cap = factor × desired speed (HFV 2000: 1.3)
};

/// Walking on slopes and stairs (used where the venue has a 3-D surface).
struct TerrainParameters {
  double stairs_up_speed_m_s = 0.61;    ///< along the incline, for a 1.34 m/s walker (Weidmann 1993)
  double stairs_down_speed_m_s = 0.69;  ///< along the incline, for a 1.34 m/s walker (Weidmann 1993)
  double level_speed_m_s = 1.34;        ///< reference level speed the stair speeds belong to
};

/// Demographic profile: desired speed and body radius distributions.
struct Profile {
  std::string name = "adults";
  double speed_mean_m_s = 1.34;  ///< desired speed mean, m/s (Weidmann 1993)
  double speed_sd_m_s = 0.26;    ///< desired speed standard deviation, m/s (Weidmann 1993)
  double speed_min_m_s = 0.5;    ///< truncation of the speed distribution, m/s
  double speed_max_m_s = 2.0;    ///< truncation of the speed distribution, m/s
  double radius_min_m = 0.20;    ///< body radius, uniform in [min, max], m (see docs/model.md)
  double radius_max_m = 0.25;
};

/// A named area (exit, destination) in the walkable area.
struct Area {
  std::string name;
  std::vector<Polygon> shape;
  SourceLocation where;
};

/// A line across which flows are counted (cross-section, door), m; direction "forward" is from
/// the line's left to its right when walking from its first to its last point.
struct MeasurementLine {
  std::string name;
  std::vector<Vec2> line;  ///< polyline, at least 2 points, m
  SourceLocation where;
};

/// One window of a gate schedule, [begin_s, end_s) in simulated time.
struct GateWindow {
  enum class Mode {
    Open,     ///< everybody may pass
    Closed,   ///< nobody may pass in a controlled direction
    Metered,  ///< at most rate_persons_per_min pass in a controlled direction
  };
  double begin_s = 0.0;                ///< s, >= 0
  double end_s = 0.0;                  ///< s, > begin_s
  Mode mode = Mode::Open;
  double rate_persons_per_min = 0.0;   ///< persons/min, > 0 when metered (ignored otherwise)
};

/// A gate: a straight line across a passage where the flow in a controlled direction is
/// limited (docs/model.md, "Gates"). People without a permit stop upstream and queue.
struct Gate {
  /// Which crossings the gate controls; crossings the other way are counted, never held.
  enum class Direction {
    In,    ///< from the right of line.a -> line.b to its left (the left side is "in")
    Out,   ///< from the left to the right
    Both,  ///< both ways
  };
  std::string name;
  Segment line;                        ///< m, length > 0, both ends within 0.5 m of the walkable area
  Direction direction = Direction::Both;
  /// Metered rate where no schedule window applies, persons/min (> 0); 0 = not given, and the
  /// gate is open outside its windows. A gate with neither rate nor schedule is an error.
  double rate_persons_per_min = 0.0;
  std::vector<GateWindow> schedule;    ///< in time order, not overlapping
  SourceLocation where;
};

/// Where a group heads for.
struct Target {
  enum class Kind { NearestExit, Exit, Destination, Direction };
  Kind kind = Kind::NearestExit;
  std::string name;   ///< exit or destination name (Kind::Exit / Kind::Destination)
  Vec2 direction;     ///< unit vector (Kind::Direction, e.g. periodic corridors)
  /// Areas the route keeps out of (one-way routing: a stream sent round by another way), m.
  /// Walking through them counts 100 times their length, so routes cross them only where no
  /// other way exists (or where people stand in them). Area targets only.
  std::vector<Polygon> avoid;
};

/// One window of an arrival schedule: `rate_per_s` persons/s from begin_s to end_s.
struct ArrivalWindow {
  double begin_s = 0.0;
  double end_s = 0.0;
  double rate_per_s = 0.0;
};

/// People present at the start, placed in `area` (count or density given).
struct Group {
  std::string name;
  std::vector<Polygon> area;
  std::optional<std::int64_t> count;          ///< persons
  std::optional<double> density_per_m2;       ///< persons/m² (alternative to count)
  std::vector<Vec2> positions;                ///< explicit start positions, m (instead of area)
  Profile profile;
  Target target;
  double premovement_s = 0.0;                 ///< time before starting to walk, s
  SourceLocation where;
};

/// People arriving over time in `area` following `schedule`.
struct Source {
  std::string name;
  std::vector<Polygon> area;
  std::vector<ArrivalWindow> schedule;
  Profile profile;
  Target target;
  SourceLocation where;
};

/// Periodic boundary in x (for fundamental-diagram studies): positions wrap at [x0, x0+length).
struct Periodic {
  double x0_m = 0.0;
  double length_m = 0.0;
};

/// A complete scenario.
struct Scenario {
  std::string name;
  std::filesystem::path file;             ///< where it was read from (empty if built in code)
  std::string description;
  std::vector<Polygon> walkable;          ///< walkable area; holes are obstacles, m
  std::vector<Area> exits;                ///< people reaching an exit leave the simulation
  std::vector<Area> destinations;         ///< people reaching a destination stay there
  std::vector<Area> waiting_areas;        ///< areas where people wait (reported, planner)
  std::vector<MeasurementLine> measurement_lines;
  std::vector<Gate> gates;                ///< flow-limiting gates (docs/model.md, "Gates")
  Surface surface;                        ///< 3-D walkable surface from a mesh (empty = flat)
  std::vector<Level> levels;              ///< levels of a multi-level venue (empty = one level)
  std::vector<Portal> portals;            ///< seams between levels, both sides
  std::vector<Group> groups;
  std::vector<Source> sources;
  double duration_s = 600.0;              ///< simulated time limit, s
  double time_step_s = 0.01;              ///< integration step, s
  double output_interval_s = 0.1;         ///< trajectory frame interval, s
  std::uint64_t seed = 1;
  bool stop_when_empty = true;            ///< end early once everybody has left
  /// A person whose remaining route has not shrunk by 0.5 m for this long is stalled, s.
  double stall_time_s = 60.0;
  double navigation_cell_m = 0.1;         ///< distance-field grid cell, m
  std::optional<Periodic> periodic;
  SocialForceParameters model;
  TerrainParameters terrain;
  std::string source_text;                ///< the scenario file's text (hashed into outputs)
};

/// Reads a YAML scenario file; relative paths inside resolve against its folder.
/// Throws InputError listing every problem with file, line, column and field.
Scenario read_scenario(const std::filesystem::path& file);
/// Parses scenario YAML text; `file` is used in messages and to resolve relative paths.
Scenario parse_scenario(const std::string& yaml_text, const std::filesystem::path& file);

}  // namespace crowdsafe
