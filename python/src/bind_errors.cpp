// errors.hpp: C++ InputError and SimulationError become crowdsafe.InputError (a ValueError) and
// crowdsafe.SimulationError (a RuntimeError). The classes are defined in crowdsafe/errors.py so
// they carry docstrings and pickle by name (dask sends them between processes).

#include <exception>

#include "bind.hpp"
#include "crowdsafe/errors.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

namespace {

void raise_input_error(const InputError& e) {
  const py::module_ errors = py::module_::import("crowdsafe.errors");
  const py::object problem_type = errors.attr("InputProblem");
  py::list problems;
  for (const InputProblem& p : e.problems())
    problems.append(problem_type(p.where.file, p.where.line, p.where.column, p.field, p.message));
  const py::object type = errors.attr("InputError");
  const py::object error = type(e.what(), problems);
  PyErr_SetObject(type.ptr(), error.ptr());
}

void raise_simulation_error(const SimulationError& e) {
  const py::object type = py::module_::import("crowdsafe.errors").attr("SimulationError");
  PyErr_SetObject(type.ptr(), type(e.what()).ptr());
}

}  // namespace

void bind_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      raise_input_error(e);
    } catch (const SimulationError& e) {
      raise_simulation_error(e);
    }
  });

  // Lets the pure-Python layer (and tests) raise through the same path as the engine.
  m.def(
      "_raise_input_error",
      [](const std::string& file, int line, int column, const std::string& field, const std::string& message) {
        throw InputError(SourceLocation{file, line, column}, field, message);
      },
      py::kw_only(), py::arg("file"), py::arg("line"), py::arg("column"), py::arg("field"), py::arg("message"));
}

}  // namespace crowdsafe::python
