/// @file fields.cpp
/// Grid fields of one frame by Gaussian kernel sums (docs/analysis.md, "Fields"), the Fruin
/// level-of-service tables and crowd pressure.

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "crowdsafe/analysis.hpp"

namespace crowdsafe {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kTile = 8;  ///< tile edge in cells
constexpr double kPi = 3.14159265358979323846;
/// Kernel support: |dx|, |dy| ≤ kSupport · R (the kernel outside holds 0.2 % of its mass).
constexpr double kSupport = 2.5;

/// Accumulators per cell, interleaved for locality.
enum Acc { kW, kWvx, kWvy, kWv2, kWspeed, kMxx, kMxy, kMyy, kFwd, kBwd, kAccs };

// Lower bounds of area per person, m²/person, of levels A..E (F below E's bound).
constexpr double kWalkway[5] = {3.25, 2.3, 1.4, 0.9, 0.5};
constexpr double kQueuing[5] = {1.2, 0.9, 0.6, 0.3, 0.2};

}  // namespace

const char* los_scheme_name(LosScheme scheme) {
  return scheme == LosScheme::FruinWalkway ? "Fruin walkway" : "Fruin queuing";
}

char los_letter(LevelOfService level) { return static_cast<char>('A' + static_cast<int>(level)); }

LevelOfService level_of_service(double density, LosScheme scheme) {
  if (!(density >= 0.0) || !std::isfinite(density))
    throw std::invalid_argument("level_of_service: density = " + std::to_string(density) +
                                ": must be a finite number of persons/m² >= 0");
  if (density == 0.0) return LevelOfService::A;
  const double a = 1.0 / density;  // m²/person
  const double* bounds = scheme == LosScheme::FruinWalkway ? kWalkway : kQueuing;
  for (int level = 0; level < 4; ++level)
    if (a > bounds[level]) return static_cast<LevelOfService>(level);
  // E's lower bound: walkway E is 0.5–0.9 with F "< 0.5"; queuing F is "≤ 0.2".
  const bool e = scheme == LosScheme::FruinWalkway ? a >= bounds[4] : a > bounds[4];
  return e ? LevelOfService::E : LevelOfService::F;
}

double crowd_pressure(double density, double variance) { return density * variance; }

Vec2 FieldGrid::center(std::size_t index) const {
  const auto ix = static_cast<double>(index % static_cast<std::size_t>(nx));
  const auto iy = static_cast<double>(index / static_cast<std::size_t>(nx));
  return {origin.x + (ix + 0.5) * cell_m, origin.y + (iy + 0.5) * cell_m};
}

FieldEstimator::FieldEstimator(const std::vector<Polygon>& walkable, const AnalysisOptions& options)
    : radius_m_(options.kernel_radius_m) {
  validate(options);
  const Box box = bounds(walkable);
  if (walkable.empty() || !(box.width() > 0) || !(box.height() > 0))
    throw InputError({}, "walkable", "the walkable area is empty; the run file holds no usable wkt_geometry");
  const double h = options.cell_m;
  grid_.cell_m = h;
  grid_.origin = box.min;
  grid_.nx = std::max(1, static_cast<int>(std::ceil(box.width() / h - 1e-9)));
  grid_.ny = std::max(1, static_cast<int>(std::ceil(box.height() / h - 1e-9)));
  reach_ = static_cast<int>(std::ceil(kSupport * radius_m_ / h));
  tiles_x_ = (grid_.nx + kTile - 1) / kTile;
  tiles_y_ = (grid_.ny + kTile - 1) / kTile;

  // Walkable fraction of each cell from 4 × 4 sample points.
  walkable_fraction_.assign(grid_.size(), 0.0);
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix) {
      int inside = 0;
      for (int sy = 0; sy < 4; ++sy)
        for (int sx = 0; sx < 4; ++sx) {
          const Vec2 p{grid_.origin.x + (ix + (sx + 0.5) / 4.0) * h, grid_.origin.y + (iy + (sy + 0.5) / 4.0) * h};
          inside += contains(walkable, p) ? 1 : 0;
        }
      walkable_fraction_[static_cast<std::size_t>(iy) * grid_.nx + ix] = inside / 16.0;
    }

  // Kernel mass inside the walkable area around each cell centre (the same truncated, separable
  // kernel as the density sums), so ρ is not underestimated beside walls.
  std::vector<double> g(static_cast<std::size_t>(2 * reach_ + 1));
  for (int k = -reach_; k <= reach_; ++k) g[static_cast<std::size_t>(k + reach_)] = std::exp(-(k * h) * (k * h) / (radius_m_ * radius_m_));
  const double norm = h * h / (kPi * radius_m_ * radius_m_);
  kernel_mass_.assign(grid_.size(), 0.0);
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix) {
      const std::size_t c = static_cast<std::size_t>(iy) * grid_.nx + ix;
      if (walkable_fraction_[c] <= 0.0) continue;
      double m = 0.0;
      for (int dy = -reach_; dy <= reach_; ++dy) {
        const int jy = iy + dy;
        if (jy < 0 || jy >= grid_.ny) continue;
        for (int dx = -reach_; dx <= reach_; ++dx) {
          const int jx = ix + dx;
          if (jx < 0 || jx >= grid_.nx) continue;
          m += g[static_cast<std::size_t>(dx + reach_)] * g[static_cast<std::size_t>(dy + reach_)] *
               walkable_fraction_[static_cast<std::size_t>(jy) * grid_.nx + jx];
        }
      }
      kernel_mass_[c] = m * norm;
    }
}

void FieldEstimator::compute(std::span<const Vec2> pos, std::span<const Vec2> vel, std::span<const double> force,
                             FrameFields& out) const {
  if (vel.size() != pos.size() || force.size() != pos.size())
    throw std::invalid_argument("FieldEstimator::compute: position, velocity and contact force differ in length");
  const std::size_t n_cells = grid_.size();
  std::vector<double>* fields[] = {&out.density, &out.speed, &out.flow_x, &out.flow_y, &out.velocity_variance,
                                   &out.pressure, &out.flux_forward, &out.flux_backward, &out.axis_x, &out.axis_y,
                                   &out.contact_force};
  if (out.density.size() != n_cells) {
    for (auto* f : fields) {
      f->assign(n_cells, 0.0);
      for (std::size_t c = 0; c < n_cells; ++c)
        if (kernel_mass_[c] <= 0.0) (*f)[c] = kNaN;
    }
    out.persons.assign(n_cells, 0);
    out.scratch.assign(n_cells * kAccs, 0.0);
    out.tile_touched.assign(static_cast<std::size_t>(tiles_x_) * tiles_y_, 0);
    out.active_cells.clear();
  }
  // Reset last frame's cells (everything else is already 0).
  for (std::uint32_t c : out.active_cells) {
    for (auto* f : fields) (*f)[c] = 0.0;
    out.persons[c] = 0;
  }
  out.active_cells.clear();

  const double h = grid_.cell_m;
  const double inv_r2 = 1.0 / (radius_m_ * radius_m_);
  const double norm = 1.0 / (kPi * radius_m_ * radius_m_);
  const int span_n = 2 * reach_ + 1;
  std::vector<double> gx(static_cast<std::size_t>(span_n)), gy(static_cast<std::size_t>(span_n));
  double* acc = out.scratch.data();

  // Visits the kernel support of person j: fn(cell, weight f in 1/m²).
  auto for_support = [&](std::size_t j, auto&& fn) {
    const Vec2 p = pos[j];
    const int cx = static_cast<int>(std::floor((p.x - grid_.origin.x) / h));
    const int cy = static_cast<int>(std::floor((p.y - grid_.origin.y) / h));
    const int x0 = std::max(0, cx - reach_), x1 = std::min(grid_.nx - 1, cx + reach_);
    const int y0 = std::max(0, cy - reach_), y1 = std::min(grid_.ny - 1, cy + reach_);
    if (x0 > x1 || y0 > y1) return;
    for (int ix = x0; ix <= x1; ++ix) {
      const double dx = grid_.origin.x + (ix + 0.5) * h - p.x;
      gx[static_cast<std::size_t>(ix - x0)] = std::exp(-dx * dx * inv_r2);
    }
    for (int iy = y0; iy <= y1; ++iy) {
      const double dy = grid_.origin.y + (iy + 0.5) * h - p.y;
      gy[static_cast<std::size_t>(iy - y0)] = norm * std::exp(-dy * dy * inv_r2);
    }
    for (int iy = y0; iy <= y1; ++iy) {
      const double wy = gy[static_cast<std::size_t>(iy - y0)];
      const std::size_t row = static_cast<std::size_t>(iy) * static_cast<std::size_t>(grid_.nx);
      for (int ix = x0; ix <= x1; ++ix) fn(row + static_cast<std::size_t>(ix), wy * gx[static_cast<std::size_t>(ix - x0)]);
    }
    for (int ty = y0 / kTile; ty <= y1 / kTile; ++ty)
      for (int tx = x0 / kTile; tx <= x1 / kTile; ++tx) out.tile_touched[static_cast<std::size_t>(ty) * tiles_x_ + tx] = 1;
  };

  // Pass 1: kernel sums of 1, v, |v|², |v| and the velocity second moments.
  for (std::size_t j = 0; j < pos.size(); ++j) {
    const Vec2 v = vel[j];
    const double v2 = norm2(v), s = std::sqrt(v2);
    for_support(j, [&](std::size_t c, double w) {
      double* a = acc + c * kAccs;
      a[kW] += w;
      a[kWvx] += w * v.x;
      a[kWvy] += w * v.y;
      a[kWv2] += w * v2;
      a[kWspeed] += w * s;
      a[kMxx] += w * v.x * v.x;
      a[kMxy] += w * v.x * v.y;
      a[kMyy] += w * v.y * v.y;
    });
    // Persons and the largest contact force per cell, by the cell holding the centre.
    const int cx = static_cast<int>(std::floor((pos[j].x - grid_.origin.x) / h));
    const int cy = static_cast<int>(std::floor((pos[j].y - grid_.origin.y) / h));
    if (cx < 0 || cy < 0 || cx >= grid_.nx || cy >= grid_.ny) continue;
    const std::size_t c = static_cast<std::size_t>(cy) * static_cast<std::size_t>(grid_.nx) + static_cast<std::size_t>(cx);
    if (kernel_mass_[c] <= 0.0) continue;
    out.persons[c] += 1;
    out.contact_force[c] = std::max(out.contact_force[c], force[j]);
  }

  // Cells near people: the active list, and the local flow axis (principal direction of the
  // velocity second-moment tensor, so two opposite streams share one axis).
  for (int ty = 0; ty < tiles_y_; ++ty)
    for (int tx = 0; tx < tiles_x_; ++tx) {
      if (!out.tile_touched[static_cast<std::size_t>(ty) * tiles_x_ + tx]) continue;
      for (int iy = ty * kTile; iy < std::min(grid_.ny, (ty + 1) * kTile); ++iy)
        for (int ix = tx * kTile; ix < std::min(grid_.nx, (tx + 1) * kTile); ++ix) {
          const std::size_t c = static_cast<std::size_t>(iy) * grid_.nx + ix;
          const double* a = acc + c * kAccs;
          if (a[kW] <= 0.0 && out.persons[c] == 0) continue;
          if (kernel_mass_[c] <= 0.0) continue;
          out.active_cells.push_back(static_cast<std::uint32_t>(c));
          const double theta = 0.5 * std::atan2(2.0 * a[kMxy], a[kMxx] - a[kMyy]);
          const bool still = a[kMxx] + a[kMyy] <= 1e-12 * std::max(a[kW], 1e-300);
          out.axis_x[c] = still ? 0.0 : std::cos(theta);
          out.axis_y[c] = still ? 0.0 : std::sin(theta);
        }
    }

  // Pass 2: flux of each person along / against the axis of every cell it reaches.
  for (std::size_t j = 0; j < pos.size(); ++j) {
    const Vec2 v = vel[j];
    for_support(j, [&](std::size_t c, double w) {
      const double s = v.x * out.axis_x[c] + v.y * out.axis_y[c];
      double* a = acc + c * kAccs;
      if (s > 0) a[kFwd] += w * s;
      else a[kBwd] -= w * s;
    });
  }

  // Cell values; the scratch of touched tiles is cleared for the next frame.
  for (std::uint32_t c : out.active_cells) {
    double* a = acc + static_cast<std::size_t>(c) * kAccs;
    const double m = kernel_mass_[c];
    const double rho = a[kW] / m;
    out.density[c] = rho;
    if (a[kW] > 0.0) {
      const double mx = a[kWvx] / a[kW], my = a[kWvy] / a[kW];
      const double var = std::max(0.0, a[kWv2] / a[kW] - (mx * mx + my * my));
      out.speed[c] = a[kWspeed] / a[kW];
      out.velocity_variance[c] = var;
      out.pressure[c] = crowd_pressure(rho, var);
    }
    out.flow_x[c] = a[kWvx] / m;
    out.flow_y[c] = a[kWvy] / m;
    double fwd = a[kFwd] / m, bwd = a[kBwd] / m;
    if (bwd > fwd) {  // the axis points with the majority
      std::swap(fwd, bwd);
      out.axis_x[c] = -out.axis_x[c];
      out.axis_y[c] = -out.axis_y[c];
    }
    out.flux_forward[c] = fwd;
    out.flux_backward[c] = bwd;
  }
  for (int ty = 0; ty < tiles_y_; ++ty)
    for (int tx = 0; tx < tiles_x_; ++tx) {
      auto& t = out.tile_touched[static_cast<std::size_t>(ty) * tiles_x_ + tx];
      if (!t) continue;
      t = 0;
      for (int iy = ty * kTile; iy < std::min(grid_.ny, (ty + 1) * kTile); ++iy) {
        const std::size_t row = static_cast<std::size_t>(iy) * grid_.nx;
        const std::size_t b = (row + static_cast<std::size_t>(tx * kTile)) * kAccs;
        const std::size_t e = (row + static_cast<std::size_t>(std::min(grid_.nx, (tx + 1) * kTile))) * kAccs;
        std::fill(out.scratch.begin() + static_cast<std::ptrdiff_t>(b), out.scratch.begin() + static_cast<std::ptrdiff_t>(e), 0.0);
      }
    }
}

double FieldEstimator::sample(const std::vector<double>& field, Vec2 p) const {
  const double fx = (p.x - grid_.origin.x) / grid_.cell_m - 0.5;
  const double fy = (p.y - grid_.origin.y) / grid_.cell_m - 0.5;
  const int x0 = static_cast<int>(std::floor(fx)), y0 = static_cast<int>(std::floor(fy));
  const double tx = fx - x0, ty = fy - y0;
  auto at = [&](int ix, int iy) {
    ix = std::clamp(ix, 0, grid_.nx - 1);
    iy = std::clamp(iy, 0, grid_.ny - 1);
    const double v = field[static_cast<std::size_t>(iy) * grid_.nx + ix];
    return std::isfinite(v) ? v : 0.0;
  };
  return (1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) + ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1));
}

void validate(const AnalysisOptions& o) {
  ProblemList p;
  auto range = [&](const char* field, double v, double lo, double hi, bool lo_open, const char* unit) {
    const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi;
    if (!ok)
      p.add({}, field, std::string("must be in ") + (lo_open ? "(" : "[") + std::to_string(lo) + ", " + std::to_string(hi) + "] " +
                           unit + ", found " + std::to_string(v));
  };
  range("cell_m", o.cell_m, 0.05, 5.0, true, "m");
  range("kernel_radius_m", o.kernel_radius_m, 0.2, 3.0, false, "m");
  range("pressure_window_s", o.pressure_window_s, 0.5, 600.0, false, "s");
  const HotspotThresholds& t = o.thresholds;
  range("thresholds.danger_density_per_m2", t.danger_density_per_m2, 0.0, 20.0, true, "persons/m²");
  range("thresholds.fatal_density_per_m2", t.fatal_density_per_m2, 0.0, 20.0, true, "persons/m²");
  range("thresholds.pressure_s2", t.pressure_s2, 0.0, 10.0, true, "1/s²");
  range("thresholds.pressure_min_density_per_m2", t.pressure_min_density_per_m2, 0.0, 20.0, false, "persons/m²");
  range("thresholds.imo_density_per_m2", t.imo_density_per_m2, 0.0, 20.0, true, "persons/m²");
  range("thresholds.imo_time_fraction", t.imo_time_fraction, 0.0, 1.0, false, "");
  range("thresholds.sustained_s", t.sustained_s, 0.0, 3600.0, false, "s");
  range("thresholds.counterflow_min_flux_per_m_s", t.counterflow_min_flux_per_m_s, 0.0, 10.0, true, "persons/(m·s)");
  range("thresholds.counterflow_min_ratio", t.counterflow_min_ratio, 0.0, 1.0, false, "");
  range("thresholds.counterflow_sustained_s", t.counterflow_sustained_s, 0.0, 3600.0, false, "s");
  range("thresholds.min_area_m2", t.min_area_m2, 0.0, 1e6, false, "m²");
  if (o.replay_max_frames < 2) p.add({}, "replay_max_frames", "must be >= 2, found " + std::to_string(o.replay_max_frames));
  if (o.replay_max_samples < 100) p.add({}, "replay_max_samples", "must be >= 100, found " + std::to_string(o.replay_max_samples));
  p.throw_if_any();
}

}  // namespace crowdsafe
