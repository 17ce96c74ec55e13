#pragma once
/// @file vec2.hpp
/// Two-dimensional vector in metres (or m/s, m/s², N depending on use).

#include <cmath>

namespace crowdsafe {

/// Plain 2-D vector; standard layout so an array of Vec2 is an (n, 2) float64 array.
struct Vec2 {
  double x = 0.0;
  double y = 0.0;

  constexpr Vec2() = default;
  constexpr Vec2(double x_, double y_) : x(x_), y(y_) {}

  constexpr Vec2 operator+(Vec2 o) const { return {x + o.x, y + o.y}; }
  constexpr Vec2 operator-(Vec2 o) const { return {x - o.x, y - o.y}; }
  constexpr Vec2 operator-() const { return {-x, -y}; }
  constexpr Vec2 operator*(double s) const { return {x * s, y * s}; }
  constexpr Vec2 operator/(double s) const { return {x / s, y / s}; }
  constexpr Vec2& operator+=(Vec2 o) { x += o.x; y += o.y; return *this; }
  constexpr Vec2& operator-=(Vec2 o) { x -= o.x; y -= o.y; return *this; }
  constexpr Vec2& operator*=(double s) { x *= s; y *= s; return *this; }
  constexpr bool operator==(const Vec2&) const = default;
};

constexpr Vec2 operator*(double s, Vec2 v) { return {v.x * s, v.y * s}; }
/// Dot product.
constexpr double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
/// z component of the 2-D cross product a × b.
constexpr double cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }
/// Squared Euclidean norm.
constexpr double norm2(Vec2 a) { return dot(a, a); }
/// Euclidean norm.
inline double norm(Vec2 a) { return std::sqrt(norm2(a)); }
/// Counter-clockwise perpendicular (−y, x).
constexpr Vec2 perp(Vec2 a) { return {-a.y, a.x}; }
/// Unit vector along a; zero vector when |a| is below 1e-12.
inline Vec2 normalized(Vec2 a) {
  const double n = norm(a);
  return n > 1e-12 ? a / n : Vec2{};
}
/// True when both components are finite.
inline bool is_finite(Vec2 a) { return std::isfinite(a.x) && std::isfinite(a.y); }

}  // namespace crowdsafe
