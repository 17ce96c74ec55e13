"""crowdsafe: crowd simulation and evacuation planning, scriptable from Python.

Units are SI throughout: m, s, m/s, persons/s, persons/m², N.

Quick start::

    import crowdsafe
    sc = crowdsafe.load_scenario("scenarios/festival-plaza/scenario.yaml")
    sim = crowdsafe.Simulation(sc)
    sim.run(until=10.0)                 # s
    sim.positions                       # (n, 2) float64 view, m
    summary = crowdsafe.run(sc, out="runs/plaza")
    runs = crowdsafe.read_run("runs/plaza").trajectories   # pandas
    result = crowdsafe.assess(sc, out="runs/plaza-risk")  # run + hotspots + plan
    result.hotspots, result.plan_gates, result.evacuation_outcomes   # pandas
    df = crowdsafe.sweep(sc, {"model.time_headway_s": [0.3, 0.45]}, seeds=5)
    study = crowdsafe.sweep(sc, seeds=10, out="runs/study", keep=("maps", "exit_times"))
    crowdsafe.exceedance_map(study, "peak_density", 4.0)["probability"]   # (ny, nx), 0..1
    crowdsafe.evacuation_convergence(study).verdict                      # enough seeds?

Import from the build tree with ``PYTHONPATH=build/python`` (python/README.md).
"""

from . import _core
from .errors import InputError, InputProblem, SimulationError
from .geometry import to_wkt
from .ensemble import (
    ConvergenceCheck,
    converged,
    convergence,
    evacuation_convergence,
    exceedance_map,
    exceedance_probability,
    percentiles,
)
from .plot import plot_evacuation_curve, plot_map, plot_trajectories, plot_venue
from .risk import AnalysisMaps
from .runs import RunResult, analyse, assess, plan, read_run, run
from .scenario import Scenario, load_scenario
from .simulation import Simulation
from .stats import mean_ci
from .study import compare, sweep

__version__: str = _core.__version__

__all__ = [
    "AnalysisMaps",
    "ConvergenceCheck",
    "InputError",
    "InputProblem",
    "RunResult",
    "Scenario",
    "Simulation",
    "SimulationError",
    "analyse",
    "assess",
    "compare",
    "converged",
    "convergence",
    "evacuation_convergence",
    "exceedance_map",
    "exceedance_probability",
    "load_scenario",
    "mean_ci",
    "percentiles",
    "plan",
    "plot_evacuation_curve",
    "plot_map",
    "plot_trajectories",
    "plot_venue",
    "read_run",
    "run",
    "sweep",
    "to_wkt",
]
