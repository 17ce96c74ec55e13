#pragma once
// Small helpers shared by the tests: build, run a scene and collect what it measures.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include <tbb/global_control.h>

#include "crowdsafe/geometry.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace crowdsafe::test {

/// Steps until finished() or `max_steps`, calling `each` after every step.
inline void run_until_done(Simulation& sim, std::int64_t max_steps, const std::function<void(const Simulation&)>& each = {}) {
  for (std::int64_t k = 0; k < max_steps && !sim.finished(); ++k) {
    sim.step();
    if (each) each(sim);
  }
}

/// Exit times of everybody who left, s, sorted.
inline std::vector<double> exit_times(const Simulation& sim) {
  std::vector<double> t;
  for (const auto& r : sim.records())
    if (r.exit >= 0) t.push_back(r.exit_time_s);
  std::sort(t.begin(), t.end());
  return t;
}

/// FNV-1a hash of every agent's id, position and velocity bits: equal hashes mean bit-identical
/// states (used by the determinism, checkpoint and venue-format tests).
inline std::uint64_t hash_state(const Simulation& sim) { return state_hash(sim.agents()); }

/// State hash after `steps` steps of `sc` on `threads` threads (TBB is allowed that many
/// workers even where the machine has fewer cores), for determinism checks.
inline std::uint64_t hash_after(Scenario sc, int threads, int steps) {
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  Simulation sim(std::move(sc), {.threads = threads});
  for (int k = 0; k < steps; ++k) sim.step();
  return hash_state(sim);
}

/// `sc` (scenes::counterflow_rooms) with a source of late arrivals: `rate_per_s` persons/s
/// from 0 to `until_s` s in the square (2, 2)–(8, 8) m, heading for exit "right". Exercises
/// spawning beside removal in the determinism, parallel-step and checkpoint tests.
inline Scenario with_late_arrivals(Scenario sc, double until_s, double rate_per_s) {
  Source src;
  src.name = "late-arrivals";
  src.area = {rectangle(2, 2, 8, 8)};
  src.schedule = {{0.0, until_s, rate_per_s}};
  src.target.kind = Target::Kind::Exit;
  src.target.name = "right";
  sc.sources.push_back(src);
  return sc;
}

}  // namespace crowdsafe::test
