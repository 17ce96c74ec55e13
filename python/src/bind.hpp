#pragma once
// Declarations shared by the binding files of the `_core` extension module: one function per
// public header area, each registering its types and functions on the module.

#include <pybind11/pybind11.h>

namespace crowdsafe::python {

void bind_errors(pybind11::module_& m);
void bind_scenario(pybind11::module_& m);
void bind_simulation(pybind11::module_& m);
void bind_runner(pybind11::module_& m);
void bind_analysis(pybind11::module_& m);
void bind_planner(pybind11::module_& m);

}  // namespace crowdsafe::python
