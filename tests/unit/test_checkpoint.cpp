#include <gtest/gtest.h>

#include <sstream>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/simulation.hpp"
#include "support/run_helpers.hpp"

using namespace crowdsafe;

namespace {
Scenario with_arrivals() { return test::with_late_arrivals(scenes::counterflow_rooms(60, 40, 4), 20.0, 3.0); }

bool same_state(const Simulation& a, const Simulation& b) {
  return a.records().size() == b.records().size() && a.time_s() == b.time_s() && test::hash_state(a) == test::hash_state(b);
}
}  // namespace

TEST(Checkpoint, ResumedRunIsBitIdenticalToUninterruptedRun) {
  Simulation full(with_arrivals(), {.threads = 2});
  for (int k = 0; k < 600; ++k) full.step();
  std::stringstream saved;
  full.save(saved);
  for (int k = 0; k < 900; ++k) full.step();

  Simulation resumed(with_arrivals(), {.threads = 1});  // thread count may differ
  resumed.restore(saved);
  EXPECT_DOUBLE_EQ(resumed.time_s(), 6.0);
  for (int k = 0; k < 900; ++k) resumed.step();
  EXPECT_TRUE(same_state(full, resumed));
}

TEST(Checkpoint, TruncatedOrForeignCheckpointIsRefused) {
  Simulation sim(with_arrivals(), {.threads = 1});
  for (int k = 0; k < 50; ++k) sim.step();
  std::stringstream saved;
  sim.save(saved);
  const std::string bytes = saved.str();

  std::stringstream truncated(bytes.substr(0, bytes.size() / 2));
  Simulation a(with_arrivals(), {.threads = 1});
  EXPECT_THROW(a.restore(truncated), std::runtime_error);

  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x5a;
  std::stringstream damaged(flipped);
  EXPECT_THROW(a.restore(damaged), std::runtime_error);

  Scenario other = with_arrivals();
  other.seed = 99;
  Simulation b(other, {.threads = 1});
  std::stringstream again(bytes);
  try {
    b.restore(again);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another scenario"), std::string::npos) << e.what();
  }
}
