#pragma once
/// @file analysis.hpp
/// Risk analysis of a finished run: fields on a grid (density, speed, flow, level of service,
/// crowd pressure, contact force, counterflow), flows at measurement lines, and crush and
/// counterflow hotspots ranked by risk. Reads the run's trajectories.h5 frame by frame (never
/// all frames at once) and writes hotspots.json, hotspots.geojson, the /analysis group of
/// trajectories.h5 and report.html into the run folder. Methods and sources: docs/analysis.md;
/// output layout: docs/analysis-outputs.md. Every quantity is SI: m, s, m/s, persons/m²,
/// persons/(m·s), persons/s, N, s⁻² (crowd pressure).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crowdsafe/geometry.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/vec2.hpp"

namespace crowdsafe {

// ---------------------------------------------------------------------------------------------
// Level of service and crowd pressure

/// Level-of-service scheme. Always name the scheme next to a level (../shared/VALIDATION.md §6).
enum class LosScheme {
  FruinWalkway,  ///< Fruin 1971 walkways: A > 3.25, B 2.3–3.25, C 1.4–2.3, D 0.9–1.4, E 0.5–0.9, F < 0.5 m²/person
  FruinQueuing,  ///< Fruin 1971 / HCM queuing areas: A > 1.2, B 0.9–1.2, C 0.6–0.9, D 0.3–0.6, E 0.2–0.3, F ≤ 0.2 m²/person
};

/// Level of service A (free) … F (jammed).
enum class LevelOfService { A = 0, B, C, D, E, F };

/// Number of levels (A…F).
inline constexpr int kLevelsOfService = 6;

/// "Fruin walkway" or "Fruin queuing".
const char* los_scheme_name(LosScheme scheme);
/// 'A' … 'F'.
char los_letter(LevelOfService level);
/// Level of service of a density, persons/m² (≥ 0; 0 = level A), in `scheme`, from the area per
/// person a = 1/ρ. A boundary value belongs to the worse level (the tables read "A > 3.25"),
/// except walkway a = 0.5 m²/person, which is E (walkway F is "< 0.5"). Example: 1.5 persons/m²
/// is walkway E and queuing C.
/// Throws std::invalid_argument for a negative or non-finite density.
LevelOfService level_of_service(double density_per_m2, LosScheme scheme);

/// Crowd pressure P = ρ · Var(V) (Helbing, Johansson & Al-Abideen 2007), s⁻²: density in
/// persons/m² (≥ 0) times the local velocity variance in m²/s² (≥ 0).
double crowd_pressure(double density_per_m2, double velocity_variance_m2_s2);

// ---------------------------------------------------------------------------------------------
// Settings

/// Thresholds that make a cell critical and a region a hotspot. Defaults and their sources are
/// in docs/analysis.md ("Hotspots"); values marked *proposed* are engineering judgement.
struct HotspotThresholds {
  /// Dangerous density, persons/m² (Still 2014: ≥ 5 dangerous). Crush severity "high".
  double danger_density_per_m2 = 5.0;
  /// Risk of fatal compression and shock waves, persons/m² (Still 2014: ≥ 7). Severity "critical".
  double fatal_density_per_m2 = 7.0;
  /// Crowd turbulence sets in at P ≈ 0.02 s⁻² (Helbing, Johansson & Al-Abideen 2007). Severity "high".
  double pressure_s2 = 0.02;
  /// Pressure only counts where the density is at least this, persons/m² (*proposed*): in free
  /// flow the velocity variance reflects different walking speeds, not turbulence.
  double pressure_min_density_per_m2 = 3.0;
  /// IMO MSC.1/Circ.1533 congestion criterion: a cell with ρ > this, persons/m², ...
  double imo_density_per_m2 = 4.0;
  /// ... for more than this fraction (0–1) of the evacuation time. Severity "elevated".
  double imo_time_fraction = 0.10;
  /// A density or pressure criterion must hold without a break for at least this long in a
  /// cell, s (*proposed*; excludes momentary kernel peaks).
  double sustained_s = 3.0;
  /// Counterflow: each of the two opposite directions carries at least this flux through the
  /// cell, persons/(m·s) (*proposed*; ≈ one person every 5 s per metre of width at 1 m/s) ...
  double counterflow_min_flux_per_m_s = 0.2;
  /// ... the smaller is at least this fraction (0–1) of the larger (*proposed*) ...
  double counterflow_min_ratio = 0.2;
  /// ... without a break for at least this long, s (*proposed*; longer than one person passing).
  double counterflow_sustained_s = 5.0;
  /// Regions smaller than this are dropped, m² (*proposed*; 2 cells of 0.5 m).
  double min_area_m2 = 0.5;
};

/// How to analyse a run. Never changes the simulation.
struct AnalysisOptions {
  /// Grid cell edge, m, in (0.05, 5]. Default 0.5 m.
  double cell_m = 0.5;
  /// Gaussian kernel radius R, m, in [0.2, 3]: weight f(r) = exp(−r²/R²) / (πR²), 1/m²
  /// (Helbing, Johansson & Al-Abideen 2007 use R = 0.7 m).
  double kernel_radius_m = 0.7;
  HotspotThresholds thresholds;
  /// Use each person's displacement over the last frame interval as its velocity (as video
  /// analyses do) instead of the recorded instantaneous velocity, which carries the force
  /// model's sub-second oscillations. Affects speed, flow, variance, pressure and counterflow.
  bool displacement_velocity = true;
  /// Time scale of the crowd-pressure variance, s, in [0.5, 600] (*proposed*): the local
  /// velocity V(r, t) is compared with its own exponentially weighted mean over this time.
  double pressure_window_s = 10.0;
  /// Report replay: at most this many frames (evenly spaced), ≥ 2.
  int replay_max_frames = 480;
  /// Report replay: at most this many (agent, frame) samples in all; keeps report.html small
  /// (about 12 bytes each). Agents are thinned evenly by id when a frame holds too many.
  std::int64_t replay_max_samples = 1'200'000;
  /// Write hotspots.json, hotspots.geojson, /analysis in trajectories.h5 and report.html.
  bool write_outputs = true;
  /// Also write report.html (only when write_outputs).
  bool write_report = true;
};

/// Throws InputError naming the field when an option is out of range.
void validate(const AnalysisOptions& options);

// ---------------------------------------------------------------------------------------------
// Fields

/// Regular grid: cell (ix, iy) covers [x0 + ix·h, x0 + (ix+1)·h) × [y0 + iy·h, y0 + (iy+1)·h).
/// Cell index = iy · nx + ix (row-major, rows along y).
struct FieldGrid {
  Vec2 origin;        ///< lower-left corner, m
  double cell_m = 0;  ///< cell edge h, m
  int nx = 0;         ///< columns (x)
  int ny = 0;         ///< rows (y)
  /// Number of cells.
  std::size_t size() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
  /// Centre of cell `index`, m.
  Vec2 center(std::size_t index) const;
};

/// Fields of one frame on the grid, each of grid.size() values; NaN outside the walkable area.
struct FrameFields {
  std::vector<double> density;        ///< ρ, persons/m² (Gaussian kernel, wall-corrected)
  std::vector<double> speed;          ///< kernel-weighted mean speed of people, m/s (0 where ρ≈0)
  std::vector<double> flow_x;         ///< flow vector J = Σ f·v, persons/(m·s)
  std::vector<double> flow_y;         ///< persons/(m·s)
  std::vector<double> velocity_variance;  ///< kernel-weighted Var(v) about the local mean, m²/s²
  /// P = ρ·Var(v), s⁻², with the spatial (kernel-weighted) variance of this frame; analyse_run
  /// replaces it by the temporal form of Helbing et al. 2007 (docs/analysis.md, "Crowd pressure").
  std::vector<double> pressure;
  std::vector<double> flux_forward;   ///< flux along the local flow axis, persons/(m·s)
  std::vector<double> flux_backward;  ///< flux against the local flow axis, persons/(m·s)
  std::vector<double> axis_x;         ///< local flow axis (unit vector, majority direction); 0 if none
  std::vector<double> axis_y;
  std::vector<double> contact_force;  ///< largest contact force of a person in the cell, N
  std::vector<std::int32_t> persons;  ///< persons whose centre is in the cell
  /// Cells with any kernel weight this frame; every other walkable cell holds 0 in every field.
  std::vector<std::uint32_t> active_cells;
  /// Working space of FieldEstimator::compute (kernel sums per cell); not a result.
  std::vector<double> scratch;
  std::vector<std::uint8_t> tile_touched;  ///< working space of FieldEstimator::compute
};

/// Kernel field estimator over a walkable area. Density at x: ρ(x) = Σ_j f(x − x_j) / m(x),
/// with f the Gaussian kernel of AnalysisOptions::kernel_radius_m and m(x) the kernel's mass
/// inside the walkable area (1 far from walls), so a wall does not halve the density beside it.
class FieldEstimator {
 public:
  /// Grid covers the walkable area's bounding box. Throws InputError for invalid options or an
  /// empty walkable area.
  FieldEstimator(const std::vector<Polygon>& walkable, const AnalysisOptions& options);
  /// The grid, m.
  const FieldGrid& grid() const { return grid_; }
  /// Fraction (0–1) of each cell inside the walkable area (4 × 4 samples per cell).
  const std::vector<double>& walkable_fraction() const { return walkable_fraction_; }
  /// Computes every field of one frame from positions (m), velocities (m/s) and contact forces
  /// (N), three spans of equal length. `out` is resized as needed (reuse it between frames).
  /// Throws std::invalid_argument when the spans differ in length.
  void compute(std::span<const Vec2> position, std::span<const Vec2> velocity,
               std::span<const double> contact_force_N, FrameFields& out) const;
  /// Bilinear interpolation of a field (grid.size() values) at p, m; NaN cells count as 0.
  double sample(const std::vector<double>& field, Vec2 p) const;

 private:
  FieldGrid grid_;
  double radius_m_ = 0.7;
  int reach_ = 2;  ///< kernel support in cells (2.5 R / h, rounded up)
  int tiles_x_ = 1, tiles_y_ = 1;  ///< 8 × 8-cell tiles, to visit only cells near people
  std::vector<double> walkable_fraction_;
  std::vector<double> kernel_mass_;  ///< m(x) per cell; 0 outside
};

// ---------------------------------------------------------------------------------------------
// Results

/// What kind of risk a hotspot is.
enum class HotspotKind {
  Crush,        ///< density, pressure or IMO congestion criteria
  Counterflow,  ///< opposing streams through the same cells at the same time
};
/// Severity of a hotspot: critical (ρ ≥ fatal density), high (ρ ≥ dangerous density, pressure,
/// or counterflow at ρ ≥ 2), elevated (IMO congestion only, or counterflow at lower density).
enum class Severity { Elevated = 0, High = 1, Critical = 2 };

/// "crush" / "counterflow".
const char* kind_name(HotspotKind kind);
/// "elevated" / "high" / "critical".
const char* severity_name(Severity severity);

/// People entering a hotspot while it is active, by group and heading.
struct FeedingFlow {
  std::string group;        ///< group or source name (from the run's metadata)
  std::string heading;      ///< compass heading of their velocity on entering: "E", "NE", … "SE"
  std::int64_t persons = 0; ///< entries into the hotspot while active, persons
};

/// Where a hotspot is, in terms of the venue.
struct GeometryContext {
  /// Clear width of the passage at the hotspot, m: 2 × the median wall distance of the
  /// hotspot's ridge cells (cells whose wall distance is a local maximum across x or y: the
  /// passage's centre line), or 2 × the largest wall distance of its cells if it has no ridge
  /// cell. Accurate to about ±1 cell.
  double clear_width_m = 0;
  /// Narrowest passage within 10 m of the centroid: position (m) and clear width (m).
  std::optional<Vec2> bottleneck_at;
  double bottleneck_width_m = 0;
  double bottleneck_distance_m = 0;  ///< from the centroid, m
  std::string nearest_exit;          ///< name of the closest exit (straight line); empty if none
  double nearest_exit_distance_m = 0;
  double max_slope_percent = 0;      ///< steepest surface triangle under the hotspot, % (0 = flat)
  bool stairs = false;               ///< a stairs triangle lies under the hotspot
};

/// A connected region of cells where a criterion held for a sustained time.
struct Hotspot {
  int rank = 0;                       ///< 1 = highest risk
  std::string id;                     ///< "H1", "H2", … in rank order
  HotspotKind kind = HotspotKind::Crush;
  Severity severity = Severity::Elevated;
  std::vector<std::string> criteria;  ///< e.g. "density>=5", "density>=7", "pressure>=0.02", "imo", "counterflow"
  std::vector<Polygon> shape;         ///< outline of the cells, m (one polygon per part)
  std::vector<std::size_t> cells;     ///< grid cell indexes
  Vec2 centroid;                      ///< area centroid of the cells, m
  double area_m2 = 0;
  double start_s = 0;                 ///< first time any cell was active, s
  double end_s = 0;                   ///< last time any cell was active, s
  double active_s = 0;                ///< total time active, s
  std::vector<std::pair<double, double>> active_windows;  ///< [begin, end] runs of activity, s
  double peak_density_per_m2 = 0;     ///< largest density in the cells, persons/m²
  double peak_density_time_s = 0;     ///< when, s
  double p95_density_per_m2 = 0;      ///< 95th percentile over (cell, active frame), persons/m²
  double peak_pressure_s2 = 0;        ///< s⁻²
  double p95_pressure_s2 = 0;         ///< s⁻², over (cell, active frame)
  double peak_contact_force_N = 0;    ///< N
  double peak_opposing_flux_per_m_s = 0;  ///< max over time of min(forward, backward) flux, persons/(m·s)
  double p95_opposing_flux_per_m_s = 0;   ///< persons/(m·s), over (cell, active frame)
  double lane_order = 0;              ///< mean lane order (0 mixed … 1 clean lanes) while active
  double exposure_person_s = 0;       ///< Σ over active frames of persons in the cells × frame interval, person·s
  std::int64_t max_persons = 0;       ///< most persons in the cells at once
  GeometryContext geometry;
  std::vector<FeedingFlow> feeding_flows;  ///< largest first
  double risk_score = 0;              ///< see docs/analysis.md ("Risk score")
  std::vector<float> mean_density_series;  ///< mean density over the cells, per frame, persons/m²
};

/// Flows and state at one measurement line, per frame interval.
struct LineSeries {
  std::string name;
  std::vector<Vec2> line;                  ///< polyline, m
  double length_m = 0;                     ///< m
  std::vector<std::int32_t> forward;       ///< crossings left → right per frame interval, persons
  std::vector<std::int32_t> backward;      ///< crossings right → left per frame interval, persons
  std::vector<float> density;              ///< mean density along the line, persons/m²
  std::vector<float> speed;                ///< density-weighted mean speed along the line, m/s
  std::int64_t total_forward = 0;          ///< persons
  std::int64_t total_backward = 0;         ///< persons
  double peak_flow_per_s = 0;              ///< largest 10-s mean of forward + backward, persons/s
};

/// Everything the analysis found. Maps have grid.size() values (NaN outside the walkable area).
struct AnalysisResult {
  std::filesystem::path run_dir;
  std::string scenario_name;
  AnalysisOptions options;
  FieldGrid grid;
  std::vector<Polygon> walkable;           ///< m
  std::int64_t frames = 0;                 ///< frames read
  std::int64_t rows = 0;                   ///< (agent, frame) rows read
  double frame_interval_s = 0;             ///< s
  double duration_s = 0;                   ///< last frame time − first frame time, s
  std::vector<double> times_s;             ///< time of each frame, s
  std::vector<std::int32_t> persons;       ///< persons present per frame
  std::vector<double> walkable_fraction;   ///< 0–1
  std::vector<double> wall_distance_m;     ///< distance from the cell centre to the nearest wall, m
  std::vector<double> peak_density;        ///< persons/m²
  std::vector<double> peak_density_time_s; ///< s
  std::vector<double> mean_density;        ///< time mean, persons/m²
  std::vector<double> mean_speed;          ///< time mean of the speed where ρ ≥ 0.1, m/s
  std::vector<double> mean_flow_x;         ///< time mean flow, persons/(m·s)
  std::vector<double> mean_flow_y;         ///< persons/(m·s)
  std::vector<double> time_above_imo_s;    ///< time with ρ > imo density, s
  /// Fraction of the time in each level: [scheme][level][cell], scheme 0 = walkway, 1 = queuing.
  std::vector<double> los_fraction[2][kLevelsOfService];
  std::vector<double> peak_pressure;       ///< s⁻² (where ρ ≥ pressure_min_density)
  std::vector<double> peak_contact_force;  ///< N
  std::vector<double> peak_counterflow;    ///< max over time of min(forward, backward) flux, persons/(m·s)
  std::vector<double> counterflow_time_s;  ///< time meeting the counterflow flux criteria, s
  std::vector<double> lane_order;          ///< mean lane order while in counterflow (NaN if never)
  std::vector<std::int32_t> hotspot_cell;  ///< rank − 1 of the hotspot owning the cell, −1 none (crush first)
  std::vector<Hotspot> hotspots;           ///< ranked, highest risk first
  std::vector<LineSeries> lines;
  std::vector<double> exit_times_s;        ///< sorted exit times of evacuated persons, s
  std::int64_t agents_total = 0;           ///< persons who entered
  double read_s = 0;                       ///< wall time reading the file, s
  double total_s = 0;                      ///< wall time of the whole analysis, s
};

/// Analyses the run in `run_dir` (which holds trajectories.h5 and summary.json). `scenario`
/// supplies exits, measurement lines and the surface; when null it is loaded with
/// load_run_scenario(), and failing that only the walkable area stored in the file is used.
/// Writes the outputs when options.write_outputs. Throws InputError for invalid options and
/// std::runtime_error naming the file when it cannot be read or written.
AnalysisResult analyse_run(const std::filesystem::path& run_dir, const Scenario* scenario = nullptr,
                           const AnalysisOptions& options = {});

/// Copies the scenario's text into `run_dir`/scenario.yaml, with the original path recorded in
/// a trailing comment so relative file references still resolve. Does nothing for a scenario
/// built in code (empty source_text). Throws std::runtime_error when it cannot be written.
void write_run_scenario_copy(const Scenario& scenario, const std::filesystem::path& run_dir);

/// The scenario of a run: `run_dir`/scenario.yaml if present, else the scenario_file named in
/// trajectories.h5's metadata; std::nullopt when neither can be read.
std::optional<Scenario> load_run_scenario(const std::filesystem::path& run_dir);

}  // namespace crowdsafe
