// The parallel step on 1 and 2 TBB threads, small enough to run under ThreadSanitizer in CI
// (tests/sanitizers/CMakeLists.txt, docs/reliability.md). The full determinism test with 1, 2
// and 4 threads and 1,500 steps is tests/validation/test_determinism.cpp; this one checks the
// same property on fewer steps, so that TSan watches every phase of the step (neighbours,
// routing, forces in parallel, integrate, spawn and remove) while people leave and arrive. Each
// scene starts with more than 256 people: the step splits its loops into chunks of at most 256
// (kGrain in simulation.cpp), so fewer people would run on one thread and TSan would see no
// concurrency at all.

#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <cstdint>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

// test::hash_after(scene, threads, steps): the state hash after the run (support/run_helpers.hpp).
using test::hash_after;

TEST(ParallelStep, BottleneckSameOnOneAndTwoThreads) {
  const auto sc = scenes::bottleneck(1.0, 400, 7);
  EXPECT_EQ(hash_after(sc, 1, 200), hash_after(sc, 2, 200));
}

TEST(ParallelStep, SourcesAndCounterflowSameOnOneAndTwoThreads) {
  const auto sc = test::with_late_arrivals(scenes::counterflow_rooms(300, 300, 3), 3.0, 4.0);
  EXPECT_EQ(hash_after(sc, 1, 200), hash_after(sc, 2, 200));
}
