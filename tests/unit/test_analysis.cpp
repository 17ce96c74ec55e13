// Unit tests of the risk analysis: density estimator on lattices, crowd pressure, level of
// service boundaries (../shared/VALIDATION.md §6, §7), region outlines.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/regions.hpp"
#include "crowdsafe/analysis.hpp"

namespace crowdsafe {
namespace {

/// Hexagonal lattice filling [0, w] × [0, h] at `density` persons/m²: rows a·√3/2 apart,
/// spacing a with a²·√3/2 = 1/density, so every Voronoi cell is a hexagon of area 1/density.
std::vector<Vec2> hex_lattice(double density, double w, double h) {
  const double a = std::sqrt(2.0 / (std::sqrt(3.0) * density));
  std::vector<Vec2> p;
  int row = 0;
  for (double y = a / 4; y < h; y += a * std::sqrt(3.0) / 2, ++row)
    for (double x = (row % 2 ? a / 2 : 0.0) + a / 4; x < w; x += a) p.push_back({x, y});
  return p;
}

std::vector<Vec2> square_lattice(double density, double w, double h) {
  const double a = 1.0 / std::sqrt(density);
  std::vector<Vec2> p;
  for (double y = a / 2; y < h; y += a)
    for (double x = a / 2; x < w; x += a) p.push_back({x, y});
  return p;
}

struct Frame {
  std::vector<Vec2> pos, vel;
  std::vector<double> force;
};

Frame at_rest(std::vector<Vec2> pos) {
  Frame f;
  f.vel.assign(pos.size(), Vec2{});
  f.force.assign(pos.size(), 0.0);
  f.pos = std::move(pos);
  return f;
}

/// Density in the cell containing p.
double density_at(const FieldEstimator& est, const FrameFields& f, Vec2 p) {
  const FieldGrid& g = est.grid();
  const int ix = static_cast<int>((p.x - g.origin.x) / g.cell_m), iy = static_cast<int>((p.y - g.origin.y) / g.cell_m);
  return f.density[static_cast<std::size_t>(iy) * g.nx + ix];
}

TEST(DensityEstimator, HexagonalLatticeAt4PerM2MatchesVoronoiWithin5Percent) {
  // Voronoi density of a perfect lattice is exactly 1 / (cell area) = 4 persons/m².
  const std::vector<Polygon> room = {rectangle(0, 0, 20, 20)};
  const FieldEstimator est(room, AnalysisOptions{});
  const Frame fr = at_rest(hex_lattice(4.0, 20, 20));
  FrameFields f;
  est.compute(fr.pos, fr.vel, fr.force, f);
  for (Vec2 p : {Vec2{10, 10}, Vec2{7.3, 12.1}, Vec2{14.6, 5.2}})
    EXPECT_NEAR(density_at(est, f, p), 4.0, 0.05 * 4.0) << "at " << p.x << ", " << p.y;
}

TEST(DensityEstimator, LatticesAtSeveralDensitiesMatchVoronoiInsideAndBesideWalls) {
  const std::vector<Polygon> room = {rectangle(0, 0, 16, 12)};
  const FieldEstimator est(room, AnalysisOptions{});
  for (double rho : {0.5, 1.0, 2.0, 6.0, 8.0}) {
    // Below 1 person/m² the lattice spacing (≥ 1 m) exceeds the kernel radius (0.7 m) and the
    // estimate ripples with the position between people: ±15 % (docs/analysis.md).
    const double tol = rho < 1.0 ? 0.15 : 0.05;
    const Frame fr = at_rest(square_lattice(rho, 16, 12));
    FrameFields f;
    est.compute(fr.pos, fr.vel, fr.force, f);
    EXPECT_NEAR(density_at(est, f, {8, 6}), rho, tol * rho) << "interior, rho " << rho;
    // The wall correction keeps the density beside a wall within 10 % (uncorrected: ≈ 50 %).
    EXPECT_NEAR(density_at(est, f, {8, 0.2}), rho, std::max(0.10, tol) * rho) << "beside the wall, rho " << rho;
    const Frame hex = at_rest(hex_lattice(rho, 16, 12));
    est.compute(hex.pos, hex.vel, hex.force, f);
    EXPECT_NEAR(density_at(est, f, {8, 6}), rho, tol * rho) << "hexagonal, rho " << rho;
  }
}

TEST(DensityEstimator, CountsPeopleAndSpeedsPerCell) {
  const std::vector<Polygon> room = {rectangle(0, 0, 10, 10)};
  const FieldEstimator est(room, AnalysisOptions{});
  Frame fr = at_rest(square_lattice(2.0, 10, 10));
  for (Vec2& v : fr.vel) v = {1.2, 0.0};
  FrameFields f;
  est.compute(fr.pos, fr.vel, fr.force, f);
  const std::size_t c = static_cast<std::size_t>(10) * est.grid().nx + 10;
  EXPECT_NEAR(f.speed[c], 1.2, 1e-9);
  EXPECT_NEAR(f.velocity_variance[c], 0.0, 1e-9);
  EXPECT_NEAR(f.flow_x[c], f.density[c] * 1.2, 1e-9);
  EXPECT_NEAR(f.flux_backward[c], 0.0, 1e-12);
  int persons = 0;
  for (int p : f.persons) persons += p;
  EXPECT_EQ(persons, static_cast<int>(fr.pos.size()));
}

TEST(DensityEstimator, OpposingStreamsGiveOpposingFlux) {
  const std::vector<Polygon> room = {rectangle(0, 0, 10, 4)};
  const FieldEstimator est(room, AnalysisOptions{});
  Frame fr = at_rest(square_lattice(2.0, 10, 4));
  for (std::size_t i = 0; i < fr.vel.size(); ++i) fr.vel[i] = {i % 2 ? 1.0 : -1.0, 0.0};
  FrameFields f;
  est.compute(fr.pos, fr.vel, fr.force, f);
  const std::size_t c = static_cast<std::size_t>(4) * est.grid().nx + 10;
  // Half the people each way: both fluxes are large and of similar size.
  EXPECT_GT(f.flux_backward[c], 0.5);
  EXPECT_GT(f.flux_backward[c], 0.5 * f.flux_forward[c]);
  EXPECT_NEAR(std::abs(f.axis_x[c]), 1.0, 1e-6);
}

TEST(CrowdPressure, PublishedCheckFlagsVariance0005AtDensity6) {
  // ../shared/VALIDATION.md §7: ρ = 6, Var 0.005 → 0.030 (flag); Var 0.002 → 0.012 (no flag).
  const HotspotThresholds th;
  EXPECT_NEAR(crowd_pressure(6.0, 0.005), 0.030, 1e-12);
  EXPECT_NEAR(crowd_pressure(6.0, 0.002), 0.012, 1e-12);
  EXPECT_GE(crowd_pressure(6.0, 0.005), th.pressure_s2);
  EXPECT_LT(crowd_pressure(6.0, 0.002), th.pressure_s2);
}

TEST(CrowdPressure, FieldEqualsDensityTimesLocalVelocityVariance) {
  // Every person in a dense lattice moves at +-0.1 m/s in y: variance 0.01 m²/s² everywhere.
  const std::vector<Polygon> room = {rectangle(0, 0, 10, 10)};
  const FieldEstimator est(room, AnalysisOptions{});
  Frame fr = at_rest(square_lattice(6.0, 10, 10));
  for (std::size_t i = 0; i < fr.vel.size(); ++i) fr.vel[i] = {0.0, (i % 2 ? 0.1 : -0.1)};
  FrameFields f;
  est.compute(fr.pos, fr.vel, fr.force, f);
  const std::size_t c = static_cast<std::size_t>(10) * est.grid().nx + 10;
  EXPECT_NEAR(f.velocity_variance[c], 0.01, 0.002);
  EXPECT_NEAR(f.pressure[c], f.density[c] * f.velocity_variance[c], 1e-12);
}

TEST(LevelOfService, OnePointFivePersonsIsFruinWalkwayEAndQueuingC) {
  EXPECT_EQ(level_of_service(1.5, LosScheme::FruinWalkway), LevelOfService::E);
  EXPECT_EQ(level_of_service(1.5, LosScheme::FruinQueuing), LevelOfService::C);
  EXPECT_STREQ(los_scheme_name(LosScheme::FruinWalkway), "Fruin walkway");
  EXPECT_STREQ(los_scheme_name(LosScheme::FruinQueuing), "Fruin queuing");
}

TEST(LevelOfService, WalkwayBoundariesFollowTheTable) {
  // Area per person (m²/person): A > 3.25, B 2.3–3.25, C 1.4–2.3, D 0.9–1.4, E 0.5–0.9, F < 0.5.
  const auto w = [](double area) { return los_letter(level_of_service(1.0 / area, LosScheme::FruinWalkway)); };
  EXPECT_EQ(los_letter(level_of_service(0.0, LosScheme::FruinWalkway)), 'A');
  EXPECT_EQ(w(3.3), 'A');
  EXPECT_EQ(w(3.25), 'B');
  EXPECT_EQ(w(2.31), 'B');
  EXPECT_EQ(w(2.3), 'C');
  EXPECT_EQ(w(1.41), 'C');
  EXPECT_EQ(w(1.4), 'D');
  EXPECT_EQ(w(0.91), 'D');
  EXPECT_EQ(w(0.9), 'E');
  EXPECT_EQ(w(0.5), 'E');
  EXPECT_EQ(w(0.49), 'F');
}

TEST(LevelOfService, QueuingBoundariesFollowTheTable) {
  // A > 1.2, B 0.9–1.2, C 0.6–0.9, D 0.3–0.6, E 0.2–0.3, F ≤ 0.2 m²/person.
  const auto q = [](double area) { return los_letter(level_of_service(1.0 / area, LosScheme::FruinQueuing)); };
  EXPECT_EQ(q(1.25), 'A');
  EXPECT_EQ(q(1.2), 'B');
  EXPECT_EQ(q(0.95), 'B');
  EXPECT_EQ(q(0.9), 'C');
  EXPECT_EQ(q(0.61), 'C');
  EXPECT_EQ(q(0.6), 'D');
  EXPECT_EQ(q(0.31), 'D');
  EXPECT_EQ(q(0.3), 'E');
  EXPECT_EQ(q(0.21), 'E');
  EXPECT_EQ(q(0.2), 'F');
  EXPECT_EQ(q(0.1), 'F');
  EXPECT_THROW(level_of_service(-1.0, LosScheme::FruinQueuing), std::invalid_argument);
}

TEST(AnalysisOptions, InvalidCellSizeIsAnInputErrorNamingTheField) {
  AnalysisOptions o;
  o.cell_m = -1;
  try {
    validate(o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cell_m"), std::string::npos) << e.what();
  }
}

TEST(Regions, OutlineOfAnLShapeAndOfARing) {
  FieldGrid g;
  g.cell_m = 1.0;
  g.nx = 5;
  g.ny = 5;
  // L: cells (0,0), (1,0), (0,1) -> one polygon of area 3 with 6 corners.
  auto polys = detail::outline(g, {0, 1, 5});
  ASSERT_EQ(polys.size(), 1U);
  EXPECT_NEAR(area(polys[0]), 3.0, 1e-12);
  EXPECT_EQ(polys[0].outer.size(), 6U);
  // 3 × 3 ring with a hole in the middle.
  std::vector<std::size_t> ring;
  for (int y = 1; y <= 3; ++y)
    for (int x = 1; x <= 3; ++x)
      if (!(x == 2 && y == 2)) ring.push_back(static_cast<std::size_t>(y * 5 + x));
  polys = detail::outline(g, ring);
  ASSERT_EQ(polys.size(), 1U);
  ASSERT_EQ(polys[0].holes.size(), 1U);
  EXPECT_NEAR(area(polys[0]), 8.0, 1e-12);
  std::vector<std::uint8_t> flag(25, 0);
  for (std::size_t c : ring) flag[c] = 1;
  flag[0] = 1;
  EXPECT_EQ(detail::connected_regions(g, flag).size(), 2U);
}

}  // namespace
}  // namespace crowdsafe
