#include "social_force.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace crowdsafe::detail {

namespace {

void check(ProblemList& problems, const std::string& field, double value, double lo, double hi, const char* unit) {
  if (!std::isfinite(value) || value < lo || value > hi)
    problems.add({}, "model." + field,
                 "= " + std::to_string(value) + ": must be a finite number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "] " + unit);
}

}  // namespace

double SocialForce::bounded_cutoff_m(const SocialForceParameters& p, double max_radius_m, double desired_speed_m_s) {
  const double drive_N = p.mass_kg * desired_speed_m_s / p.relaxation_time_s;
  const double reach = p.agent_range_m * std::log(std::max(1.0, p.agent_strength_N / (p.cutoff_tolerance * drive_N)));
  return 2.0 * max_radius_m + reach;
}

SocialForce::SocialForce(const SocialForceParameters& p, double max_radius_m, double max_desired_speed_m_s) : p_(p) {
  ProblemList problems;
  check(problems, "mass_kg", p.mass_kg, 1.0, 500.0, "kg");
  check(problems, "relaxation_time_s", p.relaxation_time_s, 0.01, 10.0, "s");
  check(problems, "agent_strength_N", p.agent_strength_N, 0.0, 1e6, "N");
  check(problems, "agent_range_m", p.agent_range_m, 1e-3, 10.0, "m");
  check(problems, "wall_strength_N", p.wall_strength_N, 0.0, 1e6, "N");
  check(problems, "wall_range_m", p.wall_range_m, 1e-3, 10.0, "m");
  check(problems, "body_stiffness_kg_s2", p.body_stiffness_kg_s2, 0.0, 1e8, "kg/s²");
  check(problems, "friction_kg_m_s", p.friction_kg_m_s, 0.0, 1e8, "kg/(m·s)");
  check(problems, "anisotropy", p.anisotropy, 0.0, 1.0, "");
  check(problems, "time_headway_s", p.time_headway_s, 0.0, 5.0, "s");
  check(problems, "keep_right", p.keep_right, -2.0, 2.0, "");
  check(problems, "push_fraction", p.push_fraction, 0.0, 1.0, "");
  check(problems, "headway_lateral_factor", p.headway_lateral_factor, 0.0, 2.0, "");
  check(problems, "cutoff_m", p.cutoff_m, 0.0, 50.0, "m");
  check(problems, "cutoff_tolerance", p.cutoff_tolerance, 1e-9, 0.5, "");
  check(problems, "max_speed_factor", p.max_speed_factor, 1.0, 5.0, "");
  problems.throw_if_any();

  // Derive the cut-off from the force it may neglect; the headway rule must also see the person
  // ahead at the largest gap it can act on.
  const double v_ref = 1.34;
  const double bounded = bounded_cutoff_m(p, max_radius_m, v_ref);
  const double headway = 2.0 * max_radius_m + p.time_headway_s * max_desired_speed_m_s;
  cutoff_m_ = p.cutoff_m > 0.0 ? p.cutoff_m : std::max(bounded, headway);
  const double drive_N = p.mass_kg * v_ref / p.relaxation_time_s;
  wall_reach_m_ = max_radius_m +
                  p.wall_range_m * std::log(std::max(1.0, p.wall_strength_N / (p.cutoff_tolerance * drive_N)));
  if (p.cutoff_m > 0.0) wall_reach_m_ = std::max(wall_reach_m_, p.cutoff_m - max_radius_m);
}

Vec2 SocialForce::touch(double overlap, Vec2 n, Vec2 relative_velocity, double max_damping, double& contact) const {
  const double body = p_.body_stiffness_kg_s2 * overlap;
  contact += body;
  const Vec2 t = perp(n);
  const double damping = std::min(p_.friction_kg_m_s * overlap, max_damping);
  return n * body + t * (damping * dot(relative_velocity, t));
}

void SocialForce::accelerate(const StepInput& in, std::span<const std::uint32_t> slots, const StepOutput& out) const {
  const NeighborGrid& grid = *in.neighbors;
  const auto npos = grid.position();
  const auto nvel = grid.velocity();
  const auto nrad = grid.radius();
  const auto nslot = grid.slot();
  const double cut2 = cutoff_m_ * cutoff_m_;
  const double inv_b = 1.0 / p_.agent_range_m;
  const double inv_bw = 1.0 / p_.wall_range_m;
  const double lambda = p_.anisotropy;
  // Sliding friction is a stiff damper; clamping its coefficient so one step can at most cancel
  // the tangential relative velocity keeps the explicit integrator stable at any overlap.
  const double max_pair_damping = p_.mass_kg / (2.0 * in.time_step_s);
  const double max_wall_damping = p_.mass_kg / in.time_step_s;
  const bool headway = p_.time_headway_s > 0.0;

  for (const std::uint32_t i : slots) {
    const Vec2 xi = in.position[i];
    const Vec2 vi = in.velocity[i];
    const double ri = in.radius[i];
    const Vec2 e = in.desired_direction[i];
    Vec2 force;
    double contact = 0.0;
    double closest = 1.0;
    double gap_ahead = std::numeric_limits<double>::infinity();

    grid.for_each_near(xi, [&](std::uint32_t j) {
      if (nslot[j] == i) return;
      Vec2 rel = xi - npos[j];
      double d2 = norm2(rel);
      if (d2 > cut2) return;
      if (d2 < 1e-18) {
        // Coincident centres: separate along x in slot order, deterministically.
        rel = {i < nslot[j] ? -1e-9 : 1e-9, 0.0};
        d2 = 1e-18;
      }
      const double d = std::sqrt(d2);
      const Vec2 n = rel / d;
      const double rij = ri + nrad[j];
      const double overlap = rij - d;
      closest = std::min(closest, d / rij);
      double f = p_.agent_strength_N * std::exp(overlap * inv_b);
      if (lambda < 1.0) f *= lambda + (1.0 - lambda) * 0.5 * (1.0 - dot(n, e));
      if (overlap > 0.0) force += touch(overlap, n, nvel[j] - vi, max_pair_damping, contact);
      force += n * f;
      if (headway) {
        // Someone ahead near my line of travel limits how fast I want to go.
        const double along = -dot(rel, e);
        if (along > 0.0 && std::abs(cross(e, rel)) < p_.headway_lateral_factor * rij) gap_ahead = std::min(gap_ahead, d - rij);
      }
    });

    // Walls: each nearby segment pushes once; a vertex shared by two segments counts once.
    std::array<Vec2, 16> seen{};
    std::size_t nseen = 0;
    for (const Segment& s : in.walls->near(xi)) {
      const Vec2 q = closest_point(s, xi);
      const Vec2 rel = xi - q;
      const double d = norm(rel);
      if (d > wall_reach_m_ || d < 1e-12) continue;
      bool dup = false;
      for (std::size_t k = 0; k < nseen; ++k) dup |= norm2(seen[k] - q) < 1e-18;
      if (dup) continue;
      if (nseen < seen.size()) seen[nseen++] = q;
      const Vec2 n = rel / d;
      const double overlap = ri - d;
      closest = std::min(closest, d / ri);
      double f = p_.wall_strength_N * std::exp(overlap * inv_bw);
      if (overlap > 0.0) force += touch(overlap, n, -vi, max_wall_damping, contact);
      force += n * f;
    }

    double v0 = in.desired_speed[i];
    if (headway && v0 > 0.0) v0 = std::min(v0, std::max(p_.push_fraction * v0, gap_ahead / p_.time_headway_s));
    force += (e * v0 - vi) * (p_.mass_kg / p_.relaxation_time_s);
    out.acceleration[i] = force / p_.mass_kg;
    out.contact_force_N[i] = contact;
    out.closest_ratio[i] = closest;
  }
}

}  // namespace crowdsafe::detail
