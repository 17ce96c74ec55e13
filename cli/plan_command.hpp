#pragma once
// `crowdsafe plan` and the planning step of `crowdsafe assess`: flags, options and printing.

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>
#include <vector>

#include "crowdsafe/planner.hpp"

namespace crowdsafe_cli {

/// Planner flags shared by `plan` and `assess`.
struct PlanFlags {
  int seeds = 2;
  bool no_verify = false;
  bool no_evacuation = false;
  double target_density_per_m2 = 4.0;
  double trigger_s = 0.0;
  std::vector<std::string> closed_exits;
  bool keep_trajectories = false;
  int replan_rounds = 2;
  bool no_one_way = false;
};

/// Adds the planner flags to a subcommand.
void add_plan_flags(CLI::App* app, PlanFlags& flags);

/// Planner options from the flags; progress lines go to stderr unless quiet.
crowdsafe::PlanOptions plan_options(const PlanFlags& flags, int threads, bool quiet, const std::atomic<bool>* stop);

/// Prints what the plan recommends and what re-simulation showed.
void print_plan(const crowdsafe::Plan& plan, const std::string& dir);

}  // namespace crowdsafe_cli
