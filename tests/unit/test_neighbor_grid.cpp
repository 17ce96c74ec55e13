#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "neighbor_grid.hpp"

using namespace crowdsafe;
using crowdsafe::detail::GridSpec;
using crowdsafe::detail::NeighborGrid;

namespace {
std::set<std::uint32_t> near_slots(const NeighborGrid& g, Vec2 p, double r) {
  std::set<std::uint32_t> s;
  g.for_each_near(p, [&](std::uint32_t j) {
    if (norm(Vec2{g.x()[j], g.y()[j]} - p) <= r) s.insert(g.slot()[j]);
  });
  return s;
}
}  // namespace

TEST(NeighborGrid, FindsAgentAcrossCellBorder) {
  NeighborGrid g;
  g.configure(Box{{0, 0}, {10, 10}}, 1.5, std::nullopt);
  const std::vector<Vec2> pos{{1.49, 1.0}, {1.51, 1.0}, {8.0, 8.0}};
  const std::vector<Vec2> vel(3);
  const std::vector<double> rad(3, 0.3);
  g.build(pos, vel, rad);
  const auto s = near_slots(g, pos[0], 1.5);
  EXPECT_TRUE(s.count(1));
  EXPECT_FALSE(s.count(2));
}

TEST(NeighborGrid, MatchesBruteForce) {
  NeighborGrid g;
  g.configure(Box{{0, 0}, {20, 20}}, 1.2, std::nullopt);
  std::vector<Vec2> pos;
  for (int i = 0; i < 400; ++i) pos.push_back({std::fmod(i * 7.31, 20.0), std::fmod(i * 3.17, 20.0)});
  const std::vector<Vec2> vel(pos.size());
  const std::vector<double> rad(pos.size(), 0.3);
  g.build(pos, vel, rad);
  for (std::size_t i = 0; i < pos.size(); i += 13) {
    std::set<std::uint32_t> brute;
    for (std::size_t j = 0; j < pos.size(); ++j)
      if (norm(pos[j] - pos[i]) <= 1.2) brute.insert(static_cast<std::uint32_t>(j));
    EXPECT_EQ(near_slots(g, pos[i], 1.2), brute) << "agent " << i;
  }
}

TEST(NeighborGrid, PeriodicGhostSeenAcrossSeam) {
  NeighborGrid g;
  g.configure(Box{{0, 0}, {20, 4}}, 1.5, Periodic{0.0, 20.0});
  const std::vector<Vec2> pos{{0.2, 2.0}, {19.8, 2.0}};
  const std::vector<Vec2> vel(2);
  const std::vector<double> rad(2, 0.3);
  g.build(pos, vel, rad);
  EXPECT_TRUE(near_slots(g, pos[0], 1.0).count(1));
  EXPECT_EQ(g.order().size(), 2u) << "ghosts are not processed as agents";
}

TEST(GridSpec, CellIndexEqualsTheDivisionsFloor) {
  // Cells are found by multiplying with 1/h; the result must be the division's, bit for bit,
  // including on cell borders and for cell sizes whose inverse is inexact.
  std::mt19937_64 rng(7);
  for (const double h : {0.2, 0.1, 1.0 / 3.0, 0.7151, 1.25, 2.5}) {
    GridSpec g;
    g.set_cell_m(h);
    std::uniform_real_distribution<double> any(-50.0, 1e5);
    for (int k = 0; k < 200000; ++k) {
      const double d = any(rng);
      ASSERT_EQ(g.cells(d), static_cast<int>(std::floor(d / h))) << "d = " << d << ", h = " << h;
    }
    for (int i = -100; i < 100000; i += 7) {  // multiples of h and their neighbours
      for (double d : {i * h, std::nextafter(i * h, -1e9), std::nextafter(i * h, 1e9)})
        ASSERT_EQ(g.cells(d), static_cast<int>(std::floor(d / h))) << "d = " << d << ", h = " << h;
    }
  }
}

TEST(GridSpec, FloorIntIsFloor) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> any(-3e5, 3e5);
  for (int k = 0; k < 100000; ++k) {
    const double x = any(rng);
    ASSERT_EQ(crowdsafe::detail::floor_int(x), static_cast<int>(std::floor(x))) << x;
  }
  for (const double x : {0.0, -0.0, -1.0, 1.0, -0.5, 0.5, -1e-300, 1e-300, -2.0000000000000004, 2147483647.0, -2147483648.0})
    EXPECT_EQ(crowdsafe::detail::floor_int(x), static_cast<int>(std::floor(x))) << x;
}
