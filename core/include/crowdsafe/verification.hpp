#pragma once
/// @file verification.hpp
/// Verification and validation: the measurements that compare crowdsafe with published numbers
/// (../shared/VALIDATION.md), shared by the gtest validation tests and `crowdsafe verify`, and
/// the suite that runs the RiMEA tests, the NIST TN 1822 / ISO 20414 component tests and the
/// experimental comparisons and writes a Markdown report with SVG figures.
/// Units SI: m, s, m/s, persons/m², persons/s.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace crowdsafe::verify {

// ---- shared measurements ---------------------------------------------------------------------

/// Weidmann (1993) speed at density `rho` persons/m², m/s: 1.34 [1 − exp(−1.913 (1/ρ − 1/5.4))].
double weidmann_speed(double rho);

/// Least-squares line y = intercept + slope·x and its coefficient of determination R².
struct LinearFit {
  double intercept = 0.0, slope = 0.0, r2 = 0.0;
};
/// Fits `y` against `x` (same length, at least 2 distinct x).
LinearFit linear_fit(const std::vector<double>& x, const std::vector<double>& y);

/// Steps `sim` until finished() or `max_steps`, calling `each` (if set) after every step.
void run_until_done(Simulation& sim, std::int64_t max_steps, const std::function<void(const Simulation&)>& each = {});

/// Exit times of everybody who left, s, ascending.
std::vector<double> exit_times(const Simulation& sim);

/// RiMEA test 1 (scenes::free_walking_corridor): time for one walker at `speed_m_s` to walk the
/// 40 m corridor, s; negative when the walker never arrives.
double corridor_travel_time(double speed_m_s);

/// Mean speed of each group along its target direction (groups with Target::Kind::Direction),
/// m/s: v·e averaged over the group's agents and every 10th step of `measure_s` after
/// `warmup_s`. `each_sample` (if set) is called at every sample.
std::vector<double> directed_speeds(Scenario scenario, double warmup_s, double measure_s, int threads,
                                    const std::function<void(const Simulation&)>& each_sample = {});

/// Mean speed along a periodic corridor (scenes::periodic_corridor) at `rho` persons/m², m/s:
/// x-velocity averaged over agents and every 10th step of `measure_s` after `warmup_s`, and
/// over the given seeds.
double corridor_speed(double rho, double length_m, double width_m, const std::vector<std::uint64_t>& seeds,
                      double warmup_s, double measure_s, int threads);

/// Steps `sim` until finished() or `max_steps` and returns the times at which agents' centres
/// first passed x > `x_m`, s, ascending (one entry per person).
std::vector<double> crossing_times(Simulation& sim, double x_m, std::int64_t max_steps);

/// Steady flow through scenes::bottleneck(`width_m`, `n`, `seed`), persons/s: crossings of the
/// bottleneck's exit (x = 10 m) between the `skip`-th and the (n − skip)-th person. `passed` is
/// set to the number of people who crossed.
double bottleneck_flow(double width_m, std::int64_t n, std::uint64_t seed, int threads, std::int64_t& passed,
                       std::int64_t skip = 20);

/// NIST counterflow (scenes::counterflow_rooms(forward, backward, seed)): time until the last
/// forward walker leaves, s; `stuck` = persons still inside at the end.
double counterflow_crossing_time(std::int64_t forward, std::int64_t backward, std::uint64_t seed, int threads,
                                 std::size_t& stuck);

/// Plan-view time one walker (the scenario's only person) needs to cross [x0, x1], either way,
/// s; negative when the section is never crossed.
double section_crossing_time(Scenario scenario, double x0_m, double x1_m);

/// Stair speed along the incline of scenes::stairs, m/s, over the mid-flight section 6–12 m.
double stair_speed(bool downhill);

// ---- the suite -------------------------------------------------------------------------------

/// One figure of a test: an SVG file written next to the report.
struct Figure {
  std::string file;     ///< path relative to the report's folder, e.g. "validation/fd.svg"
  std::string caption;
};

/// Outcome of one verification test, with everything the report says about it.
struct TestResult {
  std::string id;         ///< short id, e.g. "RiMEA 1"
  std::string title;
  std::string geometry, setup, criterion, tolerance, source;
  std::string measured;   ///< measured values, with units
  std::string notes;      ///< applicability, known weaknesses (may be empty)
  bool pass = false;
  double wall_s = 0.0;    ///< wall-clock time of the test, s
  std::vector<Figure> figures;
};

/// How to run the suite.
struct SuiteOptions {
  bool quick = false;                 ///< reduced sizes and seeds (a few minutes on 2 cores)
  int threads = 2;                    ///< worker threads per simulation; 0 = all cores
  std::filesystem::path out = "verification";  ///< report folder (validation.md, validation/*.svg)
  std::string filter;                 ///< run only tests whose id contains this text (empty = all)
  std::function<void(const TestResult&)> on_result;  ///< called after each test
};

/// The whole run: results in suite order and the total wall time.
struct SuiteReport {
  std::vector<TestResult> results;
  double wall_s = 0.0;
  bool quick = false;
  int threads = 2;
  std::string started_utc;  ///< when the run started, "YYYY-MM-DD HH:MM UTC"
  bool all_passed() const;
};

/// Ids of every test of the suite, in order.
std::vector<std::string> suite_ids();

/// Runs the suite and writes `out/validation.md` and its figures under `out/validation/`.
/// A test whose simulation throws is reported as FAIL with the error. Throws std::runtime_error
/// when the report cannot be written.
SuiteReport run_suite(const SuiteOptions& options);

/// The Markdown report of `report`.
std::string report_markdown(const SuiteReport& report);

}  // namespace crowdsafe::verify
