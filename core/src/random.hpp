#pragma once
// Counter-based random numbers: every draw is a pure function of (seed, stream, a, b), so
// results never depend on thread count or on the order in which agents are processed.

#include <cmath>
#include <cstdint>
#include <numbers>

namespace crowdsafe::detail {

/// Random streams; each use of randomness has its own so adding one never shifts another.
enum class Stream : std::uint64_t {
  PlacementOffset = 1,
  PlacementShuffle = 2,
  PlacementJitter = 3,
  DesiredSpeed = 4,
  Radius = 5,
  Arrival = 6,
  SpawnPosition = 7,
};

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// 64 random bits keyed by (seed, stream, a, b).
inline std::uint64_t random_bits(std::uint64_t seed, Stream stream, std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t h = splitmix64(seed ^ 0x243f6a8885a308d3ULL);
  h = splitmix64(h ^ static_cast<std::uint64_t>(stream));
  h = splitmix64(h ^ a);
  return splitmix64(h ^ (b * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
}

/// Uniform in [0, 1).
inline double uniform(std::uint64_t seed, Stream stream, std::uint64_t a, std::uint64_t b = 0) {
  return static_cast<double>(random_bits(seed, stream, a, b) >> 11) * 0x1.0p-53;
}

/// Standard normal (Box–Muller on two keyed uniforms).
inline double normal(std::uint64_t seed, Stream stream, std::uint64_t a, std::uint64_t b = 0) {
  const double u1 = 1.0 - uniform(seed, stream, a, 2 * b);  // (0, 1]
  const double u2 = uniform(seed, stream, a, 2 * b + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace crowdsafe::detail
