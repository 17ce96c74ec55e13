// Full-step throughput in the standard corridor (issue "Engine"/"Performance"): 10 m wide,
// agents on a lattice at 1 person/m² (or 2), at rest, desired speed 1.34 m/s, dt 0.01 s.
// Reports agent-updates per second; thread count is the second argument.
//
// ForceLaw* benchmarks run the force law of Helbing, Farkas & Vicsek 2000 alone, the physics of
// other tools' social force models (JuPedSim's among them): the comparison at equal physics.
// Model* benchmarks run crowdsafe's full model, whose walking rules (time headway, passing
// people who stand, keeping right; docs/model.md) cost extra per pair.
#include <benchmark/benchmark.h>

#include <optional>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"

using namespace crowdsafe;

namespace {

// The corridor is long enough that nobody reaches the exit within kStepsPerRun steps (the
// front row starts 50 m from it); the state is rebuilt from the scenario after that many steps
// so every timed step sees the same crowd.
constexpr int kStepsPerRun = 1500;
constexpr int kWarmupSteps = 20;

void run_corridor(benchmark::State& state, double cutoff_m, bool pillars, bool force_law_only) {
  const auto n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const double density = static_cast<double>(state.range(2));
  Scenario sc = scenes::bench_corridor(n, density, cutoff_m, pillars);
  if (force_law_only) scenes::use_force_law_only(sc.model);
  std::optional<Simulation> sim;
  auto restart = [&] {
    sim.emplace(sc, SimulationOptions{.threads = threads});
    for (int k = 0; k < kWarmupSteps; ++k) sim->step();  // caches, first neighbour build
  };
  restart();
  std::int64_t updates = 0;
  for (auto _ : state) {
    if (sim->step_count() >= kStepsPerRun) {
      state.PauseTiming();
      restart();
      state.ResumeTiming();
    }
    const std::int64_t before = sim->agent_updates();
    sim->step();
    updates += sim->agent_updates() - before;
  }
  state.SetItemsProcessed(updates);
  state.counters["agent_updates_per_s"] = benchmark::Counter(static_cast<double>(updates), benchmark::Counter::kIsRate);
  state.counters["cutoff_m"] = sim->cutoff_m();
  state.counters["agents"] = static_cast<double>(sim->agents().size());
}

void BM_ForceLaw2_5m(benchmark::State& state) { run_corridor(state, 2.5, false, true); }
void BM_ForceLawBounded(benchmark::State& state) { run_corridor(state, 0.0, false, true); }
void BM_ForceLawPillars(benchmark::State& state) { run_corridor(state, 2.5, true, true); }
void BM_Model2_5m(benchmark::State& state) { run_corridor(state, 2.5, false, false); }
void BM_ModelBounded(benchmark::State& state) { run_corridor(state, 0.0, false, false); }
void BM_ModelPillars(benchmark::State& state) { run_corridor(state, 2.5, true, false); }

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {1000, 10000, 100000})
    for (std::int64_t t : {1, 2}) b->Args({n, t, 1});
  b->Args({10000, 1, 2})->Args({10000, 2, 2});
  b->ArgNames({"agents", "threads", "density"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

void pillar_sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {1000, 10000})
    for (std::int64_t t : {1, 2}) b->Args({n, t, 1});
  b->ArgNames({"agents", "threads", "density"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

void model_sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t t : {1, 2}) b->Args({10000, t, 1});
  b->Args({10000, 2, 2})->Args({100000, 2, 1});
  b->ArgNames({"agents", "threads", "density"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_ForceLaw2_5m)->Apply(sizes);
BENCHMARK(BM_ForceLawBounded)->Apply(sizes);
BENCHMARK(BM_ForceLawPillars)->Apply(pillar_sizes);
BENCHMARK(BM_Model2_5m)->Apply(model_sizes);
BENCHMARK(BM_ModelBounded)->Apply(model_sizes);
BENCHMARK(BM_ModelPillars)->Apply(pillar_sizes);

BENCHMARK_MAIN();
