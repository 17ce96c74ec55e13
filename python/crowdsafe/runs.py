"""Run a scenario to the end (as ``crowdsafe run`` does), analyse and plan it (as ``crowdsafe
assess`` does), and read run folders into pandas.

A run folder holds ``summary.json`` and, when trajectories were recorded, ``trajectories.h5``
(docs/output-format.md); an analysed one also hotspots.json and /analysis in trajectories.h5
(docs/analysis-outputs.md), a planned one plan.json (docs/planner.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core, risk
from .errors import InputError, InputProblem
from .risk import AnalysisMaps
from .scenario import PathLike, Scenario, as_scenario

__all__ = ["run", "assess", "analyse", "plan", "read_run", "RunResult", "AnalysisMaps"]


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


def _scenario_with(scenario: Scenario | PathLike | Mapping[str, Any], seed: int | None,
                   overrides: Mapping[str, Any] | None) -> Scenario:
    sc = as_scenario(scenario)
    changes = dict(overrides or {})
    if seed is not None:
        changes["seed"] = int(seed)
    return sc.with_overrides(changes) if changes else sc


def _check_cell(cell_m: float) -> float:
    if not 0.05 < cell_m <= 5.0:
        raise InputError.single("cell_m", f"must be in (0.05, 5] m, found {cell_m}")
    return float(cell_m)


def _check_seeds(seeds: int) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or not 1 <= seeds <= 100:
        raise InputError.single("seeds", f"must be a whole number of verification seeds in [1, 100], found {seeds!r}")
    return int(seeds)


def _closed_exit_list(close_exits: Iterable[str]) -> list[str]:
    if isinstance(close_exits, str):  # one name, not its letters
        return [close_exits]
    return [str(e) for e in close_exits]


def _check_plan_options(**options: Any) -> None:
    """The engine's range checks of the planner options, with the errors naming the Python
    arguments (the engine calls the evacuation time evacuation_trigger_s)."""
    try:
        _core.validate_plan_options(**options)
    except InputError as e:
        problems = [p._replace(field="evacuate_at_s") if p.field == "evacuation_trigger_s" else p for p in e.problems]
        raise InputError("\n".join(str(p) for p in problems), problems) from None


def _check_plan_against(sc: Scenario, *, evacuate_at_s: float, close_exits: list[str]) -> None:
    """The planner's checks that need the scenario, done before running it: every closed exit
    exists and one stays open; the evacuation starts within the simulated time."""
    problems = []
    names = list(sc.exits)
    for name in close_exits:
        if name not in names:
            problems.append(InputProblem("", 0, 0, "close_exits", f"unknown exit '{name}'; the scenario's exits: {', '.join(names)}"))
    if names and set(names) <= set(close_exits):
        problems.append(InputProblem("", 0, 0, "close_exits", "closes every exit; leave at least one open"))
    if evacuate_at_s > sc.duration_s:
        problems.append(InputProblem("", 0, 0, "evacuate_at_s",
                                     f"{evacuate_at_s:g} s is after the end of the run ({sc.duration_s:g} s); give a time "
                                     "within duration_s"))
    if problems:
        raise InputError("\n".join(str(p) for p in problems), problems)


def _plan_folder(run_dir: Path, sc: _core.Scenario, analysis: _core.AnalysisResult, *, seeds: int, threads: int,
                 verify: bool, evacuation: bool, target_density_per_m2: float, evacuate_at_s: float,
                 close_exits: Iterable[str], replan_rounds: int, progress: Callable[[str], None] | None) -> None:
    _core.plan_run(
        os.fspath(run_dir), sc, analysis, seeds=_check_seeds(seeds), threads=threads, verify=verify, evacuation=evacuation,
        target_density_per_m2=float(target_density_per_m2), evacuate_at_s=float(evacuate_at_s),
        closed_exits=_closed_exit_list(close_exits), replan_rounds=int(replan_rounds), progress=progress,
    )


def assess(
    scenario: Scenario | PathLike | Mapping[str, Any],
    out: PathLike,
    *,
    seed: int | None = None,
    plan: bool = True,
    seeds: int = 2,
    threads: int = 0,
    cell_m: float = 0.5,
    overrides: Mapping[str, Any] | None = None,
    target_density_per_m2: float = 4.0,
    evacuate_at_s: float = 0.0,
    close_exits: Iterable[str] = (),
    replan_rounds: int = 2,
    progress: Callable[[str], None] | None = None,
) -> "RunResult":
    """Runs, analyses and plans a scenario, like ``crowdsafe assess SCENARIO --out OUT``.

    Writes into ``out``: scenario.yaml (a copy), summary.json, trajectories.h5 (with /analysis),
    hotspots.json, hotspots.geojson, report.html and, when ``plan``, plan.json, plan.geojson and
    the re-simulations under ``out/plan/``. ``seed`` overrides the scenario's seed;
    ``overrides`` sets fields by dotted path. ``seeds``: verification seeds of the planner (the
    run's seed and the next ``seeds - 1``). ``threads``: worker threads, 0 = all cores (results
    do not depend on it). ``cell_m``: analysis grid cell, m. The planner's options, as in
    :func:`plan`: ``target_density_per_m2``: keep crush hotspots below this, persons/m²;
    ``evacuate_at_s``: plan the evacuation of everybody inside at this time, s (0 = from the
    start; at most the scenario's duration_s); ``close_exits``: names of exits blocked during
    it; ``replan_rounds``: congestion-aware re-planning rounds of the evacuation routes (0-10,
    0 = off; each simulates the assigned routes once). ``progress`` receives the planner's
    progress lines (str).

    The GIL is released while running, analysing and planning. A run whose step fails is
    analysed as far as it went but not planned (its status says "failed: ..."); an interrupted
    run is neither. Returns :func:`read_run` of ``out``. Raises :class:`crowdsafe.InputError`
    for invalid scenarios or options, before running.
    """
    sc = _scenario_with(scenario, seed, overrides)
    cell = _check_cell(cell_m)
    # The planner's options are checked before a long run, not after it.
    closed = _closed_exit_list(close_exits)
    if plan:
        _check_seeds(seeds)
    _check_plan_options(seeds=int(seeds) if plan else 2, threads=threads,
                        target_density_per_m2=float(target_density_per_m2), evacuate_at_s=float(evacuate_at_s),
                        replan_rounds=int(replan_rounds))
    _check_plan_against(sc, evacuate_at_s=float(evacuate_at_s), close_exits=closed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    _core.write_run_scenario_copy(sc.core, os.fspath(folder))
    summary = _core.run_scenario(sc.core, os.fspath(folder), threads=threads, record=True)
    if summary["status"] == "interrupted":
        return RunResult(folder)
    analysis = _core.analyse_run(os.fspath(folder), sc.core, cell_m=cell)
    if plan and summary["status"] == "completed":
        _plan_folder(folder, sc.core, analysis, seeds=seeds, threads=threads, verify=True, evacuation=True,
                     target_density_per_m2=target_density_per_m2, evacuate_at_s=evacuate_at_s, close_exits=closed,
                     replan_rounds=replan_rounds, progress=progress)
    return RunResult(folder)


def analyse(run_dir: PathLike, *, cell_m: float = 0.5) -> "RunResult":
    """Analyses a finished run again, like ``crowdsafe analyse RUN_DIR``: writes hotspots.json,
    hotspots.geojson, /analysis in trajectories.h5 and report.html. ``cell_m``: grid cell, m.
    Returns :func:`read_run` of the folder. Raises :class:`crowdsafe.InputError` when the folder
    holds no run with trajectories or ``cell_m`` is out of range."""
    result = RunResult(run_dir)
    result._h5().close()  # InputError when there are no trajectories
    _core.analyse_run(os.fspath(result.path), None, cell_m=_check_cell(cell_m))
    return RunResult(result.path)


def plan(
    run_dir: PathLike,
    *,
    seeds: int = 2,
    threads: int = 0,
    verify: bool = True,
    evacuation: bool = True,
    target_density_per_m2: float = 4.0,
    evacuate_at_s: float = 0.0,
    close_exits: Iterable[str] = (),
    cell_m: float = 0.5,
    replan_rounds: int = 2,
    progress: Callable[[str], None] | None = None,
) -> "RunResult":
    """Analyses and plans a finished run, like ``crowdsafe plan RUN_DIR`` (docs/planner.md).

    ``seeds``: verification seeds (the run's seed and the next ones); ``verify=False`` only
    recommends. ``target_density_per_m2``: keep crush hotspots below this, persons/m².
    ``evacuate_at_s``: plan the evacuation of everybody inside at this time, s;
    ``close_exits``: exits blocked during it. ``cell_m``: analysis grid cell, m.
    ``replan_rounds``: congestion-aware re-planning rounds (0-10, 0 = off; only with ``verify``,
    since each round simulates). Writes plan.json,
    plan.geojson and out/plan/; returns :func:`read_run` of the folder. Raises
    :class:`crowdsafe.InputError` when the folder has no readable scenario or an option is invalid.
    """
    result = RunResult(run_dir)
    result._h5().close()
    sc = _core.load_run_scenario(os.fspath(result.path))
    if sc is None:
        raise InputError.single(
            "scenario.yaml",
            "the run folder has no readable scenario; plan a folder written by assess() or run(), "
            "whose scenario file still exists",
            file=str(result.path),
        )
    analysis = _core.analyse_run(os.fspath(result.path), sc, cell_m=_check_cell(cell_m))
    _plan_folder(result.path, sc, analysis, seeds=seeds, threads=threads, verify=verify, evacuation=evacuation,
                 target_density_per_m2=target_density_per_m2, evacuate_at_s=evacuate_at_s,
                 close_exits=close_exits, replan_rounds=replan_rounds, progress=progress)
    return RunResult(result.path)


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

    # ------------------------------------------------------------------ risk analysis
    @cached_property
    def analysis(self) -> dict[str, Any] | None:
        """hotspots.json as a dict (settings, thresholds, summary, hotspots); None when the run
        was not analysed."""
        return risk.read_json(self.path / "hotspots.json")

    @cached_property
    def hotspots(self) -> pd.DataFrame:
        """One row per hotspot, rank order: id, rank, kind, severity, criteria, risk_score,
        start_s/end_s/active_s (s), peak_density_per_m2 (persons/m²), peak_pressure_s2 (s⁻²),
        peak_opposing_flux_per_m_s (persons/(m·s)), exposure_person_s (person·s), max_persons,
        centroid_x_m/_y_m (m), area_m2 (m²), clear_width_m (m), nearest_exit ...
        (crowdsafe.risk.HOTSPOT_COLUMNS); empty with these columns when not analysed."""
        return risk.hotspot_table(self.analysis)

    @cached_property
    def hotspot_feeding_flows(self) -> pd.DataFrame:
        """Entries into each hotspot while active: hotspot, group, heading, persons."""
        return risk.feeding_flow_table(self.analysis)

    @property
    def analysis_maps_file(self) -> Path | None:
        """The file holding the run's analysis maps: trajectories.h5 when it has /analysis, else
        maps.h5 (kept by ``sweep(..., keep=("maps",))`` without the trajectories); None if neither."""
        if self.has_trajectories and risk.has_analysis(self.trajectory_file):
            return self.trajectory_file
        maps = self.path / risk.MAPS_FILE
        return maps if risk.has_analysis(maps) else None

    @cached_property
    def analysis_maps(self) -> AnalysisMaps | None:
        """The /analysis group as numpy arrays: peak_density (ny, nx) persons/m², los_walkway
        (6, ny, nx) fractions, ... with cell_m, origin (m), x, y, extent
        (:class:`crowdsafe.AnalysisMaps`), from trajectories.h5 or maps.h5
        (:attr:`analysis_maps_file`); None when the run was not analysed."""
        file = self.analysis_maps_file
        return risk.read_analysis_maps(file) if file is not None else None

    # ------------------------------------------------------------------ planner
    @cached_property
    def plan(self) -> dict[str, Any] | None:
        """plan.json as a dict (docs/planner.md); None when the run was not planned."""
        return risk.read_json(self.path / "plan.json")

    @cached_property
    def plan_gates(self) -> pd.DataFrame:
        """Recommended gates: name, hotspot, purpose, line x0_m..y1_m (m), direction,
        rate_persons_per_min (persons/min), begin_s/end_s (s), capacity_persons_per_s
        (persons/s), coverage (0-1), expected_queue_persons, expected_max_wait_s (s), verified_*
        from re-simulation, schedule (crowdsafe.risk.GATE_COLUMNS)."""
        return risk.gate_table(self.plan)

    @cached_property
    def plan_releases(self) -> pd.DataFrame:
        """Groups released later to separate opposing streams: hotspot, group, release_s (s),
        persons, rationale."""
        return risk.release_table(self.plan)

    @cached_property
    def plan_routes(self) -> pd.DataFrame:
        """Evacuation routes, one row per (origin zone, exit): exit, persons, zone_center_x_m,
        zone_center_y_m (m), travel_time_s (s, free walking), path ((k, 2) array, m)."""
        return risk.route_table(self.plan)

    @cached_property
    def plan_exits(self) -> pd.DataFrame:
        """Exits of the evacuation plan: name, width_m (m), capacity_persons_per_s (persons/s),
        closed, persons_nearest, persons_assigned (persons)."""
        return risk.exit_table(self.plan)

    @cached_property
    def plan_outcomes(self) -> pd.DataFrame:
        """Treated hotspots before/after the measures, one row per (hotspot, metric):
        before_/after_ mean, min, max over the seeds in the metric's unit (peak_density_per_m2
        persons/m², peak_pressure_s2 s⁻², exposure_los_ef_m2_s m²·s, peak_opposing_flux_per_m_s
        persons/(m·s)), seeds, seeds_remaining, target_met, verdict."""
        return risk.outcome_table(self.plan)

    @cached_property
    def evacuation_outcomes(self) -> pd.DataFrame:
        """Evacuation re-simulations: label ("nearest exit", "assigned routes"), seeds,
        evacuated_persons_mean, evacuation_time_p50_s/_p95_s/_max_s _mean/_min/_max (s),
        flow_model_time_s (s), lower_bound_s (s); empty when not verified."""
        return risk.evacuation_table(self.plan)

    @property
    def walkable(self) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        """Walkable area from the file's wkt_geometry: [(exterior, [holes])], rings (k, 2) in m."""
        return _core.parse_wkt(self.metadata["wkt_geometry"])


def read_run(run_dir: PathLike) -> RunResult:
    """Reads a run folder (written by ``crowdsafe run --out DIR`` or :func:`run`).

    Returns a :class:`RunResult` with ``.summary`` (summary.json), ``.metadata``,
    ``.trajectories`` (pandas: id, frame, time, x, y, vx, vy, contact_force; SI units),
    ``.agents``; for an analysed run ``.hotspots`` and ``.analysis_maps``, for a planned one
    ``.plan``, ``.plan_gates``, ``.plan_routes``, ``.plan_outcomes`` and
    ``.evacuation_outcomes``. Raises :class:`crowdsafe.InputError` when the folder is not a run folder.
    """
    return RunResult(run_dir)
