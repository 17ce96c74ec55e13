#include "plan_command.hpp"

#include <cstdio>

namespace crowdsafe_cli {

void add_plan_flags(CLI::App* app, PlanFlags& f) {
  app->add_option("--seeds", f.seeds, "Seeds to re-simulate each measure with (the run's seed and the next ones); default 2")
      ->check(CLI::Range(1, 100));
  app->add_flag("--no-verify", f.no_verify, "Recommend only; do not re-simulate");
  app->add_flag("--no-evacuation", f.no_evacuation, "Do not plan evacuation routes");
  app->add_option("--target-density", f.target_density_per_m2,
                  "Keep every crush hotspot below this density, persons/m²; default 4 (IMO congestion criterion)")
      ->check(CLI::Range(0.5, 10.0));
  app->add_option("--evacuate-at", f.trigger_s,
                  "Plan the evacuation of everybody inside at this time of the run, s; default 0 (from the start)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--close-exit", f.closed_exits, "An exit closed or blocked during the evacuation (repeat for several)");
  app->add_option("--replan-rounds", f.replan_rounds,
                  "Congestion-aware re-planning of the evacuation: rounds of simulate, measure the delay per zone "
                  "and exit, assign again (the best simulated plan is kept); 0 = off; default 2")
      ->check(CLI::Range(0, 10));
  app->add_flag("--no-one-way", f.no_one_way, "Do not recommend one-way routing for counterflow");
  app->add_flag("--keep-trajectories", f.keep_trajectories,
                "Keep the re-simulations' trajectories.h5 under DIR/plan/ (default: summaries only)");
}

crowdsafe::PlanOptions plan_options(const PlanFlags& f, int threads, bool quiet, const std::atomic<bool>* stop) {
  crowdsafe::PlanOptions o;
  o.seeds = f.seeds;
  o.verify = !f.no_verify;
  o.evacuation = !f.no_evacuation;
  o.target_density_per_m2 = f.target_density_per_m2;
  o.evacuation_trigger_s = f.trigger_s;
  o.closed_exits = f.closed_exits;
  o.keep_trajectories = f.keep_trajectories;
  o.replan_rounds = f.replan_rounds;
  o.one_way = !f.no_one_way;
  o.threads = threads;
  o.stop = stop;
  if (!quiet) o.on_progress = [](const std::string& line) { std::fprintf(stderr, "  planner: %s\n", line.c_str()); };
  return o;
}

namespace {
std::string stat_text(const crowdsafe::SeedStats& s, int digits) {
  if (s.n == 0) return "-";
  char buf[64];
  if (s.n > 1) std::snprintf(buf, sizeof buf, "%.*f (%.*f-%.*f)", digits, s.mean, digits, s.min, digits, s.max);
  else std::snprintf(buf, sizeof buf, "%.*f", digits, s.mean);
  return buf;
}
}  // namespace

void print_plan(const crowdsafe::Plan& p, const std::string& dir) {
  std::printf("\nplan for %s: %zu gate(s), %zu divider(s), %zu later release(s), %zu one-way route(s)%s (%.1f s planning, "
              "%.1f s re-simulating)\n",
              p.scenario_name.c_str(), p.gates.size(), p.dividers.size(), p.releases.size(), p.routings.size(), p.interrupted ? ", INTERRUPTED" : "", p.plan_s,
              p.verify_s);
  for (const auto& g : p.gates) {
    std::printf("  %-11s %s for %s: line (%.1f, %.1f)-(%.1f, %.1f) m", g.gate.name.c_str(), g.purpose.c_str(),
                g.hotspot.c_str(), g.gate.line.a.x, g.gate.line.a.y, g.gate.line.b.x, g.gate.line.b.y);
    if (g.gate.rate_persons_per_min > 0) std::printf(", %.0f persons/min", g.gate.rate_persons_per_min);
    for (const auto& w : g.gate.schedule)
      std::printf(", %s %.0f-%.0f s%s", w.mode == crowdsafe::GateWindow::Mode::Closed ? "closed" : "metered", w.begin_s,
                  w.end_s, w.mode == crowdsafe::GateWindow::Mode::Metered ? (" at " + std::to_string(static_cast<int>(w.rate_persons_per_min)) + "/min").c_str() : "");
    std::printf("\n");
  }
  for (const auto& d : p.dividers)
    std::printf("  %-11s divider for %s: %zu-point line from (%.1f, %.1f) to (%.1f, %.1f) m\n", d.name.c_str(),
                d.hotspot.c_str(), d.line.size(), d.line.front().x, d.line.front().y, d.line.back().x, d.line.back().y);
  for (const auto& r : p.releases)
    std::printf("  %-11s release group '%s' (%lld persons) at %.0f s for %s\n", "release", r.group.c_str(),
                static_cast<long long>(r.persons), r.release_s, r.hotspot.c_str());
  for (const auto& r : p.routings) {
    std::string names;
    for (const auto& n : r.groups) names += (names.empty() ? "'" : ", '") + n + "'";
    std::printf("  %-11s %s (%s) avoid the line (%.1f, %.1f)-(%.1f, %.1f) m for %s (%.0f %% re-routed, %.1f m longer)\n",
                "one-way", names.c_str(), r.role.c_str(), r.line.a.x, r.line.a.y, r.line.b.x, r.line.b.y,
                r.hotspot.c_str(), 100.0 * r.rerouted_share, r.detour_m);
  }
  for (const auto& u : p.unresolved) std::printf("  %-11s no measure: %s\n", u.hotspot.c_str(), u.reason.c_str());
  if (p.evacuation) {
    const auto& e = *p.evacuation;
    std::printf("  evacuation of %lld persons from t = %.0f s (flow model): lower bound %.1f s, nearest exits %.1f s, "
                "assigned routes %.1f s\n",
                static_cast<long long>(e.persons), e.trigger_s, e.lower_bound_s, e.nearest_time_s, e.planned_time_s);
    for (const auto& x : e.exits)
      std::printf("    exit %-14s %5.1f m%s  nearest %6lld  assigned %6lld persons\n", x.name.c_str(), x.width_m,
                  x.closed ? " (closed)" : "", static_cast<long long>(x.persons_nearest),
                  static_cast<long long>(x.persons_assigned));
    for (const auto& line : e.replanning) std::printf("    re-planning: %s\n", line.c_str());
  }
  if (p.verification) {
    const auto& v = *p.verification;
    for (const auto& h : v.hotspots) std::printf("  verified %-4s %s\n", h.hotspot.c_str(), h.verdict.c_str());
    for (const auto& n : v.new_hotspots) std::printf("  new hotspot with the measures: %s\n", n.c_str());
    if (v.evacuation_nearest && v.evacuation_assigned)
      std::printf("  verified evacuation, simulated P95 (s): nearest exits %s, assigned routes %s; last out: %s vs %s\n",
                  stat_text(v.evacuation_nearest->evacuation_p95_s, 1).c_str(),
                  stat_text(v.evacuation_assigned->evacuation_p95_s, 1).c_str(),
                  stat_text(v.evacuation_nearest->evacuation_max_s, 1).c_str(),
                  stat_text(v.evacuation_assigned->evacuation_max_s, 1).c_str());
    if (!v.evacuation_verdict.empty()) std::printf("  evacuation routes: %s\n", v.evacuation_verdict.c_str());
    for (const auto& n : v.notes) std::printf("  note: %s\n", n.c_str());
  }
  std::printf("  outputs          %s/plan.json, %s/plan.geojson, plan section in %s/report.html\n", dir.c_str(), dir.c_str(),
              dir.c_str());
}

}  // namespace crowdsafe_cli
