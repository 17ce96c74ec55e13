// Multi-level venues (docs/venue-meshes.md, "Levels"): scenarios/venues/meshes/concourse.obj is
// a platform at z 0 with a concourse above part of it at z 4.8, joined by one stair. Reading
// must split it into two levels laid out side by side with one seam; people must interact only
// with their own level and change level only through the stair.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/preflight.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"
#include "crowdsafe/venue.hpp"
#include "neighbor_grid.hpp"
#include "venue/levels.hpp"
#include "wall_grid.hpp"

namespace crowdsafe {
namespace {

const std::filesystem::path kVenues = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/venues";

TEST(Levels, ConcourseSplitsIntoTwoLevelsJoinedByTheStair) {
  const Venue v = read_venue(kVenues / "meshes/concourse.obj");
  ASSERT_EQ(v.levels.size(), 2u);
  // Level 0: the platform less the stair's footprint; level 1: concourse plus the stair.
  EXPECT_NEAR(v.levels[0].area_m2, 400.0 - 16.0, 1e-6);
  EXPECT_NEAR(v.levels[1].area_m2, 200.0 + 16.0, 1e-6);
  EXPECT_NEAR(area(v.walkable), 600.0, 1e-6);
  EXPECT_DOUBLE_EQ(v.levels[0].z_max_m, 0.0);
  EXPECT_NEAR(v.levels[1].z_min_m, 0.0, 1e-9);  // the stair's foot
  EXPECT_NEAR(v.levels[1].z_max_m, 4.8, 1e-9);
  EXPECT_EQ(v.levels[0].offset, (Vec2{0.0, 0.0}));
  // Side by side, further apart than any interaction reaches.
  EXPECT_GE(v.levels[1].bounds.min.x - v.levels[0].bounds.max.x, 10.0);
  // One seam (the stair's foot at x 38, y 4..6), listed from both sides.
  ASSERT_EQ(v.portals.size(), 2u);
  for (const Portal& p : v.portals) {
    const Vec2 off = v.levels[static_cast<std::size_t>(p.from_level)].offset;
    EXPECT_NEAR(p.line.a.x - off.x, 38.0, 1e-9);
    EXPECT_NEAR(p.line.b.x - off.x, 38.0, 1e-9);
    EXPECT_NEAR(std::abs(p.line.b.y - p.line.a.y), 2.0, 1e-9);
    EXPECT_EQ(p.shift, v.levels[static_cast<std::size_t>(p.to_level)].offset - off);
  }
  // The exit group lies on the concourse.
  const auto exit = std::find_if(v.regions.begin(), v.regions.end(), [](const Region& r) { return r.name == "exit-west"; });
  ASSERT_NE(exit, v.regions.end());
  EXPECT_GE(bounds(exit->area).min.x, v.levels[1].bounds.min.x - 1e-9);
  // The 3-D surface follows the layout: stair heights at the layout's stair.
  double top = 0.0;
  for (const Vec3& p : v.surface.vertices)
    if (p.x < v.levels[0].bounds.max.x + 1.0) top = std::max(top, p.z);
  EXPECT_DOUBLE_EQ(top, 0.0) << "nothing above the platform may remain on level 0's part of the layout";
}

TEST(Levels, SeamIsNoWallAndPreflightSeesOneVenue) {
  const Scenario sc = read_scenario(kVenues / "concourse.yaml");
  ASSERT_EQ(sc.levels.size(), 2u);
  for (const Segment& w : detail::scenario_walls(sc)) {
    const bool on_seam = std::abs(w.a.x - 38.0) < 1e-9 && std::abs(w.b.x - 38.0) < 1e-9 && std::min(w.a.y, w.b.y) >= 4.0 - 1e-9 &&
                         std::max(w.a.y, w.b.y) <= 6.0 + 1e-9;
    EXPECT_FALSE(on_seam) << "the stair's foot must not be a wall";
  }
  const GeometryReport rep = check_geometry(sc);
  EXPECT_EQ(rep.walkable_pieces, 1);
  ASSERT_EQ(rep.levels.size(), 2u);
  EXPECT_NEAR(rep.levels[1].walkable_area_m2, 216.0, 1e-6);
  EXPECT_EQ(rep.levels[0].seams, 1);
  EXPECT_NEAR(rep.stairs_area_m2, 16.0, 1.0);
  for (const std::string& d : rep.doubts) EXPECT_EQ(d.find("no path to any exit"), std::string::npos) << d;
  EXPECT_NE(format_report(rep).find("level 1"), std::string::npos);
}

TEST(Levels, PeopleChangeLevelOnlyByTheStair) {
  const Scenario sc = read_scenario(kVenues / "concourse.yaml");
  const double shift = sc.levels[1].offset.x;
  Simulation sim(sc, {.threads = 2});
  const auto groups = sim.group_names();
  const auto platform = static_cast<std::int32_t>(std::find(groups.begin(), groups.end(), "platform") - groups.begin());
  std::map<std::int64_t, Vec2> start, arrived;  // id -> world start / first position on level 1
  std::map<std::int64_t, Vec2> last;
  bool headed_checked = false;
  while (!sim.finished()) {
    const AgentState& a = sim.agents();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::int64_t id = a.id[i].value;
      const Vec2 p = a.position[i];
      if (a.group[i] == platform) {
        start.emplace(id, p);
        if (p.x > sc.levels[1].bounds.min.x - 1.0 && !arrived.count(id)) {
          arrived[id] = p - Vec2{shift, 0.0};
          ASSERT_TRUE(last.count(id));
          EXPECT_LT(last[id].x, sc.levels[0].bounds.max.x + 1.0) << "person " << id << " came from level 0";
        }
        last[id] = p;
      }
    }
    if (!headed_checked && sim.time_s() >= 4.0) {
      // Routes: the platform heads east to the stair, the concourse west to the exit above it.
      double platform_vx = 0.0, concourse_vx = 0.0;
      int np = 0, nc = 0;
      for (std::size_t i = 0; i < a.size(); ++i)
        (a.group[i] == platform ? (platform_vx += a.velocity[i].x, ++np) : (concourse_vx += a.velocity[i].x, ++nc));
      EXPECT_GT(platform_vx / np, 0.3);
      EXPECT_LT(concourse_vx / nc, -0.3);
      headed_checked = true;
    }
    sim.step();
  }
  EXPECT_TRUE(headed_checked);
  ASSERT_EQ(start.size(), 60u);
  ASSERT_EQ(arrived.size(), 60u) << "every platform person must reach the concourse";
  for (const auto& [id, p] : arrived) {
    // Everyone changed level at the stair's foot (x 38, y 4..6) and nowhere else.
    EXPECT_NEAR(p.x, 38.0, 0.6) << "person " << id;
    EXPECT_GT(p.y, 4.0) << "person " << id;
    EXPECT_LT(p.y, 6.0) << "person " << id;
  }
  for (const AgentRecord& r : sim.records()) {
    ASSERT_GE(r.exit_time_s, 0.0) << "person " << r.id.value << " never left";
    if (r.group != platform) continue;
    // No shortcut: east to the stair, up its 8 m, back west to the exit at x 11, at ≤ 2 m/s.
    const Vec2 s = start.at(r.id.value);
    const double path = (38.0 - s.x) + 8.0 + (30.0 - 11.0);
    EXPECT_GE(r.exit_time_s, path / 2.0) << "person " << r.id.value;
  }
}

TEST(Levels, LevelKeyIsCheckedAgainstTheVenue) {
  const std::string base = "name: t\nvenue:\n  file: meshes/concourse.obj\nexits:\n  - {name: out, rect: [10, 0, 11, 10]}\n";
  try {
    parse_scenario(base + "groups:\n  - {name: g, level: 5, rect: [14, 1, 26, 9], count: 5, target: exit:out}\n",
                   kVenues / "inline.yaml");
    FAIL() << "level 5 was accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("groups[0].level"), std::string::npos) << m;
    EXPECT_NE(m.find("1 ('level 1', z 0.0 to 4.8 m)"), std::string::npos) << m;
  }
  const std::string flat = "name: t\nvenue:\n  walkable: \"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))\"\n";
  try {
    parse_scenario(flat + "exits:\n  - {name: out, level: 0, rect: [9, 0, 10, 10]}\n", kVenues / "inline.yaml");
    FAIL() << "level on a one-level venue was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("level needs a multi-level venue"), std::string::npos) << e.what();
  }
  // Level 1's rect lands on the concourse's part of the layout.
  const Scenario sc = parse_scenario(
      base + "groups:\n  - {name: g, level: level 1, rect: [14, 1, 26, 9], count: 5, target: exit:out}\n", kVenues / "inline.yaml");
  EXPECT_NEAR(bounds(sc.groups[0].area).min.x, 14.0 + sc.levels[1].offset.x, 1e-9);
  // Lines too: a measurement line and a gate across the concourse.
  const Scenario lines = parse_scenario(
      base + "measurement_lines:\n  - {name: m, level: 1, line: [[20, 0], [20, 10]]}\n"
             "gates:\n  - {name: g, level: 1, line: [[25, 0], [25, 10]], rate_persons_per_min: 60}\n"
             "groups:\n  - {name: g, rect: [14, 1, 26, 9], count: 5, target: exit:out}\n",
      kVenues / "inline.yaml");
  EXPECT_NEAR(lines.measurement_lines[0].line[0].x, 20.0 + sc.levels[1].offset.x, 1e-9);
  EXPECT_NEAR(lines.gates[0].line.a.x, 25.0 + sc.levels[1].offset.x, 1e-9);
}

// A floor that climbs onto itself without stairs or a ramp to cut at cannot be laid out: the
// split reports the stacked pair instead of hiding it.
TEST(Levels, StackedTrianglesOnOneFloorAreAConflict) {
  const std::vector<Vec2> pv{{0, 0}, {4, 0}, {4, 4}, {0, 4}};
  // Two floor triangles joined along the plan edge 0-2 at equal heights, the second one tilted
  // up to 5 m at its far corner and (as the caller found) lying over a third, separate floor.
  std::vector<detail::WalkTriangle> tris{{{0, 1, 2}, {0, 0, 0}, false}, {{0, 2, 3}, {0, 0, 5}, false},
                                         {{0, 1, 3}, {9, 9, 9}, false}};
  const auto split = detail::split_levels(tris, pv, {{1, 2}, {0, 2}});
  EXPECT_EQ(split.levels.size(), 2u);
  EXPECT_EQ(split.level[0], split.level[1]);
  EXPECT_TRUE(split.conflicts.empty()) << "pairs on different levels are fine";
  const auto bad = detail::split_levels(tris, pv, {{0, 1}});
  ASSERT_EQ(bad.conflicts.size(), 1u);
  EXPECT_EQ(bad.conflicts[0], (std::pair<std::size_t, std::size_t>{0, 1}));
}

// People near a seam act on the other level as ghosts, so a queue at a stair's head pushes
// across it; people further away do not appear there.
TEST(Levels, PeopleNearASeamHaveGhostsOnTheOtherLevel) {
  const Portal seam{{{38, 4}, {38, 6}}, 0, 1, {40, 0}};
  detail::NeighborGrid grid;
  Box box;
  box.expand({0, 0});
  box.expand({80, 10});
  grid.configure(box, 1.4, std::nullopt, {seam});
  const std::vector<Vec2> pos{{37.7, 5.0}, {35.0, 5.0}};
  const std::vector<Vec2> vel{{1, 0}, {1, 0}};
  const std::vector<double> rad{0.22, 0.22};
  grid.build(pos, vel, rad);
  ASSERT_EQ(grid.x().size(), 3u) << "one ghost, for the person 0.3 m from the seam";
  bool found = false;
  for (std::size_t j = 0; j < 3; ++j)
    if (grid.slot()[j] == 0 && grid.x()[j] > 70.0) {
      found = true;
      EXPECT_NEAR(grid.x()[j], 77.7, 1e-12);
      EXPECT_NEAR(grid.y()[j], 5.0, 1e-12);
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace crowdsafe
