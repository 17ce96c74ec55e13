// analysis.hpp: analyse a finished run (hotspots, maps) and copy its scenario into the run
// folder. The result stays a C++ object (the planner needs it); Python reads the files the
// analysis writes (hotspots.json, /analysis in trajectories.h5) and a small summary dict.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "bind.hpp"
#include "crowdsafe/analysis.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

namespace {

// The keys of hotspots.json's "summary", plus the analysis's own counts and timing.
py::dict analysis_summary(const AnalysisResult& r) {
  double peak = 0;
  for (double v : r.peak_density)
    if (std::isfinite(v)) peak = std::max(peak, v);
  std::int64_t crush = 0, counter = 0;
  for (const Hotspot& h : r.hotspots) (h.kind == HotspotKind::Crush ? crush : counter) += 1;
  py::dict d;
  d["hotspots"] = r.hotspots.size();
  d["crush_hotspots"] = crush;
  d["counterflow_hotspots"] = counter;
  d["peak_density_per_m2"] = peak;
  d["agents_total"] = r.agents_total;
  d["agents_evacuated"] = r.exit_times_s.size();
  d["frames"] = r.frames;
  d["rows"] = r.rows;
  d["frame_interval_s"] = r.frame_interval_s;
  d["cell_m"] = r.grid.cell_m;
  d["total_s"] = r.total_s;
  return d;
}

}  // namespace

void bind_analysis(py::module_& m) {
  py::class_<AnalysisResult>(m, "AnalysisResult",
                             "A finished analysis (opaque; pass it to plan_run). Units: m, s, persons/m².")
      .def_property_readonly("run_dir", [](const AnalysisResult& r) { return r.run_dir; })
      .def_readonly("scenario_name", &AnalysisResult::scenario_name)
      .def_property_readonly("summary", &analysis_summary);

  m.def(
      "analyse_run",
      [](const std::filesystem::path& run_dir, const Scenario* scenario, double cell_m, bool write, bool report) {
        AnalysisOptions options;
        options.cell_m = cell_m;
        options.write_outputs = write;
        options.write_report = report;
        validate(options);
        py::gil_scoped_release release;
        return analyse_run(run_dir, scenario, options);
      },
      py::arg("run_dir"), py::arg("scenario") = nullptr, py::kw_only(), py::arg("cell_m") = 0.5,
      py::arg("write") = true, py::arg("report") = true,
      "Analyses the run in run_dir (trajectories.h5 + summary.json); scenario None = the run's own "
      "(scenario.yaml or the recorded file). Writes hotspots.json, hotspots.geojson, /analysis and "
      "report.html when write. cell_m: grid cell, m.");

  m.def(
      "write_run_scenario_copy",
      [](const Scenario& scenario, const std::filesystem::path& run_dir) { write_run_scenario_copy(scenario, run_dir); },
      py::arg("scenario"), py::arg("run_dir"),
      "Copies the scenario's text to run_dir/scenario.yaml (nothing for a scenario without text).");

  m.def(
      "load_run_scenario", [](const std::filesystem::path& run_dir) { return load_run_scenario(run_dir); },
      py::arg("run_dir"),
      "The scenario of a run folder: run_dir/scenario.yaml, else the file named in its metadata; None if neither reads.");
}

}  // namespace crowdsafe::python
