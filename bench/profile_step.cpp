// Profiling driver for the step (issue "Performance"): builds the benchmark corridor, warms up,
// then runs a fixed number of steps and prints the wall time of each phase per step and a hash
// of the final state. Meant to run under `valgrind --tool=callgrind
// --toggle-collect='crowdsafe::Simulation::step()'` (deterministic instruction counts) or
// `perf record`, and to show whether a change kept the trajectories bit-identical (same hash).
//
//   crowdsafe_profile_step [agents=10000] [density=1] [cutoff_m=2.5 (0 = bounded)] [threads=1]
//                          [steps=200] [pillars=0] [force_law_only=0]
// force_law_only = 1 turns crowdsafe's walking rules off (headway, passing, keep right): the
// Helbing, Farkas & Vicsek 2000 force law alone, as other simulators' social force models.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

namespace {

std::uint64_t hash_state(const Simulation& sim) { return state_hash(sim.agents()); }

}  // namespace

int main(int argc, char** argv) {
  auto arg = [&](int k, double fallback) { return argc > k ? std::atof(argv[k]) : fallback; };
  const auto agents = static_cast<std::int64_t>(arg(1, 10000));
  const double density = arg(2, 1.0);
  const double cutoff = arg(3, 2.5);
  const int threads = static_cast<int>(arg(4, 1));
  const int steps = static_cast<int>(arg(5, 200));
  const bool pillars = arg(6, 0) != 0.0;
  const bool force_law_only = arg(7, 0) != 0.0;

  Scenario scenario = scenes::bench_corridor(agents, density, cutoff, pillars);
  if (force_law_only) scenes::use_force_law_only(scenario.model);
  Simulation sim(scenario, SimulationOptions{.threads = threads});
  constexpr int kWarmup = 20;
  for (int k = 0; k < kWarmup; ++k) sim.step();
  const PhaseTimes before = sim.phase_times();
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < steps; ++k) sim.step();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const PhaseTimes after = sim.phase_times();

  std::printf("agents %lld, density %g persons/m², cut-off %.3f m, %d thread(s), %d steps (+%d warm-up)\n",
              static_cast<long long>(sim.agents().size()), density, sim.cutoff_m(), threads, steps, kWarmup);
  for (std::size_t p = 0; p < PhaseTimes::kNames.size(); ++p)
    std::printf("  %-10s %8.3f ms/step\n", PhaseTimes::kNames[p], 1e3 * (after.seconds[p] - before.seconds[p]) / steps);
  std::printf("  total      %8.3f ms/step, %.3f M agent-updates/s\n", 1e3 * wall / steps,
              1e-6 * static_cast<double>(sim.agents().size()) * steps / wall);
  std::printf("state hash %016llx\n", static_cast<unsigned long long>(hash_state(sim)));
  return 0;
}
