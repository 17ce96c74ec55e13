#include "surface_field.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace crowdsafe::detail {

namespace {

// A flight of stairs is fitted with one plane over this radius: its treads are flat, so the
// incline a walker climbs only shows over several steps.
constexpr double kStairsFitRadius_m = 1.0;

struct Plane {
  double a = 0.0, b = 0.0, c = 0.0;  // z = a x + b y + c
};

Plane plane_of(const Vec3& p, const Vec3& q, const Vec3& r) {
  // Solve z = a x + b y + c through three points (non-vertical triangle).
  const double det = (q.x - p.x) * (r.y - p.y) - (r.x - p.x) * (q.y - p.y);
  Plane pl;
  if (std::abs(det) < 1e-15) {
    pl.c = (p.z + q.z + r.z) / 3.0;
    return pl;
  }
  pl.a = ((q.z - p.z) * (r.y - p.y) - (r.z - p.z) * (q.y - p.y)) / det;
  pl.b = ((q.x - p.x) * (r.z - p.z) - (r.x - p.x) * (q.z - p.z)) / det;
  pl.c = p.z - pl.a * p.x - pl.b * p.y;
  return pl;
}

bool in_triangle(Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
  const double d1 = cross(b - a, p - a), d2 = cross(c - b, p - b), d3 = cross(a - c, p - c);
  const bool neg = d1 < 0 || d2 < 0 || d3 < 0, pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

}  // namespace

double tobler_factor(double grade) { return std::exp(-3.5 * (std::abs(grade + 0.05) - 0.05)); }

SurfaceField::SurfaceField(const Surface& surface, const GridSpec& grid) : grid_(grid) {
  if (surface.triangles.empty()) return;
  const std::size_t n = grid_.size();
  z_.assign(n, std::numeric_limits<float>::quiet_NaN());
  gx_.assign(n, 0.0f);
  gy_.assign(n, 0.0f);
  stairs_.assign(n, 0);
  for (std::size_t t = 0; t < surface.triangles.size(); ++t) {
    const auto& tri = surface.triangles[t];
    const Vec3 &p = surface.vertices[tri[0]], &q = surface.vertices[tri[1]], &r = surface.vertices[tri[2]];
    const Plane pl = plane_of(p, q, r);
    const Vec2 a{p.x, p.y}, b{q.x, q.y}, c{r.x, r.y};
    const int x0 = grid_.col(std::min({a.x, b.x, c.x})), x1 = grid_.col(std::max({a.x, b.x, c.x}));
    const int y0 = grid_.row(std::min({a.y, b.y, c.y})), y1 = grid_.row(std::max({a.y, b.y, c.y}));
    const bool on_stairs = t < surface.stairs.size() && surface.stairs[t];
    for (int iy = y0; iy <= y1; ++iy)
      for (int ix = x0; ix <= x1; ++ix) {
        const Vec2 m = grid_.center(ix, iy);
        if (!in_triangle(m, a, b, c)) continue;
        const std::size_t k = grid_.index(ix, iy);
        z_[k] = static_cast<float>(pl.a * m.x + pl.b * m.y + pl.c);
        gx_[k] = static_cast<float>(pl.a);
        gy_[k] = static_cast<float>(pl.b);
        stairs_[k] = on_stairs;
      }
  }
  // Stairs: least-squares plane through the heights of nearby stair cells.
  const int r = std::max(1, static_cast<int>(std::lround(kStairsFitRadius_m / grid_.cell_m)));
  std::vector<float> sgx(gx_), sgy(gy_);
  for (int iy = 0; iy < grid_.ny; ++iy)
    for (int ix = 0; ix < grid_.nx; ++ix) {
      const std::size_t k = grid_.index(ix, iy);
      if (!stairs_[k]) continue;
      double sx = 0, sy = 0, sz = 0, sxx = 0, syy = 0, sxy = 0, sxz = 0, syz = 0, cnt = 0;
      for (int jy = std::max(0, iy - r); jy <= std::min(grid_.ny - 1, iy + r); ++jy)
        for (int jx = std::max(0, ix - r); jx <= std::min(grid_.nx - 1, ix + r); ++jx) {
          const std::size_t j = grid_.index(jx, jy);
          if (!stairs_[j] || std::isnan(z_[j])) continue;
          const double x = (jx - ix) * grid_.cell_m, y = (jy - iy) * grid_.cell_m, z = z_[j];
          sx += x; sy += y; sz += z; sxx += x * x; syy += y * y; sxy += x * y; sxz += x * z; syz += y * z; ++cnt;
        }
      if (cnt < 3) continue;
      // Centred normal equations for z = a x + b y + c.
      const double cxx = sxx - sx * sx / cnt, cyy = syy - sy * sy / cnt, cxy = sxy - sx * sy / cnt;
      const double cxz = sxz - sx * sz / cnt, cyz = syz - sy * sz / cnt;
      const double det = cxx * cyy - cxy * cxy;
      if (std::abs(det) < 1e-12) {
        // A one-cell-wide strip: fit along the direction that varies.
        if (cxx > 1e-12) sgx[k] = static_cast<float>(cxz / cxx);
        if (cyy > 1e-12) sgy[k] = static_cast<float>(cyz / cyy);
        continue;
      }
      sgx[k] = static_cast<float>((cxz * cyy - cyz * cxy) / det);
      sgy[k] = static_cast<float>((cyz * cxx - cxz * cxy) / det);
    }
  gx_.swap(sgx);
  gy_.swap(sgy);
}

double SurfaceField::height(Vec2 p) const {
  if (z_.empty()) return 0.0;
  const float z = z_[grid_.cell_of(p)];
  return std::isnan(z) ? 0.0 : z;
}

Vec2 SurfaceField::gradient(Vec2 p) const {
  if (z_.empty()) return {};
  const std::size_t k = grid_.cell_of(p);
  return {gx_[k], gy_[k]};
}

bool SurfaceField::stairs(Vec2 p) const { return !stairs_.empty() && stairs_[grid_.cell_of(p)]; }

double SurfaceField::speed_factor(Vec2 p, Vec2 e, double stairs_up_m_s, double stairs_down_m_s,
                                  double level_m_s) const {
  if (z_.empty()) return 1.0;
  const std::size_t k = grid_.cell_of(p);
  const double grade = gx_[k] * e.x + gy_[k] * e.y;
  // People walk along the surface; the engine moves them in plan view, so the plan speed is the
  // along-surface speed times cos(incline).
  const double plan = 1.0 / std::sqrt(1.0 + grade * grade);
  if (stairs_[k]) return (grade >= 0.0 ? stairs_up_m_s : stairs_down_m_s) / level_m_s * plan;
  return tobler_factor(grade) * plan;
}

double SurfaceField::route_factor(std::size_t cell, double stairs_up_m_s, double stairs_down_m_s,
                                  double level_m_s) const {
  if (z_.empty() || std::isnan(z_[cell])) return 1.0;
  const double slope = std::hypot(gx_[cell], gy_[cell]);
  const double plan = 1.0 / std::sqrt(1.0 + slope * slope);
  if (stairs_[cell]) return 0.5 * (stairs_up_m_s + stairs_down_m_s) / level_m_s * plan;
  return 0.5 * (tobler_factor(slope) + tobler_factor(-slope)) * plan;
}

}  // namespace crowdsafe::detail
