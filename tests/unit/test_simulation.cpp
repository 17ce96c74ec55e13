#include <gtest/gtest.h>

#include <cstdio>
#include <utility>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

TEST(Simulation, IdsAreNeverReusedAndSlotsFollowIds) {
  Simulation sim(scenes::bottleneck(1.2, 50, 1), {.threads = 1});
  const AgentId first = sim.agents().id.front();
  EXPECT_TRUE(sim.remove_agent(first));
  EXPECT_FALSE(sim.remove_agent(first));
  AgentDef def;
  def.position = {2.0, 2.0};
  const AgentId added = sim.add_agent(def);
  EXPECT_EQ(added.value, 50);
  const auto& ids = sim.agents().id;
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(Simulation, AddAgentOutsideWalkableAreaIsAnInputError) {
  Simulation sim(scenes::bottleneck(1.2, 10, 1), {.threads = 1});
  AgentDef def;
  def.position = {-3.0, 2.0};
  EXPECT_THROW(sim.add_agent(def), InputError);
  def.position = {0.05, 2.0};  // inside, but the body would overlap the wall
  EXPECT_THROW(sim.add_agent(def), InputError);
  def.position = {2.0, 2.0};
  def.radius_m = std::nan("");
  EXPECT_THROW(sim.add_agent(def), InputError);
}

TEST(Simulation, UnreachableTargetIsReportedBeforeTheRun) {
  Scenario sc = scenes::bottleneck(1.0, 10, 1);
  // A wall across the bottleneck closes the only way out.
  sc.walkable[0].holes.push_back(rectangle(8.5, 3.0, 9.5, 5.0).outer);
  try {
    Simulation sim(sc);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach"), std::string::npos) << e.what();
  }
}

TEST(Simulation, GroupOutsideWalkableAreaIsReported) {
  Scenario sc = scenes::bottleneck(1.0, 10, 1);
  sc.groups[0].area = {rectangle(50, 50, 60, 60)};
  EXPECT_THROW(Simulation{sc}, InputError);
}

TEST(Simulation, NanModelParameterIsReportedWithField) {
  Scenario sc = scenes::bottleneck(1.0, 10, 1);
  sc.model.relaxation_time_s = std::nan("");
  try {
    Simulation sim(sc);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("model.relaxation_time_s"), std::string::npos) << e.what();
  }
}

TEST(Simulation, SourcesFollowTheirSchedule) {
  Scenario sc = scenes::counterflow_rooms(0, 0, 1);
  sc.groups.clear();
  Source src;
  src.name = "gate";
  src.area = {rectangle(1.5, 1, 9, 9)};
  src.schedule = {{0.0, 20.0, 2.0}, {20.0, 40.0, 0.0}};
  sc.sources.push_back(src);
  sc.duration_s = 40;
  Simulation sim(sc, {.threads = 1});
  while (!sim.finished()) sim.step();
  // Poisson arrivals at 2 persons/s for 20 s: 40 expected, sd ≈ 6.3.
  EXPECT_GT(sim.records().size(), 25u);
  EXPECT_LT(sim.records().size(), 55u);
  for (const auto& r : sim.records()) EXPECT_LE(r.spawn_time_s, 20.01);
}

TEST(Simulation, BoundedCutoffNeglectsLessThanTheTolerance) {
  Scenario sc = scenes::bottleneck(1.0, 10, 1);
  Simulation sim(sc);
  const double d = sim.cutoff_m();
  const auto& p = sc.model;
  const double r_max = sc.groups[0].profile.radius_max_m;
  const double neglected = p.agent_strength_N * std::exp((2 * r_max - d) / p.agent_range_m);
  EXPECT_LE(neglected, 1.0001 * p.cutoff_tolerance * p.mass_kg * 1.34 / p.relaxation_time_s);
}

TEST(Simulation, BodiesPassingThroughEachOtherStopTheRunWithAgentStepAndTime) {
  Simulation sim(scenes::bottleneck(1.2, 1, 1), {.threads = 1});
  AgentDef def;
  def.position = sim.agents().position[0] + Vec2{0.01, 0.0};  // centres 1 cm apart
  sim.add_agent(def);
  try {
    sim.step();
    FAIL() << "expected SimulationError";
  } catch (const SimulationError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("agent 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("step 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("t = 0.01 s"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pressed into another person"), std::string::npos) << msg;
  }
}

TEST(Simulation, DeadlockIsReportedAsStalledAndFreeFlowIsNot) {
  // Plain social forces (no keep-right) lock two crowds face to face in the corridor.
  Scenario locked = scenes::counterflow_rooms(100, 100, 1);
  locked.model.keep_right = 0.0;
  locked.duration_s = 90.0;
  locked.stall_time_s = 20.0;
  Simulation sim(locked, {.threads = 2});
  while (!sim.finished()) sim.step();
  EXPECT_GT(sim.stalled().size(), 20u);

  Scenario free = scenes::counterflow_rooms(50, 0, 1);
  free.duration_s = 40.0;
  free.stall_time_s = 20.0;
  Simulation ok(free, {.threads = 2});
  while (!ok.finished()) ok.step();
  EXPECT_TRUE(ok.stalled().empty());
}

// RiMEA 5 regression: a walker whose path is blocked head-on by somebody still waiting to
// start steps round them instead of pressing them along.
TEST(Simulation, WalkerStepsRoundSomebodyWaitingInTheWay) {
  auto displacement = [](double overtake) {
    Scenario sc;
    sc.walkable = {rectangle(0, 0, 12, 3)};
    sc.model.overtake = overtake;
    Group waiting;
    waiting.name = "waiting";
    waiting.positions = {{5.0, 1.5}};
    waiting.count = 1;
    waiting.premovement_s = 100.0;
    waiting.target.kind = Target::Kind::Direction;
    waiting.target.direction = {1.0, 0.0};
    Group walker = waiting;
    walker.name = "walker";
    walker.positions = {{2.0, 1.5}};
    walker.premovement_s = 0.0;
    sc.groups = {waiting, walker};
    sc.duration_s = 8.0;
    Simulation sim(sc, {.threads = 1});
    while (!sim.finished()) sim.step();
    const auto& a = sim.agents();
    EXPECT_EQ(a.size(), 2u);
    return std::pair{norm(a.position[0] - Vec2{5.0, 1.5}), a.position[1].x};
  };
  const auto [with_rule, walker_x] = displacement(0.5);
  const double without = displacement(0.0).first;
  EXPECT_GT(walker_x, 7.0);  // the walker got past (without the rule: stuck behind, x ≈ 6 m)
  std::printf("waiting person displaced %.3f m (without the overtake rule %.3f m)\n", with_rule, without);
  EXPECT_LT(with_rule, 0.6);
  EXPECT_LT(with_rule, 0.5 * without);
}

// RiMEA 16: with no room to walk staggered people keep Seyfried's single-file headway.
TEST(Simulation, SingleFileKeepsTheSeyfriedHeadway) {
  Simulation sim(scenes::single_file_ring(1.25, 20.0, 1), {.threads = 1});
  for (int k = 0; k < 2000; ++k) sim.step();
  double v = 0.0;
  const auto& a = sim.agents();
  for (std::size_t i = 0; i < a.size(); ++i) v += a.velocity[i].x / static_cast<double>(a.size());
  EXPECT_NEAR(v, (1.0 / 1.25 - 0.36) / 1.06, 0.15);  // Seyfried et al. 2005: 0.42 m/s
}
