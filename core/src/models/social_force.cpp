#include "social_force.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "exp.hpp"

namespace crowdsafe::detail {

namespace {

void check(ProblemList& problems, const std::string& field, double value, double lo, double hi, const char* unit) {
  if (!std::isfinite(value) || value < lo || value > hi)
    problems.add({}, "model." + field,
                 "= " + std::to_string(value) + ": must be a finite number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "] " + unit);
}

// CROWDSAFE_SIMD=baseline forces the baseline build (to compare the two, or on a machine whose
// AVX2 is unwanted); the results are the same either way.
bool cpu_has_avx2() {
  if (const char* v = std::getenv("CROWDSAFE_SIMD"); v && std::string_view(v) == "baseline") return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

}  // namespace

double SocialForce::bounded_cutoff_m(const SocialForceParameters& p, double max_radius_m, double desired_speed_m_s) {
  const double drive_N = p.mass_kg * desired_speed_m_s / p.relaxation_time_s;
  const double reach = p.agent_range_m * std::log(std::max(1.0, p.agent_strength_N / (p.cutoff_tolerance * drive_N)));
  return 2.0 * max_radius_m + reach;
}

SocialForce::SocialForce(const SocialForceParameters& p, double max_radius_m, double max_desired_speed_m_s)
    : p_(p), avx2_(cpu_has_avx2()) {
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

// Lateral offset from the person ahead, as a fraction of the contact distance, that lets
// people walk staggered behind them (shoulders overlapping), as they do through bottlenecks.
constexpr double kStagger = 0.3;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The neighbour grid's cell-ordered arrays, indexed by grid entry (see NeighborGrid).
struct GridView {
  const double *x, *y, *vx, *vy, *r;  ///< m, m/s, m
  const std::uint32_t* slot;
  explicit GridView(const NeighborGrid& grid)
      : x(grid.x().data()), y(grid.y().data()), vx(grid.vx().data()), vy(grid.vy().data()),
        r(grid.radius().data()), slot(grid.slot().data()) {}
};

// What the pair terms of one person need to know about them and the model.
struct PairContext {
  double xi, yi, vxi, vyi, ri, ex, ey;
  std::uint32_t self, slot;  ///< my grid entry and slot
  double inv_b, strength, stiffness, friction, lambda, max_damping, lateral;
  bool overtake;
  bool one_way;  ///< everybody walking walks my way (StepInput::one_way_axis)
};

constexpr std::size_t kLanes = 4;

// Neighbours are gathered in batches of up to this many (indices of those within the cut-off),
// then their pair terms computed; the batch keeps the index buffer on the stack.
constexpr std::size_t kBatch = 128;

[[gnu::always_inline]] inline Double4 splat(double v) { return Double4{} + v; }
[[gnu::always_inline]] inline Double4 select4(Int4 c, Double4 a, Double4 b) {
  return std::bit_cast<Double4>((std::bit_cast<Int4>(a) & c) | (std::bit_cast<Int4>(b) & ~c));
}
[[gnu::always_inline]] inline Double4 abs4(Double4 v) {
  return std::bit_cast<Double4>(std::bit_cast<Int4>(v) & std::numeric_limits<std::int64_t>::max());
}

// One person's pair terms so far, lane by lane (lane l holds the pairs m with m mod 4 = l):
// force sums and the nearest-so-far records the walking rules need.
struct PairSums {
  // Force sums are taken pair by pair in visiting order, as a scalar loop would: the results
  // do not depend on how pairs are grouped into lanes.
  double fx = 0.0, fy = 0.0, contact = 0.0;  ///< N
  Double4 closest = splat(1.0);   ///< smallest d / r_ij of a touching pair
  // The person ahead (headway rule) and the nearest person in my path who walks my way or
  // stands (passing rule): gap and grid entry. Entries are visited in increasing order, so the
  // lowest entry of equal gaps is the first, the one a scalar loop would keep.
  Double4 lead_gap = splat(kInf), obs_gap = splat(kInf);
  Int4 lead_entry{}, obs_entry{};
  // Nearest distance along e of anybody beside my path, to my left and to my right (a band
  // 2 r_ij wide from my line): whoever is there blocks passing on that side (−inf: somebody
  // coming the other way is in it). Nobody passes while somebody ahead comes the other way
  // (oncoming): as on a road, one overtakes only with the oncoming lane clear.
  Double4 beside_left = splat(kInf), beside_right = splat(kInf);
  Int4 oncoming{};
};

// Adds the terms of the gathered pairs near[0, n) (grid entries within the cut-off, not myself)
// to `s`, four at a time and without a branch; near[n, n + 4) must be readable entries, whose
// lanes add nothing. Lanes run the scalar formulas' operations in the same order, so any vector
// width gives the same bits.
template <bool kRules>
inline __attribute__((always_inline)) void add_pairs(const PairContext& c, const NeighborGrid& grid,
                                                     const StepInput& in, const std::uint32_t* near,
                                                     std::size_t n, PairSums& s) {
  const GridView g(grid);
  const Int4 lane = {0, 1, 2, 3};
  for (std::size_t m = 0; m < n; m += kLanes) {
    const std::uint32_t* j = near + m;
    const std::uint32_t sj[4] = {g.slot[j[0]], g.slot[j[1]], g.slot[j[2]], g.slot[j[3]]};
    const Int4 slot = {sj[0], sj[1], sj[2], sj[3]};
    const Double4 xj = {g.x[j[0]], g.x[j[1]], g.x[j[2]], g.x[j[3]]};
    const Double4 yj = {g.y[j[0]], g.y[j[1]], g.y[j[2]], g.y[j[3]]};
    Double4 dx = c.xi - xj, dy = c.yi - yj;
    Double4 d2 = dx * dx + dy * dy;
    const Int4 valid = lane < std::int64_t(n - m);
    // Coincident centres: separate along x in slot order, deterministically.
    const Int4 same = d2 < 1e-18;
    const Int4 before = std::int64_t(c.slot) < slot;
    dx = select4(same, select4(before, splat(-1e-9), splat(1e-9)), dx);
    dy = select4(same, Double4{}, dy);
    d2 = select4(same, splat(1e-18), d2);
    Double4 d;
    for (std::size_t l = 0; l < kLanes; ++l) d[l] = std::sqrt(d2[l]);
    const Double4 inv_d = 1.0 / d;
    const Double4 nx = dx * inv_d, ny = dy * inv_d;
    const Double4 rij = c.ri + Double4{g.r[j[0]], g.r[j[1]], g.r[j[2]], g.r[j[3]]};
    const Double4 overlap = rij - d;
    Double4 f = c.strength * exp_det4(overlap * c.inv_b);
    // λ = 1 makes the factor exactly 1 (isotropic).
    f *= c.lambda + (1.0 - c.lambda) * 0.5 * (1.0 - (nx * c.ex + ny * c.ey));
    f = select4(valid, f, Double4{});
    // Body compression along n, sliding friction along the tangent t = (−n_y, n_x): exactly
    // zero for bodies that do not touch.
    const Int4 touching = valid & (overlap > 0.0);
    const Double4 squeeze = select4(touching, overlap, Double4{});
    const Double4 body = c.stiffness * squeeze;
    const Double4 friction = c.friction * squeeze;
    const Double4 damping = select4(friction < c.max_damping, friction, splat(c.max_damping));
    const Double4 vxj = {g.vx[j[0]], g.vx[j[1]], g.vx[j[2]], g.vx[j[3]]};
    const Double4 vyj = {g.vy[j[0]], g.vy[j[1]], g.vy[j[2]], g.vy[j[3]]};
    const Double4 tang = damping * ((vxj - c.vxi) * -ny + (vyj - c.vyi) * nx);
    const Double4 cx = nx * body + -ny * tang, cy = ny * body + nx * tang;
    const Double4 sx = nx * f, sy = ny * f;
    const std::size_t lanes = std::min(kLanes, n - m);
    for (std::size_t l = 0; l < lanes; ++l) {
      s.fx += cx[l];
      s.fy += cy[l];
      s.contact += body[l];
      s.fx += sx[l];
      s.fy += sy[l];
    }
    const Int4 entry = {j[0], j[1], j[2], j[3]};
    // Closest approach (only bodies that touch come closer than their contact distance; the
    // division is skipped where none does, as at moderate densities nearly always).
    if (touching[0] | touching[1] | touching[2] | touching[3]) {
      const Double4 ratio = select4(touching, d / rij, splat(1.0));
      s.closest = select4(ratio < s.closest, ratio, s.closest);
    }
    if constexpr (kRules) {
      // Someone ahead near my line of travel limits how fast I want to go.
      const Double4 along = -(dx * c.ex + dy * c.ey);
      const Double4 side = c.ex * dy - c.ey * dx;  // > 0: j is to my right
      const Double4 gap = d - rij;
      const Double4 abs_side = abs4(side);
      const Int4 ahead = valid & (along > 0.0) & (abs_side < c.lateral * rij);
      const Int4 leads = ahead & (gap < s.lead_gap);
      s.lead_gap = select4(leads, gap, s.lead_gap);
      s.lead_entry = leads ? entry : s.lead_entry;
      if (c.overtake) {
        // In my path, walking my way or standing (oncoming people are the keep-right rule's).
        Int4 with_me = lane >= 0;  // all true
        if (!c.one_way)
          for (std::size_t l = 0; l < kLanes; ++l) {
            const Vec2 ej = in.desired_direction[sj[l]];
            with_me[l] = -std::int64_t(in.desired_speed[sj[l]] <= 0.0 || ej.x * c.ex + ej.y * c.ey > 0.0);
          }
        const Int4 blocks = valid & (along > 0.0) & (abs_side < rij) & with_me & (gap < s.obs_gap);
        s.obs_gap = select4(blocks, gap, s.obs_gap);
        s.obs_entry = blocks ? entry : s.obs_entry;
        // Somebody coming the other way in that band blocks it however far ahead they are.
        const Double4 reach = select4(with_me, along, splat(-kInf));
        s.oncoming |= valid & ~with_me & (along > 0.0);
        const Int4 band = valid & (along > -rij);
        const Int4 left = band & (side < 0.0) & (side > -2.0 * rij) & (reach < s.beside_left);
        const Int4 right = band & (side > 0.0) & (side < 2.0 * rij) & (reach < s.beside_right);
        s.beside_left = select4(left, reach, s.beside_left);
        s.beside_right = select4(right, reach, s.beside_right);
      }
    }
  }
}

// Where grid entry j stands from me, by the same operations as a lane of add_pairs.
struct Relative {
  double along = 0.0;  ///< distance ahead along my direction, m
  double left = 0.0;   ///< lateral offset, + = to my left, m
  double rij = 0.0;    ///< contact distance, m
  double speed = 0.0;  ///< their speed along my direction, m/s
};
Relative relative(const PairContext& c, const GridView& g, std::uint32_t j) {
  double dx = c.xi - g.x[j], dy = c.yi - g.y[j];
  if (dx * dx + dy * dy < 1e-18) dx = c.slot < g.slot[j] ? -1e-9 : 1e-9, dy = 0.0;
  return {-(dx * c.ex + dy * c.ey), -(c.ex * dy - c.ey * dx), c.ri + g.r[j], g.vx[j] * c.ex + g.vy[j] * c.ey};
}

[[gnu::always_inline]] inline Double4 load4(const double* p) {
  Double4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// All pairs of one person: the neighbours within the cut-off (not myself, nor my own ghost
// across a periodic seam) are gathered from the runs of cells around me, four candidates at a
// time without a branch on the tests (every candidate's index is written, the write position
// advances for those that pass), in batches whose terms add_pairs then adds to `s`.
template <bool kRules>
inline __attribute__((always_inline)) void add_all_pairs(const PairContext& c, const NeighborGrid& grid,
                                                         const StepInput& in, double cut2, PairSums& s) {
  const GridView g(grid);
  alignas(32) std::array<std::uint32_t, kBatch + kLanes> near;
  std::array<NeighborGrid::Run, 2 * NeighborGrid::kReach + 1> runs;
  const std::size_t nruns = grid.runs_near({c.xi, c.yi}, runs);
  const Int4 lane = {0, 1, 2, 3};
  std::size_t n = 0;
  for (std::size_t r = 0; r < nruns; ++r) {
    const std::uint32_t e = runs[r].end;
    for (std::uint32_t j = runs[r].begin; j < e; j += kLanes) {
      if (n + kLanes > kBatch) {
        for (std::size_t m = n; m < n + kLanes; ++m) near[m] = c.self;
        add_pairs<kRules>(c, grid, in, near.data(), n, s);
        n = 0;
      }
      const Double4 dx = c.xi - load4(g.x + j), dy = c.yi - load4(g.y + j);
      const Int4 slot = {g.slot[j], g.slot[j + 1], g.slot[j + 2], g.slot[j + 3]};
      const Int4 pass = (lane < std::int64_t(e - j)) & (dx * dx + dy * dy <= cut2) & (slot != std::int64_t(c.slot));
      for (std::size_t l = 0; l < kLanes; ++l) {
        near[n] = j + static_cast<std::uint32_t>(l);
        n += static_cast<std::size_t>(pass[l] & 1);
      }
    }
  }
  for (std::size_t m = n; m < n + kLanes; ++m) near[m] = c.self;
  add_pairs<kRules>(c, grid, in, near.data(), n, s);
}

// Compiled for AVX2 (four lanes in one register) and for the x86-64 baseline; the model picks
// one when it is made (SocialForce::avx2_). Both give the same bits: no FMA (-ffp-contract=off,
// and AVX2 alone does not enable it). Chosen by a plain test rather than GCC's target_clones,
// whose load-time resolver runs before the sanitizers' run-time is up (TSan crashed in it).
using AddAllPairs = void (*)(const PairContext&, const NeighborGrid&, const StepInput&, double, PairSums&);
__attribute__((target("avx2"))) void pairs_with_rules_avx2(const PairContext& c, const NeighborGrid& grid,
                                                            const StepInput& in, double cut2, PairSums& s) {
  add_all_pairs<true>(c, grid, in, cut2, s);
}
__attribute__((target("avx2"))) void pairs_force_only_avx2(const PairContext& c, const NeighborGrid& grid,
                                                             const StepInput& in, double cut2, PairSums& s) {
  add_all_pairs<false>(c, grid, in, cut2, s);
}
void pairs_with_rules(const PairContext& c, const NeighborGrid& grid, const StepInput& in, double cut2,
                      PairSums& s) {
  add_all_pairs<true>(c, grid, in, cut2, s);
}
void pairs_force_only(const PairContext& c, const NeighborGrid& grid, const StepInput& in, double cut2,
                      PairSums& s) {
  add_all_pairs<false>(c, grid, in, cut2, s);
}

// Lane holding the smallest key, the earliest visited of equal keys (each lane holds the first
// of its own equal keys): the one a scalar loop keeping the first strict minimum finds.
inline std::size_t argmin_lane(Double4 key, Int4 at) {
  std::size_t best = 0;
  for (std::size_t l = 1; l < kLanes; ++l)
    if (key[l] < key[best] || (key[l] == key[best] && at[l] < at[best])) best = l;
  return best;
}
inline double min_lanes(Double4 v) { return std::min(std::min(v[0], v[1]), std::min(v[2], v[3])); }

}  // namespace

void SocialForce::accelerate(const StepInput& in, std::size_t begin, std::size_t end, const StepOutput& out) const {
  const NeighborGrid& grid = *in.neighbors;
  const GridView g(grid);
  const auto entries = grid.agent_entries();
  const double cut2 = cutoff_m_ * cutoff_m_;
  const double inv_b = 1.0 / p_.agent_range_m;
  const double inv_bw = 1.0 / p_.wall_range_m;
  const double strength = p_.agent_strength_N;
  const double stiffness = p_.body_stiffness_kg_s2;
  const double friction = p_.friction_kg_m_s;
  const double lambda = p_.anisotropy;
  const double lateral = p_.headway_lateral_factor;
  // Sliding friction is a stiff damper; clamping its coefficient so one step can at most cancel
  // the tangential relative velocity keeps the explicit integrator stable at any overlap.
  const double max_pair_damping = p_.mass_kg / (2.0 * in.time_step_s);
  const double max_wall_damping = p_.mass_kg / in.time_step_s;
  const bool headway = p_.time_headway_s > 0.0;
  const bool overtake = p_.overtake > 0.0;
  // Side people pass on when the one in their way stands exactly in line: the one away from the
  // side they keep to (left where people keep right).
  const double default_side = p_.keep_right < 0.0 ? -1.0 : 1.0;

  const AddAllPairs add_all_pairs = (headway || overtake) ? (avx2_ ? pairs_with_rules_avx2 : pairs_with_rules)
                                                           : (avx2_ ? pairs_force_only_avx2 : pairs_force_only);
  for (std::size_t k = begin; k < end; ++k) {
    const std::uint32_t self = entries[k];
    const std::uint32_t i = g.slot[self];
    const double xi = g.x[self], yi = g.y[self];
    const double vxi = g.vx[self], vyi = g.vy[self];
    const double ri = g.r[self];
    const Vec2 e = in.desired_direction[i];
    const PairContext ctx{xi,       yi,        vxi,      vyi,    ri,
                          e.x,      e.y,       self,     i,      inv_b,
                          strength, stiffness, friction, lambda, max_pair_damping,
                          lateral,  overtake,  dot(e, in.one_way_axis) > in.one_way_min_dot};
    PairSums sums;
    add_all_pairs(ctx, grid, in, cut2, sums);

    // Lanes combined: the same values a pair-by-pair loop finds.
    const double fx = sums.fx, fy = sums.fy;
    double contact = sums.contact;
    double closest = min_lanes(sums.closest);
    const std::size_t lead = argmin_lane(sums.lead_gap, sums.lead_entry);
    const double lead_gap = sums.lead_gap[lead];
    const Relative leader =
        lead_gap < kInf ? relative(ctx, g, static_cast<std::uint32_t>(sums.lead_entry[lead])) : Relative{};
    const double gap_ahead = headway ? lead_gap : kInf;
    const double leader_left = leader.left, leader_rij = leader.rij, leader_along = leader.along;
    const std::size_t ob = argmin_lane(sums.obs_gap, sums.obs_entry);
    const double obs_gap = sums.obs_gap[ob];
    const auto obs_j = static_cast<std::uint32_t>(sums.obs_entry[ob]);
    const Relative obstacle = obs_gap < kInf ? relative(ctx, g, obs_j) : Relative{};
    const double obs_left = obstacle.left, obs_rij = obstacle.rij, obs_along = obstacle.along;
    const double obs_speed = obstacle.speed;
    // Only people who stand on purpose (waiting to start, arrived) are walked round, not a queue
    // held at a gate.
    const bool obs_standing = obs_gap < kInf && !in.standing.empty() && in.standing[g.slot[obs_j]] != 0;
    const double beside_left = min_lanes(sums.beside_left), beside_right = min_lanes(sums.beside_right);
    const bool oncoming = (sums.oncoming[0] | sums.oncoming[1] | sums.oncoming[2] | sums.oncoming[3]) != 0;

    // Walls: each nearby segment pushes once; a vertex shared by two segments counts once.
    const Vec2 xv{xi, yi}, vi{vxi, vyi};
    Vec2 force{fx, fy};
    std::array<Vec2, 16> seen;  // the first nseen are set
    std::size_t nseen = 0;
    // Room beside the person ahead. Walking staggered behind them (the zipper of bottlenecks)
    // needs my centre kStagger contact distances to the side of theirs and my radius from the
    // wall; where the walls leave that room on neither side, beside me and beside them (a
    // narrow corridor, not a door I am passing through), people walk in file and keep the
    // single-file headway. Passing an obstacle needs a full contact distance to its side.
    const bool has_leader = gap_ahead < kInf;
    const bool has_obstacle = obs_gap < kInf;
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
