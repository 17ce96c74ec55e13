// The planner's network-flow core and evacuation model on small cases with known answers.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "crowdsafe/planner.hpp"
#include "crowdsafe/runner.hpp"
#include "planner/network_flow.hpp"

namespace cs = crowdsafe;
using cs::detail::FlowNetwork;

TEST(FlowNetwork, MaxFlowOfTextbookGraph) {
  // CLRS figure 26.1: maximum flow 23.
  FlowNetwork n(6);
  n.add_arc(0, 1, 16);
  n.add_arc(0, 2, 13);
  n.add_arc(2, 1, 4);
  n.add_arc(1, 3, 12);
  n.add_arc(3, 2, 9);
  n.add_arc(2, 4, 14);
  n.add_arc(4, 3, 7);
  n.add_arc(3, 5, 20);
  n.add_arc(4, 5, 4);
  EXPECT_EQ(n.max_flow(0, 5), 23);
  EXPECT_EQ(n.max_flow(0, 5), 23);  // solving again starts afresh
}

TEST(FlowNetwork, MinCostFlowTakesTheCheapPathFirst) {
  // Two parallel routes: cost 1 (capacity 3) and cost 5 (capacity 10).
  FlowNetwork n(4);
  const int cheap = n.add_arc(0, 1, 3, 1.0);
  const int dear = n.add_arc(0, 2, 10, 5.0);
  n.add_arc(1, 3, 100, 0.0);
  n.add_arc(2, 3, 100, 0.0);
  EXPECT_EQ(n.min_cost_flow(0, 3, 5), 5);
  EXPECT_EQ(n.flow(cheap), 3);
  EXPECT_EQ(n.flow(dear), 2);
  EXPECT_THROW(n.add_arc(0, 1, -1), std::invalid_argument);
}

namespace {
// A 20 m × 10 m room with an exit door at each end: west (x 0) and east (x 20).
cs::Scenario two_exit_room() {
  cs::Scenario sc;
  sc.name = "two-exit-room";
  sc.walkable = {cs::rectangle(0, 0, 20, 10)};
  sc.exits = {{"west", {cs::rectangle(0, 4, 0.5, 6)}, {}}, {"east", {cs::rectangle(19.5, 4, 20, 6)}, {}}};
  sc.navigation_cell_m = 0.2;
  cs::Group g;
  g.name = "crowd";
  sc.groups.push_back(g);
  return sc;
}
}  // namespace

TEST(PlanEvacuation, SplitsACrowdNearOneExitAndRespectsClosedExits) {
  const cs::Scenario sc = two_exit_room();
  // 200 people in the western third: all nearest to the west exit.
  std::vector<cs::Vec2> pos;
  for (int i = 0; i < 200; ++i) pos.push_back({1.0 + 0.5 * (i % 10), 0.5 + 0.45 * (i / 10)});
  const std::vector<double> speed(pos.size(), 1.34);
  const std::vector<std::int32_t> group(pos.size(), 0);
  cs::PlanOptions opt;
  const cs::EvacuationPlan p = cs::plan_evacuation(sc, pos, speed, group, opt);
  ASSERT_EQ(p.exits.size(), 2u);
  EXPECT_EQ(p.exits[0].persons_nearest, 200);
  EXPECT_EQ(p.exits[1].persons_nearest, 0);
  // A 2 m door passes 2.7 persons/s by design: 200 through one takes ~74 s; the east exit is
  // 15 m (11 s) further, so sharing pays.
  EXPECT_GT(p.exits[1].persons_assigned, 40);
  EXPECT_EQ(p.exits[0].persons_assigned + p.exits[1].persons_assigned, 200);
  EXPECT_LT(p.planned_time_s, p.nearest_time_s);
  EXPECT_LE(p.lower_bound_s, p.planned_time_s);
  EXPECT_NEAR(p.nearest_time_s, 200 / (2.0 * 82.0 / 60.0), 10.0);
  // The verification scenarios hold everybody, at the same positions.
  std::size_t n = 0;
  for (const auto& g : p.assigned_scenario.groups) n += g.positions.size();
  EXPECT_EQ(n, 200u);

  opt.closed_exits = {"east"};
  const cs::EvacuationPlan closed = cs::plan_evacuation(sc, pos, speed, group, opt);
  EXPECT_EQ(closed.exits[1].persons_assigned, 0);
  EXPECT_TRUE(closed.exits[1].closed);
  EXPECT_GT(closed.lower_bound_s, p.lower_bound_s);
  EXPECT_EQ(closed.assigned_scenario.exits.size(), 1u);

  opt.closed_exits = {"north"};
  EXPECT_THROW(cs::plan_evacuation(sc, pos, speed, group, opt), cs::InputError);
  opt.closed_exits = {"east", "west"};
  EXPECT_THROW(cs::plan_evacuation(sc, pos, speed, group, opt), cs::InputError);
}

TEST(SummaryJson, ReadsBackWhatWasWritten) {
  // The planner compares re-simulations through their summary.json files.
  cs::RunSummary s;
  s.scenario = "x";
  s.status = "completed";
  s.seed = 42;
  s.agents_total = 10;
  s.agents_evacuated = 9;
  s.stalled_ids = {3, 5};
  s.evacuation_time_p95_s = 12.5;
  cs::GateStats g;
  g.name = "g1";
  g.crossings_in = 7;
  g.max_wait_s = 3.25;
  s.gates.push_back(g);
  const auto file = std::filesystem::temp_directory_path() / "crowdsafe_summary_roundtrip.json";
  cs::write_summary_json(s, file);
  const cs::RunSummary r = cs::read_summary_json(file);
  EXPECT_EQ(cs::summary_json(r), cs::summary_json(s));
  std::ofstream(file) << "{ not json";
  EXPECT_THROW(cs::read_summary_json(file), std::runtime_error);
  EXPECT_THROW(cs::read_summary_json(file.string() + ".missing"), std::runtime_error);
}
