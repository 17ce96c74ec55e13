#include <gtest/gtest.h>

#include "navigation/navigation.hpp"

using namespace crowdsafe;
using namespace crowdsafe::detail;

namespace {
struct Fixture {
  std::vector<Polygon> walkable;
  WallGrid walls;
  std::unique_ptr<Navigation> nav;
  explicit Fixture(Polygon p, Polygon target) : walkable{std::move(p)} {
    walls = WallGrid(boundary_segments(walkable), bounds(walkable), 1.0, 1.5);
    nav = std::make_unique<Navigation>(walkable, walls, 0.1, std::vector<NavTarget>{{"t", {std::move(target)}, {}}});
  }
};
}  // namespace

TEST(Navigation, StraightCorridorDistanceIsEuclidean) {
  Fixture f(rectangle(0, 0, 20, 4), rectangle(19, 0, 20, 4));
  EXPECT_NEAR(f.nav->distance(0, {4, 2}), 15.0, 0.3);
  const Vec2 d = f.nav->direction(0, {4, 2});
  EXPECT_NEAR(d.x, 1.0, 1e-3);
  EXPECT_NEAR(d.y, 0.0, 0.03);
}

TEST(Navigation, RoutesAroundAnObstacle) {
  Polygon room = rectangle(0, 0, 20, 10);
  room.holes.push_back(rectangle(8, 2, 10, 8).outer);  // a wall block in the middle
  Fixture f(room, rectangle(19, 4, 20, 6));
  // Straight ahead is blocked: the path must be longer than the straight line...
  EXPECT_GT(f.nav->distance(0, {5, 5}), 14.0 + 2.0);
  // ...and just off its centre line the direction turns towards the nearer end of the block.
  const Vec2 d = f.nav->direction(0, {7.5, 5.6});
  EXPECT_GT(d.y, 0.3);
  EXPECT_LT(f.nav->direction(0, {7.5, 4.4}).y, -0.3);
}

TEST(Navigation, UnreachableAreaHasInfiniteDistance) {
  // Two rooms with no connection.
  Fixture f(Polygon{{{0, 0}, {20, 0}, {20, 10}, {0, 10}}, {{{9, -1}, {11, -1}, {11, 11}, {9, 11}}}}, rectangle(19, 4, 20, 6));
  EXPECT_FALSE(std::isfinite(f.nav->distance(0, {3, 5})));
  EXPECT_TRUE(std::isfinite(f.nav->distance(0, {15, 5})));
}
