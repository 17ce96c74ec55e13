// The `_core` extension module: a thin conversion layer over the crowdsafe engine. Everything
// users see (docstrings, pandas, plots, sweeps) lives in the pure-Python package `crowdsafe`.

#include "bind.hpp"
#include "crowdsafe/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "crowdsafe engine bindings (private; use the `crowdsafe` package)";
  m.attr("__version__") = crowdsafe::kVersion;
  crowdsafe::python::bind_errors(m);
  crowdsafe::python::bind_scenario(m);
  crowdsafe::python::bind_simulation(m);
  crowdsafe::python::bind_runner(m);
  crowdsafe::python::bind_analysis(m);
  crowdsafe::python::bind_planner(m);
}
