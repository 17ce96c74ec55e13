#include "social_force.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "exp.hpp"

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

namespace {

// Neighbour candidates are first gathered (indices of those within the cut-off), then their
// forces computed in a second loop; batches of this many keep the index buffer on the stack.
constexpr std::size_t kBatch = 128;

// c ? a : b without a branch (half the neighbours are ahead: a branch would be mispredicted).
inline double select(bool c, double a, double b) {
  const std::uint64_t mask = 0 - static_cast<std::uint64_t>(c);
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) | (std::bit_cast<std::uint64_t>(b) & ~mask));
}

}  // namespace

void SocialForce::accelerate(const StepInput& in, std::size_t begin, std::size_t end, const StepOutput& out) const {
  const NeighborGrid& grid = *in.neighbors;
  const double* const gx = grid.x().data();
  const double* const gy = grid.y().data();
  const double* const gvx = grid.vx().data();
  const double* const gvy = grid.vy().data();
  const double* const grad = grid.radius().data();
  const std::uint32_t* const gslot = grid.slot().data();
  const auto entries = grid.agent_entries();
  const double cut2 = cutoff_m_ * cutoff_m_;
  const double inv_b = 1.0 / p_.agent_range_m;
  const double inv_bw = 1.0 / p_.wall_range_m;
  const double strength = p_.agent_strength_N;
  const double stiffness = p_.body_stiffness_kg_s2;
  const double friction = p_.friction_kg_m_s;
  const double lambda = p_.anisotropy;
  const double lateral = p_.headway_lateral_factor;
  const double inf = std::numeric_limits<double>::infinity();
  // Sliding friction is a stiff damper; clamping its coefficient so one step can at most cancel
  // the tangential relative velocity keeps the explicit integrator stable at any overlap.
  const double max_pair_damping = p_.mass_kg / (2.0 * in.time_step_s);
  const double max_wall_damping = p_.mass_kg / in.time_step_s;
  const bool headway = p_.time_headway_s > 0.0;

  std::array<std::uint32_t, kBatch> near;
  for (std::size_t k = begin; k < end; ++k) {
    const std::uint32_t self = entries[k];
    const std::uint32_t i = gslot[self];
    const double xi = gx[self], yi = gy[self];
    const double vxi = gvx[self], vyi = gvy[self];
    const double ri = grad[self];
    const Vec2 e = in.desired_direction[i];
    double fx = 0.0, fy = 0.0;
    double contact = 0.0;
    double closest = 1.0;
    double gap_ahead = inf;

    // Forces from the gathered neighbours, summed in the order they were visited.
    auto pair_forces = [&](std::size_t n) {
      for (std::size_t m = 0; m < n; ++m) {
        const std::uint32_t j = near[m];
        if (gslot[j] == i) continue;  // myself (or my own ghost across a periodic seam)
        double dx = xi - gx[j], dy = yi - gy[j];
        double d2 = dx * dx + dy * dy;
        if (d2 < 1e-18) [[unlikely]] {
          // Coincident centres: separate along x in slot order, deterministically.
          dx = i < gslot[j] ? -1e-9 : 1e-9;
          dy = 0.0;
          d2 = 1e-18;
        }
        const double d = std::sqrt(d2);
        const double inv_d = 1.0 / d;
        const double nx = dx * inv_d, ny = dy * inv_d;
        const double rij = ri + grad[j];
        const double overlap = rij - d;
        double f = strength * exp_det(overlap * inv_b);
        if (lambda < 1.0) f *= lambda + (1.0 - lambda) * 0.5 * (1.0 - (nx * e.x + ny * e.y));
        if (overlap > 0.0) {
          // Body compression along n, sliding friction along the tangent t = (−n_y, n_x).
          const double body = stiffness * overlap;
          contact += body;
          const double damping = std::min(friction * overlap, max_pair_damping);
          const double tang = damping * ((gvx[j] - vxi) * -ny + (gvy[j] - vyi) * nx);
          fx += nx * body + -ny * tang;
          fy += ny * body + nx * tang;
          // Closest approach (only bodies that touch come closer than their contact distance).
          closest = std::min(closest, d / rij);
        }
        fx += nx * f;
        fy += ny * f;
        // Someone ahead near my line of travel limits how fast I want to go.
        const double along = -(dx * e.x + dy * e.y);
        const double side = e.x * dy - e.y * dx;
        const bool ahead = (along > 0.0) & (std::abs(side) < lateral * rij);
        gap_ahead = std::min(gap_ahead, select(ahead, d - rij, inf));
      }
    };

    // Gather the neighbours within the cut-off without branching on the distance test: every
    // candidate's index is written, and the write position advances only for those that pass.
    std::size_t n = 0;
    grid.for_each_range_near({xi, yi}, [&](std::uint32_t b, std::uint32_t en) {
      while (b < en) {
        if (n + (en - b) > kBatch && n > 0) {
          pair_forces(n);
          n = 0;
        }
        const std::uint32_t stop = std::min<std::uint32_t>(en, b + static_cast<std::uint32_t>(kBatch - n));
        for (std::uint32_t j = b; j < stop; ++j) {
          const double dx = xi - gx[j], dy = yi - gy[j];
          near[n] = j;
          n += dx * dx + dy * dy <= cut2;
        }
        b = stop;
      }
    });
    pair_forces(n);
    if (!headway) gap_ahead = inf;

    // Walls: each nearby segment pushes once; a vertex shared by two segments counts once.
    const Vec2 xv{xi, yi}, vi{vxi, vyi};
    Vec2 force{fx, fy};
    std::array<Vec2, 16> seen{};
    std::size_t nseen = 0;
    for (const Segment& s : in.walls->near(xv)) {
      const Vec2 q = closest_point(s, xv);
      const Vec2 rel = xv - q;
      const double d = norm(rel);
      if (d > wall_reach_m_ || d < 1e-12) continue;
      bool dup = false;
      for (std::size_t k2 = 0; k2 < nseen; ++k2) dup |= norm2(seen[k2] - q) < 1e-18;
      if (dup) continue;
      if (nseen < seen.size()) seen[nseen++] = q;
      const Vec2 nw = rel / d;
      const double overlap = ri - d;
      closest = std::min(closest, d / ri);
      const double f = p_.wall_strength_N * exp_det(overlap * inv_bw);
      if (overlap > 0.0) force += touch(overlap, nw, -vi, max_wall_damping, contact);
      force += nw * f;
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
