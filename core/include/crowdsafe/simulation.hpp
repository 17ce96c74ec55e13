#pragma once
/// @file simulation.hpp
/// The step loop. A Simulation owns a constant Scenario and the mutable agent state; step()
/// advances time by one time step through named phases:
///   neighbours -> routing -> forces (parallel) -> integrate + checks (parallel)
///   -> leave + spawn (serial, id order).
/// Gates (Scenario::gates), where there are any, hand out permits and hold people without one
/// in the routing phase, push them back from the line in the forces phase and count crossings
/// after integration (docs/model.md, "Gates").

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "crowdsafe/agents.hpp"
#include "crowdsafe/scenario.hpp"

namespace crowdsafe {

/// How to run (never changes results).
struct SimulationOptions {
  int threads = 0;  ///< worker threads; 0 = all cores
};

/// Wall time spent in each phase since construction, s.
struct PhaseTimes {
  static constexpr std::array<const char*, 5> kNames{"neighbours", "routing", "forces", "integrate", "spawn"};
  std::array<double, 5> seconds{};
};

/// Counts and queue figures of one gate since the start (docs/model.md, "Gates").
struct GateStats {
  std::string name;
  std::int64_t crossings_in = 0;       ///< centre crossings from the right to the left of the line, persons
  std::int64_t crossings_out = 0;      ///< centre crossings from the left to the right, persons
  /// Crossings in a controlled direction by people without a permit (pushed through), persons.
  std::int64_t forced_crossings = 0;
  /// Most people queueing at once, persons: people without a permit whose route crosses the
  /// line in a controlled direction, at most 5 m upstream of it, walking slower than 0.2 m/s.
  std::int64_t max_queue_persons = 0;
  std::int64_t permits = 0;            ///< permits granted so far, persons
  /// Σ over people of the time from being held (within 3 m upstream, no permit) until their
  /// permit, person·s; people still waiting count with their wait so far.
  double total_wait_person_s = 0.0;
  double mean_wait_s = 0.0;            ///< total_wait_person_s / people held or granted, s
  double max_wait_s = 0.0;             ///< longest single wait, s
};

class Simulation {
 public:
  /// Prepares navigation fields and places the initial groups. Throws InputError for invalid
  /// parameters, groups or sources outside the walkable area, and unreachable targets.
  explicit Simulation(Scenario scenario, SimulationOptions options = {});
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  /// Advances by one time step. Throws SimulationError naming agent, step and time when the
  /// state becomes non-finite or an agent crosses a wall.
  void step();
  /// True once duration_s is reached, or (stop_when_empty) nobody is left and nobody will come.
  bool finished() const;

  /// Simulated time, s.
  double time_s() const;
  /// Number of completed steps.
  std::int64_t step_count() const;
  /// Sum over steps of the agents present in that step (agent-updates).
  std::int64_t agent_updates() const;
  /// Current agents (structure-of-arrays, slot order = id order).
  const AgentState& agents() const;
  /// One record per agent that ever existed, indexed by AgentId value.
  const std::vector<AgentRecord>& records() const;
  const Scenario& scenario() const;
  /// Neighbour cut-off in use, m.
  double cutoff_m() const;
  PhaseTimes phase_times() const;
  /// Agents stalled now: walking (not waiting, not arrived) yet no closer to their target by
  /// 0.5 m for Scenario::stall_time_s. Checked every 0.5 s of simulated time.
  std::vector<AgentId> stalled() const;
  /// Per-gate statistics, indexed like Scenario::gates.
  std::vector<GateStats> gate_stats() const;
  /// Group names (groups then sources), indexed like AgentRecord::group.
  std::vector<std::string> group_names() const;

  /// Writes the complete mutable state (agents, records, arrivals, step count) so that
  /// restore() on a Simulation of the same scenario continues bit-identically.
  void save(std::ostream& out) const;
  /// Replaces the state with a saved one. Throws std::runtime_error when the checkpoint is
  /// damaged, truncated, or was written for another scenario or seed.
  void restore(std::istream& in);

  /// Adds an agent now; throws InputError when it is outside the walkable area, overlaps a wall
  /// or has invalid parameters.
  AgentId add_agent(const AgentDef& def);
  /// Removes an agent (recorded as not evacuated); returns false when the id is not present.
  bool remove_agent(AgentId id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crowdsafe
