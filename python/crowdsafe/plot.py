"""matplotlib helpers: venue maps, analysis and exceedance maps, trajectories and evacuation curves.

Each takes the Axes to draw on first and returns it; matplotlib is imported only when used.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .risk import AnalysisMaps
from .runs import RunResult, read_run
from .scenario import Scenario, as_scenario
from .simulation import Simulation

__all__ = ["plot_venue", "plot_map", "plot_trajectories", "plot_evacuation_curve"]


def _patch(polygons, **style):
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    vertices, codes = [], []
    for exterior, holes in polygons:
        for ring in [exterior, *holes]:
            ring = np.asarray(ring, dtype=np.float64)
            vertices.extend(ring.tolist() + [ring[0].tolist()])
            codes.extend([Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY])
    return PathPatch(Path(vertices, codes), **style)


def _source(obj: Any) -> Scenario | RunResult:
    if isinstance(obj, (Scenario, RunResult)):
        return obj
    if isinstance(obj, Simulation):
        return obj.scenario
    from pathlib import Path

    if isinstance(obj, (str, Path)) and Path(obj).is_dir():
        return read_run(obj)
    return as_scenario(obj)


def plot_venue(ax, source: Any, *, areas: bool = True, labels: bool = True):
    """Draws the walkable area (grey; holes are obstacles) and, for a scenario, its exits (red),
    destinations (green) and group/source areas (blue outline). Coordinates in m, equal aspect.

    ``source``: a Scenario, a scenario path or dict, a Simulation, a RunResult or a run folder
    (its trajectories.h5 holds the walkable area). Returns ``ax``.
    """
    src = _source(source)
    walkable = src.walkable
    ax.add_patch(_patch(walkable, facecolor="0.92", edgecolor="0.2", linewidth=1.0, zorder=0))
    if areas and isinstance(src, Scenario):
        for kind, color, entries in (
            ("exit", "tab:red", src.exits.items()),
            ("destination", "tab:green", src.destinations.items()),
        ):
            for name, polys in entries:
                ax.add_patch(_patch(polys, facecolor=color, alpha=0.5, edgecolor=color, zorder=1))
                if labels and polys:
                    c = np.asarray(polys[0][0]).mean(axis=0)
                    ax.annotate(name, c, fontsize=7, ha="center", va="center", zorder=3)
        for entry in [*src.groups, *src.sources]:
            if entry["area"]:
                ax.add_patch(_patch(entry["area"], facecolor="none", edgecolor="tab:blue", linestyle="--", zorder=1))
    rings = np.vstack([np.asarray(ext) for ext, _ in walkable])
    pad = 0.02 * max(np.ptp(rings[:, 0]), np.ptp(rings[:, 1]))
    ax.set_xlim(rings[:, 0].min() - pad, rings[:, 0].max() + pad)
    ax.set_ylim(rings[:, 1].min() - pad, rings[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("x / m")
    ax.set_ylabel("y / m")
    return ax


def plot_map(
    ax,
    maps: AnalysisMaps | RunResult | str,
    name: str | None = None,
    *,
    level: int | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    label: str | None = None,
):
    """Draws one grid map (m) with a colour bar in its unit; cells outside the walkable area
    (NaN) stay blank.

    ``maps``: an :class:`crowdsafe.AnalysisMaps` (``RunResult.analysis_maps``, or the result of
    :func:`crowdsafe.exceedance_map`), a RunResult or a run folder. ``name``: the dataset
    (default ``"probability"`` when present, else ``"peak_density"``); a (6, ny, nx) LOS dataset
    needs ``level`` (0 = A ... 5 = F). An exceedance map is drawn from 0 to 1 with a label
    naming field and threshold. Returns ``ax``; the image is ``ax.images[-1]``.
    """
    if not isinstance(maps, AnalysisMaps):
        result = maps if isinstance(maps, RunResult) else read_run(maps)
        if result.analysis_maps is None:
            raise ValueError(f"{result.path}: the run was not analysed; run crowdsafe.analyse() first")
        maps = result.analysis_maps
    if name is None:
        name = "probability" if "probability" in maps else "peak_density"
    data = np.asarray(maps[name], dtype=np.float64)
    if data.ndim == 3:
        if level is None:
            raise ValueError(f"'{name}' has one map per level of service; pass level=0..5 (A..F)")
        data = data[level]
    elif data.ndim != 2:
        raise ValueError(f"'{name}' is not a map (shape {data.shape})")
    unit = maps.units.get(name, "")
    exceedance = name == "probability" and "field" in maps.attrs
    if exceedance:
        vmin = 0.0 if vmin is None else vmin
        vmax = 1.0 if vmax is None else vmax
        if label is None:
            field, t, unit_of_field = maps.attrs["field"], maps.attrs.get("threshold"), maps.attrs.get("field_unit", "")
            if isinstance(t, str):
                label = f"P({field} at level {t} or worse)"
            else:
                label = f"P({field} > {t:g} {unit_of_field})".replace(" )", ")")
    if label is None:
        label = f"{name} / {unit}" if unit and unit != "1" else name
    image = ax.imshow(np.ma.masked_invalid(data), origin="lower", extent=maps.extent, cmap=cmap or "viridis",
                      vmin=vmin, vmax=vmax, interpolation="nearest")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_aspect("equal")
    ax.set_xlabel("x / m")
    ax.set_ylabel("y / m")
    return ax


def plot_trajectories(
    ax,
    run: RunResult | str | pd.DataFrame,
    *,
    ids: Iterable[int] | None = None,
    max_agents: int = 300,
    color_by: str = "speed",
    venue: bool = True,
    linewidth: float = 0.6,
):
    """Draws agents' paths (m). ``run``: a RunResult, a run folder, or a trajectories DataFrame
    (id, x, y[, vx, vy]). ``ids`` picks agents (default: up to ``max_agents`` evenly spread ids).
    ``color_by``: "speed" (m/s, with a colour bar) or "id". Returns ``ax``."""
    from matplotlib.collections import LineCollection

    if isinstance(run, pd.DataFrame):
        traj, result = run, None
    else:
        result = run if isinstance(run, RunResult) else read_run(run)
        traj = result.trajectories
    if venue and result is not None:
        plot_venue(ax, result)
    all_ids = np.unique(traj["id"].to_numpy())
    if ids is None:
        chosen = all_ids[np.linspace(0, len(all_ids) - 1, min(max_agents, len(all_ids))).astype(int)] if len(all_ids) else all_ids
    else:
        chosen = np.asarray(list(ids))
    sel = traj[traj["id"].isin(chosen)].sort_values(["id", "frame"] if "frame" in traj else ["id"], kind="stable")
    xy = sel[["x", "y"]].to_numpy()
    same = sel["id"].to_numpy()[1:] == sel["id"].to_numpy()[:-1]
    segments = np.stack([xy[:-1], xy[1:]], axis=1)[same] if len(xy) > 1 else np.empty((0, 2, 2))
    if color_by == "speed" and {"vx", "vy"} <= set(sel.columns):
        speed = np.hypot(sel["vx"].to_numpy(), sel["vy"].to_numpy())[1:][same] if len(xy) > 1 else np.empty(0)
        lines = LineCollection(segments, array=speed, cmap="viridis", linewidths=linewidth)
        ax.add_collection(lines)
        ax.figure.colorbar(lines, ax=ax, label="speed / (m/s)")
    else:
        agent = sel["id"].to_numpy()[1:][same] if len(xy) > 1 else np.empty(0)
        lines = LineCollection(segments, array=agent % 20, cmap="tab20", linewidths=linewidth)
        ax.add_collection(lines)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("x / m")
    ax.set_ylabel("y / m")
    return ax


def _exit_times(obj: Any) -> np.ndarray:
    if isinstance(obj, Simulation):
        return obj.records["exit_time_s"].dropna().to_numpy()
    if isinstance(obj, pd.DataFrame):
        col = "exit_time_s" if "exit_time_s" in obj else "exit_time"
        return obj[col].dropna().to_numpy()
    result = obj if isinstance(obj, RunResult) else read_run(obj)
    return result.agents["exit_time"].dropna().to_numpy()


def plot_evacuation_curve(ax, runs: Any, *, label: str | None = None, fraction: bool = False):
    """Draws persons evacuated over time (s): one step curve per run.

    ``runs``: a RunResult, run folder, Simulation or agents/records DataFrame, or a list or
    {label: run} mapping of these. ``fraction`` plots the share of those who left instead of
    the count. Returns ``ax``.
    """
    if isinstance(runs, Mapping):
        items = list(runs.items())
    elif isinstance(runs, (list, tuple)):
        items = [(None, r) for r in runs]
    else:
        items = [(label, runs)]
    for name, r in items:
        t = np.sort(_exit_times(r))
        y = np.arange(1, len(t) + 1, dtype=np.float64)
        if fraction and len(t):
            y /= len(t)
        ax.step(np.concatenate([[0.0], t]), np.concatenate([[0.0], y]), where="post", label=name)
    ax.set_xlabel("time / s")
    ax.set_ylabel("share evacuated" if fraction else "persons evacuated")
    if any(name for name, _ in items):
        ax.legend()
    return ax
