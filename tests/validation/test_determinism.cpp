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

// test::hash_after(scene, threads, steps): the state hash after the run (support/run_helpers.hpp).
using test::hash_after;

TEST(Determinism, BottleneckIdenticalForOneTwoAndFourThreads) {
  const auto sc = scenes::bottleneck(1.0, 400, 7);
  const std::uint64_t h1 = hash_after(sc, 1, 1500);
  EXPECT_EQ(h1, hash_after(sc, 2, 1500));
  EXPECT_EQ(h1, hash_after(sc, 4, 1500));
}

TEST(Determinism, SourcesAndCounterflowIdenticalAcrossThreads) {
  const auto sc = test::with_late_arrivals(scenes::counterflow_rooms(150, 150, 3), 10.0, 4.0);
  const std::uint64_t h1 = hash_after(sc, 1, 1500);
  EXPECT_EQ(h1, hash_after(sc, 2, 1500));
  EXPECT_EQ(h1, hash_after(sc, 4, 1500));
}

TEST(Determinism, AvxAndBaselinePairKernelsGiveIdenticalResults) {
  // The force kernel has an AVX2 build and an x86-64 baseline build, picked by the CPU;
  // CROWDSAFE_SIMD=baseline forces the latter. Both must move everybody identically (with and
  // without the walking rules, and with people walking both ways).
  auto force_law = scenes::bottleneck(1.0, 300, 5);
  scenes::use_force_law_only(force_law.model);
  const auto counterflow = scenes::counterflow_rooms(100, 100, 4);
  ASSERT_EQ(std::getenv("CROWDSAFE_SIMD"), nullptr);
  const std::uint64_t a1 = hash_after(force_law, 2, 800), a2 = hash_after(counterflow, 2, 800);
  setenv("CROWDSAFE_SIMD", "baseline", 1);
  const std::uint64_t b1 = hash_after(force_law, 2, 800), b2 = hash_after(counterflow, 2, 800);
  unsetenv("CROWDSAFE_SIMD");
  EXPECT_EQ(a1, b1);
  EXPECT_EQ(a2, b2);
}

TEST(Determinism, DifferentSeedsGiveDifferentResults) {
  EXPECT_NE(hash_after(scenes::bottleneck(1.0, 200, 1), 2, 300), hash_after(scenes::bottleneck(1.0, 200, 2), 2, 300));
}

TEST(Determinism, OneWayRoutingIdenticalAcrossThreads) {
  // Groups with avoided areas (one-way routing) walk on route fields of their own; still the
  // same positions for any thread count, and other positions than without the routing.
  Scenario sc = read_scenario(std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios" / "planner" / "two-corridors.yaml");
  const std::uint64_t plain = hash_after(sc, 2, 1500);
  sc.groups[0].target.avoid = {rectangle(34.5, 5.9, 35.5, 9.1)};    // eastbound: north corridor only
  sc.groups[1].target.avoid = {rectangle(34.5, 20.9, 35.5, 24.1)};  // westbound: south corridor only
  const std::uint64_t h1 = hash_after(sc, 1, 1500);
  EXPECT_EQ(h1, hash_after(sc, 2, 1500));
  EXPECT_EQ(h1, hash_after(sc, 4, 1500));
  EXPECT_NE(h1, plain);
}
