#pragma once
// Internals of the verification suite: the context a test runs in and the test functions, one
// per RiMEA test, NIST/ISO component test and experimental comparison.

#include <cstdarg>
#include <string>
#include <vector>

#include "crowdsafe/verification.hpp"
#include "svg_plot.hpp"

namespace crowdsafe::verify::detail {

/// What a test needs besides its own set-up: sizes, threads and where figures go.
struct Context {
  bool quick = false;
  int threads = 2;
  std::filesystem::path out;
  /// `quick_value` in the quick set, `full_value` in the full suite.
  template <class T>
  T pick(T quick_value, T full_value) const { return quick ? quick_value : full_value; }
  /// Seeds 1..n, n = quick ? nq : nf.
  std::vector<std::uint64_t> seeds(int nq, int nf) const;
  /// Writes `plot` to out/validation/<name>.svg and returns its figure entry.
  Figure figure(const std::string& name, const Plot& plot, const std::string& caption) const;
};

/// printf into a std::string.
std::string text(const char* format, ...) __attribute__((format(printf, 1, 2)));
/// "a, b, c" with `format` for each value.
std::string list(const std::vector<double>& values, const char* format = "%.2f");

/// One person walks the 40 m corridor of RiMEA 1 at `speed_m_s`; PASS when the travel time is in
/// [min_s, max_s]. Fills geometry, set-up, criterion, measured value and result.
TestResult corridor_walk(double speed_m_s, double min_s, double max_s);

using TestFn = TestResult (*)(const Context&);
struct TestEntry {
  const char* id;
  TestFn run;
};

// RiMEA guideline tests (rimea_tests.cpp).
TestResult rimea_1(const Context&);
TestResult rimea_2(const Context&);
TestResult rimea_3(const Context&);
TestResult rimea_4(const Context&);
TestResult rimea_5(const Context&);
TestResult rimea_6(const Context&);
TestResult rimea_7(const Context&);
TestResult rimea_8(const Context&);
TestResult rimea_9(const Context&);
TestResult rimea_10(const Context&);
TestResult rimea_11(const Context&);
TestResult rimea_12(const Context&);
TestResult rimea_13(const Context&);
TestResult rimea_14(const Context&);
TestResult rimea_15(const Context&);
TestResult rimea_16(const Context&);
// NIST TN 1822 / ISO 20414 component tests (component_tests.cpp).
TestResult nist_corridor_speed(const Context&);
TestResult nist_door_flow(const Context&);
TestResult nist_counterflow(const Context&);
// Comparisons with experiments (experiments.cpp).
TestResult bottleneck_series(const Context&);
TestResult zhang_bidirectional(const Context&);
TestResult lane_formation(const Context&);

/// The suite, in report order.
const std::vector<TestEntry>& registry();

}  // namespace crowdsafe::verify::detail
