// Evacuating a room, with the scenario built in code instead of read from a YAML file.
//
// A 20 m × 15 m room has two 1.2 m wide doors: one in the middle of the east wall and one near
// the west end of the north wall. 300 adults stand in the room and each walks to the door with
// the shortest walking distance. The program runs the simulation until everybody has left (or
// the time limit is reached), then prints the evacuation-time percentiles and how many people
// used each door.
//
// Run it:  build/examples/evacuate_room

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <vector>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/geometry.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace {

// Linear-interpolation percentile of `values` (q in [0, 1]); the same rule as summary.json.
double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

crowdsafe::Scenario make_scenario() {
  using crowdsafe::Area;
  using crowdsafe::Group;
  using crowdsafe::Polygon;
  using crowdsafe::rectangle;

  crowdsafe::Scenario sc;
  sc.name = "evacuate-room";
  sc.duration_s = 300.0;       // simulated time limit, s
  sc.time_step_s = 0.01;       // integration step, s
  sc.seed = 7;                 // same seed, same result, for any thread count
  sc.stop_when_empty = true;   // end as soon as the last person has left

  // The walkable area is one polygon: the room plus a 1 m deep doorway in front of each door,
  // listed counter-clockwise in metres. The doorways make each door a real 1.2 m gap in the
  // wall, so the door width limits the flow as it does in a building.
  Polygon room;
  room.outer = {
      {0, 0},     {20, 0},                                   // south wall
      {20, 6.9},  {21, 6.9},  {21, 8.1},  {20, 8.1},         // east door, y 6.9 .. 8.1 m
      {20, 15},                                              // east wall
      {4.6, 15},  {4.6, 16},  {3.4, 16},  {3.4, 15},         // north door, x 3.4 .. 4.6 m
      {0, 15},                                               // north and west walls
  };
  sc.walkable = {room};

  // Exits: people whose centre enters one of these areas have left the room. Each fills the
  // outer half of its doorway.
  Area east;
  east.name = "east door";
  east.shape = {rectangle(20.5, 6.9, 21.0, 8.1)};
  sc.exits.push_back(east);
  Area north;
  north.name = "north door";
  north.shape = {rectangle(3.4, 15.5, 4.6, 16.0)};
  sc.exits.push_back(north);

  // 300 people on a jittered lattice in the room, at least 1 m from the walls, thinned to the
  // count by a shuffle keyed by the seed.
  // The default profile is adults (Weidmann 1993: desired speed 1.34 ± 0.26 m/s); the default
  // target is the nearest exit by walking distance.
  Group occupants;
  occupants.name = "occupants";
  occupants.area = {rectangle(1.0, 1.0, 19.0, 14.0)};
  occupants.count = 300;
  sc.groups.push_back(occupants);
  return sc;
}

}  // namespace

int main() {
  try {
    // Simulation checks the scenario (throws InputError), computes the route fields and places
    // the people. threads = 0 uses every core; the result does not depend on it.
    crowdsafe::Simulation sim(make_scenario(), {.threads = 0});
    const crowdsafe::Scenario& sc = sim.scenario();
    std::printf("%s: %zu persons, %zu exits, time step %.2f s\n", sc.name.c_str(), sim.agents().size(),
                sc.exits.size(), sc.time_step_s);

    while (!sim.finished()) sim.step();

    // Every person who ever existed has a record: exit time (s) and exit index, or -1 when
    // the person is still inside.
    std::vector<double> exit_times_s;
    std::vector<long> per_exit(sc.exits.size(), 0);
    for (const crowdsafe::AgentRecord& r : sim.records()) {
      if (r.exit < 0) continue;
      exit_times_s.push_back(r.exit_time_s);
      ++per_exit[static_cast<std::size_t>(r.exit)];
    }
    const std::size_t total = sim.records().size();
    std::printf("simulated %.2f s in %lld steps\n", sim.time_s(), static_cast<long long>(sim.step_count()));
    std::printf("evacuated %zu of %zu persons\n", exit_times_s.size(), total);
    if (exit_times_s.empty()) {
      std::printf("FAILED: nobody reached an exit\n");
      return 1;
    }

    std::printf("evacuation time, s after the start (percentiles over the persons who left):\n");
    std::printf("  P10 %6.1f s\n", percentile(exit_times_s, 0.10));
    std::printf("  P50 %6.1f s\n", percentile(exit_times_s, 0.50));
    std::printf("  P90 %6.1f s\n", percentile(exit_times_s, 0.90));
    std::printf("  P95 %6.1f s\n", percentile(exit_times_s, 0.95));
    std::printf("  max %6.1f s\n", percentile(exit_times_s, 1.00));
    std::printf("persons per exit:\n");
    for (std::size_t e = 0; e < sc.exits.size(); ++e)
      std::printf("  %-10s %4ld persons\n", sc.exits[e].name.c_str(), per_exit[e]);

    if (exit_times_s.size() != total) {
      std::printf("FAILED: %zu persons still inside after %.0f s\n", total - exit_times_s.size(), sim.time_s());
      return 1;
    }
    // The smoke test (examples/CMakeLists.txt) passes only when this line is printed.
    std::printf("OK: all %zu persons left the room in %.1f s\n", total, percentile(exit_times_s, 1.0));
    return 0;
  } catch (const crowdsafe::InputError& e) {
    std::fprintf(stderr, "invalid scenario:\n%s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  return 1;
}
