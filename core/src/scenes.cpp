#include "crowdsafe/scenes.hpp"

#include <cmath>
#include <string>

namespace crowdsafe::scenes {

namespace {

Area area(std::string name, Polygon p) { return Area{std::move(name), {std::move(p)}, {}}; }

Profile fixed_speed(double v) {
  Profile p;
  p.name = "fixed";
  p.speed_mean_m_s = v;
  p.speed_sd_m_s = 0.0;
  p.speed_min_m_s = v;
  p.speed_max_m_s = v;
  return p;
}

}  // namespace

Scenario bench_corridor(std::int64_t n, double density, double cutoff_m, bool pillars) {
  Scenario s;
  s.name = "bench-corridor";
  const double width = 10.0;
  const double length = static_cast<double>(n) / 10.0 + 50.0;
  Polygon walk = rectangle(0, 0, length, width);
  if (pillars)
    for (double x = 5.0; x < length - 1.0; x += 5.0)
      walk.holes.push_back(rectangle(x - 0.2, width / 2 - 0.2, x + 0.2, width / 2 + 0.2).outer);
  s.walkable = {walk};
  s.exits.push_back(area("end", rectangle(length - 1.0, 0, length, width)));
  Group g;
  g.name = "walkers";
  g.profile = fixed_speed(1.34);
  g.profile.radius_min_m = 0.25;
  g.profile.radius_max_m = 0.35;
  const double spacing = 1.0 / std::sqrt(density);
  const int per_row = static_cast<int>(std::floor((width - 0.8) / spacing)) + 1;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = 0.4 + spacing * static_cast<double>(i / per_row);
    const double y = 0.4 + spacing * static_cast<double>(i % per_row);
    g.positions.push_back({x, y});
  }
  g.count = n;
  g.target.kind = Target::Kind::Exit;
  g.target.name = "end";
  s.groups.push_back(g);
  s.model.cutoff_m = cutoff_m;
  s.time_step_s = 0.01;
  s.duration_s = 1e6;
  s.navigation_cell_m = 0.2;
  return s;
}

void use_force_law_only(SocialForceParameters& model) {
  model.time_headway_s = 0.0;
  model.overtake = 0.0;
  model.keep_right = 0.0;
}

Scenario free_walking_corridor(double speed) {
  Scenario s;
  s.name = "rimea-1";
  s.walkable = {rectangle(0, 0, 42, 2)};
  s.exits.push_back(area("end", rectangle(40.5, 0, 42, 2)));
  Group g;
  g.name = "walker";
  g.profile = fixed_speed(speed);
  g.positions = {{0.5, 1.0}};
  g.count = 1;
  s.groups.push_back(g);
  s.duration_s = 120;
  return s;
}

Scenario periodic_corridor(double density, double length, double width, std::uint64_t seed) {
  Scenario s;
  s.name = "periodic-corridor";
  s.seed = seed;
  s.walkable = {rectangle(0, 0, length, width)};
  s.periodic = Periodic{0.0, length};
  Group g;
  g.name = "walkers";
  g.area = s.walkable;
  g.count = static_cast<std::int64_t>(std::llround(density * length * width));
  g.target.kind = Target::Kind::Direction;
  g.target.direction = {1.0, 0.0};
  s.groups.push_back(g);
  s.duration_s = 1e6;
  s.stop_when_empty = false;
  return s;
}

Scenario bottleneck(double width, std::int64_t n, std::uint64_t seed) {
  Scenario s;
  s.name = "bottleneck";
  s.seed = seed;
  const double room = 8.0, cy = room / 2, hw = width / 2;
  // Room, 2 m bottleneck, then an 6 m × 8 m open area; one outline so walls are continuous.
  s.walkable = {Polygon{{{0, 0}, {room, 0}, {room, cy - hw}, {room + 2, cy - hw}, {room + 2, 0}, {room + 8, 0},
                         {room + 8, room}, {room + 2, room}, {room + 2, cy + hw}, {room, cy + hw}, {room, room}, {0, room}},
                        {}}};
  s.exits.push_back(area("exit", rectangle(room + 7, 0, room + 8, room)));
  Group g;
  g.name = "crowd";
  g.area = {rectangle(0.5, 0.5, room - 1.0, room - 0.5)};
  g.count = n;
  s.groups.push_back(g);
  s.duration_s = 400;
  return s;
}

Scenario corner(std::uint64_t seed) {
  Scenario s;
  s.name = "rimea-6";
  s.seed = seed;
  // L-shaped corridor 2 m wide: 12 m east, then 12 m north.
  s.walkable = {Polygon{{{0, 0}, {12, 0}, {12, 12}, {10, 12}, {10, 2}, {0, 2}}, {}}};
  s.exits.push_back(area("top", rectangle(10, 11, 12, 12)));
  Group g;
  g.name = "walkers";
  g.area = {rectangle(0.2, 0.0, 6.0, 2.0)};
  g.count = 20;
  s.groups.push_back(g);
  s.duration_s = 120;
  return s;
}

Scenario counterflow_rooms(std::int64_t forward, std::int64_t backward, std::uint64_t seed) {
  Scenario s;
  s.name = "counterflow";
  s.seed = seed;
  s.walkable = {Polygon{{{0, 0}, {10, 0}, {10, 4}, {20, 4}, {20, 0}, {30, 0}, {30, 10}, {20, 10}, {20, 6}, {10, 6}, {10, 10}, {0, 10}}, {}}};
  s.exits.push_back(area("right", rectangle(29, 0, 30, 10)));
  s.exits.push_back(area("left", rectangle(0, 0, 1, 10)));
  auto crossing = [&](const char* name, Polygon room, std::int64_t count, const char* exit) {
    Group g;
    g.name = name;
    g.area = {std::move(room)};
    g.count = count;
    g.target.kind = Target::Kind::Exit;
    g.target.name = exit;
    s.groups.push_back(g);
  };
  crossing("forward", rectangle(1.5, 0.5, 9.5, 9.5), forward, "right");
  if (backward > 0) crossing("backward", rectangle(20.5, 0.5, 28.5, 9.5), backward, "left");
  s.duration_s = 600;
  return s;
}

Scenario dense_room(double density, std::uint64_t seed) {
  Scenario s;
  s.name = "dense-room";
  s.seed = seed;
  s.walkable = {Polygon{{{0, 0}, {10, 0}, {10, 4.5}, {11, 4.5}, {11, 5.5}, {10, 5.5}, {10, 10}, {0, 10}}, {}}};
  s.exits.push_back(area("door", rectangle(10.5, 4.5, 11, 5.5)));
  Group g;
  g.name = "crowd";
  g.area = s.walkable;
  g.count = static_cast<std::int64_t>(std::llround(density * 100.0));
  s.groups.push_back(g);
  s.duration_s = 60;
  return s;
}

namespace {

// Appends the quad x0..x1 × y0..y1 m at heights z0 (at x0) and z1 (at x1) as two triangles.
void add_strip(Surface& s, double x0, double x1, double z0, double z1, bool stairs, double y0 = 0.0, double y1 = 2.0) {
  const auto base = static_cast<std::uint32_t>(s.vertices.size());
  s.vertices.push_back({x0, y0, z0});
  s.vertices.push_back({x1, y0, z1});
  s.vertices.push_back({x1, y1, z1});
  s.vertices.push_back({x0, y1, z0});
  s.triangles.push_back({base, base + 1, base + 2});
  s.triangles.push_back({base, base + 2, base + 3});
  s.stairs.push_back(stairs);
  s.stairs.push_back(stairs);
}

Scenario one_walker_on(Surface surface, double length, bool downhill, const char* name) {
  Scenario s;
  s.name = name;
  s.walkable = {rectangle(0, 0, length, 2)};
  s.surface = std::move(surface);
  s.exits.push_back(area("end", downhill ? rectangle(0, 0, 0.5, 2) : rectangle(length - 0.5, 0, length, 2)));
  Group g;
  g.name = "walker";
  g.profile = fixed_speed(1.34);
  g.positions = {{downhill ? length - 1.0 : 1.0, 1.0}};
  g.count = 1;
  s.groups.push_back(g);
  s.duration_s = 120;
  return s;
}

}  // namespace

Scenario ramp(double grade, bool downhill) {
  Surface surf;
  add_strip(surf, 0, 4, 0, 0, false);
  add_strip(surf, 4, 14, 0, 10 * grade, false);
  add_strip(surf, 14, 18, 10 * grade, 10 * grade, false);
  return one_walker_on(std::move(surf), 18, downhill, "ramp");
}

Scenario stairs(bool downhill) {
  Surface surf;
  const int steps = 34;
  const double tread = 10.0 / steps, riser = 0.17;
  add_strip(surf, 0, 4, 0, 0, false);
  for (int k = 0; k < steps; ++k) add_strip(surf, 4 + k * tread, 4 + (k + 1) * tread, (k + 1) * riser, (k + 1) * riser, true);
  add_strip(surf, 14, 18, steps * riser, steps * riser, false);
  return one_walker_on(std::move(surf), 18, downhill, "stairs");
}

// ---- verification scenes ------------------------------------------------------------------

namespace {

// A w × h room as one outline with 1 m doors in its lower (y = 0) and upper (y = h) walls,
// each door a 0.5 m deep stub outside the wall that is an exit ("lower 1", "upper 3", ...).
void room_with_doors(Scenario& s, double w, double h, const std::vector<double>& lower_x,
                     const std::vector<double>& upper_x) {
  const double hw = 0.5, stub = 0.5;
  std::vector<Vec2> ring{{0, 0}};
  for (double x : lower_x) {
    ring.insert(ring.end(), {{x - hw, 0}, {x - hw, -stub}, {x + hw, -stub}, {x + hw, 0}});
    s.exits.push_back(area("lower " + std::to_string(s.exits.size() + 1), rectangle(x - hw, -stub, x + hw, 0)));
  }
  ring.insert(ring.end(), {{w, 0}, {w, h}});
  for (auto it = upper_x.rbegin(); it != upper_x.rend(); ++it) {
    const double x = *it;
    ring.insert(ring.end(), {{x + hw, h}, {x + hw, h + stub}, {x - hw, h + stub}, {x - hw, h}});
  }
  for (double x : upper_x)
    s.exits.push_back(area("upper " + std::to_string(s.exits.size() + 1), rectangle(x - hw, h, x + hw, h + stub)));
  ring.push_back({0, h});
  s.walkable = {Polygon{ring, {}}};
}

Group crowd(std::string name, Polygon where, std::int64_t n) {
  Group g;
  g.name = std::move(name);
  g.area = {std::move(where)};
  g.count = n;
  return g;
}

// splitmix64: a fixed, portable sequence for shuffles in scene set-up.
std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

Scenario premovement_room(const std::vector<double>& premovement_s) {
  Scenario s;
  s.name = "rimea-5";
  s.walkable = {Polygon{{{0, 0}, {8, 0}, {8, 2}, {8.5, 2}, {8.5, 3}, {8, 3}, {8, 5}, {0, 5}}, {}}};
  s.exits.push_back(area("exit", rectangle(8, 2, 8.5, 3)));
  for (std::size_t k = 0; k < premovement_s.size(); ++k) {
    Group g;
    g.name = "person " + std::to_string(k + 1);
    g.positions = {{1.0 + 1.5 * static_cast<double>(k % 5), k < 5 ? 1.5 : 3.5}};
    g.count = 1;
    g.premovement_s = premovement_s[k];
    s.groups.push_back(g);
  }
  s.duration_s = 300;
  return s;
}

Scenario closing_exits_hall(std::int64_t n, bool two_closed, std::uint64_t seed) {
  Scenario s;
  s.name = two_closed ? "rimea-9-two-exits" : "rimea-9-four-exits";
  s.seed = seed;
  room_with_doors(s, 30, 20, {7.5, 22.5}, two_closed ? std::vector<double>{} : std::vector<double>{7.5, 22.5});
  s.groups.push_back(crowd("occupants", rectangle(0.5, 0.5, 29.5, 19.5), n));
  s.duration_s = 1200;
  return s;
}

Scenario exit_choice_hall(std::int64_t n, std::uint64_t seed) {
  Scenario s;
  s.name = "rimea-11";
  s.seed = seed;
  room_with_doors(s, 30, 20, {}, {21.5, 27.5});
  s.exits[0].name = "exit 1";
  s.exits[1].name = "exit 2";
  const double depth = static_cast<double>(n) / (4.0 * 19.5);
  s.groups.push_back(crowd("occupants", rectangle(0.25, 0.25, 0.25 + depth, 19.75), n));
  s.duration_s = 1200;
  return s;
}

Scenario assigned_routes_corridor(std::uint64_t seed) {
  Scenario s;
  s.name = "rimea-10";
  s.seed = seed;
  const double length = 37.0;
  std::vector<Vec2> ring{{0, 5}};
  for (int k = 0; k < 6; ++k) {  // rooms below, left to right
    const double a = 1.0 + 6.0 * k;
    ring.insert(ring.end(), {{a + 2, 5}, {a + 2, 4}, {a, 4}, {a, 0}, {a + 5, 0}, {a + 5, 4}, {a + 3, 4}, {a + 3, 5}});
  }
  ring.insert(ring.end(), {{length, 5}, {length, 7}});
  for (int k = 5; k >= 0; --k) {  // rooms above, right to left
    const double a = 1.0 + 6.0 * k;
    ring.insert(ring.end(), {{a + 3, 7}, {a + 3, 8}, {a + 5, 8}, {a + 5, 12}, {a, 12}, {a, 8}, {a + 2, 8}, {a + 2, 7}});
  }
  ring.push_back({0, 7});
  s.walkable = {Polygon{ring, {}}};
  s.exits.push_back(area("main", rectangle(length - 0.5, 5, length, 7)));
  s.exits.push_back(area("secondary", rectangle(0, 5, 0.5, 7)));
  for (int room = 1; room <= 12; ++room) {
    const bool lower = room <= 6;
    const double a = 1.0 + 6.0 * ((room - 1) % 6), y = lower ? 2.0 : 10.0;
    Group g;
    g.name = "room " + std::to_string(room);
    g.positions = {{a + 1.5, y}};
    if (room != 12) g.positions.push_back({a + 3.5, y});
    g.count = static_cast<std::int64_t>(g.positions.size());
    g.target.kind = Target::Kind::Exit;
    const bool main = (room >= 1 && room <= 4) || (room >= 7 && room <= 10);
    g.target.name = main ? "main" : "secondary";
    s.groups.push_back(g);
  }
  s.duration_s = 300;
  return s;
}

Scenario two_rooms_and_corridor(std::int64_t n, std::uint64_t seed) {
  Scenario s;
  s.name = "rimea-12";
  s.seed = seed;
  s.walkable = {Polygon{{{0, 0}, {10, 0}, {10, 4.5}, {18, 4.5}, {18, 0}, {28, 0}, {28, 4.5}, {28.5, 4.5}, {28.5, 5.5},
                         {28, 5.5}, {28, 10}, {18, 10}, {18, 5.5}, {10, 5.5}, {10, 10}, {0, 10}},
                        {}}};
  s.exits.push_back(area("exit", rectangle(28, 4.5, 28.5, 5.5)));
  s.groups.push_back(crowd("room 1", rectangle(0.5, 0.5, 9.5, 9.5), n));
  s.duration_s = 600;
  return s;
}

Scenario stairs_congestion(std::int64_t n, std::uint64_t seed) {
  Scenario s;
  s.name = "rimea-13";
  s.seed = seed;
  s.walkable = {Polygon{{{0, 0}, {8, 0}, {8, 3}, {34, 3}, {34, 5}, {8, 5}, {8, 8}, {0, 8}}, {}}};
  s.exits.push_back(area("exit", rectangle(33, 3, 34, 5)));
  const int steps = 34;
  const double tread = 10.0 / steps, riser = 0.17;
  add_strip(s.surface, 16, 20, 0, 0, false, 3, 5);
  for (int k = 0; k < steps; ++k)
    add_strip(s.surface, 20 + k * tread, 20 + (k + 1) * tread, (k + 1) * riser, (k + 1) * riser, true, 3, 5);
  add_strip(s.surface, 30, 34, steps * riser, steps * riser, false, 3, 5);
  s.groups.push_back(crowd("room", rectangle(0.5, 0.5, 7.5, 7.5), n));
  s.duration_s = 900;
  return s;
}

Scenario route_choice(double detour_m) {
  Scenario s;
  s.name = "rimea-14";
  const double top = 10.0 + detour_m;
  s.walkable = {Polygon{{{0, 0}, {28, 0}, {28, 10}, {27, 10}, {27, top}, {1, top}, {1, 10}, {0, 10}},
                        {{{4, 2}, {4, 10}, {3, 10}, {3, top - 2}, {25, top - 2}, {25, 10}, {24, 10}, {24, 2}}}}};
  const int steps = 18;
  const double tread = 5.0 / steps, riser = 3.0 / steps;
  add_strip(s.surface, 0, 4, 3, 3, false, 0, 10);
  add_strip(s.surface, 24, 28, 3, 3, false, 0, 10);
  for (int k = 0; k < steps; ++k) {
    add_strip(s.surface, 4 + k * tread, 4 + (k + 1) * tread, 3 - (k + 1) * riser, 3 - (k + 1) * riser, true);
    add_strip(s.surface, 19 + k * tread, 19 + (k + 1) * tread, (k + 1) * riser, (k + 1) * riser, true);
  }
  add_strip(s.surface, 9, 19, 0, 0, false);
  s.exits.push_back(area("target", rectangle(26, 3, 28, 7)));
  Group g = crowd("walkers", rectangle(0.5, 3, 3.5, 7), 10);
  g.target.kind = Target::Kind::Exit;
  g.target.name = "target";
  s.groups.push_back(g);
  s.duration_s = 300;
  return s;
}

Scenario crowd_round_corner(int variant, std::int64_t n, std::uint64_t seed) {
  Scenario s;
  s.name = variant == 0 ? "rimea-15-corner" : variant == 1 ? "rimea-15-short" : "rimea-15-long";
  s.seed = seed;
  if (variant == 0) {
    s.walkable = {Polygon{{{0, 0}, {50, 0}, {50, 20}, {45, 20}, {45, 5}, {0, 5}}, {}}};
    s.exits.push_back(area("target", rectangle(45, 19, 50, 20)));
  } else {
    const double end = 40.0 + (variant == 1 ? 19.0 : 29.0);
    s.walkable = {rectangle(0, 0, end + 1, 5)};
    s.exits.push_back(area("target", rectangle(end, 0, end + 1, 5)));
  }
  s.groups.push_back(crowd("crowd", rectangle(0.3, 0.3, 40, 4.7), n));
  s.duration_s = 900;
  return s;
}

Scenario single_file_ring(double persons_per_m, double length_m, std::uint64_t seed) {
  Scenario s;
  s.name = "single-file";
  s.seed = seed;
  s.walkable = {rectangle(0, 0, length_m, 0.7)};
  s.periodic = Periodic{0.0, length_m};
  Group g;
  g.name = "walkers";
  const auto n = static_cast<std::int64_t>(std::llround(persons_per_m * length_m));
  for (std::int64_t i = 0; i < n; ++i) g.positions.push_back({(static_cast<double>(i) + 0.5) * length_m / n, 0.35});
  g.count = n;
  g.target.kind = Target::Kind::Direction;
  g.target.direction = {1.0, 0.0};
  s.groups.push_back(g);
  s.duration_s = 1e6;
  s.stop_when_empty = false;
  return s;
}

Scenario periodic_counterflow(std::int64_t forward, std::int64_t backward, double length_m, double width_m,
                              std::uint64_t seed) {
  Scenario s;
  s.name = "periodic-counterflow";
  s.seed = seed;
  s.walkable = {rectangle(0, 0, length_m, width_m)};
  s.periodic = Periodic{0.0, length_m};
  // A regular lattice of about square cells, then directions dealt out at random.
  const std::int64_t n = forward + backward;
  const double rho = static_cast<double>(n) / (length_m * width_m);
  const auto rows = std::max<std::int64_t>(1, std::llround(width_m * std::sqrt(rho)));
  const std::int64_t cols = (n + rows - 1) / rows;
  std::vector<Vec2> pts;
  for (std::int64_t i = 0; i < n; ++i)
    pts.push_back({(static_cast<double>(i / rows) + 0.5) * length_m / static_cast<double>(cols),
                   (static_cast<double>(i % rows) + 0.5) * width_m / static_cast<double>(rows)});
  std::uint64_t state = seed;
  for (std::size_t i = pts.size(); i > 1; --i) std::swap(pts[i - 1], pts[splitmix(state) % i]);
  for (int dir = 0; dir < 2; ++dir) {
    Group g;
    g.name = dir == 0 ? "forward" : "backward";
    const std::int64_t count = dir == 0 ? forward : backward;
    if (count == 0) continue;
    g.positions.assign(pts.begin() + (dir == 0 ? 0 : forward), pts.begin() + (dir == 0 ? forward : n));
    g.count = count;
    g.target.kind = Target::Kind::Direction;
    g.target.direction = {dir == 0 ? 1.0 : -1.0, 0.0};
    s.groups.push_back(g);
  }
  s.duration_s = 1e6;
  s.stop_when_empty = false;
  return s;
}

}  // namespace crowdsafe::scenes
