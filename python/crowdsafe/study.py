"""Studies: sweeps over parameters and seeds, and layout comparison (ensemble statistics over
a sweep's runs are in :mod:`crowdsafe.ensemble`).

A sweep is a list of independent runs. Each run is a picklable task (scenario text, overrides,
seed), so the same code runs serially, on a ``concurrent.futures`` executor (threads suffice:
the engine releases the GIL) or on a ``dask.distributed.Client`` from a laptop to a cluster.

Metrics: each run's row is filled by the functions in :data:`METRICS`, each taking
``(summary: dict, run_dir: Path | None)`` and returning {column: value}. Analyses that need
trajectories (hotspots, gate queues, peak density) add their function there, in a module that
``crowdsafe`` imports, so that worker processes have it too.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core, risk
from .ensemble import _ok
from .errors import InputError
from .scenario import PathLike, Scenario, as_scenario
from .stats import mean_ci, welch_test

__all__ = [
    "sweep",
    "compare",
    "METRICS",
    "RESULT_COLUMNS",
    "ANALYSIS_COLUMNS",
    "KEEP_COLUMNS",
]

Metric = Callable[[dict, "Path | None"], dict]


def _summary_metrics(summary: dict, run_dir: Path | None) -> dict:
    """Figures from the run summary; -1 ("nobody left") becomes NaN."""

    def time_or_nan(key: str) -> float:
        v = summary.get(key, -1.0)
        return math.nan if v is None or v < 0 else float(v)

    return {
        "agents_total": summary["agents_total"],
        "evacuated": summary["agents_evacuated"],
        "remaining": summary["agents_remaining"],
        "evacuation_time_p50_s": time_or_nan("evacuation_time_p50_s"),
        "evacuation_time_p95_s": time_or_nan("evacuation_time_p95_s"),
        "evacuation_time_max_s": time_or_nan("evacuation_time_max_s"),
        "max_contact_force_N": float(summary["max_contact_force_N"]),
        "simulated_time_s": float(summary["simulated_time_s"]),
    }


#: Functions filling a run's row: ``metric(summary, run_dir) -> {column: value}``. ``run_dir``
#: is None unless the sweep keeps run folders (``out=``) with trajectories (``record=True``).
METRICS: list[Metric] = [_summary_metrics]

#: Columns every sweep row has after the parameter columns, in order.
RESULT_COLUMNS = [
    "seed",
    "status",
    "error",
    "agents_total",
    "evacuated",
    "remaining",
    "evacuation_time_p50_s",
    "evacuation_time_p95_s",
    "evacuation_time_max_s",
    "max_contact_force_N",
    "simulated_time_s",
    "wall_time_s",
    "run_dir",
]

#: Columns a sweep with ``analyse=True`` adds after :data:`RESULT_COLUMNS`: hotspots found,
#: of them crush and counterflow hotspots (counts), and the largest density anywhere, persons/m².
ANALYSIS_COLUMNS = ["n_hotspots", "n_crush", "n_counterflow", "peak_density_per_m2"]

#: What ``sweep(keep=...)`` can keep of each run, and the column that holds it (after the others):
#: "maps" -> maps_file (path of the run's maps.h5: the /analysis group, no trajectories);
#: "exit_times" -> exit_times_s (sorted exit times of those who left, float64 array, s).
KEEP_COLUMNS = {"maps": "maps_file", "exit_times": "exit_times_s"}

#: Metrics where a smaller value is better (used by compare's verdicts).
LOWER_IS_BETTER = {
    "evacuation_time_p50_s": True,
    "evacuation_time_p95_s": True,
    "evacuation_time_max_s": True,
    "max_contact_force_N": True,
    "evacuated": False,
    "remaining": True,
}


def _run_task(task: dict) -> dict:
    """Runs one sweep task and returns its row; never raises (a failure is a row with its error).

    Module-level and fed only picklable values, so process pools and dask workers can run it.
    """
    row: dict[str, Any] = dict(task["labels"])
    row["seed"] = task["seed"]
    start = time.perf_counter()
    try:
        sc: Scenario = task["scenario"]
        sc = sc.with_overrides({**task["overrides"], "seed": task["seed"]})
        out = task["out"]
        keep = task.get("keep", ())
        keep_maps, keep_times = "maps" in keep, "exit_times" in keep
        analyse = task.get("analyse", False) or keep_maps
        analysed: dict[str, Any] = {}
        kept: dict[str, Any] = {}
        if out is None:
            with tempfile.TemporaryDirectory(prefix="crowdsafe-sweep-") as tmp:
                summary = _core.run_scenario(sc.core, tmp, threads=task["threads"], record=analyse or keep_times)
                if analyse:
                    analysed = _analysis_metrics(summary, tmp, sc, write=False)
                if keep_times:
                    kept["exit_times_s"] = _exit_times(Path(tmp), summary)
                run_dir = None
                metrics = _metrics(summary, run_dir)
        else:
            # Trajectories are recorded when something needs them, but kept only with `record`
            # (or for an analysed run without keep=maps, as before: its maps live in them).
            keep_trajectories = task["record"] or (analyse and not keep_maps)
            record = keep_trajectories or analyse or keep_times
            if analyse:
                _core.write_run_scenario_copy(sc.core, out)
            summary = _core.run_scenario(sc.core, out, threads=task["threads"], record=record)
            if analyse:
                analysed = _analysis_metrics(summary, out, sc, write=True, report=keep_trajectories)
            if keep_times:
                kept["exit_times_s"] = _exit_times(Path(out), summary)
            run_dir = Path(out)
            metrics = _metrics(summary, run_dir if record else None)
            if keep_maps:
                kept["maps_file"] = _keep_maps(run_dir, summary)
            if record and not keep_trajectories and summary.get("trajectory_file"):
                (run_dir / summary["trajectory_file"]).unlink(missing_ok=True)
        status = summary["status"]
        if status.startswith("failed: "):
            row["status"], row["error"] = "failed", status[len("failed: ") :]
        else:
            row["status"], row["error"] = status, ""
        row.update(metrics)
        analysis_error = analysed.pop("error", "")
        row.update(analysed)
        if analysis_error:
            row["error"] = "; ".join(e for e in (row["error"], f"analysis: {analysis_error}") if e)
        row["run_dir"] = os.fspath(out) if out is not None else None
        row.update(kept)
    except Exception as e:  # noqa: BLE001 - every failure becomes a row, never a lost run
        row["status"] = "error"
        row["error"] = f"{type(e).__name__}: {e}"
        if not isinstance(e, (InputError, OSError)):
            row["error"] += "\n" + traceback.format_exc(limit=5)
    row["wall_time_s"] = time.perf_counter() - start
    return row


def _analysis_metrics(summary: dict, run_dir: str, sc: Scenario, *, write: bool, report: bool = True) -> dict:
    """Hotspot counts and peak density of a finished run (:data:`ANALYSIS_COLUMNS`); NaN and an
    ``error`` entry when the run was interrupted or the analysis failed. ``write``: write
    hotspots.json and /analysis (and report.html when ``report``) into the run folder."""
    empty = {c: math.nan for c in ANALYSIS_COLUMNS}
    if summary["status"] == "interrupted":
        return empty
    try:
        result = _core.analyse_run(run_dir, sc.core, write=write, report=report).summary
    except Exception as e:  # noqa: BLE001 - the run's own figures still make a row
        return {**empty, "error": f"{type(e).__name__}: {e}"}
    return {
        "n_hotspots": result["hotspots"],
        "n_crush": result["crush_hotspots"],
        "n_counterflow": result["counterflow_hotspots"],
        "peak_density_per_m2": result["peak_density_per_m2"],
    }


def _exit_times(run_dir: Path, summary: dict) -> np.ndarray | None:
    """Sorted exit times (s) of the persons who left, from the run's trajectories.h5; None when
    the run wrote no agents table (it did not complete)."""
    import h5py

    file = run_dir / (summary.get("trajectory_file") or "trajectories.h5")
    if not file.is_file():
        return None
    with h5py.File(file, "r") as f:
        if "crowdsafe/agents" not in f:
            return None
        times = f["crowdsafe/agents"]["exit_time"]
    return np.sort(times[np.isfinite(times)]).astype(np.float64)


def _keep_maps(run_dir: Path, summary: dict) -> str | None:
    """Copies the run's /analysis into run_dir/maps.h5; its path, None when not analysed."""
    file = run_dir / (summary.get("trajectory_file") or "trajectories.h5")
    maps = run_dir / risk.MAPS_FILE
    if file.is_file() and risk.keep_analysis(file, maps):
        return os.fspath(maps)
    return None


def _metrics(summary: dict, run_dir: Path | None) -> dict:
    out: dict[str, Any] = {}
    for metric in METRICS:
        out.update(metric(summary, run_dir))
    return out


def _keep_list(keep: str | Iterable[str], out: PathLike | None) -> tuple[str, ...]:
    items = (keep,) if isinstance(keep, str) else tuple(str(k) for k in keep)
    for k in items:
        if k not in KEEP_COLUMNS:
            raise InputError.single("keep", f"unknown item '{k}'; sweep can keep {', '.join(repr(c) for c in KEEP_COLUMNS)}")
    if "maps" in items and out is None:
        raise InputError.single("keep", "keeping maps needs out=FOLDER: each run's maps.h5 is written under it")
    return items


def _seed_list(seeds: int | Iterable[int] | None, scenario: Scenario) -> list[int]:
    if seeds is None:
        return [scenario.seed]
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise InputError.single("seeds", f"must be >= 1 runs, found {seeds}")
        return list(range(1, int(seeds) + 1))
    out = [int(s) for s in seeds]
    if not out:
        raise InputError.single("seeds", "no seeds given")
    return out


def _submit_all(executor: Any, tasks: list[dict]) -> list[dict]:
    """Runs tasks serially (executor None), on a concurrent.futures executor, or on a dask Client;
    a task whose future fails (worker lost, pickling) still yields a row with its error."""
    if executor is None:
        return [_run_task(t) for t in tasks]
    if hasattr(executor, "gather") and hasattr(executor, "scheduler_info"):  # dask.distributed.Client
        futures = [executor.submit(_run_task, t, pure=False) for t in tasks]
    else:
        futures = [executor.submit(_run_task, t) for t in tasks]
    rows = []
    for task, future in zip(tasks, futures):
        try:
            rows.append(future.result())
        except Exception as e:  # noqa: BLE001
            row = {**task["labels"], "seed": task["seed"], "status": "error", "error": f"{type(e).__name__}: {e}"}
            rows.append(row)
    return rows


def _frame(rows: list[dict], parameter_columns: list[str], analysed: bool = False,
           keep: Sequence[str] = ()) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    result_columns = (RESULT_COLUMNS + (ANALYSIS_COLUMNS if analysed else [])
                      + [KEEP_COLUMNS[k] for k in KEEP_COLUMNS if k in keep])
    for c in result_columns:
        if c not in df.columns:
            df[c] = np.nan if c not in ("status", "error", "run_dir", *KEEP_COLUMNS.values()) else None
    for c in KEEP_COLUMNS.values():
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    extra = [c for c in df.columns if c not in parameter_columns and c not in result_columns]
    df = df[parameter_columns + result_columns + extra]
    df["error"] = df["error"].fillna("")
    return df


def sweep(
    scenario: Scenario | PathLike | Mapping[str, Any],
    parameters: Mapping[str, Sequence[Any]] | None = None,
    seeds: int | Iterable[int] | None = 5,
    executor: Any = None,
    *,
    threads: int = 1,
    out: PathLike | None = None,
    record: bool = False,
    analyse: bool = False,
    keep: str | Iterable[str] = (),
) -> pd.DataFrame:
    """Runs the cross product of parameter values and seeds; one row per run.

    ``parameters``: {dotted field path: values}, e.g. ``{"model.time_headway_s": [0.3, 0.45],
    "sources[0].schedule[0].rate_per_s": [1, 2]}`` (paths as in error messages; values in the
    field's unit). ``seeds``: a number n (seeds 1..n), a list of seeds, or None (the scenario's
    seed). ``executor``: None (serial), a ``concurrent.futures`` executor (a ThreadPoolExecutor
    runs in parallel: the engine releases the GIL), or a ``dask.distributed.Client``.
    ``threads``: engine threads per run (1 suits parallel sweeps). ``out``: keep each run's
    folder under ``out/run-<index>``, with trajectories when ``record``. ``analyse``: run the
    risk analysis on each run (recording its trajectories, in a temporary folder without
    ``out``; with ``out`` the folder gets hotspots.json and the maps, as :func:`crowdsafe.analyse`
    writes) and add :data:`ANALYSIS_COLUMNS`: n_hotspots, n_crush, n_counterflow (counts),
    peak_density_per_m2 (persons/m²).

    ``keep``: what else to keep of each run for ensemble statistics (:data:`KEEP_COLUMNS`),
    without holding it in memory: ``"maps"`` analyses each run (as ``analyse``) and saves its
    analysis maps to ``out/run-<index>/maps.h5`` (about 25 maps of ny × nx float64; the
    trajectories are deleted unless ``record``), column ``maps_file``, for
    :func:`crowdsafe.exceedance_map`; needs ``out`` (on a cluster, a folder every worker and
    the client share). ``"exit_times"`` adds column ``exit_times_s``: each run's sorted exit
    times (float64 array, s; 8 bytes per person who left), for
    :func:`crowdsafe.evacuation_convergence`; trajectories are recorded for it and not kept
    unless ``record``.

    Returns a DataFrame: the parameter columns, then seed, status ("completed", "interrupted",
    "failed": a step failed, "error": the run could not start), error (message, "" if none),
    agents_total, evacuated, remaining (persons), evacuation_time_p50_s / _p95_s / _max_s (s,
    NaN if nobody left), max_contact_force_N (N), simulated_time_s (s), wall_time_s (s, per
    run), run_dir, the columns added by :data:`METRICS`, and those of ``keep`` (None for a run
    that did not complete). A failing run is a row with its error, never dropped.
    ``df.attrs["parameters"]`` lists the parameter columns. Raises :class:`crowdsafe.InputError`
    for invalid arguments before running anything.
    """
    kept = _keep_list(keep, out)
    sc = as_scenario(scenario)
    params = {str(k): list(v) for k, v in (parameters or {}).items()}
    for key, values in params.items():
        if key == "seed":
            raise InputError.single("parameters.seed", "give seeds with the seeds argument, not as a parameter")
        if not values:
            raise InputError.single(f"parameters.{key}", "no values given")
    seed_list = _seed_list(seeds, sc)
    names = list(params)
    tasks = []
    for index, (values, seed) in enumerate(itertools.product(itertools.product(*params.values()), seed_list)):
        labels = dict(zip(names, values))
        tasks.append(
            {
                "scenario": sc,
                "labels": labels,
                "overrides": labels,
                "seed": seed,
                "threads": int(threads),
                "out": os.fspath(Path(out) / f"run-{index:04d}") if out is not None else None,
                "record": bool(record),
                "analyse": bool(analyse),
                "keep": kept,
            }
        )
    df = _frame(_submit_all(executor, tasks), names, analysed=bool(analyse) or "maps" in kept, keep=kept)
    df.attrs["parameters"] = names
    return df


# ---------------------------------------------------------------------- layout comparison
def compare(
    layouts: Mapping[str, Any] | Sequence[Any],
    seeds: int | Iterable[int] = 10,
    executor: Any = None,
    *,
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
    threads: int = 1,
    overrides: Mapping[str, Any] | None = None,
    return_runs: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Compares layouts (scenarios) over the same seeds: a table of key metrics with means,
    confidence intervals and a verdict per metric.

    ``layouts``: {name: scenario or path} or a list (named "A", "B", ...). ``seeds``: runs per
    layout (seeds 1..n) or a list of seeds. ``metrics``: columns of a sweep row (default:
    evacuation_time_p50_s/p95_s/max_s (s), max_contact_force_N (N), evacuated, remaining
    (persons)). ``overrides`` apply to every layout (e.g. ``{"duration_s": 120}``).

    Returns a DataFrame indexed by metric with, per layout, ``<name> mean``, ``<name> ci_low``,
    ``<name> ci_high`` (Student-t interval at ``confidence``) and ``<name> n`` (completed runs),
    and a verdict against the first layout, from Welch's t-test at 1 - confidence:
    ``"<name> better"`` or ``"no significant difference"`` (column ``verdict`` for two layouts,
    ``verdict <name>`` per other layout otherwise). With ``return_runs`` also the per-run rows.
    """
    if isinstance(layouts, Mapping):
        named = {str(k): as_scenario(v) for k, v in layouts.items()}
    else:
        letters = [chr(ord("A") + i) for i in range(len(layouts))]
        named = {name: as_scenario(v) for name, v in zip(letters, layouts)}
    if len(named) < 2:
        raise InputError.single("layouts", f"give at least two layouts to compare, found {len(named)}")
    metric_names = list(metrics) if metrics is not None else list(LOWER_IS_BETTER)
    seed_list = _seed_list(seeds, next(iter(named.values())))
    changes = dict(overrides or {})

    tasks = []
    for name, sc in named.items():
        for seed in seed_list:
            tasks.append(
                {
                    "scenario": sc,
                    "labels": {"layout": name},
                    "overrides": changes,
                    "seed": seed,
                    "threads": int(threads),
                    "out": None,
                    "record": False,
                }
            )
    runs = _frame(_submit_all(executor, tasks), ["layout"])
    runs.attrs["parameters"] = ["layout"]

    names = list(named)
    baseline = names[0]
    table: dict[str, dict[str, Any]] = {}
    for metric in metric_names:
        if metric not in runs.columns:
            raise InputError.single("metrics", f"unknown metric '{metric}'; sweep columns: {', '.join(runs.columns)}")
        row: dict[str, Any] = {}
        values = {n: _ok(runs[runs["layout"] == n])[metric].to_numpy(dtype=np.float64) for n in names}
        for n in names:
            mean, lo, hi = mean_ci(values[n], confidence)
            row[f"{n} mean"], row[f"{n} ci_low"], row[f"{n} ci_high"] = mean, lo, hi
            row[f"{n} n"] = int(np.count_nonzero(~np.isnan(values[n])))
        for n in names[1:]:
            verdict = _verdict(values[baseline], values[n], baseline, n, metric, 1.0 - confidence)
            row["verdict" if len(names) == 2 else f"verdict {n}"] = verdict
        table[metric] = row
    result = pd.DataFrame.from_dict(table, orient="index")
    result.index.name = "metric"
    return (result, runs) if return_runs else result


def _verdict(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, metric: str, alpha: float) -> str:
    p = welch_test(a, b)
    if math.isnan(p):
        return "not enough runs"
    if p >= alpha:
        return "no significant difference"
    lower_better = LOWER_IS_BETTER.get(metric, True)
    a_lower = np.nanmean(a) < np.nanmean(b)
    return f"{name_a} better" if a_lower == lower_better else f"{name_b} better"
