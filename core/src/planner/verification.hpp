#pragma once
// Re-simulation of a plan's measures and evacuation routes (verification.cpp).

#include "planner_internal.hpp"

namespace crowdsafe::detail {

/// Re-simulates the baseline and the measures (and the evacuation, nearest exit against
/// assigned routes) with opt.seeds seeds under plan.run_dir/plan/. Sets `interrupted` when
/// opt.stop was raised; what was finished is returned.
Verification verify_plan(const Plan& plan, const Scenario& sc, const AnalysisResult& base, const PlanOptions& opt,
                         bool& interrupted);

}  // namespace crowdsafe::detail
