// Validation of the risk analysis (issue 4): hotspots appear where the literature says the
// danger is and nowhere else. Each test runs a small scene, analyses it and checks the hotspots.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "crowdsafe/analysis.hpp"
#include "crowdsafe/runner.hpp"
#include "crowdsafe/scenario.hpp"

namespace crowdsafe {
namespace {

AnalysisResult run_and_analyse(const Scenario& sc, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("crowdsafe-analysis-" + name);
  std::filesystem::remove_all(dir);
  const RunSummary s = run_scenario(sc, dir);
  EXPECT_EQ(s.status, "completed");
  return analyse_run(dir, &sc);
}

std::size_t count(const AnalysisResult& r, HotspotKind kind) {
  return static_cast<std::size_t>(std::count_if(r.hotspots.begin(), r.hotspots.end(), [&](const Hotspot& h) { return h.kind == kind; }));
}

/// 30 m × 4 m corridor with exits at both ends and a measurement line across the middle;
/// `east` people start in the west half heading east, `west` in the east half heading west.
Scenario corridor(int east, int west) {
  Scenario s;
  s.name = "corridor";
  s.seed = 3;
  s.walkable = {rectangle(0, 0, 30, 4)};
  s.exits.push_back(Area{"east-end", {rectangle(29, 0, 30, 4)}, {}});
  s.exits.push_back(Area{"west-end", {rectangle(0, 0, 1, 4)}, {}});
  s.measurement_lines.push_back(MeasurementLine{"middle", {{15, 0}, {15, 4}}, {}});
  auto group = [&](const char* name, Polygon area, int n, const char* exit) {
    Group g;
    g.name = name;
    g.area = {std::move(area)};
    g.count = n;
    g.target.kind = Target::Kind::Exit;
    g.target.name = exit;
    s.groups.push_back(g);
  };
  if (east > 0) group("eastbound", rectangle(1.5, 0.3, 13.5, 3.7), east, "east-end");
  if (west > 0) group("westbound", rectangle(16.5, 0.3, 28.5, 3.7), west, "west-end");
  s.duration_s = 200;
  s.output_interval_s = 0.25;
  return s;
}

TEST(AnalysisHotspots, UnidirectionalCorridorAtModerateDensityHasNoCounterflowHotspot) {
  // 60 people in 12 m × 3.4 m: about 1.5 persons/m², all walking east.
  const AnalysisResult r = run_and_analyse(corridor(60, 0), "unidirectional");
  EXPECT_EQ(count(r, HotspotKind::Counterflow), 0U);
  EXPECT_EQ(count(r, HotspotKind::Crush), 0U);
  ASSERT_EQ(r.lines.size(), 1U);
  EXPECT_EQ(r.lines[0].total_forward, 60);
  EXPECT_EQ(r.lines[0].total_backward, 0);
}

TEST(AnalysisHotspots, BidirectionalCorridorHasACounterflowHotspotInTheCorridor) {
  const AnalysisResult r = run_and_analyse(corridor(60, 60), "bidirectional");
  ASSERT_GE(count(r, HotspotKind::Counterflow), 1U);
  const auto h = std::find_if(r.hotspots.begin(), r.hotspots.end(), [](const Hotspot& x) { return x.kind == HotspotKind::Counterflow; });
  EXPECT_GT(h->centroid.x, 5.0);
  EXPECT_LT(h->centroid.x, 25.0);
  EXPECT_GT(h->peak_opposing_flux_per_m_s, 0.2);
  // Both groups feed it.
  bool east = false, west = false;
  for (const FeedingFlow& f : h->feeding_flows) {
    east = east || f.group == "eastbound";
    west = west || f.group == "westbound";
  }
  EXPECT_TRUE(east && west);
  // Everybody crosses the middle line once; a sidestep across it and back adds a pair.
  ASSERT_EQ(r.lines.size(), 1U);
  EXPECT_GE(r.lines[0].total_forward, 60);
  EXPECT_GE(r.lines[0].total_backward, 60);
  EXPECT_LE(r.lines[0].total_forward + r.lines[0].total_backward, 120 + 6);
}

TEST(AnalysisHotspots, FreeFlowVenueHasNoCrushHotspot) {
  // 150 people at 0.25 persons/m² leaving a 30 m × 20 m hall through its whole east side.
  Scenario s;
  s.name = "free-flow-hall";
  s.seed = 5;
  s.walkable = {rectangle(0, 0, 30, 20)};
  s.exits.push_back(Area{"east-side", {rectangle(29, 0, 30, 20)}, {}});
  Group g;
  g.name = "visitors";
  g.area = {rectangle(1, 1, 25, 19)};
  g.count = 150;
  s.groups.push_back(g);
  s.duration_s = 120;
  s.output_interval_s = 0.25;
  const AnalysisResult r = run_and_analyse(s, "free-flow");
  EXPECT_EQ(count(r, HotspotKind::Crush), 0U);
  EXPECT_LT(*std::max_element(r.peak_density.begin(), r.peak_density.end(), [](double a, double b) {
    return (std::isfinite(a) ? a : 0.0) < (std::isfinite(b) ? b : 0.0);
  }), 4.0);
}

TEST(AnalysisHotspots, NarrowStreetFedFromBothEndsHasACrushHotspotInTheStreet) {
  const Scenario sc = read_scenario(std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/validation/narrow-street.yaml");
  const AnalysisResult r = run_and_analyse(sc, "narrow-street");
  const auto in_street = [](const Hotspot& h) {
    return h.kind == HotspotKind::Crush && h.centroid.x > 20 && h.centroid.x < 50 && h.centroid.y > 8.5 && h.centroid.y < 11.5;
  };
  ASSERT_TRUE(std::any_of(r.hotspots.begin(), r.hotspots.end(), in_street)) << r.hotspots.size() << " hotspots, none a crush in the street";
  const Hotspot& h = *std::find_if(r.hotspots.begin(), r.hotspots.end(), in_street);
  EXPECT_GE(h.severity, Severity::High);
  EXPECT_GT(h.exposure_person_s, 0.0);
  EXPECT_NEAR(h.geometry.clear_width_m, 3.0, 0.6);  // the street is 3 m wide; grid cells 0.5 m
  EXPECT_FALSE(h.shape.empty());
  EXPECT_TRUE(std::filesystem::exists(r.run_dir / "hotspots.json"));
  EXPECT_TRUE(std::filesystem::exists(r.run_dir / "report.html"));
}

}  // namespace
}  // namespace crowdsafe
