#pragma once
// The locomotion-model seam: frozen state in, accelerations out. A model writes only the output
// slots it is given and reads nothing mutable, so the step can run it in parallel blocks.

#include <cstddef>
#include <cstdint>
#include <span>

#include "../neighbor_grid.hpp"
#include "../wall_grid.hpp"
#include "crowdsafe/vec2.hpp"

namespace crowdsafe::detail {

/// Frozen per-step input shared by all agents (indexed by slot).
struct StepInput {
  std::span<const Vec2> position;            ///< m
  std::span<const Vec2> velocity;            ///< m/s
  std::span<const double> radius;            ///< m
  std::span<const double> desired_speed;     ///< m/s (0 = stand still)
  std::span<const Vec2> desired_direction;   ///< unit vectors (or zero)
  const NeighborGrid* neighbors = nullptr;
  const WallGrid* walls = nullptr;
  double time_step_s = 0.01;
  /// 1 = stands still on purpose (waiting to start, arrived), by slot; empty = nobody. People
  /// held at a gate are not standing in this sense: they queue.
  std::span<const std::uint8_t> standing;
  /// A person whose desired direction d has dot(d, one_way_axis) > one_way_min_dot walks within
  /// 88° of every walking person's desired direction (a model may skip testing that pair by
  /// pair); min_dot above 1: nobody.
  Vec2 one_way_axis;
  double one_way_min_dot = 2.0;
};

/// Per-agent outputs written by a model.
struct StepOutput {
  std::span<Vec2> acceleration;        ///< m/s²
  std::span<double> contact_force_N;   ///< magnitude of summed body compression forces, N
  /// Smallest centre distance / contact distance to any other person (or wall: distance /
  /// radius) this step; 1 or more = not touching. Lets the step refuse bodies passing through.
  std::span<double> closest_ratio;
};

class Model {
 public:
  virtual ~Model() = default;
  /// Computes outputs for the agents at positions [begin, end) of
  /// `in.neighbors->agent_entries()` (processing order) and writes them to those agents' slots.
  virtual void accelerate(const StepInput& in, std::size_t begin, std::size_t end, const StepOutput& out) const = 0;
  /// Neighbour cut-off the model needs, m.
  virtual double cutoff_m() const = 0;
  /// Distance from a wall beyond which walls exert no force, m.
  virtual double wall_reach_m() const = 0;
};

}  // namespace crowdsafe::detail
