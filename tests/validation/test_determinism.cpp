// Same scenario + seed gives bit-identical positions for 1, 2 and 4 threads.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

namespace {
// Same scene, `threads` workers, `steps` steps: the state hash (support/run_helpers.hpp).
std::uint64_t run(Scenario sc, int threads, int steps) { return test::hash_after(std::move(sc), threads, steps); }
}  // namespace

TEST(Determinism, BottleneckIdenticalForOneTwoAndFourThreads) {
  const auto sc = scenes::bottleneck(1.0, 400, 7);
  const std::uint64_t h1 = run(sc, 1, 1500);
  EXPECT_EQ(h1, run(sc, 2, 1500));
  EXPECT_EQ(h1, run(sc, 4, 1500));
}

TEST(Determinism, SourcesAndCounterflowIdenticalAcrossThreads) {
  auto sc = scenes::counterflow_rooms(150, 150, 3);
  Source src;
  src.name = "late-arrivals";
  src.area = {rectangle(2, 2, 8, 8)};
  src.schedule = {{0.0, 10.0, 4.0}};
  src.target.kind = Target::Kind::Exit;
  src.target.name = "right";
  sc.sources.push_back(src);
  const std::uint64_t h1 = run(sc, 1, 1500);
  EXPECT_EQ(h1, run(sc, 2, 1500));
  EXPECT_EQ(h1, run(sc, 4, 1500));
}

TEST(Determinism, AvxAndBaselinePairKernelsGiveIdenticalResults) {
  // The force kernel has an AVX2 build and an x86-64 baseline build, picked by the CPU;
  // CROWDSAFE_SIMD=baseline forces the latter. Both must move everybody identically (with and
  // without the walking rules, and with people walking both ways).
  auto force_law = scenes::bottleneck(1.0, 300, 5);
  scenes::use_force_law_only(force_law.model);
  const auto counterflow = scenes::counterflow_rooms(100, 100, 4);
  ASSERT_EQ(std::getenv("CROWDSAFE_SIMD"), nullptr);
  const std::uint64_t a1 = run(force_law, 2, 800), a2 = run(counterflow, 2, 800);
  setenv("CROWDSAFE_SIMD", "baseline", 1);
  const std::uint64_t b1 = run(force_law, 2, 800), b2 = run(counterflow, 2, 800);
  unsetenv("CROWDSAFE_SIMD");
  EXPECT_EQ(a1, b1);
  EXPECT_EQ(a2, b2);
}

TEST(Determinism, DifferentSeedsGiveDifferentResults) {
  EXPECT_NE(run(scenes::bottleneck(1.0, 200, 1), 2, 300), run(scenes::bottleneck(1.0, 200, 2), 2, 300));
}

TEST(Determinism, OneWayRoutingIdenticalAcrossThreads) {
  // Groups with avoided areas (one-way routing) walk on route fields of their own; still the
  // same positions for any thread count, and other positions than without the routing.
  Scenario sc = read_scenario(std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios" / "planner" / "two-corridors.yaml");
  const std::uint64_t plain = run(sc, 2, 1500);
  sc.groups[0].target.avoid = {rectangle(34.5, 5.9, 35.5, 9.1)};    // eastbound: north corridor only
  sc.groups[1].target.avoid = {rectangle(34.5, 20.9, 35.5, 24.1)};  // westbound: south corridor only
  const std::uint64_t h1 = run(sc, 1, 1500);
  EXPECT_EQ(h1, run(sc, 2, 1500));
  EXPECT_EQ(h1, run(sc, 4, 1500));
  EXPECT_NE(h1, plain);
}
