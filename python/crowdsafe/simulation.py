"""Step a simulation from Python and look at its agents as numpy arrays."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core
from .errors import InputError
from .scenario import PathLike, Scenario, as_scenario

__all__ = ["Simulation"]


class Simulation(_core.Simulation):
    """A running simulation of one scenario.

    ``Simulation(scenario, threads=0)`` prepares the navigation fields and places the initial
    groups (``threads``: worker threads, 0 = all cores; results do not depend on it). Raises
    :class:`crowdsafe.InputError` for invalid scenarios (groups outside the walkable area,
    unreachable targets...).

    Agent arrays (:attr:`positions`, :attr:`velocities`, :attr:`ids`, :attr:`groups`,
    :attr:`contact_forces`...) are **zero-copy, read-only numpy views** of the engine's memory,
    one row per agent present, in the engine's slot order (the same order in every array). Each
    access returns a fresh view. A view keeps the simulation alive, but is valid only until the
    next :meth:`step`, :meth:`run`, :meth:`add_agent` or :meth:`remove_agent` (agents leave and
    arrive, and the arrays move): read them again after stepping, or copy with ``np.array(view)``.

    The GIL is released while stepping, so other Python threads run meanwhile; while a step runs
    in another thread the arrays cannot be read (RuntimeError).
    """

    def __init__(self, scenario: Scenario | PathLike | Mapping[str, Any], *, threads: int = 0) -> None:
        sc = as_scenario(scenario)
        super().__init__(sc.core, threads=threads)
        self._scenario_obj = sc

    # ------------------------------------------------------------------ stepping
    def step(self, n: int = 1) -> None:
        """Advances by ``n`` time steps of ``scenario.time_step_s`` seconds each (even past the end
        of the scenario). Raises :class:`crowdsafe.SimulationError` naming agent, step and time when
        the state becomes non-finite or an agent crosses a wall."""
        self._step(int(n))

    def run(self, until: float | None = None) -> None:
        """Steps until the scenario ends (duration reached, or everybody left when
        ``stop_when_empty``), or until the simulated time reaches ``until`` seconds if given
        (whichever comes first). Ctrl-C stops it between steps (KeyboardInterrupt)."""
        self._run(math.inf if until is None else float(until))

    @property
    def time(self) -> float:
        """Simulated time, s."""
        return self._time_s

    @property
    def step_count(self) -> int:
        """Number of completed steps."""
        return self._step_count

    @property
    def finished(self) -> bool:
        """True once the duration is reached, or (stop_when_empty) nobody is left and nobody will come."""
        return self._finished

    @property
    def scenario(self) -> Scenario:
        """The scenario being simulated."""
        return self._scenario_obj

    @property
    def cutoff_m(self) -> float:
        """Neighbour cut-off distance in use, m."""
        return self._cutoff_m

    @property
    def agent_updates(self) -> int:
        """Sum over steps of the agents present in that step (agent-updates)."""
        return self._agent_updates

    @property
    def phase_times(self) -> dict[str, float]:
        """Wall time spent in each step phase since construction, s."""
        return self._phase_times

    @property
    def group_names(self) -> list[str]:
        """Names of the groups, then of the sources; :attr:`groups` indexes this list."""
        return self._group_names

    def __len__(self) -> int:
        """Number of agents present."""
        return self._size

    # ------------------------------------------------------------------ agent arrays (views)
    @property
    def positions(self) -> np.ndarray:
        """Positions, m: read-only float64 view, shape (n, 2), C-contiguous (x, y per row)."""
        return self._positions()

    @property
    def velocities(self) -> np.ndarray:
        """Velocities, m/s: read-only float64 view, shape (n, 2)."""
        return self._velocities()

    @property
    def ids(self) -> np.ndarray:
        """Agent ids: read-only int64 view, shape (n,). Ids are never reused within a simulation."""
        return self._ids()

    @property
    def groups(self) -> np.ndarray:
        """Group index of each agent (into :attr:`group_names`): read-only int32 view, shape (n,)."""
        return self._groups()

    @property
    def contact_forces(self) -> np.ndarray:
        """Magnitude of the body compression (contact) force in the last step, N: read-only
        float64 view, shape (n,)."""
        return self._contact_forces()

    @property
    def radii(self) -> np.ndarray:
        """Body radii, m: read-only float64 view, shape (n,)."""
        return self._radii()

    @property
    def desired_speeds(self) -> np.ndarray:
        """Desired (free-walking) speeds, m/s: read-only float64 view, shape (n,)."""
        return self._desired_speeds()

    # ------------------------------------------------------------------ agents
    def add_agent(
        self,
        position: Any,
        *,
        velocity: Any = (0.0, 0.0),
        desired_speed_m_s: float = 1.34,
        radius_m: float = 0.22,
        group: int | str = 0,
        start_time_s: float | None = None,
    ) -> int:
        """Adds one person now and returns their id.

        ``position`` (x, y) in m, ``velocity`` (vx, vy) in m/s, ``desired_speed_m_s`` in m/s
        ([0, 10]), ``radius_m`` body radius in m ((0, 1.5]), ``group`` index or name of a group
        or source (the person heads where that group heads), ``start_time_s`` the time they start
        walking, s (default: now). Raises :class:`crowdsafe.InputError` when the position is
        outside the walkable area or too close to a wall, or a value is out of range.
        """
        x, y = _pair(position, "add_agent.position")
        vx, vy = _pair(velocity, "add_agent.velocity")
        if isinstance(group, str):
            try:
                group = self.group_names.index(group)
            except ValueError:
                raise InputError.single(
                    "add_agent.group", f"unknown group '{group}'; groups and sources: {', '.join(self.group_names)}"
                ) from None
        return self._add_agent(
            x=x,
            y=y,
            vx=vx,
            vy=vy,
            desired_speed_m_s=float(desired_speed_m_s),
            radius_m=float(radius_m),
            group=int(group),
            target=None,
            start_time_s=None if start_time_s is None else float(start_time_s),
        )

    def remove_agent(self, id: int) -> bool:
        """Removes the agent with this id (recorded as not evacuated); False when no such agent
        is present."""
        return self._remove_agent(int(id))

    @property
    def records(self) -> pd.DataFrame:
        """One row per agent that ever existed (a copy): id, group, group_name, spawn_time_s (s),
        exit_time_s (s; NaN while inside or when removed), exit (index, -1 if none), exit_name,
        desired_speed_m_s (m/s), radius_m (m)."""
        r = self._records()
        df = pd.DataFrame(r)
        names = np.asarray(self.group_names, dtype=object)
        df.insert(2, "group_name", names[df["group"].to_numpy()] if len(names) else None)
        df["exit_time_s"] = df["exit_time_s"].where(df["exit"] >= 0)
        exits = np.asarray(list(self._scenario_obj.exits), dtype=object)
        exit_idx = df["exit"].to_numpy()
        df.insert(
            df.columns.get_loc("exit") + 1,
            "exit_name",
            np.where(exit_idx >= 0, exits[np.clip(exit_idx, 0, None)] if len(exits) else None, None),
        )
        return df

    def __reduce__(self):
        raise TypeError("a Simulation cannot be pickled; send its Scenario and step it where it runs")

    def __repr__(self) -> str:
        return f"Simulation({self._scenario_obj.name!r}, time={self.time:.2f} s, agents={len(self)})"


def _pair(value: Any, field: str) -> tuple[float, float]:
    try:
        a = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        a = np.empty(0)
    if a.shape != (2,):
        raise InputError.single(field, f"expected two numbers (x, y), found {value!r}")
    return float(a[0]), float(a[1])
