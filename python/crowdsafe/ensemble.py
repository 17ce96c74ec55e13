"""Ensemble statistics over a study's runs: percentiles, exceedance and convergence.

Scalar metrics come from a :func:`crowdsafe.sweep` DataFrame (completed rows only, grouped by
its parameter columns). Maps and curves come from the runs themselves: a sweep run with
``keep=("maps", "exit_times")``, or a list of run folders, :class:`crowdsafe.RunResult` objects,
maps files or arrays. They are read one run at a time, so an ensemble of hundreds of runs needs
the memory of one run's map, not of all of them.

* :func:`exceedance_map` -- per grid cell, the share of runs in which a field (peak density
  persons/m², crowd pressure s⁻², level of service ...) exceeded a threshold;
* :func:`evacuation_convergence` -- whether the mean evacuation curve has stopped changing
  as runs were added (functional analysis after NIST TN 1822 and Ronchi et al. 2014);
* :func:`converged` / :func:`convergence` -- the same question for one scalar metric.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError
from .risk import AnalysisMaps, read_analysis_maps
from .runs import RunResult
from .stats import curve_measures

__all__ = [
    "percentiles",
    "convergence",
    "converged",
    "exceedance_probability",
    "exceedance_map",
    "evacuation_convergence",
    "ConvergenceCheck",
    "CONVERGENCE_THRESHOLDS",
    "LOS_FIELDS",
]

# ---------------------------------------------------------------------- ensemble statistics
def _parameter_columns(df: pd.DataFrame) -> list[str]:
    """The sweep's parameter columns: df.attrs["parameters"], else the columns before "seed"."""
    if "parameters" in df.attrs:
        return [c for c in df.attrs["parameters"] if c in df.columns]
    if "seed" in df.columns:
        return list(df.columns[: df.columns.get_loc("seed")])
    return []


def _ok(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"] == "completed"] if "status" in df.columns else df


def percentiles(
    df: pd.DataFrame, column: str, q: Sequence[float] = (5, 50, 95), *, by: Sequence[str] | None = None
) -> pd.Series | pd.DataFrame:
    """Percentiles of a metric over the completed runs (in the column's unit).

    Grouped by the sweep's parameter columns (or ``by``): a DataFrame with columns ``p5``,
    ``p50``, ``p95``..., ``n``; without parameters a Series with the same labels.
    """
    by = list(by) if by is not None else _parameter_columns(df)
    data = _ok(df)

    def one(values: pd.Series) -> pd.Series:
        v = values.dropna().to_numpy(dtype=np.float64)
        stats = {f"p{qq:g}": (float(np.percentile(v, qq)) if len(v) else math.nan) for qq in q}
        stats["n"] = len(v)
        return pd.Series(stats)

    if not by:
        return one(data[column])
    table = data.groupby(by[0] if len(by) == 1 else by)[column].apply(one).unstack()
    return table.astype({"n": int})


def convergence(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Running statistics of a metric as seeds are added (completed runs, in seed order):
    n, mean, sd, and rel_change_mean = |mean_n - mean_(n-1)| / |mean_n|. For plotting how an
    ensemble settles (NIST TN 1822, Ronchi et al. 2014)."""
    data = _ok(df).sort_values("seed") if "seed" in df.columns else _ok(df)
    return _running_stats(data[column].dropna().to_numpy(dtype=np.float64))


def _running_stats(v: np.ndarray) -> pd.DataFrame:
    """n, mean, sd and rel_change_mean of v[:n] for every n (see :func:`convergence`)."""
    n = np.arange(1, len(v) + 1)
    mean = np.cumsum(v) / n
    sq = np.cumsum(v * v)
    var = np.where(n > 1, (sq - n * mean * mean) / np.maximum(n - 1, 1), np.nan)
    sd = np.sqrt(np.maximum(var, 0.0))
    prev = np.concatenate([[np.nan], mean[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(mean - prev) / np.abs(mean)
    return pd.DataFrame({"n": n, "mean": mean, "sd": sd, "rel_change_mean": rel})


def converged(
    df: pd.DataFrame, column: str, rel_tol: float = 0.05, *, window: int = 5, by: Sequence[str] | None = None
) -> bool | pd.Series:
    """Whether enough seeds were run: the running mean of ``column`` over the last ``window``
    seeds stayed within ``rel_tol`` (relative) of the final mean (in the spirit of NIST TN 1822:
    add runs until the statistics stop changing). Needs at least ``window + 1`` completed runs.

    Grouped by the sweep's parameter columns (or ``by``): a Series of bools, one per
    combination; without parameters a bool.
    """
    by = list(by) if by is not None else _parameter_columns(df)

    def one(group: pd.DataFrame) -> bool:
        run = convergence(group, column)
        if len(run) < window + 1:
            return False
        final = run["mean"].iloc[-1]
        tail = run["mean"].iloc[-(window + 1) :]
        scale = abs(final) if final != 0 else 1.0
        return bool(np.all(np.abs(tail - final) <= rel_tol * scale))

    if not by:
        return one(df)
    groups = df.groupby(by[0] if len(by) == 1 else by)
    return pd.Series({key: one(g) for key, g in groups}, name=f"converged({column})", dtype=bool)


def exceedance_probability(
    df: pd.DataFrame, column: str, threshold: float, *, by: Sequence[str] | None = None
) -> float | pd.Series:
    """Share of completed runs whose ``column`` exceeds ``threshold`` (same unit), per
    parameter combination (Series) or overall (float)."""
    by = list(by) if by is not None else _parameter_columns(df)
    data = _ok(df)
    if not by:
        v = data[column].dropna()
        return float((v > threshold).mean()) if len(v) else math.nan
    return data.groupby(by)[column].apply(lambda v: float((v.dropna() > threshold).mean()) if v.notna().any() else math.nan)



# ---------------------------------------------------------------------- runs of an ensemble
def _groups(runs: Any, by: Sequence[str] | None) -> list[tuple[Any, Any]]:
    """[(key, runs)]: a sweep DataFrame split by its parameter columns (or ``by``; key None
    without them), anything else as one group with key None."""
    if not isinstance(runs, pd.DataFrame):
        return [(None, runs)]
    by = list(by) if by is not None else _parameter_columns(runs)
    if not by:
        return [(None, runs)]
    return list(runs.groupby(by[0] if len(by) == 1 else by, sort=True))


def _per_group(results: list[tuple[Any, Any]]) -> Any:
    """One result for an ungrouped ensemble, {key: result} for a grouped sweep."""
    if len(results) == 1 and results[0][0] is None:
        return results[0][1]
    return {key: value for key, value in results}


def _ordered_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Completed rows, in seed order (the order runs are 'added' in a convergence check)."""
    data = _ok(df)
    return data.sort_values("seed", kind="stable") if "seed" in data.columns else data


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


# ---------------------------------------------------------------------- exceedance maps
#: Level-of-service datasets of /analysis. As a field, each becomes the worst level reached in
#: the cell during the run, 0 = A ... 5 = F; a threshold may then be a letter: "E" counts runs
#: that reached level E or worse.
LOS_FIELDS = ("los_walkway", "los_queuing")

_GRID_TOL = 1e-9


@dataclass(frozen=True)
class _Grid:
    nx: int
    ny: int
    cell_m: float
    origin_x_m: float
    origin_y_m: float

    @classmethod
    def of(cls, maps: AnalysisMaps) -> "_Grid":
        return cls(maps.nx, maps.ny, maps.cell_m, *maps.origin)

    def same(self, other: "_Grid") -> bool:
        return (self.nx, self.ny) == (other.nx, other.ny) and all(
            abs(a - b) <= _GRID_TOL for a, b in
            ((self.cell_m, other.cell_m), (self.origin_x_m, other.origin_x_m), (self.origin_y_m, other.origin_y_m)))

    def __str__(self) -> str:
        return (f"{self.nx} x {self.ny} cells of {self.cell_m:g} m from ({self.origin_x_m:g}, {self.origin_y_m:g}) m")


def _map_sources(runs: Any) -> list[tuple[str, Any]]:
    """[(label, source)] of an ensemble's maps: a DataFrame's maps_file (else run_dir) per
    completed row, or the items of a list (RunResult, AnalysisMaps, run folder, maps file)."""
    if isinstance(runs, pd.DataFrame):
        rows = _ordered_rows(runs)
        sources = []
        for _, row in rows.iterrows():
            source = row.get("maps_file") if "maps_file" in rows.columns else None
            if source is None or (isinstance(source, float) and math.isnan(source)):
                source = row.get("run_dir")
            if source is None or (isinstance(source, float) and math.isnan(source)):
                raise InputError.single(
                    "runs", "a completed run has neither maps_file nor run_dir; sweep with out=... and "
                    "keep=('maps',) so each run's analysis maps are kept")
            sources.append((os.fspath(source), source))
        return sources
    if isinstance(runs, (AnalysisMaps, str, os.PathLike)) or not isinstance(runs, Iterable):
        raise InputError.single("runs", f"give several runs (a sweep DataFrame or a list), not one {type(runs).__name__}")
    out = []
    for i, item in enumerate(runs):
        path = getattr(item, "path", None)
        out.append((os.fspath(path) if path is not None else os.fspath(item) if _is_path(item) else f"runs[{i}]", item))
    return out


def _load_maps(source: Any, names: Sequence[str], label: str) -> AnalysisMaps:
    """The maps ``names`` of one run: an AnalysisMaps as is; a RunResult, run folder or
    maps/trajectories file read from disk."""
    if isinstance(source, AnalysisMaps):
        return source
    if isinstance(source, RunResult):
        file = source.analysis_maps_file
    elif _is_path(source) and Path(source).is_dir():
        file = RunResult(source).analysis_maps_file
    elif _is_path(source) and Path(source).is_file():
        file = Path(source)
    else:
        raise InputError.single("runs", "is not a run folder, maps file, RunResult or AnalysisMaps", file=label)
    maps = read_analysis_maps(file, names=names) if file is not None else None
    if maps is None:
        raise InputError.single(
            "runs", "holds no analysis maps; analyse the run (crowdsafe.analyse, or sweep with keep=('maps',))", file=label)
    if any(name not in maps for name in names):
        return read_analysis_maps(file)  # all of them, so the error can list the choices
    return maps


def _field_values(maps: AnalysisMaps, field: str, label: str) -> np.ndarray:
    """The (ny, nx) float64 values of ``field`` for one run (worst level 0..5 for LOS fields)."""
    if field not in maps:
        two_d = sorted(k for k, v in maps.items() if np.ndim(v) == 2)
        raise InputError.single("field", f"'{field}' is not among the run's maps; choose one of "
                                f"{', '.join(two_d + list(LOS_FIELDS))}", file=label)
    a = np.asarray(maps[field], dtype=np.float64)
    if field in LOS_FIELDS:
        if a.ndim != 3 or a.shape[0] != 6:
            raise InputError.single("field", f"'{field}' should be (6, ny, nx) fractions per level, found {a.shape}", file=label)
        reached = np.nan_to_num(a, nan=0.0) > 0.0
        worst = 5 - np.argmax(reached[::-1], axis=0).astype(np.float64)
        return np.where(reached.any(axis=0), worst, np.nan)
    if a.ndim != 2:
        raise InputError.single("field", f"'{field}' is not a (ny, nx) map (shape {a.shape}); choose a map", file=label)
    return a


def _threshold_value(field: str, threshold: float | str) -> float:
    """The number compared with ``>``: a LOS letter L counts level L or worse (index(L) - 0.5)."""
    if isinstance(threshold, str):
        letter = threshold.strip().upper()
        if field not in LOS_FIELDS or letter not in ("A", "B", "C", "D", "E", "F"):
            raise InputError.single("threshold", f"'{threshold}': a letter A-F is a level of service, for the fields "
                                    f"{', '.join(LOS_FIELDS)}; give a number in the field's unit otherwise")
        return "ABCDEF".index(letter) - 0.5
    value = float(threshold)
    if not math.isfinite(value):
        raise InputError.single("threshold", f"must be a finite number, found {threshold!r}")
    return value


def exceedance_map(
    runs: Any, field: str, threshold: float | str, *, by: Sequence[str] | None = None
) -> AnalysisMaps | dict[Any, AnalysisMaps]:
    """Per grid cell, the probability that ``field`` exceeded ``threshold`` in a run.

    ``runs``: a sweep DataFrame whose runs kept their maps (``sweep(..., out=DIR,
    keep=("maps",))``; completed rows; per parameter combination, or ``by``), or a list of run
    folders, :class:`crowdsafe.RunResult` objects, maps files (``maps.h5``, ``trajectories.h5``)
    or :class:`crowdsafe.AnalysisMaps`. ``field``: a (ny, nx) map of the analysis --
    ``"peak_density"`` (persons/m²), ``"peak_pressure"`` (s⁻²), ``"peak_contact_force"`` (N),
    ``"time_above_imo_density"`` (s) ... (docs/analysis-outputs.md) -- or ``"los_walkway"`` /
    ``"los_queuing"``: the worst Fruin level reached in the cell, 0 = A ... 5 = F.
    ``threshold``: in the field's unit; for a LOS field also a letter, ``"E"`` = level E or worse.

    A run counts in a cell when its value there is strictly greater than the threshold (a
    letter L means "reached L or worse"). Cells outside the walkable area (NaN) are NaN.

    Returns :class:`crowdsafe.AnalysisMaps` with ``"probability"`` (ny, nx) in 0..1 and
    ``"runs"`` (ny, nx), the runs with a value in the cell, on the runs' common grid (``.origin``,
    ``.cell_m``, ``.extent``, m); ``.attrs`` also hold field, field_unit, threshold and
    run_count. Draw it with :func:`crowdsafe.plot_map`. A grouped sweep gives {combination:
    maps}. Raises :class:`crowdsafe.InputError` when runs lie on different grids (another venue
    or cell size), a run has no maps, or the field or threshold is unknown.
    """
    threshold_value = _threshold_value(field, threshold)
    results = []
    for key, group in _groups(runs, by):
        results.append((key, _exceedance_one(group, field, threshold, threshold_value)))
    return _per_group(results)


def _exceedance_one(runs: Any, field: str, threshold: float | str, threshold_value: float) -> AnalysisMaps:
    sources = _map_sources(runs)
    if not sources:
        raise InputError.single("runs", "no completed run to count")
    grid: _Grid | None = None
    first_label = ""
    exceeded = counted = None
    unit = ""
    for label, source in sources:
        maps = _load_maps(source, [field], label)
        this = _Grid.of(maps)
        if grid is None:
            grid, first_label, unit = this, label, maps.units.get(field, "")
            exceeded = np.zeros((grid.ny, grid.nx), dtype=np.int64)
            counted = np.zeros((grid.ny, grid.nx), dtype=np.int64)
        elif not grid.same(this):
            raise InputError.single(
                "runs", f"its analysis grid ({this}) differs from that of {first_label} ({grid}); exceedance needs "
                "every run on one grid: the same venue analysed with the same cell_m", file=label)
        values = _field_values(maps, field, label)
        valid = np.isfinite(values)
        counted += valid
        exceeded += valid & (np.where(valid, values, -np.inf) > threshold_value)
    assert grid is not None and exceeded is not None and counted is not None
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = np.where(counted > 0, exceeded / np.maximum(counted, 1), np.nan)
    attrs = {
        "cell_m": grid.cell_m, "origin_x_m": grid.origin_x_m, "origin_y_m": grid.origin_y_m,
        "nx": grid.nx, "ny": grid.ny, "field": field,
        "field_unit": "level (0 = A ... 5 = F)" if field in LOS_FIELDS else unit,
        "threshold": threshold, "run_count": len(sources),
    }
    return AnalysisMaps({"probability": probability, "runs": counted}, {"probability": "1", "runs": "runs"}, attrs, {})


# ---------------------------------------------------------------------- convergence of the evacuation curve
#: Default acceptance thresholds of :func:`evacuation_convergence`, dimensionless: the relative
#: change of the mean total evacuation time ("tet"), the Euclidean relative difference ("erd"),
#: |1 - Euclidean projection coefficient| ("epc") and 1 - secant cosine ("sc") between the mean
#: evacuation curves after n and n - 1 runs. These are this project's choice (1 % each). Ronchi,
#: Reneke & Peacock (2014) define criteria of this kind with user-chosen acceptance values; the
#: values of their worked example could not be checked for this release, so they are not
#: claimed here: set the thresholds your authority or your own study requires.
CONVERGENCE_THRESHOLDS: dict[str, float] = {"tet": 0.01, "erd": 0.01, "epc": 0.01, "sc": 0.01}


@dataclass(frozen=True)
class ConvergenceCheck:
    """Result of :func:`evacuation_convergence`; true in a boolean context when converged.

    ``table``: one row per n (runs so far): run (label of the n-th run: its seed in a sweep),
    tet_mean_s (s, mean total evacuation time = mean of each run's last exit time), tet_change
    (|mean_n - mean_(n-1)| / mean_n, as in :func:`convergence`), erd, epc, sc (dimensionless,
    mean curve after n runs against after n - 1; NaN for n = 1), within (every criterion within
    its threshold), and
    consecutive_within (rows in a row up to n that were within). ``converged``: the last
    ``consecutive`` rows were all within. ``runs_needed``: the first n at which that held (None
    if never). ``thresholds`` as used (a criterion set to None was skipped).
    """

    table: pd.DataFrame
    converged: bool
    runs_needed: int | None
    thresholds: dict[str, float | None]
    consecutive: int
    dt_s: float
    verdict: str = field(default="")

    def __bool__(self) -> bool:
        return self.converged


def _exit_time_sources(runs: Any) -> list[tuple[str, Any]]:
    """[(label, source)]: a DataFrame's exit_times_s (else run_dir) per completed row in seed
    order, or the items of a list (arrays of exit times, RunResult, run folders)."""
    if isinstance(runs, pd.DataFrame):
        rows = _ordered_rows(runs)
        out = []
        for i, (_, row) in enumerate(rows.iterrows()):
            label = str(row["seed"]) if "seed" in rows.columns else str(i)
            times = row.get("exit_times_s") if "exit_times_s" in rows.columns else None
            if times is not None and not (isinstance(times, float) and math.isnan(times)):
                out.append((label, times))
                continue
            run_dir = row.get("run_dir")
            if run_dir is None or (isinstance(run_dir, float) and math.isnan(run_dir)):
                raise InputError.single(
                    "runs", "a completed run has neither exit_times_s nor run_dir; sweep with keep=('exit_times',)")
            out.append((label, run_dir))
        return out
    if _is_path(runs) or not isinstance(runs, Iterable):
        raise InputError.single("runs", f"give several runs (a sweep DataFrame or a list), not one {type(runs).__name__}")
    out = []
    for i, item in enumerate(runs):
        path = getattr(item, "path", None)
        out.append((os.fspath(path) if path is not None else os.fspath(item) if _is_path(item) else str(i + 1), item))
    return out


def _exit_times(source: Any, label: str) -> np.ndarray:
    """Sorted finite exit times (s) of one run."""
    if isinstance(source, RunResult) or _is_path(source):
        result = source if isinstance(source, RunResult) else RunResult(source)
        if not result.has_trajectories:
            raise InputError.single("runs", "has no trajectories.h5 to read exit times from; sweep with "
                                    "keep=('exit_times',) or record=True", file=label)
        times = result.agents["exit_time"].to_numpy(dtype=np.float64)
    else:
        times = np.asarray(source, dtype=np.float64).ravel()
    times = times[np.isfinite(times)]
    if np.any(times < 0):
        raise InputError.single("runs", "has negative exit times; give times in s from the start of the run", file=label)
    return np.sort(times)


def evacuation_convergence(
    runs: Any,
    *,
    dt_s: float = 1.0,
    thresholds: Mapping[str, float | None] | None = None,
    consecutive: int = 3,
    by: Sequence[str] | None = None,
) -> ConvergenceCheck | dict[Any, ConvergenceCheck]:
    """Whether enough runs were made: does the mean evacuation curve still change as runs are
    added? (behavioural uncertainty after Ronchi, Reneke & Peacock 2014, Fire Technology 50,
    "A method for the analysis of behavioural uncertainty in evacuation modelling"; NIST TN 1822.)

    ``runs``: a sweep DataFrame (completed rows in seed order, per parameter combination or
    ``by``; exit times from the ``exit_times_s`` column of ``sweep(..., keep=("exit_times",))``
    or from each run folder's trajectories), or a list of runs in the order they were made:
    arrays of exit times (s), :class:`crowdsafe.RunResult` objects or run folders.

    Each run's evacuation curve N_i(t) counts the persons who had left by t (persons), on the
    times t = 0, dt_s, ..., up to the last exit among the first n runs. For every n >= 2 the mean
    curve M_n over runs 1..n is compared with M_(n-1) by :func:`crowdsafe.stats.curve_measures`:
    ERD = ||M_n - M_(n-1)|| / ||M_(n-1)||, EPC = <M_n, M_(n-1)> / ||M_(n-1)||², SC = cosine between
    their secants; and the mean total evacuation time (each run's last exit) by its relative
    change |mean_n - mean_(n-1)| / mean_n. A row is within when tet_change <= thresholds["tet"], erd <= ["erd"],
    |1 - epc| <= ["epc"] and 1 - sc <= ["sc"]; the study has converged when the last
    ``consecutive`` rows (>= 1) are all within. ``thresholds`` update
    :data:`CONVERGENCE_THRESHOLDS` (1 % each: this project's default; the paper's acceptance
    values could not be confirmed here, see there); None skips a criterion. ``dt_s``: sampling
    step of the curves, s (> 0).

    Returns a :class:`ConvergenceCheck` (table per n, converged, runs_needed, verdict); a grouped
    sweep gives {combination: check}. Runs nobody left from contribute a zero curve and no
    evacuation time. Raises :class:`crowdsafe.InputError` for bad options or runs without exit times.
    """
    if not (isinstance(dt_s, (int, float)) and math.isfinite(dt_s) and dt_s > 0):
        raise InputError.single("dt_s", f"must be a time step > 0 s, found {dt_s!r}")
    if isinstance(consecutive, bool) or not isinstance(consecutive, (int, np.integer)) or consecutive < 1:
        raise InputError.single("consecutive", f"must be a whole number of runs >= 1, found {consecutive!r}")
    limits: dict[str, float | None] = dict(CONVERGENCE_THRESHOLDS)
    for key, value in (thresholds or {}).items():
        if key not in CONVERGENCE_THRESHOLDS:
            raise InputError.single(f"thresholds.{key}", f"unknown criterion; use {', '.join(CONVERGENCE_THRESHOLDS)}")
        if value is not None and not (math.isfinite(float(value)) and float(value) >= 0):
            raise InputError.single(f"thresholds.{key}", f"must be >= 0 (a relative tolerance) or None, found {value!r}")
        limits[key] = None if value is None else float(value)
    results = []
    for key, group in _groups(runs, by):
        results.append((key, _convergence_one(group, float(dt_s), limits, int(consecutive))))
    return _per_group(results)


def _convergence_one(runs: Any, dt_s: float, limits: dict[str, float | None], consecutive: int) -> ConvergenceCheck:
    sources = _exit_time_sources(runs)
    labels, times = [], []
    for label, source in sources:
        labels.append(label)
        times.append(_exit_times(source, label))
    n_runs = len(times)
    last = np.array([t[-1] if len(t) else np.nan for t in times])
    # The mean total evacuation time and its change as in convergence(); a run nobody left
    # has no evacuation time and leaves the mean as it was.
    has_time = np.isfinite(last)
    tet = _running_stats(last[has_time])
    tet_rows = np.cumsum(has_time) - 1  # row of `tet` after run n, -1 before the first time
    # Curves on one grid long enough for every run; row n uses the part up to the last exit
    # among runs 1..n, so a row never depends on runs added later.
    horizon = np.fmax.accumulate(np.nan_to_num(last, nan=0.0)) if n_runs else np.zeros(0)
    steps = np.ceil(horizon / dt_s - 1e-9).astype(np.int64) if n_runs else np.zeros(0, dtype=np.int64)
    grid = np.arange((steps.max() if n_runs else 0) + 1) * dt_s
    curves = np.stack([np.searchsorted(t, grid, side="right") for t in times]).astype(np.float64) if n_runs else \
        np.zeros((0, len(grid)))
    sums = np.cumsum(curves, axis=0)

    rows = []
    streak = 0
    runs_needed = None
    for n in range(1, n_runs + 1):
        i = tet_rows[n - 1]
        row: dict[str, Any] = {"n": n, "run": labels[n - 1], "tet_mean_s": tet["mean"].iloc[i] if i >= 0 else math.nan}
        if n == 1:
            row.update(tet_change=math.nan, erd=math.nan, epc=math.nan, sc=math.nan)
        else:
            k = steps[n - 1] + 1
            if not has_time[n - 1]:
                row["tet_change"] = 0.0 if i >= 0 else math.nan
            else:
                row["tet_change"] = tet["rel_change_mean"].iloc[i] if i >= 1 else math.nan
            row.update(curve_measures(sums[n - 1, :k] / n, sums[n - 2, :k] / (n - 1)))
        deviations = {"tet": row["tet_change"], "erd": row["erd"], "epc": abs(1.0 - row["epc"]), "sc": 1.0 - row["sc"]}
        row["within"] = n > 1 and all(
            limit is None or (math.isfinite(deviations[name]) and deviations[name] <= limit) for name, limit in limits.items())
        streak = streak + 1 if row["within"] else 0
        row["consecutive_within"] = streak
        if runs_needed is None and streak >= consecutive:
            runs_needed = n
        rows.append(row)
    columns = ["n", "run", "tet_mean_s", "tet_change", "erd", "epc", "sc", "within", "consecutive_within"]
    table = pd.DataFrame(rows, columns=columns).astype({"n": "int64", "within": "bool", "consecutive_within": "int64"})
    table = table.set_index("n", drop=False)
    table.index.name = None
    converged = streak >= consecutive
    return ConvergenceCheck(table, converged, runs_needed, limits, consecutive, dt_s,
                            _convergence_verdict(table, converged, limits, consecutive))


def _convergence_verdict(table: pd.DataFrame, converged: bool, limits: dict[str, float | None], consecutive: int) -> str:
    n = len(table)
    used = ", ".join(f"{name} <= {limit:g}" for name, limit in limits.items() if limit is not None)
    if converged:
        return (f"converged: the last {consecutive} of {n} runs each changed the mean evacuation curve and "
                f"time within the thresholds ({used})")
    if n < consecutive + 1:
        return f"not converged: {n} runs; at least {consecutive + 1} are needed to tell ({used})"
    last = table.iloc[-1]
    over = []
    for name, value in (("tet", last["tet_change"]), ("erd", last["erd"]), ("epc", abs(1.0 - last["epc"])),
                        ("sc", 1.0 - last["sc"])):
        limit = limits[name]
        if limit is not None and not (math.isfinite(value) and value <= limit):
            over.append(f"{name} {value:.3g} > {limit:g}")
    detail = "; at n = %d: %s" % (n, ", ".join(over)) if over else ""
    return (f"not converged: only {int(last['consecutive_within'])} of the last {consecutive} runs stayed within the "
            f"thresholds ({used}){detail}; run more seeds")
