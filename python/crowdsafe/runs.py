"""Run a scenario to the end (as ``crowdsafe run`` does) and read run folders into pandas.

A run folder holds ``summary.json`` and, when trajectories were recorded, ``trajectories.h5``
(docs/output-format.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from . import _core
from .errors import InputError
from .scenario import PathLike, Scenario, as_scenario

__all__ = ["run", "read_run", "RunResult"]


def run(
    scenario: Scenario | PathLike | Mapping[str, Any],
    out: PathLike | None = None,
    *,
    threads: int = 0,
    seed: int | None = None,
    record: bool = True,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> dict[str, Any]:
    """Runs a scenario to its end, like ``crowdsafe run``, and returns its summary.

    ``out``: run folder to write (``summary.json``, and ``trajectories.h5`` when ``record``);
    None runs in a temporary folder that is deleted afterwards (and records nothing).
    ``threads``: worker threads, 0 = all cores (results do not depend on it). ``seed``
    overrides the scenario's seed; ``overrides`` sets fields by dotted path
    (``{"model.time_headway_s": 0.6}``). ``progress`` is called about once per output frame with
    {simulated_s (s), duration_s (s), wall_s (s), agents, evacuated}.

    The GIL is released while running. Returns the summary (the keys of summary.json:
    status -- "completed", "interrupted" or "failed: ..." --, agents_total, agents_evacuated,
    evacuation_time_p50_s/p95_s/max_s (s, -1 if nobody left), max_contact_force_N (N),
    wall_time_s (s), ...) plus ``run_dir`` (str, None without ``out``). A failing step does not
    raise: the status says "failed: ..." and the files keep every frame so far. Raises
    :class:`crowdsafe.InputError` for invalid scenarios.
    """
    sc = as_scenario(scenario)
    changes = dict(overrides or {})
    if seed is not None:
        changes["seed"] = int(seed)
    if changes:
        sc = sc.with_overrides(changes)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="crowdsafe-run-") as tmp:
            summary = _core.run_scenario(sc.core, tmp, threads=threads, record=False, progress=progress)
        summary["run_dir"] = None
        return summary
    summary = _core.run_scenario(sc.core, os.fspath(out), threads=threads, record=record, progress=progress)
    summary["run_dir"] = os.fspath(out)
    return summary


def _attr_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_attr_value(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


class RunResult:
    """A run folder read into pandas (see :func:`read_run`). Tables load on first access."""

    def __init__(self, run_dir: PathLike) -> None:
        self.path = Path(run_dir)
        if not self.path.is_dir():
            raise InputError.single("run_dir", "is not a folder; give the --out folder of a run", file=str(self.path))
        summary_file = self.path / "summary.json"
        if not summary_file.is_file():
            raise InputError.single(
                "run_dir", "has no summary.json; is it a crowdsafe run folder?", file=str(self.path)
            )
        #: summary.json as a dict (times s, forces N).
        self.summary: dict[str, Any] = json.loads(summary_file.read_text(encoding="utf-8"))
        name = self.summary.get("trajectory_file") or ""
        self.trajectory_file: Path | None = self.path / name if name else None

    def __repr__(self) -> str:
        return f"RunResult({str(self.path)!r}, status={self.summary.get('status')!r})"

    @property
    def status(self) -> str:
        """"completed", "interrupted" or "failed: <message>"."""
        return self.summary["status"]

    def _h5(self):
        import h5py

        if self.trajectory_file is None or not self.trajectory_file.is_file():
            raise InputError.single(
                "trajectories",
                "this run recorded no trajectories.h5 (run without --no-trajectories / with record=True)",
                file=str(self.path),
            )
        return h5py.File(self.trajectory_file, "r")

    @property
    def has_trajectories(self) -> bool:
        """True when the folder holds trajectories.h5."""
        return self.trajectory_file is not None and self.trajectory_file.is_file()

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """Attributes of /crowdsafe/metadata (scenario_name, seed, time_step_s (s),
        output_interval_s (s), group_names, exit_names, status, complete...), plus fps (1/s) and
        wkt_geometry (walkable area, m); {} without trajectories."""
        if not self.has_trajectories:
            return {}
        with self._h5() as f:
            meta = {k: _attr_value(v) for k, v in f["crowdsafe/metadata"].attrs.items()}
            meta["fps"] = _attr_value(f["trajectory"].attrs["fps"])
            meta["wkt_geometry"] = _attr_value(f.attrs["wkt_geometry"])
        return meta

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        """One row per (agent, frame): id, frame, time (s), x, y (m), vx, vy (m/s),
        contact_force (N); rows in frame order."""
        with self._h5() as f:
            traj = f["trajectory"][:]
            data = f["crowdsafe/frame_data"][:]
            frames = f["crowdsafe/frames"][:]
        return pd.DataFrame(
            {
                "id": traj["id"],
                "frame": traj["frame"],
                "time": np.repeat(frames["time"], frames["count"]),
                "x": traj["x"],
                "y": traj["y"],
                "vx": data["vx"],
                "vy": data["vy"],
                "contact_force": data["contact_force"],
            }
        )

    @cached_property
    def frames(self) -> pd.DataFrame:
        """One row per recorded frame: frame, time (s), first_row, count (agents present)."""
        with self._h5() as f:
            return pd.DataFrame(f["crowdsafe/frames"][:])

    @cached_property
    def agents(self) -> pd.DataFrame:
        """One row per agent: id, group, group_name, spawn_time (s), exit_time (s, NaN if the
        person never left), exit (index, -1 if none), exit_name, desired_speed (m/s), radius (m).
        Empty when the run did not complete (the table is written at the end)."""
        with self._h5() as f:
            df = pd.DataFrame(f["crowdsafe/agents"][:])
        groups = np.asarray(self.metadata.get("group_names", []), dtype=object)
        exits = np.asarray(self.metadata.get("exit_names", []), dtype=object)
        df.insert(2, "group_name", groups[df["group"].to_numpy()] if len(groups) and len(df) else None)
        exit_idx = df["exit"].to_numpy()
        names = exits[np.clip(exit_idx, 0, None)] if len(exits) and len(df) else np.full(len(df), None)
        df.insert(df.columns.get_loc("exit") + 1, "exit_name", np.where(exit_idx >= 0, names, None))
        return df

    @property
    def walkable(self) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        """Walkable area from the file's wkt_geometry: [(exterior, [holes])], rings (k, 2) in m."""
        return _core.parse_wkt(self.metadata["wkt_geometry"])


def read_run(run_dir: PathLike) -> RunResult:
    """Reads a run folder (written by ``crowdsafe run --out DIR`` or :func:`run`).

    Returns a :class:`RunResult` with ``.summary`` (summary.json), ``.metadata``,
    ``.trajectories`` (pandas: id, frame, time, x, y, vx, vy, contact_force; SI units) and
    ``.agents``. Raises :class:`crowdsafe.InputError` when the folder is not a run folder.
    """
    return RunResult(run_dir)
