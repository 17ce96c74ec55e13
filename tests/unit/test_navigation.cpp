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
    nav = std::make_unique<Navigation>(walkable, walls, 0.1, std::vector<NavTarget>{{"t", {std::move(target)}, {}, {}}});
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

TEST(Navigation, AvoidedStripSendsTheRouteRoundByTheOtherWay) {
  // Two parallel 2 m corridors (y in [0, 2] and [8, 10]) between two rooms; from the middle of
  // the west room both are equally long. Avoiding a strip across the south corridor sends the
  // route north; where no other way exists the strip only makes the route dearer.
  Polygon venue = rectangle(0, 0, 30, 10);
  venue.holes.push_back(rectangle(10, 2, 20, 8).outer);
  std::vector<Polygon> walkable{venue};
  const WallGrid walls(boundary_segments(walkable), bounds(walkable), 1.0, 1.5);
  const Polygon target = rectangle(29, 0, 30, 10);
  const Polygon strip = rectangle(14.5, -0.1, 15.5, 2.1);
  const Navigation nav(walkable, walls, 0.1,
                       std::vector<NavTarget>{{"plain", {target}, {}, {}}, {"one-way", {target}, {}, {strip}}});
  const Vec2 south{5, 1};
  EXPECT_LT(nav.direction(0, south).y, 0.3);  // plain: straight on through the south corridor
  EXPECT_GT(nav.direction(1, south).y, 0.5);  // avoiding it: up towards the north corridor
  // Through the north corridor: a few metres more (the climb to it), far below the 99 m that
  // crossing the 1 m strip would add.
  const double detour = nav.distance(1, south) - nav.distance(0, south);
  EXPECT_GT(detour, 2.0);
  EXPECT_LT(detour, 10.0);
  EXPECT_NEAR(nav.distance(1, {5, 9}), nav.distance(0, {5, 9}), 0.2);  // the north route is unchanged
  // Standing inside the strip, the way out still leads on.
  EXPECT_TRUE(std::isfinite(nav.distance(1, {15, 1})));
  EXPECT_GT(norm(nav.direction(1, {15, 1})), 0.5);
  EXPECT_NE(avoid_key({strip}), avoid_key({}));
}
