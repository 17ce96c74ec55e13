"""Studies: sweeps over parameters and seeds, ensemble statistics, layout comparison.

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

from . import _core
from .errors import InputError
from .scenario import PathLike, Scenario, as_scenario
from .stats import mean_ci, welch_test

__all__ = [
    "sweep",
    "percentiles",
    "convergence",
    "converged",
    "exceedance_probability",
    "compare",
    "METRICS",
    "RESULT_COLUMNS",
    "ANALYSIS_COLUMNS",
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
        analyse = task.get("analyse", False)
        analysed: dict[str, Any] = {}
        if out is None:
            with tempfile.TemporaryDirectory(prefix="crowdsafe-sweep-") as tmp:
                summary = _core.run_scenario(sc.core, tmp, threads=task["threads"], record=analyse)
                if analyse:
                    analysed = _analysis_metrics(summary, tmp, sc, write=False)
                run_dir = None
                metrics = _metrics(summary, run_dir)
        else:
            record = task["record"] or analyse
            if analyse:
                _core.write_run_scenario_copy(sc.core, out)
            summary = _core.run_scenario(sc.core, out, threads=task["threads"], record=record)
            if analyse:
                analysed = _analysis_metrics(summary, out, sc, write=True)
            run_dir = Path(out)
            metrics = _metrics(summary, run_dir if record else None)
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
    except Exception as e:  # noqa: BLE001 - every failure becomes a row, never a lost run
        row["status"] = "error"
        row["error"] = f"{type(e).__name__}: {e}"
        if not isinstance(e, (InputError, OSError)):
            row["error"] += "\n" + traceback.format_exc(limit=5)
    row["wall_time_s"] = time.perf_counter() - start
    return row


def _analysis_metrics(summary: dict, run_dir: str, sc: Scenario, *, write: bool) -> dict:
    """Hotspot counts and peak density of a finished run (:data:`ANALYSIS_COLUMNS`); NaN and an
    ``error`` entry when the run was interrupted or the analysis failed."""
    empty = {c: math.nan for c in ANALYSIS_COLUMNS}
    if summary["status"] == "interrupted":
        return empty
    try:
        result = _core.analyse_run(run_dir, sc.core, write=write).summary
    except Exception as e:  # noqa: BLE001 - the run's own figures still make a row
        return {**empty, "error": f"{type(e).__name__}: {e}"}
    return {
        "n_hotspots": result["hotspots"],
        "n_crush": result["crush_hotspots"],
        "n_counterflow": result["counterflow_hotspots"],
        "peak_density_per_m2": result["peak_density_per_m2"],
    }


def _metrics(summary: dict, run_dir: Path | None) -> dict:
    out: dict[str, Any] = {}
    for metric in METRICS:
        out.update(metric(summary, run_dir))
    return out


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


def _frame(rows: list[dict], parameter_columns: list[str], analysed: bool = False) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    result_columns = RESULT_COLUMNS + (ANALYSIS_COLUMNS if analysed else [])
    for c in result_columns:
        if c not in df.columns:
            df[c] = np.nan if c not in ("status", "error", "run_dir") else None
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

    Returns a DataFrame: the parameter columns, then seed, status ("completed", "interrupted",
    "failed": a step failed, "error": the run could not start), error (message, "" if none),
    agents_total, evacuated, remaining (persons), evacuation_time_p50_s / _p95_s / _max_s (s,
    NaN if nobody left), max_contact_force_N (N), simulated_time_s (s), wall_time_s (s, per
    run), run_dir, and the columns added by :data:`METRICS`. A failing run is a row with its
    error, never dropped. ``df.attrs["parameters"]`` lists the parameter columns.
    """
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
            }
        )
    df = _frame(_submit_all(executor, tasks), names, analysed=bool(analyse))
    df.attrs["parameters"] = names
    return df


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
    v = data[column].dropna().to_numpy(dtype=np.float64)
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
