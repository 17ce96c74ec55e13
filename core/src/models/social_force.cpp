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
  check(problems, "file_headway_s", p.file_headway_s, 0.0, 5.0, "s");
  check(problems, "overtake", p.overtake, 0.0, 2.0, "");
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

// Lateral offset from the person ahead, as a fraction of the contact distance, that lets
// people walk staggered behind them (shoulders overlapping), as they do through bottlenecks.
constexpr double kStagger = 0.3;

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
  const bool overtake = p_.overtake > 0.0;
  // Side people pass on when the one in their way stands exactly in line: the one away from the
  // side they keep to (left where people keep right).
  const double default_side = p_.keep_right < 0.0 ? -1.0 : 1.0;

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
    // Lateral offset (+ = left), contact distance and distance along e of the person ahead.
    double leader_left = 0.0, leader_rij = 0.0, leader_along = 0.0;
    // The nearest person in my path (centre within r_ij of my line) who walks my way or stands:
    // gap, lateral offset (+ = to my left), speed along e, contact distance, standing still.
    double obs_gap = inf, obs_left = 0.0, obs_speed = 0.0, obs_rij = 0.0, obs_along = 0.0;
    bool obs_standing = false;
    // Nearest distance along e of anybody beside my path, to my left and to my right (a band
    // 2 r_ij wide from my line): whoever is there blocks passing on that side (-inf: somebody
    // coming the other way is in it). Nobody passes while somebody ahead comes the other way:
    // as on a road, one overtakes only with the oncoming lane clear.
    double beside_left = inf, beside_right = inf;
    bool oncoming = false;

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
        const double side = e.x * dy - e.y * dx;  // > 0: j is to my right
        const bool ahead = (along > 0.0) & (std::abs(side) < lateral * rij);
        const double gap = d - rij;
        if (ahead && gap < gap_ahead) leader_left = -side, leader_rij = rij, leader_along = along;
        gap_ahead = std::min(gap_ahead, select(ahead, gap, inf));
        if (overtake) {
          // In my path, walking my way or standing (oncoming people are the keep-right rule's).
          const std::uint32_t sj = gslot[j];
          const bool with_me = in.desired_speed[sj] <= 0.0 || dot(in.desired_direction[sj], e) > 0.0;
          if ((along > 0.0) & (std::abs(side) < rij) & with_me & (gap < obs_gap)) {
            obs_gap = gap, obs_left = -side, obs_rij = rij, obs_along = along;
            obs_speed = gvx[j] * e.x + gvy[j] * e.y;
            // Only people who stand on purpose (waiting to start, arrived) are walked round, not
            // a queue held at a gate.
            obs_standing = !in.standing.empty() && in.standing[sj] != 0;
          }
          // Somebody coming the other way in that band blocks it however far ahead they are.
          const double at = with_me ? along : -inf;
          oncoming |= !with_me && along > 0.0;
          if ((along > -rij) & (side < 0.0) & (side > -2.0 * rij)) beside_left = std::min(beside_left, at);
          if ((along > -rij) & (side > 0.0) & (side < 2.0 * rij)) beside_right = std::min(beside_right, at);
        }
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
    // Room beside the person ahead. Walking staggered behind them (the zipper of bottlenecks)
    // needs my centre kStagger contact distances to the side of theirs and my radius from the
    // wall; where the walls leave that room on neither side, beside me and beside them (a
    // narrow corridor, not a door I am passing through), people walk in file and keep the
    // single-file headway. Passing an obstacle needs a full contact distance to its side.
    const bool has_leader = gap_ahead < inf;
    const bool has_obstacle = obs_gap < inf;
    // In file needs the walls beside me and beside the person ahead (a corridor, not a door).
    bool file_left = false, file_right = false, wall_left = false, wall_right = false;
    bool ahead_left = false, ahead_right = false;
    const Vec2 leader_at = xv + e * leader_along + perp(e) * leader_left;
    for (const Segment& s : in.walls->near(xv)) {
      const Vec2 q = closest_point(s, xv);
      const Vec2 rel = xv - q;
      const double d = norm(rel);
      if (has_leader || has_obstacle) {
        const double a = -dot(rel, e), l = -cross(e, rel);  // wall point ahead of me, to my left
        if (has_leader) {
          const double need_left = leader_left + kStagger * leader_rij + ri;
          const double need_right = -leader_left + kStagger * leader_rij + ri;
          if (a > -ri && a < ri) {
            file_left |= l > 0.0 && l < need_left;
            file_right |= l < 0.0 && -l < need_right;
          }
          const Vec2 at = closest_point(s, leader_at) - xv;
          const double al = dot(at, e), ll = cross(e, at);
          if (std::abs(al - leader_along) < ri) {
            ahead_left |= ll > 0.0 && ll < need_left;
            ahead_right |= ll < 0.0 && -ll < need_right;
          }
        }
        if (has_obstacle && a > -ri && a < obs_along + obs_rij) {
          wall_left |= l > 0.0 && l < obs_left + obs_rij + ri;
          wall_right |= l < 0.0 && -l < -obs_left + obs_rij + ri;
        }
        // A wall across the way just beyond the obstacle (a corner, a room's end): no passing
        // there; stepping aside would only wedge me into the corner.
        if (has_obstacle && a > 0.0 && a < obs_along + obs_rij + ri && std::abs(l) < obs_rij) wall_left = wall_right = true;
      }
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
    Vec2 heading = e;
    if (overtake && has_obstacle && obs_standing && v0 > 0.0 && !oncoming) {
      // Step aside to pass somebody standing in my path, on the side their centre is not, else
      // the other side, where nobody and no wall is.
      const double urgency = std::clamp(1.0 - obs_speed / v0, 0.0, 1.0);
      const double preferred = obs_left > 0.0 ? -1.0 : obs_left < 0.0 ? 1.0 : default_side;
      const double free_to = obs_along + obs_rij;
      auto free_side = [&](double side) {
        return side > 0.0 ? !wall_left && beside_left >= free_to : !wall_right && beside_right >= free_to;
      };
      const double side = free_side(preferred) ? preferred : free_side(-preferred) ? -preferred : 0.0;
      if (urgency > 0.0 && side != 0.0) heading = normalized(e + perp(e) * (side * p_.overtake * urgency));
    }
    if (headway && v0 > 0.0) {
      const bool in_file = file_left && file_right && ahead_left && ahead_right;
      const double t_head = in_file ? std::max(p_.time_headway_s, p_.file_headway_s) : p_.time_headway_s;
      v0 = std::min(v0, std::max(p_.push_fraction * v0, gap_ahead / t_head));
    }
    force += (heading * v0 - vi) * (p_.mass_kg / p_.relaxation_time_s);
    out.acceleration[i] = force / p_.mass_kg;
    out.contact_force_N[i] = contact;
    out.closest_ratio[i] = closest;
  }
}

}  // namespace crowdsafe::detail
