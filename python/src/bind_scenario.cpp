// scenario.hpp and geometry.hpp: reading scenarios, and a read-only view of a Scenario.
// A Scenario is constant once read; Python changes one by editing its text (crowdsafe.Scenario
// applies overrides to the YAML and reads it again), so every value passes the reader's checks.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind.hpp"
#include "crowdsafe/geometry.hpp"
#include "crowdsafe/scenario.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

namespace {

/// A ring as a fresh (k, 2) float64 array, m.
py::array_t<double> ring_array(const Ring& ring) {
  py::array_t<double> a({static_cast<py::ssize_t>(ring.size()), py::ssize_t{2}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < ring.size(); ++i) {
    v(static_cast<py::ssize_t>(i), 0) = ring[i].x;
    v(static_cast<py::ssize_t>(i), 1) = ring[i].y;
  }
  return a;
}

/// Polygons as a list of (exterior, [holes]) tuples of (k, 2) arrays, m.
py::list polygons(const std::vector<Polygon>& polys) {
  py::list out;
  for (const Polygon& p : polys) {
    py::list holes;
    for (const Ring& h : p.holes) holes.append(ring_array(h));
    out.append(py::make_tuple(ring_array(p.outer), holes));
  }
  return out;
}

py::list areas(const std::vector<Area>& list) {
  py::list out;
  for (const Area& a : list) out.append(py::make_tuple(a.name, polygons(a.shape)));
  return out;
}

std::string target_text(const Target& t) {
  switch (t.kind) {
    case Target::Kind::NearestExit: return "nearest_exit";
    case Target::Kind::Exit: return "exit:" + t.name;
    case Target::Kind::Destination: return "destination:" + t.name;
    case Target::Kind::Direction: return "direction";
  }
  return "";
}

py::dict profile(const Profile& p) {
  py::dict d;
  d["name"] = p.name;
  d["speed_mean_m_s"] = p.speed_mean_m_s;
  d["speed_sd_m_s"] = p.speed_sd_m_s;
  d["speed_min_m_s"] = p.speed_min_m_s;
  d["speed_max_m_s"] = p.speed_max_m_s;
  d["radius_min_m"] = p.radius_min_m;
  d["radius_max_m"] = p.radius_max_m;
  return d;
}

py::dict model(const SocialForceParameters& p) {
  py::dict d;
  d["mass_kg"] = p.mass_kg;
  d["relaxation_time_s"] = p.relaxation_time_s;
  d["agent_strength_N"] = p.agent_strength_N;
  d["agent_range_m"] = p.agent_range_m;
  d["wall_strength_N"] = p.wall_strength_N;
  d["wall_range_m"] = p.wall_range_m;
  d["body_stiffness_kg_s2"] = p.body_stiffness_kg_s2;
  d["friction_kg_m_s"] = p.friction_kg_m_s;
  d["anisotropy"] = p.anisotropy;
  d["time_headway_s"] = p.time_headway_s;
  d["headway_lateral_factor"] = p.headway_lateral_factor;
  d["push_fraction"] = p.push_fraction;
  d["keep_right"] = p.keep_right;
  d["file_headway_s"] = p.file_headway_s;
  d["overtake"] = p.overtake;
  d["cutoff_m"] = p.cutoff_m;
  d["cutoff_tolerance"] = p.cutoff_tolerance;
  d["max_speed_factor"] = p.max_speed_factor;
  return d;
}

py::list groups(const std::vector<Group>& list) {
  py::list out;
  for (const Group& g : list) {
    py::dict d;
    d["name"] = g.name;
    d["area"] = polygons(g.area);
    d["count"] = g.count ? py::object(py::int_(*g.count)) : py::object(py::none());
    d["density_per_m2"] = g.density_per_m2 ? py::object(py::float_(*g.density_per_m2)) : py::object(py::none());
    py::array_t<double> pos({static_cast<py::ssize_t>(g.positions.size()), py::ssize_t{2}});
    auto v = pos.mutable_unchecked<2>();
    for (std::size_t i = 0; i < g.positions.size(); ++i) {
      v(static_cast<py::ssize_t>(i), 0) = g.positions[i].x;
      v(static_cast<py::ssize_t>(i), 1) = g.positions[i].y;
    }
    d["positions"] = pos;
    d["profile"] = profile(g.profile);
    d["target"] = target_text(g.target);
    d["premovement_s"] = g.premovement_s;
    out.append(d);
  }
  return out;
}

py::list sources(const std::vector<Source>& list) {
  py::list out;
  for (const Source& s : list) {
    py::dict d;
    d["name"] = s.name;
    d["area"] = polygons(s.area);
    py::array_t<double> sched({static_cast<py::ssize_t>(s.schedule.size()), py::ssize_t{3}});
    auto v = sched.mutable_unchecked<2>();
    for (std::size_t i = 0; i < s.schedule.size(); ++i) {
      const auto r = static_cast<py::ssize_t>(i);
      v(r, 0) = s.schedule[i].begin_s;
      v(r, 1) = s.schedule[i].end_s;
      v(r, 2) = s.schedule[i].rate_per_s;
    }
    d["schedule"] = sched;
    d["profile"] = profile(s.profile);
    d["target"] = target_text(s.target);
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_scenario(py::module_& m) {
  py::class_<Scenario>(m, "Scenario", "A scenario as read by the engine (read-only; lengths m, times s).")
      .def_readonly("name", &Scenario::name)
      .def_property_readonly("file", [](const Scenario& s) { return s.file.string(); })
      .def_readonly("description", &Scenario::description)
      .def_readonly("duration_s", &Scenario::duration_s)
      .def_readonly("time_step_s", &Scenario::time_step_s)
      .def_readonly("output_interval_s", &Scenario::output_interval_s)
      .def_readonly("seed", &Scenario::seed)
      .def_readonly("stop_when_empty", &Scenario::stop_when_empty)
      .def_readonly("navigation_cell_m", &Scenario::navigation_cell_m)
      .def_readonly("source_text", &Scenario::source_text)
      .def_property_readonly("walkable", [](const Scenario& s) { return polygons(s.walkable); })
      .def_property_readonly("walkable_wkt", [](const Scenario& s) { return to_wkt(s.walkable); })
      .def_property_readonly("exits", [](const Scenario& s) { return areas(s.exits); })
      .def_property_readonly("destinations", [](const Scenario& s) { return areas(s.destinations); })
      .def_property_readonly("waiting_areas", [](const Scenario& s) { return areas(s.waiting_areas); })
      .def_property_readonly("measurement_lines",
                             [](const Scenario& s) {
                               py::list out;
                               for (const MeasurementLine& l : s.measurement_lines)
                                 out.append(py::make_tuple(l.name, ring_array(l.line)));
                               return out;
                             })
      .def_property_readonly("groups", [](const Scenario& s) { return groups(s.groups); })
      .def_property_readonly("sources", [](const Scenario& s) { return sources(s.sources); })
      .def_property_readonly("model", [](const Scenario& s) { return model(s.model); })
      .def_property_readonly("periodic",
                             [](const Scenario& s) -> py::object {
                               if (!s.periodic) return py::none();
                               py::dict d;
                               d["x0_m"] = s.periodic->x0_m;
                               d["length_m"] = s.periodic->length_m;
                               return d;
                             })
      .def_property_readonly("has_surface", [](const Scenario& s) { return !s.surface.triangles.empty(); });

  m.def("read_scenario", &read_scenario, py::arg("file"), py::call_guard<py::gil_scoped_release>(),
        "Reads a YAML scenario file; raises InputError listing every problem.");
  m.def("parse_scenario", &parse_scenario, py::arg("text"), py::kw_only(), py::arg("file"),
        py::call_guard<py::gil_scoped_release>(),
        "Parses scenario YAML text; `file` is used in messages and to resolve relative paths.");
  m.def(
      "parse_wkt", [](const std::string& wkt) { return polygons(parse_wkt(wkt)); }, py::arg("wkt"),
      "Parses WKT POLYGON/MULTIPOLYGON into a list of (exterior, [holes]) (k, 2) arrays, m.");
}

}  // namespace crowdsafe::python
