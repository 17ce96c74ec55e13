#pragma once
// Social force model (Helbing, Farkas & Vicsek 2000, "Simulating dynamical features of escape
// panic", Nature 407): driving term, exponential repulsion from people and walls, body
// compression k·g(r−d) and sliding friction κ·g(r−d)·Δv_t when bodies touch.

#include "crowdsafe/scenario.hpp"
#include "model.hpp"

namespace crowdsafe::detail {

class SocialForce final : public Model {
 public:
  /// `max_radius_m` is the largest body radius in the run (for the cut-off). Throws
  /// InputError for non-finite or out-of-range parameters.
  SocialForce(const SocialForceParameters& p, double max_radius_m, double max_desired_speed_m_s);
  void accelerate(const StepInput& in, std::size_t begin, std::size_t end, const StepOutput& out) const override;
  double cutoff_m() const override { return cutoff_m_; }
  double wall_reach_m() const override { return wall_reach_m_; }

  /// Centre distance beyond which the repulsion A·exp((r−d)/B) is below `tolerance` × m·v0/τ, m.
  static double bounded_cutoff_m(const SocialForceParameters& p, double max_radius_m, double desired_speed_m_s);

 private:
  /// Body compression k·g(overlap) along n plus sliding friction κ·g(overlap)·Δv_t when bodies
  /// touch; `relative_velocity` is v_other − v_i (v_other = 0 for walls). Adds the compression
  /// to `contact`, N.
  Vec2 touch(double overlap, Vec2 n, Vec2 relative_velocity, double max_damping, double& contact) const;

  SocialForceParameters p_;
  bool avx2_ = false;  ///< the pair kernel's AVX2 build runs on this CPU (same results as the other)
  double cutoff_m_ = 0.0;
  double wall_reach_m_ = 0.0;
};

}  // namespace crowdsafe::detail
