#include <gtest/gtest.h>

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
