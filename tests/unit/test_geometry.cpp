#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <utility>

#include "crowdsafe/geometry.hpp"

using namespace crowdsafe;

TEST(Geometry, AreaSubtractsHoles) {
  Polygon p = rectangle(0, 0, 10, 5);
  p.holes.push_back(rectangle(2, 2, 3, 3).outer);
  EXPECT_DOUBLE_EQ(area(p), 49.0);
}

TEST(Geometry, ContainsRespectsHoles) {
  Polygon p = rectangle(0, 0, 10, 5);
  p.holes.push_back(rectangle(2, 2, 3, 3).outer);
  EXPECT_TRUE(contains(p, {1, 1}));
  EXPECT_FALSE(contains(p, {2.5, 2.5}));
  EXPECT_FALSE(contains(p, {11, 1}));
}

TEST(Geometry, WktRoundTripKeepsHoles) {
  const auto polys = parse_wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))");
  ASSERT_EQ(polys.size(), 1u);
  EXPECT_EQ(polys[0].outer.size(), 4u);
  ASSERT_EQ(polys[0].holes.size(), 1u);
  EXPECT_DOUBLE_EQ(area(polys), 96.0);
  const auto again = parse_wkt(to_wkt(polys));
  EXPECT_DOUBLE_EQ(area(again), 96.0);
}

TEST(Geometry, WktMultipolygonReadsAllParts) {
  const auto polys = parse_wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1)), ((5 5, 7 5, 7 7, 5 7)))");
  ASSERT_EQ(polys.size(), 2u);
  EXPECT_DOUBLE_EQ(area(polys), 5.0);
}

TEST(Geometry, WktErrorNamesFieldAndPosition) {
  try {
    parse_wkt("POLYGON ((0 0, 1 0, x 1))", SourceLocation{"plaza.yaml", 4, 12}, "venue.walkable");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("plaza.yaml:4:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("venue.walkable"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected a number"), std::string::npos) << msg;
  }
}

TEST(Geometry, ValidateFindsSelfIntersection) {
  Polygon bowtie{{{0, 0}, {3, 3}, {3, 0}, {0, 2}}, {}};  // asymmetric: non-zero area
  const auto msgs = validate_polygon(bowtie);
  ASSERT_FALSE(msgs.empty());
  EXPECT_NE(msgs[0].find("intersects itself"), std::string::npos);
  EXPECT_TRUE(validate_polygon(rectangle(0, 0, 1, 1)).empty());
}

TEST(Geometry, SegmentsIntersectDetectsCrossingAndMiss) {
  EXPECT_TRUE(segments_intersect({0, 0}, {2, 2}, {0, 2}, {2, 0}));
  EXPECT_FALSE(segments_intersect({0, 0}, {1, 0}, {0, 1}, {1, 1}));
}

namespace {

// A circle of n vertices (counter-clockwise), radius r m.
Ring circle_ring(std::size_t n, double r) {
  Ring ring;
  for (std::size_t k = 0; k < n; ++k) {
    const double a = 2.0 * 3.141592653589793 * static_cast<double>(k) / static_cast<double>(n);
    ring.push_back({r * std::cos(a), r * std::sin(a)});
  }
  return ring;
}

// The first crossing as the quadratic loop that validate_polygon() once ran finds it (smallest
// edge i, then smallest j > i + 1; edges 0 and n-1 are adjacent), as the words of its message:
// "edge i (", "crosses edge j (". Empty when there is none. Reference for the grid.
std::pair<std::string, std::string> first_crossing_by_all_pairs(const Ring& r) {
  const std::size_t n = r.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 2; j < n; ++j)
      if (!(i == 0 && j == n - 1) && segments_intersect(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n]))
        return {"intersects itself: edge " + std::to_string(i) + " (", "crosses edge " + std::to_string(j) + " ("};
  return {};
}

}  // namespace

// validate_polygon() was quadratic in the ring's vertex count: a DXF arc tessellated into a few
// thousand vertices took more than 10 s under ASan (fuzz/, docs/reliability.md). With the grid,
// 20,000 vertices take milliseconds, and the verdict and the edges named stay those of the loop.
TEST(Geometry, ValidateClassifiesLargeRings) {
  const auto start = std::chrono::steady_clock::now();
  const Polygon valid{circle_ring(20'000, 50.0), {circle_ring(20'000, 10.0)}};
  EXPECT_TRUE(validate_polygon(valid).empty());

  // Swap two vertices 5 apart: edges 9,999 and 10,005 are the loop's first crossing pair.
  Polygon crossing{circle_ring(20'000, 50.0), {}};
  std::swap(crossing.outer[10'000], crossing.outer[10'005]);
  const auto msgs = validate_polygon(crossing);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_NE(msgs[0].find("outer ring intersects itself: edge 9999 ("), std::string::npos) << msgs[0];
  EXPECT_NE(msgs[0].find("crosses edge 10005 ("), std::string::npos) << msgs[0];

  // The quadratic loop took seconds per ring here (minutes under ASan); the grid a few ms.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 3.0);
}

// The grid finds the same first crossing as the loop over all pairs, including touching,
// collinear and repeated vertices and long edges across the grid (integer coordinates, so that
// segments_intersect() is exact).
TEST(Geometry, ValidateNamesTheSameEdgesAsTheLoopOverAllPairs) {
  std::mt19937 rng(8);
  int crossing = 0;
  for (int trial = 0; trial < 6'000; ++trial) {
    const std::size_t n = 3 + rng() % (trial % 10 == 0 ? 120 : 25);
    const int grid = 2 + static_cast<int>(rng() % 10);
    Ring ring;
    for (std::size_t k = 0; k < n; ++k)
      ring.push_back({static_cast<double>(static_cast<int>(rng() % grid)), static_cast<double>(static_cast<int>(rng() % grid))});
    if (trial % 3 == 0) {  // a fine arc plus long chords: edges in the grid and long ("wide") ones
      ring = circle_ring(200, 1000.0);
      for (Vec2& p : ring) p = {std::round(p.x), std::round(p.y)};
      ring.resize(60 + rng() % 60);
      ring.push_back({static_cast<double>(static_cast<int>(rng() % 2001) - 1000), static_cast<double>(static_cast<int>(rng() % 1200) - 200)});
    }
    const auto [first, second] = first_crossing_by_all_pairs(ring);
    const auto msgs = validate_polygon(Polygon{ring, {}});
    std::string got;
    for (const auto& m : msgs)
      if (m.find("intersects itself") != std::string::npos) got = m;
    if (first.empty()) {
      EXPECT_TRUE(got.empty()) << "trial " << trial << ": " << got;
    } else {
      ++crossing;
      EXPECT_NE(got.find(first), std::string::npos) << "trial " << trial << ": " << got << " (expected " << first << ")";
      EXPECT_NE(got.find(second), std::string::npos) << "trial " << trial << ": " << got << " (expected " << second << ")";
    }
  }
  EXPECT_GT(crossing, 500);  // both verdicts are exercised
}
