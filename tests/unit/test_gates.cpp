// Gates as scenario objects: schedules, directions, reader errors, determinism, checkpoints.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

namespace {

// A 40 m × 4 m corridor with an exit at its east end and a gate across it at x = 20 m, drawn
// north to south so that walking east crosses it "in". `east` people start west of the gate,
// `west` people start east of it and walk to an exit at the west end.
Scenario gated_corridor(int east, int west, Gate gate) {
  Scenario s;
  s.name = "gated-corridor";
  s.walkable = {rectangle(0, 0, 40, 4)};
  s.exits.push_back(Area{"east", {rectangle(38, 0, 40, 4)}, {}});
  s.exits.push_back(Area{"west", {rectangle(0, 0, 2, 4)}, {}});
  auto group = [&](const char* name, double x0, double x1, int count, const char* exit) {
    Group g;
    g.name = name;
    g.area = {rectangle(x0, 0.3, x1, 3.7)};
    g.count = count;
    g.target.kind = Target::Kind::Exit;
    g.target.name = exit;
    s.groups.push_back(g);
  };
  if (east > 0) group("eastbound", 3, 17, east, "east");
  if (west > 0) group("westbound", 23, 37, west, "west");
  gate.line = {{20, 4}, {20, 0}};
  s.gates.push_back(gate);
  s.time_step_s = 0.01;
  s.duration_s = 600;
  s.navigation_cell_m = 0.2;
  return s;
}

Gate metered(double rate_per_min, Gate::Direction direction = Gate::Direction::In) {
  Gate g;
  g.name = "turnstile";
  g.direction = direction;
  g.rate_persons_per_min = rate_per_min;
  return g;
}

void run_to(Simulation& sim, double t_s) {
  while (sim.time_s() < t_s - 1e-9 && !sim.finished()) sim.step();
}

std::uint64_t hash_positions(const Simulation& sim) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const Vec2 p : sim.agents().position) {
    unsigned char b[sizeof p];
    std::memcpy(b, &p, sizeof p);
    for (const unsigned char c : b) h = (h ^ c) * 1099511628211ULL;
  }
  return h;
}

InputError parse_error(const std::string& text) {
  try {
    parse_scenario(text, "gates.yaml");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return InputError({}, "", "none");
}

bool has_field(const InputError& e, const std::string& field) {
  for (const auto& p : e.problems())
    if (p.field == field) return true;
  return false;
}

const std::string kHead = R"Y(name: gates
venue:
  walkable: "POLYGON ((0 0, 40 0, 40 4, 0 4, 0 0))"
exits:
  - name: east
    rect: [38, 0, 40, 4]
groups:
  - name: walkers
    rect: [2, 1, 10, 3]
    count: 10
    target: exit:east
)Y";

}  // namespace

TEST(Gates, ClosedWindowBlocksCrossingThenOpeningReleasesPeople) {
  Gate g;
  g.name = "door";
  g.direction = Gate::Direction::Both;
  g.schedule = {{0.0, 20.0, GateWindow::Mode::Closed, 0.0}, {20.0, 1e6, GateWindow::Mode::Open, 0.0}};
  Simulation sim(gated_corridor(40, 0, g), {.threads = 2});
  run_to(sim, 20.0);
  GateStats st = sim.gate_stats().at(0);
  EXPECT_EQ(st.crossings_in, 0);
  EXPECT_EQ(st.forced_crossings, 0);
  EXPECT_GE(st.max_queue_persons, 20);
  for (const Vec2 p : sim.agents().position) EXPECT_LT(p.x, 20.0);
  run_to(sim, 60.0);
  st = sim.gate_stats().at(0);
  EXPECT_EQ(st.crossings_in, 40);
  EXPECT_EQ(st.forced_crossings, 0);
  EXPECT_GT(st.mean_wait_s, 1.0);
}

TEST(Gates, DirectionInDoesNotMeterPeopleCrossingTheOtherWay) {
  // The gate meters eastbound ("in") people at 6 persons/min; westbound people cross freely.
  Simulation sim(gated_corridor(0, 30, metered(6.0)), {.threads = 2});
  run_to(sim, 40.0);
  const GateStats st = sim.gate_stats().at(0);
  EXPECT_EQ(st.crossings_out, 30);
  EXPECT_EQ(st.crossings_in, 0);
  EXPECT_EQ(st.permits, 0);
  EXPECT_EQ(st.max_queue_persons, 0);
  EXPECT_EQ(st.forced_crossings, 0);

  // The same people are held when the gate meters "out".
  Simulation held(gated_corridor(0, 30, metered(6.0, Gate::Direction::Out)), {.threads = 2});
  run_to(held, 40.0);
  EXPECT_LE(held.gate_stats().at(0).crossings_out, 1 + 4);  // 1 stored token + 6/min × 40 s
  EXPECT_EQ(held.gate_stats().at(0).forced_crossings, 0);
}

TEST(Gates, ResultsDoNotDependOnThreadCount) {
  std::uint64_t hashes[2] = {};
  std::int64_t crossings[2] = {};
  for (int threads : {1, 2}) {
    Simulation sim(gated_corridor(60, 20, metered(30.0, Gate::Direction::Both)), {.threads = threads});
    run_to(sim, 30.0);
    hashes[threads - 1] = hash_positions(sim);
    crossings[threads - 1] = sim.gate_stats().at(0).crossings_in + sim.gate_stats().at(0).crossings_out;
  }
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_EQ(crossings[0], crossings[1]);
  EXPECT_GT(crossings[0], 0);
}

TEST(Gates, CheckpointWithGateResumesBitIdentically) {
  const Scenario sc = gated_corridor(60, 0, metered(30.0));
  Simulation full(sc, {.threads = 2});
  run_to(full, 15.0);
  std::stringstream saved;
  full.save(saved);
  run_to(full, 35.0);

  Simulation resumed(sc, {.threads = 1});
  resumed.restore(saved);
  EXPECT_DOUBLE_EQ(resumed.time_s(), 15.0);
  run_to(resumed, 35.0);
  ASSERT_EQ(full.agents().size(), resumed.agents().size());
  for (std::size_t i = 0; i < full.agents().size(); ++i) {
    EXPECT_EQ(full.agents().id[i], resumed.agents().id[i]);
    EXPECT_TRUE(full.agents().position[i] == resumed.agents().position[i]);
    EXPECT_TRUE(full.agents().velocity[i] == resumed.agents().velocity[i]);
  }
  const GateStats a = full.gate_stats().at(0), b = resumed.gate_stats().at(0);
  EXPECT_EQ(a.crossings_in, b.crossings_in);
  EXPECT_EQ(a.permits, b.permits);
  EXPECT_EQ(a.max_queue_persons, b.max_queue_persons);
  EXPECT_EQ(a.total_wait_person_s, b.total_wait_person_s);
}

TEST(Gates, InvalidGatesAreRefusedWithFieldNames) {
  Scenario sc = gated_corridor(10, 0, metered(30.0));
  sc.gates[0].line = {{20, 2}, {20, 2}};
  sc.gates.push_back(metered(0.0));
  sc.gates[1].line = {{50, 0}, {50, 4}};
  try {
    Simulation sim(sc);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_TRUE(has_field(e, "gates[0].line")) << e.what();
    EXPECT_TRUE(has_field(e, "gates[1].line")) << e.what();  // outside the walkable area
    EXPECT_TRUE(has_field(e, "gates[1].rate_persons_per_min")) << e.what();
  }
}

TEST(GateReader, ReadsGatesWithScheduleAndDirection) {
  const Scenario sc = parse_scenario(kHead + R"(gates:
  - name: turnstile
    line: [[20, 4], [20, 0]]
    direction: in
    rate_persons_per_min: 30
    schedule:
      - {begin_s: 0, end_s: 60, mode: closed}
      - {begin_s: 60, end_s: 120, mode: metered, rate_persons_per_min: 12}
)", "gates.yaml");
  ASSERT_EQ(sc.gates.size(), 1u);
  const Gate& g = sc.gates[0];
  EXPECT_EQ(g.name, "turnstile");
  EXPECT_EQ(g.direction, Gate::Direction::In);
  EXPECT_DOUBLE_EQ(g.rate_persons_per_min, 30.0);
  EXPECT_DOUBLE_EQ(g.line.a.x, 20.0);
  EXPECT_DOUBLE_EQ(g.line.b.y, 0.0);
  ASSERT_EQ(g.schedule.size(), 2u);
  EXPECT_EQ(g.schedule[0].mode, GateWindow::Mode::Closed);
  EXPECT_EQ(g.schedule[1].mode, GateWindow::Mode::Metered);
  EXPECT_DOUBLE_EQ(g.schedule[1].rate_persons_per_min, 12.0);
}

TEST(GateReader, ReportsBadGatesWithFileLineAndField) {
  const InputError e = parse_error(kHead + R"(gates:
  - name: flat
    line: [[20, 1], [20, 1]]
    rate_persons_per_min: 30
  - name: overlapping
    line: [[25, 4], [25, 0]]
    schedule:
      - {begin_s: 0, end_s: 60, mode: closed}
      - {begin_s: 30, end_s: 90, mode: open}
  - name: no-rate
    line: [[30, 4], [30, 0]]
    schedule:
      - {begin_s: 0, end_s: 60, mode: metered}
  - name: nothing
    line: [[32, 4], [32, 0]]
    direction: sideways
  - name: outside
    line: [[50, 4], [50, 0]]
    rate_persons_per_min: 10
)");
  EXPECT_TRUE(has_field(e, "gates[0].line")) << e.what();
  EXPECT_TRUE(has_field(e, "gates[1].schedule[1].begin_s")) << e.what();
  EXPECT_TRUE(has_field(e, "gates[2].schedule[0].rate_persons_per_min")) << e.what();
  EXPECT_TRUE(has_field(e, "gates[3].direction")) << e.what();
  EXPECT_TRUE(has_field(e, "gates[3].rate_persons_per_min")) << e.what();
  EXPECT_TRUE(has_field(e, "gates[4].line")) << e.what();
  const std::string text = e.what();
  EXPECT_NE(text.find("gates.yaml:14:11: gates[0].line: has zero length"), std::string::npos) << text;
  EXPECT_NE(text.find("overlaps the previous window"), std::string::npos) << text;
}

TEST(GateReader, TakesTheLineFromAGateRegionOfTheVenueFile) {
  const std::string venue = R"(name: hall-gate
venue:
  file: hall.geojson
groups:
  - name: visitors
    region: entrance
    count: 20
    target: exit:door
gates:
  - name: door
    line: region:door-gate
    rate_persons_per_min: 20
  - name: typo
    line: region:door-gat
    rate_persons_per_min: 20
)";
  const std::filesystem::path file = CROWDSAFE_SOURCE_DIR "/scenarios/venues/hall-gate.yaml";
  const InputError e = [&] {
    try {
      parse_scenario(venue, file);
    } catch (const InputError& err) {
      return err;
    }
    return InputError({}, "", "none");
  }();
  ASSERT_EQ(e.problems().size(), 1u) << e.what();
  EXPECT_EQ(e.problems()[0].field, "gates[1].line") << e.what();
  EXPECT_NE(std::string(e.what()).find("door-gate"), std::string::npos) << "suggests the close name: " << e.what();

  const std::string good = venue.substr(0, venue.find("  - name: typo"));
  const Scenario sc = parse_scenario(good, file);
  ASSERT_EQ(sc.gates.size(), 1u);
  EXPECT_EQ(sc.gates[0].line.a, (Vec2{30, 9.4}));
  EXPECT_EQ(sc.gates[0].line.b, (Vec2{30, 10.6}));
}
