#include <gtest/gtest.h>

#include "crowdsafe/preflight.hpp"
#include "crowdsafe/scenes.hpp"

using namespace crowdsafe;

TEST(Preflight, FindsTheBottleneckWithItsClearWidth) {
  for (double w : {0.8, 1.2, 2.5}) {
    const auto rep = check_geometry(scenes::bottleneck(w, 10, 1));
    ASSERT_FALSE(rep.passages.empty()) << "width " << w;
    const Passage& p = rep.passages.front();
    EXPECT_NEAR(p.clear_width_m, w, 0.05) << "width " << w;
    EXPECT_GT(p.position.x, 7.9);
    EXPECT_LT(p.position.x, 10.1);
    EXPECT_NEAR(p.capacity_persons_per_s, p.clear_width_m * 82.0 / 60.0, 1e-9);
  }
}

TEST(Preflight, FestivalPlazaNarrowestIsTheMarketStreet) {
  const auto rep = check_geometry(read_scenario(CROWDSAFE_SOURCE_DIR "/scenarios/festival-plaza/scenario.yaml"));
  ASSERT_FALSE(rep.passages.empty());
  EXPECT_NEAR(rep.passages[0].clear_width_m, 3.5, 0.05);
  EXPECT_GT(rep.passages[0].position.x, 75.0);
  EXPECT_LT(rep.passages[0].position.x, 85.0);
  EXPECT_EQ(rep.walkable_pieces, 1);
  EXPECT_TRUE(rep.doubts.empty()) << rep.doubts.front();
  ASSERT_EQ(rep.exits.size(), 3u);
  EXPECT_DOUBLE_EQ(rep.exits[0].width_m, 6.0);
}

TEST(Preflight, ReportsDisconnectedPiecesAndStrandedArea) {
  Scenario sc = scenes::bottleneck(1.0, 10, 1);
  sc.walkable.push_back(rectangle(30, 0, 35, 5));  // an island nobody can leave
  const auto rep = check_geometry(sc);
  EXPECT_EQ(rep.walkable_pieces, 2);
  const std::string all = format_report(rep);
  EXPECT_NE(all.find("2 pieces"), std::string::npos) << all;
  EXPECT_NE(all.find("no path to any exit"), std::string::npos) << all;
}

TEST(Preflight, ReportsExitAwayFromTheBoundaryAndTooNarrowPassage) {
  Scenario sc = scenes::bottleneck(0.3, 10, 1);
  sc.exits[0].shape = {rectangle(12, 3, 13, 4)};  // in the middle of the open area
  const std::string all = format_report(check_geometry(sc));
  EXPECT_NE(all.find("away from any wall"), std::string::npos) << all;
  EXPECT_NE(all.find("narrower than a body"), std::string::npos) << all;
}

TEST(Preflight, StairsAndSlopesAreReported) {
  const auto stairs = check_geometry(scenes::stairs(false));
  EXPECT_NEAR(stairs.stairs_area_m2, 20.0, 0.5);
  const auto ramp = check_geometry(scenes::ramp(0.1, false));
  EXPECT_NEAR(ramp.steepest_grade, 0.1, 1e-6);
}
