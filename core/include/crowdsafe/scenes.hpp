#pragma once
/// @file scenes.hpp
/// Standard scenes built in code, shared by validation tests, benchmarks and examples so all
/// three measure the same thing. Every length in metres, time in seconds.

#include <cstdint>
#include <vector>

#include "crowdsafe/scenario.hpp"

namespace crowdsafe::scenes {

/// Benchmark corridor (issue "Performance"): 10 m wide, length n/10 + 50 m, `n` agents on a
/// square lattice of spacing 1/√ρ at rest, desired speed 1.34 m/s, heading for the far end.
/// `cutoff_m` 0 = the error-bounded cut-off. `pillars`: 0.4 m square pillars every 5 m.
Scenario bench_corridor(std::int64_t n, double density_per_m2, double cutoff_m, bool pillars = false);

/// Turns crowdsafe's walking rules off (time headway, passing people who stand, keeping right),
/// leaving the force law of Helbing, Farkas & Vicsek 2000 alone: the physics of other tools'
/// social force models, for comparisons at equal physics.
void use_force_law_only(SocialForceParameters& model);

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

// ---- verification scenes (`crowdsafe verify`, core/src/verification) ----------------------

/// RiMEA test 5: a 8 m × 5 m room with a 1 m exit in the middle of a 5 m wall; one person per
/// entry of `premovement_s` (s), each in its own group "person k" with that premovement time.
Scenario premovement_room(const std::vector<double>& premovement_s);

/// RiMEA test 9: a 30 m × 20 m hall with two 1 m exits on each long wall (at x = 7.5 and
/// 22.5 m); `two_closed` closes (walls up) both exits of the upper wall. `n` persons spread over
/// the whole hall, heading for the nearest open exit.
Scenario closing_exits_hall(std::int64_t n, bool two_closed, std::uint64_t seed);

/// RiMEA test 11: a 30 m × 20 m hall with two 1 m exits in its upper wall, "exit 1" at
/// x = 21–22 m and "exit 2" at x = 27–28 m; `n` persons packed from the left wall at
/// 4 persons/m², heading for the nearest exit.
Scenario exit_choice_hall(std::int64_t n, std::uint64_t seed);

/// RiMEA test 10: a 2 m × 37 m corridor with six 5 m × 4 m rooms on each side (1 m doors;
/// rooms 1–6 below, 7–12 above, numbered from the left), 23 persons (two per room, one in room
/// 12). Rooms 1–4 and 7–10 are assigned the "main" exit (right end), the others the
/// "secondary" exit (left end). Group k is "room k".
Scenario assigned_routes_corridor(std::uint64_t seed);

/// RiMEA test 12: room 1 (10 m × 10 m, `n` persons) joined by a 1 m × 8 m corridor to room 2
/// (10 m × 10 m) whose 1 m exit is in the middle of its far wall (x = 28 m).
Scenario two_rooms_and_corridor(std::int64_t n, std::uint64_t seed);

/// RiMEA test 13: a 8 m × 8 m room with `n` persons opens (2 m) into a 2 m × 12 m corridor
/// (x = 8–20 m, y = 3–5 m) that ends at a stair flight up (x = 20–30 m, 34 steps of 0.17 m),
/// then a 4 m landing with the exit.
Scenario stairs_congestion(std::int64_t n, std::uint64_t seed);

/// RiMEA test 14: start (x = 0–4 m) and target (x = 24–28 m) rooms, 4 m × 10 m on an upper
/// floor at 3 m, joined by a lower route 2 m wide (y = 0–2 m: a 5 m stair flight down, 10 m on
/// the ground floor, 5 m up; 18 steps each) and by a flat corridor 2 m wide that leaves the
/// rooms' upper walls and detours `detour_m` sideways. 10 persons in the start room head for
/// the exit "target" in the target room.
Scenario route_choice(double detour_m);

/// RiMEA test 15: `n` persons in a 40 m × 5 m start area walk to a target either round a left
/// 90° corner (`variant` 0: 19 m along the inner edge, 29 m along the outer edge), or straight on
/// over the inner edge's length (1) or the outer edge's length (2).
Scenario crowd_round_corner(int variant, std::int64_t n, std::uint64_t seed);

/// Single file: a periodic corridor `length_m` long and 0.7 m wide (nobody can overtake) with
/// persons evenly spaced at `persons_per_m`, all walking +x.
Scenario single_file_ring(double persons_per_m, double length_m, std::uint64_t seed);

/// Periodic corridor `length_m` × `width_m` with `forward` persons walking +x (group 0) and
/// `backward` walking −x (group 1), on a regular lattice with directions mixed at random.
Scenario periodic_counterflow(std::int64_t forward, std::int64_t backward, double length_m, double width_m,
                              std::uint64_t seed);

}  // namespace crowdsafe::scenes
