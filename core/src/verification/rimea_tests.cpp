// RiMEA guideline tests 1–16 (RiMEA e.V., "Guideline for Microscopic Evacuation Analysis",
// version 3.0.0, 2016; test 16 after version 4), as far as they apply to a 2-D social force model.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "crowdsafe/scenes.hpp"
#include "suite.hpp"

namespace crowdsafe::verify::detail {

namespace {

constexpr const char* kRimea = "RiMEA guideline 3.0.0 (2016)";

// Peak of the 1 s moving average of the density in box [x0, x1] × [y0, y1], persons/m²,
// sampled every 0.1 s; fed one Simulation state per step.
struct DensityProbe {
  DensityProbe(double x0_, double y0_, double x1_, double y1_) : x0(x0_), y0(y0_), x1(x1_), y1(y1_) {}
  double x0, y0, x1, y1;
  std::vector<double> window;
  double peak = 0.0;
  std::vector<double> t, rho;  // the 1 s averages, for plots
  void sample(const Simulation& s) {
    if (s.step_count() % 10) return;
    int n = 0;
    for (const Vec2 p : s.agents().position) n += (p.x >= x0 && p.x < x1 && p.y >= y0 && p.y < y1) ? 1 : 0;
    window.push_back(n / ((x1 - x0) * (y1 - y0)));
    if (window.size() > 10) window.erase(window.begin());
    double mean = 0.0;
    for (double w : window) mean += w / static_cast<double>(window.size());
    peak = std::max(peak, mean);
    t.push_back(s.time_s());
    rho.push_back(mean);
  }
};

// Times at which the centres of agents first pass x = `x` walking +x, s.
struct LineCounter {
  explicit LineCounter(double x_) : x(x_) {}
  double x;
  std::set<std::int64_t> seen;
  std::vector<double> times;
  void sample(const Simulation& s) {
    const auto& a = s.agents();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a.position[i].x > x && seen.insert(a.id[i].value).second) times.push_back(s.time_s());
  }
  // Flow between the 10 % and 90 % crossing, persons/s.
  double flow() const {
    if (times.size() < 10) return 0.0;
    const std::size_t a = times.size() / 10, b = times.size() - 1 - times.size() / 10;
    return static_cast<double>(b - a) / (times[b] - times[a]);
  }
};

// Evacuated persons over time for plots: (exit time, count).
Series evacuation_curve(const std::vector<double>& exits, std::string label) {
  Series s{std::move(label), {0.0}, {0.0}, Series::Style::Line};
  for (std::size_t i = 0; i < exits.size(); ++i) {
    s.x.push_back(exits[i]);
    s.y.push_back(static_cast<double>(i + 1));
  }
  return s;
}

double last_or_inf(const std::vector<double>& t) { return t.empty() ? INFINITY : t.back(); }

// Mean over `seeds` of the time the last person leaves the scene `make(seed)` (infinite when
// somebody stays inside), s; `first` receives the exit times of the first seed, for plots.
double mean_evacuation_time(const std::function<Scenario(std::uint64_t)>& make, const std::vector<std::uint64_t>& seeds,
                            int threads, std::vector<double>& first) {
  double mean = 0.0;
  for (auto seed : seeds) {
    Simulation sim(make(seed), {.threads = threads});
    run_until_done(sim, 120000);
    auto times = exit_times(sim);
    if (sim.agents().size() > 0) times.push_back(INFINITY);
    mean += last_or_inf(times) / static_cast<double>(seeds.size());
    if (seed == seeds.front()) first = times;
  }
  return mean;
}

}  // namespace

TestResult corridor_walk(double speed_m_s, double min_s, double max_s) {
  TestResult r;
  r.geometry = "corridor 40 m × 2 m (scenes::free_walking_corridor)";
  r.setup = text("one person, desired speed %.2f m/s, starts at rest 40 m before the end", speed_m_s);
  r.criterion = text("travel time over 40 m in [%.0f, %.0f] s", min_s, max_s);
  const double t = corridor_travel_time(speed_m_s);
  r.measured = text("travel time %.2f s", t);
  r.pass = t >= min_s && t <= max_s;
  return r;
}

TestResult rimea_1(const Context&) {
  TestResult r = corridor_walk(1.33, 26.0, 34.0);
  r.title = "Walking speed in a corridor";
  r.tolerance = "as given by RiMEA (speed range 1.18–1.54 m/s)";
  r.source = std::string(kRimea) + ", test 1; ../shared/VALIDATION.md §1";
  return r;
}

namespace {
TestResult stairs_test(bool downhill) {
  TestResult r;
  r.title = downhill ? "Walking speed down stairs" : "Walking speed up stairs";
  r.geometry = "2 m wide straight flight, 10 m in plan (34 steps, 0.17 m risers, 0.294 m treads), 4 m landings "
               "(scenes::stairs)";
  r.setup = std::string("one person, level desired speed 1.34 m/s, walks ") + (downhill ? "down" : "up") +
            "; speed along the incline over the mid-flight 6 m (plan)";
  r.criterion = "speed along the incline in [0.5, 0.8] m/s, and down ≥ up";
  r.tolerance = "literature range 0.67 ± 0.17 (up), 0.75 ± 0.19 (down) m/s; Weidmann 0.61 up, 0.69 down";
  r.source = std::string(kRimea) + (downhill ? ", test 3" : ", test 2") + "; Weidmann 1993; ../shared/VALIDATION.md §5";
  const double v = stair_speed(downhill), other = stair_speed(!downhill);
  r.measured = text("%.3f m/s along the incline (%s: %.3f m/s)", v, downhill ? "up" : "down", other);
  const double up = downhill ? other : v, down = downhill ? v : other;
  r.pass = v >= 0.5 && v <= 0.8 && down >= up;
  r.notes = "The stair speeds are model inputs (TerrainParameters); the test checks that they are applied end to end "
            "(surface rasterised, flight gradient fitted, plan-view projection), not an emergent property.";
  return r;
}
}  // namespace

TestResult rimea_2(const Context&) { return stairs_test(false); }
TestResult rimea_3(const Context&) { return stairs_test(true); }

TestResult rimea_4(const Context& ctx) {
  TestResult r;
  r.title = "Fundamental diagram (Weidmann 1993)";
  const double width = ctx.pick(4.0, 10.0), warmup = 10.0, measure = ctx.pick(20.0, 50.0);
  const auto seeds = ctx.seeds(1, 2);
  const std::vector<double> rhos = ctx.quick ? std::vector<double>{0.5, 1.0, 2.0, 3.0, 4.0}
                                             : std::vector<double>{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0};
  r.geometry = text("periodic corridor 20 m × %.0f m (scenes::periodic_corridor; stands for RiMEA's 1000 m × 10 m "
                    "corridor)", width);
  r.setup = text("densities %s persons/m², adults (desired speed N(1.34, 0.26) m/s); %.0f s transient ignored, mean "
                 "speed over the next %.0f s, %zu seed(s)", list(rhos, "%.1f").c_str(), warmup, measure, seeds.size());
  r.criterion = "|v − v_W(ρ)| ≤ 0.3 m/s for ρ ≤ 4; max Js = ρv in [1.2, 1.8] persons/(m·s) at ρ in [1.5, 3.5]; v "
                "non-increasing in ρ";
  r.tolerance = "0.3 m/s envelope (*proposed*: handbooks disagree, capacity 1.2–1.8 persons/(m·s))";
  r.source = std::string(kRimea) + ", test 4; Weidmann 1993; ../shared/VALIDATION.md §2";
  std::vector<double> v, js, vw, worst;
  bool pass = true;
  double best_js = 0.0, best_rho = 0.0, largest = 0.0;
  for (std::size_t i = 0; i < rhos.size(); ++i) {
    v.push_back(corridor_speed(rhos[i], 20.0, width, seeds, warmup, measure, ctx.threads));
    js.push_back(rhos[i] * v.back());
    if (rhos[i] <= 4.0) {
      largest = std::max(largest, std::abs(v.back() - weidmann_speed(rhos[i])));
      pass = pass && std::abs(v.back() - weidmann_speed(rhos[i])) <= 0.3;
    }
    if (i > 0 && v[i] > v[i - 1]) pass = false;
    if (js.back() > best_js) best_js = js.back(), best_rho = rhos[i];
  }
  pass = pass && best_js >= 1.2 && best_js <= 1.8 && best_rho >= 1.5 && best_rho <= 3.5;
  r.pass = pass;
  r.measured = text("v = %s m/s at ρ = %s; largest |v − v_W| (ρ ≤ 4) %.2f m/s; max Js %.2f persons/(m·s) at ρ = %.1f",
                    list(v).c_str(), list(rhos, "%.1f").c_str(), largest, best_js, best_rho);
  std::vector<double> cx, cv, cj;
  for (double rho = 0.3; rho <= 5.4; rho += 0.05) {
    cx.push_back(rho);
    cv.push_back(weidmann_speed(rho));
    cj.push_back(rho * weidmann_speed(rho));
  }
  r.figures.push_back(ctx.figure("rimea4_speed",
                                 {"Speed against density", "density ρ (persons/m²)", "speed v (m/s)",
                                  {{"Weidmann 1993", cx, cv, Series::Style::Line},
                                   {"crowdsafe", rhos, v, Series::Style::LineMarkers}}},
                                 "RiMEA 4: mean speed against density, crowdsafe and Weidmann (1993)"));
  r.figures.push_back(ctx.figure("rimea4_flow",
                                 {"Specific flow against density", "density ρ (persons/m²)", "specific flow Js (persons/(m·s))",
                                  {{"Weidmann 1993", cx, cj, Series::Style::Line},
                                   {"crowdsafe", rhos, js, Series::Style::LineMarkers}}},
                                 "RiMEA 4: specific flow against density, crowdsafe and Weidmann (1993)"));
  r.notes = "The single-file part of RiMEA test 4 is RiMEA 16 below.";
  return r;
}

TestResult rimea_5(const Context&) {
  TestResult r;
  r.title = "Premovement time";
  r.geometry = "room 8 m × 5 m, 1 m exit in the middle of a 5 m wall (scenes::premovement_room)";
  std::mt19937_64 rng(5);
  std::vector<double> pre;
  for (int k = 0; k < 10; ++k) pre.push_back(10.0 + 90.0 * static_cast<double>(rng() >> 11) * 0x1.0p-53);
  r.setup = "10 persons with premovement times drawn uniformly from [10, 100] s: " + list(pre, "%.1f") + " s";
  r.criterion = "everybody starts walking (first walks towards the door at more than 0.2 m/s for 1 s without a "
                "break) neither before their premovement time nor more than 1 s after it";
  r.tolerance = "1 s (*proposed*; relaxation time τ = 0.5 s)";
  r.source = std::string(kRimea) + ", test 5; NIST TN 1822 / ISO 20414 pre-evacuation time component";
  Simulation sim(scenes::premovement_room(pre), {.threads = 1});
  // A person has started walking once they walk towards the door (speed > 0.2 m/s within 45° of
  // the direction to it) for 1 s without a break; a shove from somebody passing is not a start.
  std::vector<double> start(pre.size(), -1.0), since(pre.size(), -1.0), drift(pre.size(), 0.0);
  std::vector<Vec2> origin(sim.agents().position);
  run_until_done(sim, 40000, [&](const Simulation& s) {
    const auto& a = s.agents();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto g = static_cast<std::size_t>(a.group[i]);
      const Vec2 to_door = normalized(Vec2{8.25, 2.5} - a.position[i]);
      const bool walking = norm(a.velocity[i]) > 0.2 && dot(a.velocity[i], to_door) > 0.7 * norm(a.velocity[i]);
      if (!walking) since[g] = -1.0;
      else if (since[g] < 0) since[g] = s.time_s();
      if (start[g] < 0 && since[g] >= 0 && s.time_s() - since[g] >= 1.0) start[g] = since[g];
      if (s.time_s() < pre[g]) drift[g] = std::max(drift[g], norm(a.position[i] - origin[g]));
    }
  });
  double late = 0.0, early = 0.0, most_drift = 0.0;
  bool all_started = true;
  for (std::size_t g = 0; g < pre.size(); ++g) {
    all_started = all_started && start[g] >= 0;
    late = std::max(late, start[g] - pre[g]);
    early = std::max(early, pre[g] - start[g]);
    most_drift = std::max(most_drift, drift[g]);
  }
  r.pass = all_started && early <= 0.0 && late <= 1.0;
  r.measured = text("start times %s s; largest delay after the premovement time %.2f s, largest start before it "
                    "%.2f s; largest displacement before the premovement time %.3f m (nudged by people walking past)",
                    list(start, "%.2f").c_str(), late, early, most_drift);
  r.notes = "People walking to the door step round those still waiting in their path (overtake rule, docs/model.md); "
            "the displacement left is the repulsion of people passing close by. Without that rule walkers pressed on "
            "into waiting persons and pushed them towards the door up to 49 s before their premovement time ended.";
  return r;
}

TestResult rimea_6(const Context& ctx) {
  TestResult r;
  r.title = "Movement around a corner";
  r.geometry = "corridor 2 m wide, 12 m east then 12 m north round a left 90° corner (scenes::corner)";
  const auto seeds = ctx.seeds(2, 10);
  r.setup = text("20 persons (adults) start in the first 6 m; %zu seeds", seeds.size());
  r.criterion = "everybody arrives round the corner and nobody passes through a wall (a wall crossing stops the run "
                "with an error)";
  r.tolerance = "none";
  r.source = std::string(kRimea) + ", test 6; NIST TN 1822 / ISO 20414 movement around a corner component";
  int arrived = 0;
  double slowest = 0.0;
  for (auto seed : seeds) {
    Simulation sim(scenes::corner(seed), {.threads = ctx.threads});
    run_until_done(sim, 12000);
    const auto t = exit_times(sim);
    arrived += static_cast<int>(t.size());
    if (!t.empty()) slowest = std::max(slowest, t.back());
  }
  r.pass = arrived == 20 * static_cast<int>(seeds.size());
  r.measured = text("%d of %zu arrived, no wall crossing; last arrival %.1f s", arrived, 20 * seeds.size(), slowest);
  return r;
}

TestResult rimea_7(const Context& ctx) {
  TestResult r;
  r.title = "Allocation of demographic parameters";
  // Bohannon & Williams Andrews 2011 gait speeds by age band, male / female (VALIDATION.md §1).
  const std::vector<std::pair<const char*, std::pair<double, double>>> bands{
      {"20–29", {1.36, 1.34}}, {"30–39", {1.43, 1.34}}, {"40–49", {1.43, 1.39}}, {"50–59", {1.43, 1.31}},
      {"60–69", {1.34, 1.24}}, {"70–79", {1.26, 1.13}}, {"80–89", {0.97, 0.94}}};
  const int adults = ctx.pick(50, 500), per_band = ctx.pick(3, 10);
  r.geometry = "open area, everybody on their own lane 1.2 m apart (no interaction), walking +x";
  r.setup = text("%d adults with the default profile (Weidmann: N(1.34, 0.26) m/s clipped to [0.5, 2.0]); and %d "
                 "persons for each of the 14 age/sex bands of Bohannon & Williams Andrews (2011), each band a profile "
                 "with its mean speed; walking speed measured over 5–20 s",
                 adults, per_band);
  r.criterion = "desired speeds of the adults: sample mean within 3 standard errors of 1.34 m/s and sample sd within "
                "±20 % of 0.26 m/s; measured walking speed of every person within 0.05 m/s of their desired speed; "
                "mean walking speed of every band within 0.05 m/s of its table value";
  r.tolerance = "3 standard errors (sampling), 0.05 m/s (*proposed*)";
  r.source = std::string(kRimea) + ", test 7; Weidmann 1993; Bohannon & Williams Andrews 2011; ../shared/VALIDATION.md "
             "§1; NIST TN 1822 / ISO 20414 assigned demographics component";
  Scenario s;
  s.name = "rimea-7";
  const int lanes = adults + 14 * per_band;
  s.walkable = {rectangle(0, 0, 40, 1.2 * lanes)};
  s.navigation_cell_m = 0.5;
  s.stop_when_empty = false;
  s.duration_s = 30;
  int lane = 0;
  auto add = [&](std::string name, Profile p, int n) {
    Group g;
    g.name = std::move(name);
    g.profile = p;
    for (int k = 0; k < n; ++k) g.positions.push_back({1.0, 0.6 + 1.2 * lane++});
    g.count = n;
    g.target.kind = Target::Kind::Direction;
    g.target.direction = {1, 0};
    s.groups.push_back(g);
  };
  add("adults", Profile{}, adults);
  for (const auto& [age, mf] : bands)
    for (int sex = 0; sex < 2; ++sex) {
      Profile p;
      p.name = std::string(sex ? "female " : "male ") + age;
      p.speed_mean_m_s = sex ? mf.second : mf.first;
      p.speed_sd_m_s = 0.0;
      add(p.name, p, per_band);
    }
  Simulation sim(s, {.threads = ctx.threads});
  std::vector<double> sum(static_cast<std::size_t>(lanes), 0.0);  // by agent id
  int samples = 0;
  run_until_done(sim, 2000, [&](const Simulation& st) {
    if (st.time_s() < 5.0 || st.step_count() % 10) return;
    for (std::size_t i = 0; i < st.agents().size(); ++i) sum[static_cast<std::size_t>(st.agents().id[i].value)] += st.agents().velocity[i].x;
    ++samples;
  });
  double worst_person = 0.0, worst_band = 0.0, m = 0.0, m2 = 0.0;
  std::vector<double> desired, measured, band_x, band_ref, band_sim;
  for (const auto& rec : sim.records()) {
    const double v = sum[static_cast<std::size_t>(rec.id.value)] / samples;
    worst_person = std::max(worst_person, std::abs(v - rec.desired_speed_m_s));
    if (rec.group == 0) {
      m += rec.desired_speed_m_s / adults;
      m2 += rec.desired_speed_m_s * rec.desired_speed_m_s / adults;
      desired.push_back(rec.desired_speed_m_s);
      measured.push_back(v);
    }
  }
  const double sd = std::sqrt(std::max(0.0, m2 - m * m) * adults / (adults - 1.0));
  for (std::size_t b = 1; b < s.groups.size(); ++b) {
    double mean = 0.0;
    for (const auto& rec : sim.records())
      if (static_cast<std::size_t>(rec.group) == b) mean += sum[static_cast<std::size_t>(rec.id.value)] / samples / per_band;
    band_x.push_back(static_cast<double>(b));
    band_ref.push_back(s.groups[b].profile.speed_mean_m_s);
    band_sim.push_back(mean);
    worst_band = std::max(worst_band, std::abs(mean - band_ref.back()));
  }
  const double se = 0.26 / std::sqrt(static_cast<double>(adults));
  r.pass = std::abs(m - 1.34) <= 3 * se && std::abs(sd - 0.26) <= 0.2 * 0.26 && worst_person <= 0.05 && worst_band <= 0.05;
  r.measured = text("adults: desired speed mean %.3f m/s (±3 SE = ±%.3f), sd %.3f m/s; largest |walking − desired| "
                    "%.3f m/s; largest band error %.3f m/s",
                    m, 3 * se, sd, worst_person, worst_band);
  std::sort(desired.begin(), desired.end());
  std::sort(measured.begin(), measured.end());
  std::vector<double> q, normal_q;
  for (std::size_t i = 0; i < desired.size(); ++i) {
    q.push_back((i + 0.5) / static_cast<double>(desired.size()));
    // Normal quantile by bisection on erf (clipped to [0.5, 2.0] like the profile).
    double lo = -6, hi = 6;
    for (int it = 0; it < 60; ++it) {
      const double mid = 0.5 * (lo + hi);
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q.back() ? lo : hi) = mid;
    }
    normal_q.push_back(std::clamp(1.34 + 0.26 * lo, 0.5, 2.0));
  }
  r.figures.push_back(ctx.figure("rimea7_distribution",
                                 {"Walking speeds of the adults (cumulative)", "speed (m/s)", "cumulative fraction",
                                  {{"Weidmann N(1.34, 0.26)", normal_q, q, Series::Style::Line},
                                   {"desired (drawn)", desired, q, Series::Style::Markers},
                                   {"measured walking", measured, q, Series::Style::Line, "", true}}, false, true},
                                 "RiMEA 7: cumulative distribution of the adults' speeds against Weidmann's normal distribution"));
  r.figures.push_back(ctx.figure("rimea7_bands",
                                 {"Walking speed by age/sex band", "band (1–7 male 20–29 … 80–89, alternating female)",
                                  "speed (m/s)",
                                  {{"Bohannon & Williams Andrews 2011", band_x, band_ref, Series::Style::Markers},
                                   {"crowdsafe", band_x, band_sim, Series::Style::Markers}}},
                                 "RiMEA 7: mean walking speed of each age/sex band (odd: male, even: female, ages 20–29 to 80–89)"));
  return r;
}

TestResult rimea_8(const Context& ctx) {
  TestResult r;
  r.title = "Parameter analysis";
  const auto n = ctx.pick<std::int64_t>(60, 100);
  r.geometry = "room 10 m × 10 m with a 1 m door (scenes::dense_room); a single floor stands for RiMEA's three-storey "
               "floor plan, which needs multi-level venues";
  r.setup = text("%lld persons; total evacuation time for: (a) everybody at the same desired speed 0.5, 0.75, 1.0, "
                 "1.25, 1.5 m/s; (b) desired speeds spread around 1.0 m/s (uniform half-widths 0, 0.25, 0.5 m/s, "
                 "as a normal with the same variance clipped to the range); (c) body radius 0.20, 0.225, 0.25 m for "
                 "everybody",
                 static_cast<long long>(n));
  r.criterion = "RiMEA gives no pass criterion: the test documents how the evacuation time changes. Pass = every "
                "variant runs to the end without an invariant violation and everybody leaves";
  r.tolerance = "none";
  r.source = std::string(kRimea) + ", test 8";
  auto evacuate = [&](const std::function<void(Profile&)>& set) {
    Scenario s = scenes::dense_room(static_cast<double>(n) / 100.0, 1);
    s.duration_s = 900;
    for (auto& g : s.groups) set(g.profile);
    Simulation sim(s, {.threads = ctx.threads});
    run_until_done(sim, 90000);
    return sim.agents().size() == 0 ? last_or_inf(exit_times(sim)) : INFINITY;
  };
  const std::vector<double> speeds{0.5, 0.75, 1.0, 1.25, 1.5}, spreads{0.0, 0.25, 0.5}, radii{0.2, 0.225, 0.25};
  std::vector<double> ta, tb, tc;
  for (double v : speeds)
    ta.push_back(evacuate([&](Profile& p) { p.speed_mean_m_s = p.speed_min_m_s = p.speed_max_m_s = v, p.speed_sd_m_s = 0; }));
  for (double w : spreads)
    tb.push_back(evacuate([&](Profile& p) {
      p.speed_mean_m_s = 1.0, p.speed_sd_m_s = w / std::sqrt(3.0), p.speed_min_m_s = 1.0 - w, p.speed_max_m_s = 1.0 + w;
      if (w == 0.0) p.speed_min_m_s = p.speed_max_m_s = 1.0;
    }));
  for (double rad : radii) tc.push_back(evacuate([&](Profile& p) { p.radius_min_m = p.radius_max_m = rad; }));
  bool pass = true;
  for (const auto* t : {&ta, &tb, &tc})
    for (double x : *t) pass = pass && std::isfinite(x);
  r.pass = pass;
  r.measured = text("evacuation time (a) %s s; (b) %s s; (c) %s s", list(ta, "%.1f").c_str(), list(tb, "%.1f").c_str(),
                    list(tc, "%.1f").c_str());
  r.figures.push_back(ctx.figure("rimea8_speed",
                                 {"Evacuation time against desired speed", "desired speed of everybody (m/s)",
                                  "evacuation time (s)", {{"crowdsafe", speeds, ta, Series::Style::LineMarkers}}},
                                 "RiMEA 8 (a): total evacuation time against a common desired speed"));
  return r;
}

TestResult rimea_9(const Context& ctx) {
  TestResult r;
  r.title = "Large room with closing exits";
  const auto n = ctx.pick<std::int64_t>(300, 1000);
  r.geometry = "hall 30 m × 20 m, two 1 m exits on each long wall (x = 7.5 and 22.5 m) (scenes::closing_exits_hall)";
  r.setup = text("%lld adults spread evenly, heading for the nearest open exit; run 1 with all four exits, run 2 with "
                 "the two exits of one long wall closed; time until the last person is out, mean over %zu seed(s)",
                 static_cast<long long>(n), ctx.seeds(1, 3).size());
  r.criterion = "evacuation time with 2 exits ≈ twice that with 4 exits: ratio in [1.6, 2.4]";
  r.tolerance = "±0.4 on the ratio 2 (as in JuPedSim's RiMEA test 9)";
  r.source = std::string(kRimea) + ", test 9";
  const auto seeds = ctx.seeds(1, 3);
  std::vector<double> t[2];
  double mean[2];
  for (int closed = 0; closed < 2; ++closed)
    mean[closed] = mean_evacuation_time([&](std::uint64_t seed) { return scenes::closing_exits_hall(n, closed == 1, seed); },
                                        seeds, ctx.threads, t[closed]);
  const double t4 = mean[0], t2 = mean[1], ratio = t2 / t4;
  r.pass = ratio >= 1.6 && ratio <= 2.4;
  r.measured = text("mean over %zu seed(s): 4 exits %.1f s, 2 exits %.1f s, ratio %.2f", seeds.size(), t4, t2, ratio);
  r.figures.push_back(ctx.figure("rimea9_evacuation",
                                 {"Persons out against time", "time (s)", "persons evacuated",
                                  {evacuation_curve(t[0], "4 exits"), evacuation_curve(t[1], "2 exits")}},
                                 "RiMEA 9: evacuation curves with four and with two exits"));
  return r;
}

TestResult rimea_10(const Context& ctx) {
  TestResult r;
  r.title = "Allocation of escape routes";
  r.geometry = "corridor 2 m × 37 m with six 5 m × 4 m rooms on each side (1 m doors); main exit at the right end, "
               "secondary exit at the left end (scenes::assigned_routes_corridor)";
  r.setup = "23 adults, two per room (one in room 12); rooms 1–4 and 7–10 assigned the main exit, rooms 5, 6, 11, 12 "
            "the secondary exit (so rooms 1–4 walk past the secondary exit and rooms 5, 6 past the main exit)";
  r.criterion = "every person leaves through the exit assigned to them";
  r.tolerance = "none";
  r.source = std::string(kRimea) + ", test 10; NIST TN 1822 / ISO 20414 exit route allocation component";
  Simulation sim(scenes::assigned_routes_corridor(1), {.threads = ctx.threads});
  run_until_done(sim, 30000);
  int right = 0, total = 0;
  for (const auto& rec : sim.records()) {
    ++total;
    const auto& target = sim.scenario().groups[static_cast<std::size_t>(rec.group)].target.name;
    right += rec.exit >= 0 && sim.scenario().exits[static_cast<std::size_t>(rec.exit)].name == target ? 1 : 0;
  }
  r.pass = total == 23 && right == total;
  r.measured = text("%d of %d persons left through their assigned exit", right, total);
  return r;
}

TestResult rimea_11(const Context& ctx) {
  TestResult r;
  r.title = "Choice of exit";
  const auto n = ctx.pick<std::int64_t>(300, 1000);
  r.geometry = "hall 30 m × 20 m, exit 1 at x = 21–22 m and exit 2 at x = 27–28 m, both 1 m wide in the upper wall "
               "(scenes::exit_choice_hall, after JuPedSim's RiMEA geometry)";
  r.setup = text("%lld adults packed from the left wall at 4 persons/m², targeting the nearest exit",
                 static_cast<long long>(n));
  r.criterion = "most persons use the nearer exit 1 (congestion there) and some persons also use exit 2";
  r.tolerance = "exit 1 > 50 % of persons; exit 2 ≥ 1 person";
  r.source = std::string(kRimea) + ", test 11";
  Simulation sim(scenes::exit_choice_hall(n, 1), {.threads = ctx.threads});
  run_until_done(sim, 120000);
  int e1 = 0, e2 = 0;
  for (const auto& rec : sim.records()) e1 += rec.exit == 0 ? 1 : 0, e2 += rec.exit == 1 ? 1 : 0;
  r.pass = e1 > n / 2 && e2 >= 1;
  r.measured = text("exit 1: %d persons, exit 2: %d persons, still inside %zu", e1, e2, sim.agents().size());
  r.notes = "Exit choice is static: `nearest exit` follows one travel-distance field to all exits, computed once "
            "(docs/model.md, Navigation), at each person's current position. Nobody re-plans because of a queue; the "
            "people who use exit 2 are those the queue at exit 1 pushes along the wall past the point where exit 2 "
            "becomes the nearer one.";
  return r;
}

TestResult rimea_12(const Context& ctx) {
  TestResult r;
  r.title = "Effect of bottlenecks";
  r.geometry = "room 1 (10 m × 10 m) joined by a 1 m wide, 8 m long corridor to room 2 (10 m × 10 m) whose 1 m exit "
               "is in the middle of its far wall (scenes::two_rooms_and_corridor)";
  r.setup = text("150 adults in room 1; density (1 s mean) in the 2 m × 2 m areas in front of the corridor entrance "
                 "and in front of room 2's exit, %zu seed(s)", ctx.seeds(1, 3).size());
  r.criterion = "in every seed: congestion in front of the corridor (peak density ≥ 2 persons/m²), none in front of "
                "room 2's exit (peak < 2 persons/m²)";
  r.tolerance = "congestion = 2 persons/m², where Fruin's walkway level of service F (< 0.5 m²/person) begins "
                "(../shared/VALIDATION.md §6); RiMEA treats this test as documentation, not as an exclusion criterion";
  r.source = std::string(kRimea) + ", test 12";
  double up = INFINITY, down = 0.0;  // the weakest congestion upstream, the strongest downstream
  DensityProbe show_up{8, 4, 10, 6}, show_down{26, 4, 28, 6};
  for (auto seed : ctx.seeds(1, 3)) {
    DensityProbe a{8, 4, 10, 6}, b{26, 4, 28, 6};
    Simulation sim(scenes::two_rooms_and_corridor(150, seed), {.threads = ctx.threads});
    run_until_done(sim, 60000, [&](const Simulation& s) { a.sample(s), b.sample(s); });
    up = std::min(up, a.peak), down = std::max(down, b.peak);
    if (seed == 1) show_up = a, show_down = b;
  }
  r.pass = up >= 2.0 && down < 2.0;
  r.measured = text("peak density in front of the corridor at least %.2f persons/m², in front of room 2's exit at most "
                    "%.2f persons/m²", up, down);
  r.figures.push_back(ctx.figure("rimea12_density",
                                 {"Density in front of the two openings (seed 1)", "time (s)", "density (persons/m²)",
                                  {{"corridor entrance (room 1)", show_up.t, show_up.rho, Series::Style::Line},
                                   {"exit of room 2", show_down.t, show_down.rho, Series::Style::Line}}},
                                 "RiMEA 12: 1 s mean density in front of the corridor and in front of room 2's exit"));
  return r;
}

TestResult rimea_13(const Context& ctx) {
  TestResult r;
  r.title = "Congestion in front of stairs";
  r.geometry = "room 8 m × 8 m opening (2 m) into a 2 m × 12 m corridor that ends at a 10 m stair flight up (34 "
               "steps of 0.17 m), 4 m landing with the exit (scenes::stairs_congestion)";
  r.setup = "150 adults in the room; flow across the corridor (x = 14 m) and across the top of the stairs (x = 30 m), "
            "each between the 10 % and 90 % crossing; density (1 s mean) in the 2 m × 2 m area at the foot of the "
            "stairs";
  r.criterion = "in every seed: congestion at the foot of the stairs (peak density ≥ 2 persons/m²) and a smaller flow "
                "on the stairs than in the corridor; everybody arrives";
  r.tolerance = "congestion = 2 persons/m², where Fruin's walkway level of service F (< 0.5 m²/person) begins "
                "(../shared/VALIDATION.md §6)";
  r.source = std::string(kRimea) + ", test 13";
  const auto seeds = ctx.seeds(1, 3);
  DensityProbe show{18, 3, 20, 5};
  double least_peak = INFINITY, jc_min = INFINITY, js_max = 0.0;
  std::size_t left = 0;
  for (auto seed : seeds) {
    DensityProbe foot{18, 3, 20, 5};
    LineCounter corridor{14.0}, top{30.0};
    Simulation sim(scenes::stairs_congestion(150, seed), {.threads = ctx.threads});
    run_until_done(sim, 90000, [&](const Simulation& s) { foot.sample(s), corridor.sample(s), top.sample(s); });
    least_peak = std::min(least_peak, foot.peak);
    jc_min = std::min(jc_min, corridor.flow()), js_max = std::max(js_max, top.flow());
    left += sim.agents().size();
    if (seed == 1) show = foot;
  }
  r.pass = least_peak >= 2.0 && js_max < jc_min && left == 0;
  r.measured = text("%zu seed(s): peak density at the stair foot at least %.2f persons/m²; flow in the corridor at least "
                    "%.2f persons/s, on the stairs at most %.2f persons/s; %zu still inside",
                    seeds.size(), least_peak, jc_min, js_max, left);
  r.figures.push_back(ctx.figure("rimea13_density",
                                 {"Density at the foot of the stairs", "time (s)", "density (persons/m²)",
                                  {{"stair foot (x = 18–20 m)", show.t, show.rho, Series::Style::Line}}},
                                 "RiMEA 13: 1 s mean density at the foot of the stairs (seed 1)"));
  return r;
}

TestResult rimea_14(const Context& ctx) {
  TestResult r;
  r.title = "Choice of route";
  r.geometry = "start and target rooms (4 m × 10 m, upper floor at 3 m) joined by a lower route (2 m wide: 5 m stair "
               "flight down, 10 m corridor on the ground floor, 5 m flight up) and by a flat upper corridor (2 m wide) "
               "that detours D metres sideways; D = 2 m and D = 20 m (scenes::route_choice)";
  r.setup = "10 adults start in the start room and walk to the target room";
  r.criterion = "people take the route with the shorter free-walking time: the upper corridor when the detour is "
                "short (D = 2 m: about 36 m level against about 20 m level plus 2 × 5 m (plan) of stairs walked at "
                "0.52–0.59 m/s in plan, worth about 44 m of level walking), the stairs when it is long (D = 20 m: "
                "about 72 m level); everybody arrives";
  r.tolerance = "all 10 persons on the expected route";
  r.source = std::string(kRimea) + ", test 14 (RiMEA documents the choice without a pass criterion)";
  auto run = [&](double detour, int& upper, int& lower, int& arrived) {
    std::set<std::int64_t> up, low;
    Simulation sim(scenes::route_choice(detour), {.threads = ctx.threads});
    run_until_done(sim, 30000, [&](const Simulation& st) {
      const auto& a = st.agents();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.position[i].y > 10.5) up.insert(a.id[i].value);
        if (a.position[i].x > 9 && a.position[i].x < 19 && a.position[i].y < 2) low.insert(a.id[i].value);
      }
    });
    upper = static_cast<int>(up.size()), lower = static_cast<int>(low.size());
    arrived = static_cast<int>(exit_times(sim).size());
  };
  int u1, l1, a1, u2, l2, a2;
  run(2.0, u1, l1, a1);
  run(20.0, u2, l2, a2);
  r.pass = u1 == 10 && l1 == 0 && a1 == 10 && l2 == 10 && u2 == 0 && a2 == 10;
  r.measured = text("D = 2 m: %d upper, %d via the stairs, %d arrived; D = 20 m: %d upper, %d via the stairs, %d arrived",
                    u1, l1, a1, u2, l2, a2);
  return r;
}

TestResult rimea_15(const Context& ctx) {
  TestResult r;
  r.title = "Large crowd round a corner";
  const auto n = ctx.pick<std::int64_t>(150, 500);
  r.geometry = "corridor 5 m wide: start area 40 m × 5 m, then either a left 90° corner (19 m to the target along the "
               "inner edge, 29 m along the outer edge) or straight on over 19 m (shortest) or 29 m (longest) "
               "(scenes::crowd_round_corner)";
  r.setup = text("%lld adults, identical start for the three geometries (same seed); time until everybody reached "
                 "the target, mean over %zu seeds", static_cast<long long>(n), ctx.seeds(2, 5).size());
  r.criterion = "time round the corner between the times of the shortest and the longest straight corridor";
  r.tolerance = "none (RiMEA: \"ideally\")";
  r.source = std::string(kRimea) + ", test 15";
  // Mean over seeds of the time the last person arrives; the figure shows seed 1.
  const auto seeds = ctx.seeds(2, 5);
  std::vector<double> t[3];
  double mean[3];
  for (int variant = 0; variant < 3; ++variant)
    mean[variant] = mean_evacuation_time([&](std::uint64_t seed) { return scenes::crowd_round_corner(variant, n, seed); },
                                         seeds, ctx.threads, t[variant]);
  const double corner = mean[0], shortest = mean[1], longest = mean[2];
  r.pass = shortest <= corner && corner <= longest;
  r.measured = text("mean over %zu seeds: shortest straight %.1f s, corner %.1f s, longest straight %.1f s",
                    seeds.size(), shortest, corner, longest);
  r.notes = "Where the corner takes longer than the longest straight corridor, the bend itself limits the flow in "
            "this model: it acts as a bottleneck, which the extra path length alone does not explain.";
  r.figures.push_back(ctx.figure("rimea15_evacuation",
                                 {"Persons at the target against time", "time (s)", "persons arrived",
                                  {evacuation_curve(t[1], "straight, 19 m"), evacuation_curve(t[0], "corner"),
                                   evacuation_curve(t[2], "straight, 29 m")}},
                                 "RiMEA 15: arrivals round the corner and along the two straight corridors"));
  return r;
}

TestResult rimea_16(const Context& ctx) {
  TestResult r;
  r.title = "Single file (fundamental diagram of a line)";
  const double length = ctx.pick(20.0, 30.0);
  const auto seeds = ctx.seeds(1, 3);
  const std::vector<double> rhos{1.0, 1.25, 1.5, 1.75, 2.0};
  r.geometry = text("periodic corridor %.0f m × 0.7 m: with body radii 0.20–0.25 m nobody can overtake "
                    "(scenes::single_file_ring)", length);
  r.setup = text("line densities %s persons/m, adults, evenly spaced at the start; 20 s transient, mean speed over the "
                 "next 40 s, %zu seed(s)", list(rhos).c_str(), seeds.size());
  r.criterion = "|v − v_S(ρ)| ≤ 0.3 m/s with Seyfried's speed–headway relation d = 0.36 m + 1.06 s · v, "
                "v_S = (1/ρ − 0.36)/1.06";
  r.tolerance = "0.3 m/s (*proposed*, the envelope of the 2-D diagram)";
  r.source = std::string(kRimea) + ", test 4 (line movement); Seyfried, Steffen, Klingsch & Boltes 2005, J. Stat. "
             "Mech. P10002";
  std::vector<double> v, ref;
  double worst = 0.0;
  for (double rho : rhos) {
    double sum = 0.0;
    for (auto seed : seeds) sum += directed_speeds(scenes::single_file_ring(rho, length, seed), 20.0, 40.0, ctx.threads)[0];
    v.push_back(sum / static_cast<double>(seeds.size()));
    ref.push_back((1.0 / rho - 0.36) / 1.06);
    worst = std::max(worst, std::abs(v.back() - ref.back()));
  }
  r.pass = worst <= 0.3;
  r.measured = text("v = %s m/s at ρ = %s persons/m (Seyfried %s m/s); largest error %.2f m/s", list(v).c_str(),
                    list(rhos).c_str(), list(ref).c_str(), worst);
  r.notes = "In single file the time-headway rule alone sets the speed, v ≈ gap / T. Where the walls leave no room "
            "to walk staggered behind the person ahead, people keep the single-file headway T = 1.06 s (Seyfried's "
            "fit; 0.45 s in the open, docs/model.md), so d ≈ 2r + 1.06 s · v. At the high end of the range the "
            "crowd-pressure rule keeps them moving at about 0.2 × their desired speed, above Seyfried's speeds.";
  std::vector<double> cx, cv;
  for (double rho = 0.8; rho <= 2.6; rho += 0.05) cx.push_back(rho), cv.push_back(std::max(0.0, (1.0 / rho - 0.36) / 1.06));
  r.figures.push_back(ctx.figure("rimea16_single_file",
                                 {"Single-file speed against line density", "line density (persons/m)", "speed (m/s)",
                                  {{"Seyfried et al. 2005", cx, cv, Series::Style::Line},
                                   {"crowdsafe", rhos, v, Series::Style::LineMarkers}}},
                                 "RiMEA 16: single-file speed against line density, crowdsafe and Seyfried et al. (2005)"));
  return r;
}

}  // namespace crowdsafe::verify::detail
