// planner.hpp: plan an analysed run (gates, releases, evacuation routes), prove the measures by
// re-simulation and write plan.json / plan.geojson. The GIL is released while planning; it is
// taken back for each progress line to check for Ctrl-C and call the optional callback.

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "bind.hpp"
#include "crowdsafe/planner.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

void bind_planner(py::module_& m) {
  m.def(
      "plan_run",
      [](const std::filesystem::path& run_dir, const Scenario& scenario, const AnalysisResult& analysis, int seeds,
         int threads, bool verify, bool evacuation, double target_density_per_m2, double evacuate_at_s,
         const std::vector<std::string>& closed_exits, bool keep_trajectories, bool write, int replan_rounds,
         std::optional<py::function> progress) {
        if (threads < 0) throw InputError({}, "threads", "must be >= 0 (0 = all cores)");
        std::atomic<bool> stop{false};
        std::optional<py::error_already_set> error;  // raised by the callback or Ctrl-C
        PlanOptions options;
        options.seeds = seeds;
        options.threads = threads;
        options.verify = verify;
        options.evacuation = evacuation;
        options.target_density_per_m2 = target_density_per_m2;
        options.evacuation_trigger_s = evacuate_at_s;
        options.closed_exits = closed_exits;
        options.keep_trajectories = keep_trajectories;
        options.replan_rounds = replan_rounds;
        options.stop = &stop;
        options.on_progress = [&](const std::string& line) {
          py::gil_scoped_acquire gil;
          if (error) return;
          try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (progress) (*progress)(line);
          } catch (py::error_already_set& e) {
            error.emplace(std::move(e));
            stop.store(true);
          }
        };
        validate(options);
        std::string json;
        {
          py::gil_scoped_release release;
          const Plan plan = plan_run(run_dir, scenario, analysis, options);
          if (write) write_plan_files(plan);
          json = plan_json(plan);
        }
        if (error) throw std::move(*error);
        return py::module_::import("json").attr("loads")(json);
      },
      py::arg("run_dir"), py::arg("scenario"), py::arg("analysis"), py::kw_only(), py::arg("seeds") = 2,
      py::arg("threads") = 0, py::arg("verify") = true, py::arg("evacuation") = true,
      py::arg("target_density_per_m2") = 4.0, py::arg("evacuate_at_s") = 0.0,
      py::arg("closed_exits") = std::vector<std::string>{}, py::arg("keep_trajectories") = false,
      py::arg("write") = true, py::arg("replan_rounds") = 2, py::arg("progress") = py::none(),
      "Plans the analysed run in run_dir, re-simulates the measures with `seeds` seeds, writes "
      "plan.json and plan.geojson when write, and returns plan.json as a dict. Units: s, persons/m².");

  m.def(
      "validate_plan_options",
      [](int seeds, int threads, double target_density_per_m2, double evacuate_at_s, int replan_rounds) {
        PlanOptions options;
        options.seeds = seeds;
        options.threads = threads;
        options.target_density_per_m2 = target_density_per_m2;
        options.evacuation_trigger_s = evacuate_at_s;
        options.replan_rounds = replan_rounds;
        validate(options);
      },
      py::kw_only(), py::arg("seeds") = 2, py::arg("threads") = 0, py::arg("target_density_per_m2") = 4.0,
      py::arg("evacuate_at_s") = 0.0, py::arg("replan_rounds") = 2,
      "Checks planner options as plan_run does, before a long run; raises InputError listing every "
      "problem. Units: s, persons/m².");
}

}  // namespace crowdsafe::python
