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

// Appends the quad x0..x1 × 0..2 m at heights z0 (at x0) and z1 (at x1) as two triangles.
void add_strip(Surface& s, double x0, double x1, double z0, double z1, bool stairs) {
  const auto base = static_cast<std::uint32_t>(s.vertices.size());
  s.vertices.push_back({x0, 0, z0});
  s.vertices.push_back({x1, 0, z1});
  s.vertices.push_back({x1, 2, z1});
  s.vertices.push_back({x0, 2, z0});
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

}  // namespace crowdsafe::scenes
