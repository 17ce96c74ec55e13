// runner.hpp: run a scenario to the end and write its run folder. The GIL is released while
// running; it is taken back about once per output frame to check for Ctrl-C and to call the
// optional progress callback.

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <optional>

#include "bind.hpp"
#include "crowdsafe/runner.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

namespace {

// The same keys and values as summary.json: one definition of the summary serves both.
py::dict summary_dict(const RunSummary& s) {
  return py::module_::import("json").attr("loads")(summary_json(s)).cast<py::dict>();
}

}  // namespace

void bind_runner(py::module_& m) {
  m.def(
      "run_scenario",
      [](const Scenario& scenario, const std::filesystem::path& out, int threads, bool record,
         std::optional<py::function> progress) {
        if (threads < 0) throw InputError({}, "threads", "must be >= 0 (0 = all cores)");
        std::atomic<bool> stop{false};
        std::optional<py::error_already_set> error;  // raised by the callback or Ctrl-C
        RunOptions options;
        options.threads = threads;
        options.record = record;
        options.stop = &stop;
        options.on_progress = [&](const Progress& p) {
          py::gil_scoped_acquire gil;
          if (error) return;
          try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (progress) {
              py::dict d;
              d["simulated_s"] = p.simulated_s;
              d["duration_s"] = p.duration_s;
              d["wall_s"] = p.wall_s;
              d["agents"] = p.agents;
              d["evacuated"] = p.evacuated;
              (*progress)(d);
            }
          } catch (py::error_already_set& e) {
            error.emplace(std::move(e));
            stop.store(true);
          }
        };
        RunSummary summary;
        {
          py::gil_scoped_release release;
          summary = run_scenario(scenario, out, options);
        }
        if (error) throw std::move(*error);
        return summary_dict(summary);
      },
      py::arg("scenario"), py::arg("out"), py::kw_only(), py::arg("threads") = 0, py::arg("record") = true,
      py::arg("progress") = py::none(),
      "Runs a scenario to the end, writes out/summary.json (and out/trajectories.h5 when record), "
      "returns the summary as a dict.");
}

}  // namespace crowdsafe::python
