#pragma once
// Small helpers shared by the validation tests: run a scene and collect what it measures.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

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
inline std::uint64_t hash_state(const Simulation& sim) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  const auto& a = sim.agents();
  for (std::size_t i = 0; i < a.size(); ++i) {
    mix(&a.id[i].value, sizeof a.id[i].value);
    mix(&a.position[i], sizeof(Vec2));
    mix(&a.velocity[i], sizeof(Vec2));
  }
  return h;
}

}  // namespace crowdsafe::test
