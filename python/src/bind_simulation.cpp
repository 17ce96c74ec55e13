// simulation.hpp and agents.hpp: a Simulation stepped from Python. Agent arrays are handed out
// as zero-copy, read-only numpy views whose base is the Python Simulation object, so a view keeps
// the engine alive; they are valid until the next step(), run(), add_agent() or remove_agent().
// The GIL is released while stepping; a busy flag stops other threads from touching the state
// (or starting a second step) meanwhile.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <tuple>
#include <type_traits>

#include "bind.hpp"
#include "crowdsafe/simulation.hpp"

namespace py = pybind11;

namespace crowdsafe::python {

static_assert(sizeof(Vec2) == 2 * sizeof(double) && std::is_standard_layout_v<Vec2>,
              "positions are exposed as (n, 2) float64 arrays");
static_assert(sizeof(AgentId) == sizeof(std::int64_t) && std::is_standard_layout_v<AgentId>,
              "ids are exposed as int64 arrays");

namespace {

// Steps run between two checks for Ctrl-C (PyErr_CheckSignals needs the GIL).
constexpr std::int64_t kStepsPerSignalCheck = 100;

/// The Python-facing simulation: the engine plus what the binding needs to stay safe.
struct PySimulation {
  Simulation sim;
  std::atomic<bool> busy{false};
  std::vector<std::int32_t> group_target;  // navigation target index per group (groups, then sources)

  PySimulation(Scenario sc, int threads) : sim(std::move(sc), SimulationOptions{threads}) {}
};

/// Marks the simulation busy for its lifetime; a second concurrent mutation raises.
class BusyGuard {
 public:
  explicit BusyGuard(PySimulation& s) : s_(s) {
    if (s_.busy.exchange(true))
      throw std::runtime_error("Simulation is already stepping in another thread; wait for it to return");
  }
  ~BusyGuard() { s_.busy.store(false); }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  PySimulation& s_;
};

void check_idle(const PySimulation& s) {
  if (s.busy.load())
    throw std::runtime_error("Simulation is stepping in another thread; its arrays are not readable until it returns");
}

// Navigation targets are numbered in order of first use by groups, then sources (as the engine
// numbers them), so a new agent of group g can walk where group g walks.
std::vector<std::int32_t> group_targets(const Scenario& sc) {
  // The avoided areas' rings, flattened with their sizes (a target avoiding other areas is
  // another field).
  using Key = std::tuple<int, std::string, double, double, std::vector<double>>;
  std::vector<Key> seen;
  std::vector<std::int32_t> out;
  auto index = [&](const Target& t) {
    std::vector<double> avoid;
    auto add_ring = [&](const Ring& r) {
      avoid.push_back(static_cast<double>(r.size()));
      for (const Vec2 q : r) avoid.insert(avoid.end(), {q.x, q.y});
    };
    for (const Polygon& p : t.avoid) {
      add_ring(p.outer);
      avoid.push_back(static_cast<double>(p.holes.size()));
      for (const Ring& h : p.holes) add_ring(h);
    }
    Key k{static_cast<int>(t.kind), t.kind == Target::Kind::Exit || t.kind == Target::Kind::Destination ? t.name : "",
          t.kind == Target::Kind::Direction ? t.direction.x : 0.0,
          t.kind == Target::Kind::Direction ? t.direction.y : 0.0, std::move(avoid)};
    auto it = std::find(seen.begin(), seen.end(), k);
    if (it == seen.end()) {
      seen.push_back(k);
      return static_cast<std::int32_t>(seen.size() - 1);
    }
    return static_cast<std::int32_t>(it - seen.begin());
  };
  for (const Group& g : sc.groups) out.push_back(index(g.target));
  for (const Source& s : sc.sources) out.push_back(index(s.target));
  return out;
}

/// A read-only numpy view on engine memory; `owner` (the Python Simulation) is its base.
template <class T>
py::array view(py::handle owner, const void* data, std::vector<py::ssize_t> shape) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = sizeof(T);
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  py::array a(py::dtype::of<T>(), std::move(shape), std::move(strides), data, owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

PySimulation& self_of(py::handle self) { return self.cast<PySimulation&>(); }

template <class T>
py::array_t<T> copy_column(const std::vector<AgentRecord>& records, auto member) {
  py::array_t<T> a(static_cast<py::ssize_t>(records.size()));
  auto v = a.template mutable_unchecked<1>();
  for (std::size_t i = 0; i < records.size(); ++i) v(static_cast<py::ssize_t>(i)) = member(records[i]);
  return a;
}

}  // namespace

void bind_simulation(py::module_& m) {
  py::class_<PySimulation>(m, "Simulation", "Engine simulation (private; use crowdsafe.Simulation).")
      .def(py::init([](const Scenario& sc, int threads) {
             if (threads < 0) throw InputError({}, "threads", "must be >= 0 (0 = all cores)");
             auto s = std::make_unique<PySimulation>(sc, threads);
             s->group_target = group_targets(sc);
             return s;
           }),
           py::arg("scenario"), py::kw_only(), py::arg("threads") = 0, py::call_guard<py::gil_scoped_release>())
      .def(
          "_step",
          [](PySimulation& s, std::int64_t n) {
            if (n < 0) throw InputError({}, "n", "must be >= 0 steps");
            BusyGuard busy(s);
            for (std::int64_t done = 0; done < n;) {
              const std::int64_t chunk = std::min(n - done, kStepsPerSignalCheck);
              {
                py::gil_scoped_release release;
                for (std::int64_t i = 0; i < chunk; ++i) s.sim.step();
              }
              done += chunk;
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
          },
          py::arg("n"))
      .def(
          "_run",
          [](PySimulation& s, double until_s) {
            BusyGuard busy(s);
            const double dt = s.sim.scenario().time_step_s;
            auto more = [&] { return !s.sim.finished() && s.sim.time_s() < until_s - 0.5 * dt; };
            while (true) {
              bool left = true;
              {
                py::gil_scoped_release release;
                for (std::int64_t i = 0; i < kStepsPerSignalCheck && (left = more()); ++i) s.sim.step();
              }
              if (!left || !more()) break;
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
          },
          py::arg("until_s"))
      .def_property_readonly("_finished", [](const PySimulation& s) { return s.sim.finished(); })
      .def_property_readonly("_time_s", [](const PySimulation& s) { return s.sim.time_s(); })
      .def_property_readonly("_step_count", [](const PySimulation& s) { return s.sim.step_count(); })
      .def_property_readonly("_agent_updates", [](const PySimulation& s) { return s.sim.agent_updates(); })
      .def_property_readonly("_cutoff_m", [](const PySimulation& s) { return s.sim.cutoff_m(); })
      .def_property_readonly("_group_names", [](const PySimulation& s) { return s.sim.group_names(); })
      .def_property_readonly("_size",
                             [](const PySimulation& s) {
                               check_idle(s);
                               return s.sim.agents().size();
                             })
      .def_property_readonly("_phase_times",
                             [](const PySimulation& s) {
                               const PhaseTimes t = s.sim.phase_times();
                               py::dict d;
                               for (std::size_t i = 0; i < t.seconds.size(); ++i) d[PhaseTimes::kNames[i]] = t.seconds[i];
                               return d;
                             })
      .def("_positions",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<double>(self, a.position.data(), {static_cast<py::ssize_t>(a.size()), 2});
           })
      .def("_velocities",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<double>(self, a.velocity.data(), {static_cast<py::ssize_t>(a.size()), 2});
           })
      .def("_ids",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<std::int64_t>(self, a.id.data(), {static_cast<py::ssize_t>(a.size())});
           })
      .def("_groups",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<std::int32_t>(self, a.group.data(), {static_cast<py::ssize_t>(a.size())});
           })
      .def("_contact_forces",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<double>(self, a.contact_force_N.data(), {static_cast<py::ssize_t>(a.size())});
           })
      .def("_radii",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<double>(self, a.radius_m.data(), {static_cast<py::ssize_t>(a.size())});
           })
      .def("_desired_speeds",
           [](py::object self) {
             const PySimulation& s = self_of(self);
             check_idle(s);
             const auto& a = s.sim.agents();
             return view<double>(self, a.desired_speed_m_s.data(), {static_cast<py::ssize_t>(a.size())});
           })
      .def("_records",
           [](const PySimulation& s) {
             check_idle(s);
             const auto& r = s.sim.records();
             py::dict d;
             d["id"] = copy_column<std::int64_t>(r, [](const AgentRecord& a) { return a.id.value; });
             d["group"] = copy_column<std::int32_t>(r, [](const AgentRecord& a) { return a.group; });
             d["spawn_time_s"] = copy_column<double>(r, [](const AgentRecord& a) { return a.spawn_time_s; });
             d["exit_time_s"] = copy_column<double>(r, [](const AgentRecord& a) { return a.exit_time_s; });
             d["exit"] = copy_column<std::int32_t>(r, [](const AgentRecord& a) { return a.exit; });
             d["desired_speed_m_s"] = copy_column<double>(r, [](const AgentRecord& a) { return a.desired_speed_m_s; });
             d["radius_m"] = copy_column<double>(r, [](const AgentRecord& a) { return a.radius_m; });
             return d;
           })
      .def(
          "_add_agent",
          [](PySimulation& s, double x, double y, double vx, double vy, double desired_speed_m_s, double radius_m,
             std::int32_t group, std::optional<std::int32_t> target, std::optional<double> start_time_s) {
            BusyGuard busy(s);
            if (group < 0 || static_cast<std::size_t>(group) >= s.group_target.size())
              throw InputError({}, "add_agent.group",
                               "unknown group index " + std::to_string(group) + "; the scenario has " +
                                   std::to_string(s.group_target.size()) + " groups and sources");
            AgentDef def;
            def.position = {x, y};
            def.velocity = {vx, vy};
            def.desired_speed_m_s = desired_speed_m_s;
            def.radius_m = radius_m;
            def.group = group;
            def.target = target ? *target : s.group_target[static_cast<std::size_t>(group)];
            def.start_time_s = start_time_s ? *start_time_s : s.sim.time_s();
            return s.sim.add_agent(def).value;
          },
          py::kw_only(), py::arg("x"), py::arg("y"), py::arg("vx"), py::arg("vy"), py::arg("desired_speed_m_s"),
          py::arg("radius_m"), py::arg("group"), py::arg("target"), py::arg("start_time_s"))
      .def(
          "_remove_agent",
          [](PySimulation& s, std::int64_t id) {
            BusyGuard busy(s);
            return s.sim.remove_agent(AgentId{id});
          },
          py::arg("id"));
}

}  // namespace crowdsafe::python
