// The `crowdsafe` command: thin layer over the library; all logic lives in core/.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <iostream>
#include <string>

#include "crowdsafe/analysis.hpp"
#include "crowdsafe/errors.hpp"
#include "crowdsafe/planner.hpp"
#include "crowdsafe/preflight.hpp"
#include "crowdsafe/runner.hpp"
#include "crowdsafe/scenario.hpp"
#include "crowdsafe/version.hpp"
#include "verify_command.hpp"
#include "plan_command.hpp"

namespace {

// Exit codes, documented in --help.
constexpr int kOk = 0;
constexpr int kSimulationFailed = 1;
constexpr int kBadInput = 2;
constexpr int kIoError = 3;
constexpr int kInterrupted = 130;

std::atomic<bool> g_stop{false};  // set only by the signal handler
extern "C" void on_signal(int) { g_stop.store(true); }

std::string clock_text(double s) {
  if (!(s >= 0) || s > 1e7) return "--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

void draw_progress(const crowdsafe::Progress& p) {
  const double frac = p.duration_s > 0 ? std::min(1.0, p.simulated_s / p.duration_s) : 0.0;
  const int width = 30;
  const int filled = static_cast<int>(frac * width);
  const double eta = frac > 0 ? p.wall_s * (1.0 - frac) / frac : -1.0;
  std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  t=%7.1f s  agents %6zu  left %6lld  elapsed %s  ETA %s ",
               filled, "##############################", width - filled, "", 100.0 * frac, p.simulated_s, p.agents,
               static_cast<long long>(p.evacuated), clock_text(p.wall_s).c_str(), clock_text(eta).c_str());
  std::fflush(stderr);
}

void print_summary(const crowdsafe::RunSummary& s, const std::string& out) {
  std::printf("\n%s: %s\n", s.scenario.c_str(), s.status.c_str());
  std::printf("  agents           %lld entered, %lld evacuated, %lld still inside\n",
              static_cast<long long>(s.agents_total), static_cast<long long>(s.agents_evacuated),
              static_cast<long long>(s.agents_remaining));
  if (s.evacuation_time_p50_s >= 0)
    std::printf("  exit times       P50 %.1f s, P95 %.1f s, last %.1f s\n", s.evacuation_time_p50_s,
                s.evacuation_time_p95_s, s.evacuation_time_max_s);
  if (s.agents_stalled > 0)
    std::printf("  stalled          %lld persons made no progress for the last stall_time_s (ids in summary.json)\n",
                static_cast<long long>(s.agents_stalled));
  std::printf("  simulated time   %.1f s in %lld steps\n", s.simulated_time_s, static_cast<long long>(s.steps));
  std::printf("  wall time        %.2f s (%.1f× real time)\n", s.wall_time_s, s.real_time_factor);
  std::printf("  throughput       %.3g agent-updates/s (%lld updates, cut-off %.2f m)\n", s.agent_updates_per_second,
              static_cast<long long>(s.agent_updates), s.cutoff_m);
  std::printf("  outputs          %s/summary.json%s%s\n", out.c_str(), s.trajectory_file.empty() ? "" : ", ",
              s.trajectory_file.empty() ? "" : (out + "/" + s.trajectory_file).c_str());
}

/// How `run`, `assess` and `resume` run (never changes results).
struct RunFlags {
  int threads = 0;
  bool quiet = false;
  bool no_trajectories = false;
  double checkpoint_every_s = 0.0;
};

crowdsafe::RunOptions run_options(const RunFlags& f, bool& tty) {
  crowdsafe::RunOptions opt;
  opt.threads = f.threads;
  opt.record = !f.no_trajectories;
  opt.stop = &g_stop;
  opt.checkpoint_every_s = f.checkpoint_every_s;
  tty = isatty(STDERR_FILENO) && !f.quiet;
  if (tty) opt.on_progress = draw_progress;
  return opt;
}

int finish(const crowdsafe::RunSummary& s, const std::string& out, bool tty, bool quiet) {
  if (tty) std::fputc('\n', stderr);
  if (!quiet) print_summary(s, out);
  if (s.status == "interrupted") {
    if (!quiet) std::fprintf(stderr, "interrupted: %s/trajectories.h5 keeps every frame so far\n", out.c_str());
    return kInterrupted;
  }
  if (s.status != "completed") {
    std::fprintf(stderr, "error: %s\n", s.status.c_str());
    return kSimulationFailed;
  }
  return kOk;
}

// Pre-flight geometry check at the start of every run: printed, and kept as check.json.
void preflight(const crowdsafe::Scenario& sc, const std::string& out, bool quiet) {
  const crowdsafe::GeometryReport rep = crowdsafe::check_geometry(sc);
  std::filesystem::create_directories(out);
  std::ofstream(std::filesystem::path(out) / "check.json") << crowdsafe::report_json(rep) << "\n";
  if (!quiet) std::fprintf(stderr, "%s", crowdsafe::format_report(rep).c_str());
}

int run_command(const crowdsafe::Scenario& sc, const std::string& scenario_path, const std::string& out,
                const RunFlags& flags) {
  preflight(sc, out, flags.quiet);
  bool tty = false;
  const crowdsafe::RunOptions opt = run_options(flags, tty);
  if (!flags.quiet)
    std::fprintf(stderr, "crowdsafe %s: running %s (seed %llu) -> %s\n", crowdsafe::kVersion, scenario_path.c_str(),
                 static_cast<unsigned long long>(sc.seed), out.c_str());
  return finish(crowdsafe::run_scenario(sc, out, opt), out, tty, flags.quiet);
}

int resume_command(const std::string& out, const RunFlags& flags) {
  bool tty = false;
  const crowdsafe::RunOptions opt = run_options(flags, tty);
  if (!flags.quiet) std::fprintf(stderr, "crowdsafe %s: resuming %s from its last checkpoint\n", crowdsafe::kVersion, out.c_str());
  return finish(crowdsafe::resume_run(out, opt), out, tty, flags.quiet);
}

int check_command(const std::string& scenario_path, const std::string& json_out, bool strict) {
  const crowdsafe::GeometryReport rep = crowdsafe::check_geometry(crowdsafe::read_scenario(scenario_path));
  std::printf("%s", crowdsafe::format_report(rep).c_str());
  if (!json_out.empty()) std::ofstream(json_out) << crowdsafe::report_json(rep) << "\n";
  return strict && !rep.doubts.empty() ? kSimulationFailed : kOk;
}

crowdsafe::Scenario load(const std::string& path, std::optional<std::uint64_t> seed, std::optional<double> duration) {
  crowdsafe::Scenario sc = crowdsafe::read_scenario(path);
  if (seed) sc.seed = *seed;
  if (duration) sc.duration_s = *duration;
  return sc;
}

void print_analysis(const crowdsafe::AnalysisResult& r, const std::string& dir) {
  std::printf("\nrisk analysis of %s: %lld frames, %lld rows in %.2f s (reading %.2f s)\n", r.scenario_name.c_str(),
              static_cast<long long>(r.frames), static_cast<long long>(r.rows), r.total_s, r.read_s);
  if (r.hotspots.empty()) {
    std::printf("  no hotspot: no cell met a crush or counterflow criterion for the sustained time\n");
  } else {
    std::printf("  %-4s %-12s %-9s %8s %10s %12s %10s  %s\n", "rank", "kind", "severity", "risk", "peak rho", "exposure", "window", "criteria");
    for (const auto& h : r.hotspots) {
      if (h.rank > 10) {
        std::printf("  ... %zu more in hotspots.json\n", r.hotspots.size() - 10);
        break;
      }
      std::string criteria;
      for (const auto& c : h.criteria) criteria += (criteria.empty() ? "" : ", ") + c;
      std::printf("  %-4s %-12s %-9s %8.1f %6.2f /m2 %9.0f p-s %4.0f-%-4.0f s  %s at (%.1f, %.1f) m, clear width %.1f m\n",
                  h.id.c_str(), crowdsafe::kind_name(h.kind), crowdsafe::severity_name(h.severity), h.risk_score,
                  h.peak_density_per_m2, h.exposure_person_s, h.start_s, h.end_s, criteria.c_str(), h.centroid.x, h.centroid.y,
                  h.geometry.clear_width_m);
    }
  }
  std::printf("  outputs          %s/hotspots.json, %s/hotspots.geojson, /analysis in %s/trajectories.h5\n", dir.c_str(),
              dir.c_str(), dir.c_str());
  std::printf("  report           %s/report.html (open it in any browser; works offline)\n", dir.c_str());
}

int analyse_command(const std::string& run_dir, double cell_m, bool quiet) {
  crowdsafe::AnalysisOptions opt;
  opt.cell_m = cell_m;
  const crowdsafe::AnalysisResult r = crowdsafe::analyse_run(run_dir, nullptr, opt);
  if (!quiet) print_analysis(r, run_dir);
  return kOk;
}

// Plans an analysed run, writes the plan files and prints them.
int plan_and_report(const crowdsafe::Scenario& sc, const std::string& out, const crowdsafe::AnalysisResult& r,
                    const crowdsafe_cli::PlanFlags& pflags, const RunFlags& flags) {
  if (!flags.quiet) std::fprintf(stderr, "planning measures and evacuation routes for %s\n", out.c_str());
  const crowdsafe::Plan plan =
      crowdsafe::plan_run(out, sc, r, crowdsafe_cli::plan_options(pflags, flags.threads, flags.quiet, &g_stop));
  crowdsafe::write_plan_files(plan);
  if (!flags.quiet) crowdsafe_cli::print_plan(plan, out);
  return plan.interrupted ? kInterrupted : kOk;
}

int plan_command(const std::string& run_dir, double cell_m, const crowdsafe_cli::PlanFlags& pflags, const RunFlags& flags) {
  const std::optional<crowdsafe::Scenario> sc = crowdsafe::load_run_scenario(run_dir);
  if (!sc)
    throw crowdsafe::InputError({run_dir}, "scenario.yaml",
                                "the run folder has no readable scenario; plan a folder written by `crowdsafe assess` or "
                                "`crowdsafe run`, whose scenario file still exists");
  crowdsafe::AnalysisOptions opt;
  opt.cell_m = cell_m;
  const crowdsafe::AnalysisResult r = crowdsafe::analyse_run(run_dir, &*sc, opt);
  if (!flags.quiet) print_analysis(r, run_dir);
  return plan_and_report(*sc, run_dir, r, pflags, flags);
}

int assess_command(const std::string& scenario_path, const std::string& out, std::optional<std::uint64_t> seed,
                   std::optional<double> duration, double cell_m, const RunFlags& flags,
                   const crowdsafe_cli::PlanFlags& pflags, bool no_plan) {
  const crowdsafe::Scenario sc = load(scenario_path, seed, duration);
  crowdsafe::AnalysisOptions opt;
  opt.cell_m = cell_m;
  crowdsafe::validate(opt);  // fail before a long run, not after it
  crowdsafe::write_run_scenario_copy(sc, out);
  const int rc = run_command(sc, scenario_path, out, flags);
  if (rc != kOk && rc != kSimulationFailed) return rc;
  // A failed run keeps every frame so far: analyse what there is, then report the failure.
  const crowdsafe::AnalysisResult r = crowdsafe::analyse_run(out, &sc, opt);
  if (!flags.quiet) print_analysis(r, out);
  if (rc != kOk || no_plan) return rc;
  return plan_and_report(sc, out, r, pflags, flags);
}

}  // namespace

int main(int argc, char** argv) {
  // From the very start, Ctrl-C and SIGTERM only ask the run to stop: the files written so far
  // are then closed properly instead of being cut off.
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  CLI::App app{
      "crowdsafe: crowd simulation and evacuation planning for venues and events.\n\n"
      "Typical use:\n"
      "  crowdsafe assess scenarios/festival-plaza/scenario.yaml --out runs/plaza\n"
      "simulates, analyses and writes runs/plaza/report.html, hotspots.json, trajectories.h5\n"
      "(PedPy-compatible) and summary.json. `crowdsafe SUBCOMMAND --help` explains each step.\n"
      "Scenario format: docs/scenario-format.md; outputs: docs/output-format.md.\n\n"
      "Exit codes: 0 ok, 1 simulation failed, 2 invalid input, 3 cannot write outputs, 130 interrupted."};
  app.set_version_flag("--version", std::string("crowdsafe ") + crowdsafe::kVersion);
  app.require_subcommand(1);

  std::string scenario, out;
  RunFlags flags;
  std::optional<std::uint64_t> seed;
  std::optional<double> duration;
  auto run_flags = [&](CLI::App* cmd) {
    cmd->add_option("--threads,-t", flags.threads, "Worker threads; 0 = all cores. Results are identical for any count.")
        ->check(CLI::Range(0, 1024));
    cmd->add_option("--checkpoint-every", flags.checkpoint_every_s,
                    "Save a checkpoint every S simulated seconds (DIR/checkpoint.bin); continue an interrupted run\n"
                    "with `crowdsafe resume DIR`, bit-identical to an uninterrupted one")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--quiet,-q", flags.quiet, "Print nothing but errors");
  };
  CLI::App* run = app.add_subcommand(
      "run",
      "Simulate a scenario and write its run folder (trajectories.h5, summary.json, check.json).\n"
      "A pre-flight geometry report (narrowest passages, exits, doubts) is printed first.\n"
      "Example: crowdsafe run scenarios/festival-plaza/scenario.yaml --out runs/plaza --threads 2");
  run->add_option("scenario", scenario, "Scenario file (YAML), e.g. scenarios/festival-plaza/scenario.yaml")->required();
  run->add_option("--out,-o", out, "Run folder to write (created if missing)")->required();
  run->add_option("--seed,-s", seed, "Random seed, overrides the scenario's `seed`");
  run->add_option("--duration", duration, "Simulated time limit in seconds, overrides `duration_s`")
      ->check(CLI::PositiveNumber);
  run->add_flag("--no-trajectories", flags.no_trajectories, "Skip trajectories.h5 (for benchmarking)");
  run_flags(run);

  std::string resume_dir;
  CLI::App* resume = app.add_subcommand(
      "resume",
      "Continue an interrupted run from its last checkpoint (written with --checkpoint-every).\n"
      "Example: crowdsafe resume runs/plaza");
  resume->add_option("run_dir", resume_dir, "Run folder of the interrupted run")->required()->check(CLI::ExistingDirectory);
  run_flags(resume);

  std::string check_scenario, check_json;
  bool strict = false;
  CLI::App* check = app.add_subcommand(
      "check",
      "Pre-flight geometry report without simulating: walkable area, the narrowest passages with clear\n"
      "widths (m) and theoretical capacities (persons/s), exits, stairs and slopes, and anything doubtful.\n"
      "Example: crowdsafe check scenarios/festival-plaza/scenario.yaml");
  check->add_option("scenario", check_scenario, "Scenario file (YAML)")->required();
  check->add_option("--json", check_json, "Also write the report as JSON to this file");
  check->add_flag("--strict", strict, "Exit with code 1 when anything doubtful was found");

  double cell_m = 0.5;
  std::string run_dir;
  CLI::App* analyse = app.add_subcommand(
      "analyse",
      "Risk analysis of a finished run: density, level of service (Fruin walkway and queuing), crowd pressure,\n"
      "contact force and counterflow on a grid; crush and counterflow hotspots ranked by risk.\n"
      "Writes RUN_DIR/hotspots.json, RUN_DIR/hotspots.geojson, the /analysis group of RUN_DIR/trajectories.h5\n"
      "and RUN_DIR/report.html (self-contained; open it in any browser, offline).\n"
      "Example: crowdsafe analyse runs/festival-plaza --cell 0.5\n"
      "Methods and thresholds: docs/analysis.md; outputs: docs/analysis-outputs.md.");
  analyse->add_option("run_dir", run_dir, "Run folder written by `crowdsafe run` or `crowdsafe assess`")->required()->check(CLI::ExistingDirectory);
  analyse->add_option("--cell", cell_m, "Grid cell edge in metres, (0.05, 5]; default 0.5")->check(CLI::Range(0.05, 5.0));
  analyse->add_flag("--quiet,-q", flags.quiet, "Print nothing but errors");

  std::string assess_scenario, assess_out;
  CLI::App* assess = app.add_subcommand(
      "assess",
      "Run a scenario, analyse it, plan measures and write the risk report: `run` + `analyse` + `plan`.\n"
      "Example: crowdsafe assess scenarios/festival-plaza/scenario.yaml --out runs/festival-plaza\n"
      "then open runs/festival-plaza/report.html. The scenario is copied to DIR/scenario.yaml so\n"
      "`crowdsafe analyse DIR` can be re-run later (for example with another --cell).");
  assess->add_option("scenario", assess_scenario, "Scenario file (YAML), e.g. scenarios/festival-plaza/scenario.yaml")->required();
  assess->add_option("--out,-o", assess_out, "Run folder to write (created if missing)")->required();
  assess->add_option("--seed,-s", seed, "Random seed, overrides the scenario's `seed`");
  assess->add_option("--duration", duration, "Simulated time limit in seconds, overrides `duration_s`")->check(CLI::PositiveNumber);
  assess->add_option("--cell", cell_m, "Analysis grid cell edge in metres, (0.05, 5]; default 0.5")->check(CLI::Range(0.05, 5.0));
  run_flags(assess);
  crowdsafe_cli::PlanFlags plan_flags;
  bool no_plan = false;
  crowdsafe_cli::add_plan_flags(assess, plan_flags);
  assess->add_flag("--no-plan", no_plan, "Stop after the risk report; do not plan measures or evacuation routes");

  std::string plan_dir;
  CLI::App* plan = app.add_subcommand(
      "plan",
      "Recommend measures for an analysed run and prove them by re-simulation: a metered gate upstream of\n"
      "each crush hotspot (rate from the downstream capacity), a divider or a holding gate for each\n"
      "counterflow hotspot, and evacuation routes assigning origin zones to exits (with a network-flow\n"
      "lower bound). Writes DIR/plan.json, DIR/plan.geojson and the plan section of DIR/report.html;\n"
      "re-simulations go to DIR/plan/. `assess` does this by default. Method: docs/planner.md.\n"
      "Example: crowdsafe plan runs/festival-plaza --seeds 3 --close-exit metro");
  plan->add_option("run_dir", plan_dir, "Run folder written by `crowdsafe assess` or `crowdsafe run`")->required()->check(CLI::ExistingDirectory);
  plan->add_option("--cell", cell_m, "Analysis grid cell edge in metres, (0.05, 5]; default 0.5")->check(CLI::Range(0.05, 5.0));
  plan->add_option("--threads,-j", flags.threads, "Worker threads per re-simulation (0 = all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  plan->add_flag("--quiet,-q", flags.quiet, "Print nothing but errors");
  crowdsafe_cli::add_plan_flags(plan, plan_flags);

  crowdsafe::cli::add_verify_command(app);
  CLI11_PARSE(app, argc, argv);
  try {
    if (run->parsed()) return run_command(load(scenario, seed, duration), scenario, out, flags);
    if (resume->parsed()) return resume_command(resume_dir, flags);
    if (check->parsed()) return check_command(check_scenario, check_json, strict);
    if (analyse->parsed()) return analyse_command(run_dir, cell_m, flags.quiet);
    if (assess->parsed()) return assess_command(assess_scenario, assess_out, seed, duration, cell_m, flags, plan_flags, no_plan);
    if (plan->parsed()) return plan_command(plan_dir, cell_m, plan_flags, flags);
  } catch (const crowdsafe::InputError& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kIoError;
  }
  return kOk;
}
