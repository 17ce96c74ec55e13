// Measurements shared by the gtest validation tests (tests/validation) and `crowdsafe verify`.
#include <algorithm>
#include <cmath>
#include <set>

#include "crowdsafe/scenes.hpp"
#include "crowdsafe/verification.hpp"

namespace crowdsafe::verify {

double weidmann_speed(double rho) { return 1.34 * (1.0 - std::exp(-1.913 * (1.0 / rho - 1.0 / 5.4))); }

LinearFit linear_fit(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  LinearFit f;
  f.slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  f.intercept = (sy - f.slope * sx) / n;
  double ss_res = 0, ss_tot = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ss_res += std::pow(y[i] - (f.intercept + f.slope * x[i]), 2);
    ss_tot += std::pow(y[i] - sy / n, 2);
  }
  f.r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 1.0;
  return f;
}

void run_until_done(Simulation& sim, std::int64_t max_steps, const std::function<void(const Simulation&)>& each) {
  for (std::int64_t k = 0; k < max_steps && !sim.finished(); ++k) {
    sim.step();
    if (each) each(sim);
  }
}

std::vector<double> exit_times(const Simulation& sim) {
  std::vector<double> t;
  for (const auto& r : sim.records())
    if (r.exit >= 0) t.push_back(r.exit_time_s);
  std::sort(t.begin(), t.end());
  return t;
}

double corridor_travel_time(double speed_m_s) {
  Simulation sim(scenes::free_walking_corridor(speed_m_s), {.threads = 1});
  run_until_done(sim, 20000);
  const auto t = exit_times(sim);
  return t.size() == 1 ? t[0] : -1.0;
}

std::vector<double> directed_speeds(Scenario scenario, double warmup_s, double measure_s, int threads,
                                    const std::function<void(const Simulation&)>& each_sample) {
  std::vector<Vec2> dir;
  for (const auto& g : scenario.groups) dir.push_back(normalized(g.target.direction));
  Simulation sim(std::move(scenario), {.threads = threads});
  const double dt = sim.scenario().time_step_s;
  const auto warmup = static_cast<std::int64_t>(std::llround(warmup_s / dt));
  const auto measure = static_cast<std::int64_t>(std::llround(measure_s / dt));
  for (std::int64_t k = 0; k < warmup; ++k) sim.step();
  std::vector<double> sum(dir.size(), 0.0), samples(dir.size(), 0.0);
  for (std::int64_t k = 0; k < measure; ++k) {
    sim.step();
    if (k % 10) continue;
    const auto& a = sim.agents();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto g = static_cast<std::size_t>(a.group[i]);
      sum[g] += dot(a.velocity[i], dir[g]);
      samples[g] += 1.0;
    }
    if (each_sample) each_sample(sim);
  }
  for (std::size_t g = 0; g < sum.size(); ++g) sum[g] = samples[g] > 0 ? sum[g] / samples[g] : 0.0;
  return sum;
}

double corridor_speed(double rho, double length_m, double width_m, const std::vector<std::uint64_t>& seeds,
                      double warmup_s, double measure_s, int threads) {
  double sum = 0.0;
  for (std::uint64_t seed : seeds)
    sum += directed_speeds(scenes::periodic_corridor(rho, length_m, width_m, seed), warmup_s, measure_s, threads)[0];
  return sum / static_cast<double>(seeds.size());
}

std::vector<double> crossing_times(Simulation& sim, double x_m, std::int64_t max_steps) {
  std::set<std::int64_t> crossed;
  std::vector<double> times;
  run_until_done(sim, max_steps, [&](const Simulation& s) {
    const auto& a = s.agents();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.position[i].x > x_m && crossed.insert(a.id[i].value).second) times.push_back(s.time_s());
  });
  return times;
}

double bottleneck_flow(double width_m, std::int64_t n, std::uint64_t seed, int threads, std::int64_t& passed,
                       std::int64_t skip) {
  Simulation sim(scenes::bottleneck(width_m, n, seed), {.threads = threads});
  const std::vector<double> times = crossing_times(sim, 10.0, 40000);
  passed = static_cast<std::int64_t>(times.size());
  if (passed < 3 * skip) return 0.0;
  const std::size_t a = static_cast<std::size_t>(skip), b = times.size() - static_cast<std::size_t>(skip);
  return static_cast<double>(b - a) / (times[b] - times[a]);
}

double counterflow_crossing_time(std::int64_t forward, std::int64_t backward, std::uint64_t seed, int threads,
                                 std::size_t& stuck) {
  Simulation sim(scenes::counterflow_rooms(forward, backward, seed), {.threads = threads});
  run_until_done(sim, 60000);
  stuck = sim.agents().size();
  double last = 0.0;
  for (const auto& r : sim.records())
    if (r.group == 0 && r.exit >= 0) last = std::max(last, r.exit_time_s);
  return last;
}

double section_crossing_time(Scenario scenario, double x0_m, double x1_m) {
  Simulation sim(std::move(scenario), {.threads = 1});
  double t_in = -1, t_out = -1;
  while (!sim.finished() && t_out < 0) {
    sim.step();
    if (sim.agents().size() == 0) break;
    const double x = sim.agents().position[0].x;
    if (t_in < 0 && x > x0_m && x < x1_m) t_in = sim.time_s();
    if (t_in >= 0 && (x >= x1_m || x <= x0_m)) t_out = sim.time_s();
  }
  return t_out > 0 ? t_out - t_in : -1.0;
}

double stair_speed(bool downhill) {
  // Mid-flight section 6–12 m in plan; the incline is atan(0.17 / 0.294) ≈ 30°.
  const double plan = 6.0, incline = std::sqrt(1.0 + std::pow(0.17 / (10.0 / 34), 2));
  return plan * incline / section_crossing_time(scenes::stairs(downhill), 6.0, 12.0);
}

}  // namespace crowdsafe::verify
