// A metered gate holds a real queue upstream and lets people through at its rate.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

namespace {

// 120 people in a 4 m wide corridor walk east through a gate at x = 20 m metered at
// 30 persons/min, then on to an exit at the east end.
Scenario metered_corridor() {
  Scenario s;
  s.name = "metered-corridor";
  s.walkable = {rectangle(0, 0, 40, 4)};
  s.exits.push_back(Area{"east", {rectangle(38, 0, 40, 4)}, {}});
  Group g;
  g.name = "crowd";
  g.area = {rectangle(1, 0.3, 18, 3.7)};
  g.count = 120;
  g.target.kind = Target::Kind::Exit;
  g.target.name = "east";
  s.groups.push_back(g);
  Gate gate;
  gate.name = "turnstile";
  gate.line = {{20, 4}, {20, 0}};  // walking east crosses it "in"
  gate.direction = Gate::Direction::In;
  gate.rate_persons_per_min = 30.0;
  s.gates.push_back(gate);
  s.time_step_s = 0.01;
  s.duration_s = 400;
  s.navigation_cell_m = 0.2;
  return s;
}

}  // namespace

TEST(GateFlow, MeteredGateHoldsAQueueAndPassesItsRate) {
  constexpr double kRate_per_s = 0.5;
  Simulation sim(metered_corridor(), {.threads = 2});
  std::vector<double> crossing_time;  // time of the k-th crossing, s
  std::int64_t worst_excess = 0;      // most people downstream beyond what the rate allows
  while (!sim.finished()) {
    sim.step();
    const GateStats st = sim.gate_stats().at(0);
    while (static_cast<std::int64_t>(crossing_time.size()) < st.crossings_in) crossing_time.push_back(sim.time_s());
    // Downstream now: everybody past the line, present or already through the exit.
    std::int64_t downstream = 0;
    for (const Vec2 p : sim.agents().position) downstream += p.x > 20.0;
    for (const auto& r : sim.records()) downstream += r.exit >= 0;
    const auto allowed = static_cast<std::int64_t>(1.0 + kRate_per_s * sim.time_s() + 1e-9);  // 1 stored token
    worst_excess = std::max(worst_excess, downstream - allowed);
  }
  const GateStats st = sim.gate_stats().at(0);
  ASSERT_EQ(st.crossings_in, 120);
  // Steady phase: from the 10th to the 110th crossing.
  const double flow = 100.0 / (crossing_time[109] - crossing_time[9]);
  std::printf("gate flow %.4f persons/s (target 0.5), max queue %lld persons, mean wait %.1f s, max wait %.1f s, "
              "total wait %.0f person·s, forced %lld, last crossing at %.2f s\n",
              flow, static_cast<long long>(st.max_queue_persons), st.mean_wait_s, st.max_wait_s,
              st.total_wait_person_s, static_cast<long long>(st.forced_crossings), crossing_time.back());
  EXPECT_NEAR(flow, kRate_per_s, 0.1 * kRate_per_s);
  EXPECT_EQ(st.forced_crossings, 0);
  EXPECT_GE(st.max_queue_persons, 20);
  EXPECT_LE(worst_excess, 0);
  EXPECT_EQ(st.permits, 120);
}
