#pragma once
/// @file agents.hpp
/// Agent state as structure-of-arrays. Slot i of every array belongs to the same agent;
/// slots are dense (0..size-1) and change when agents leave; ids never change.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "crowdsafe/ids.hpp"
#include "crowdsafe/vec2.hpp"

namespace crowdsafe {

/// Mutable per-agent state. Written by the integrate phase (position, velocity) and by the
/// forces phase (contact_force_N); spawn/remove append and compact all arrays together.
struct AgentState {
  std::vector<AgentId> id;                 ///< stable id
  std::vector<Vec2> position;              ///< m
  std::vector<Vec2> velocity;              ///< m/s
  std::vector<double> contact_force_N;     ///< |body compression force| this step, N (crush analysis)
  std::vector<double> desired_speed_m_s;   ///< v0, m/s (constant per agent)
  std::vector<double> radius_m;            ///< body radius, m (constant per agent)
  std::vector<std::int32_t> group;         ///< index into groups, then sources (constant)
  std::vector<std::int32_t> target;        ///< navigation target index (constant unless re-routed)
  std::vector<double> start_time_s;        ///< time the agent starts walking, s (premovement)
  std::vector<double> best_distance_m;     ///< shortest remaining route length seen so far, m (stall detection)
  std::vector<double> last_progress_s;     ///< time the route length last shrank by 0.5 m, s

  /// Number of agents.
  std::size_t size() const { return id.size(); }
  /// Reserves capacity in every array.
  void reserve(std::size_t n);
  /// Moves slot `from` into slot `to` in every array (used when compacting).
  void move_slot(std::size_t from, std::size_t to);
  /// Shrinks every array to n slots.
  void resize(std::size_t n);
};

/// FNV-1a hash of every agent's id, position and velocity bits, in slot order: equal hashes
/// mean bit-identical states (determinism and resume checks, benchmarks).
std::uint64_t state_hash(const AgentState& agents);

/// What is needed to create one agent.
struct AgentDef {
  Vec2 position;                 ///< m
  Vec2 velocity;                 ///< m/s
  double desired_speed_m_s = 1.34;
  double radius_m = 0.3;
  std::int32_t group = 0;
  std::int32_t target = 0;
  double start_time_s = 0.0;
};

/// Bookkeeping kept for every agent that ever existed (written to the output's agent table).
struct AgentRecord {
  AgentId id;
  std::int32_t group = 0;
  double spawn_time_s = 0.0;
  double exit_time_s = -1.0;        ///< s; negative while still inside
  std::int32_t exit = -1;           ///< index into Scenario::exits; -1 if none
  double desired_speed_m_s = 0.0;
  double radius_m = 0.0;
};

}  // namespace crowdsafe
