#pragma once
/// @file scenes.hpp
/// Standard scenes built in code, shared by validation tests, benchmarks and examples so all
/// three measure the same thing. Every length in metres, time in seconds.

#include <cstdint>

#include "crowdsafe/scenario.hpp"

namespace crowdsafe::scenes {

/// Benchmark corridor (issue "Performance"): 10 m wide, length n/10 + 50 m, `n` agents on a
/// square lattice of spacing 1/√ρ at rest, desired speed 1.34 m/s, heading for the far end.
/// `cutoff_m` 0 = the error-bounded cut-off. `pillars`: 0.4 m square pillars every 5 m.
Scenario bench_corridor(std::int64_t n, double density_per_m2, double cutoff_m, bool pillars = false);

/// RiMEA test 1: one person, 40 m × 2 m corridor, desired speed `speed_m_s`.
Scenario free_walking_corridor(double speed_m_s);

/// Periodic corridor `length_m` × `width_m` at `density_per_m2`, everybody walking +x.
Scenario periodic_corridor(double density_per_m2, double length_m, double width_m, std::uint64_t seed);

/// Room 8 m × 8 m with `n` persons, a bottleneck `width_m` wide and 2 m long (Liddle/Seyfried
/// 2009), then an open area with the exit.
Scenario bottleneck(double width_m, std::int64_t n, std::uint64_t seed);

/// RiMEA test 6: 20 persons walking round a left 90° corner of a 2 m wide corridor.
Scenario corner(std::uint64_t seed);

/// Two 10 m × 10 m rooms joined by a 10 m × 2 m corridor; `forward` persons cross from the
/// left room to the right, `backward` the other way (NIST TN 1822 counterflow).
Scenario counterflow_rooms(std::int64_t forward, std::int64_t backward, std::uint64_t seed);

/// A closed 10 m × 10 m room with a 1 m door, densely filled (`density_per_m2` up to 8).
Scenario dense_room(double density_per_m2, std::uint64_t seed);

/// A 2 m wide ramp with 4 m landings: flat 0–4 m, rising `grade` (rise/run) over 4–14 m, flat
/// 14–18 m. One walker at 1.34 m/s walks up (or down) the whole way.
Scenario ramp(double grade, bool downhill);

/// A 2 m wide straight stair flight 10 m long in plan (34 steps, 0.17 m risers, 0.294 m
/// treads) between 4 m landings; one walker at 1.34 m/s walks up (or down).
Scenario stairs(bool downhill);

}  // namespace crowdsafe::scenes
