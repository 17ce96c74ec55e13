"""Risk analysis and planner results as pandas tables and numpy maps.

Pure functions from the run folder's files (hotspots.json, plan.json, the /analysis group of
trajectories.h5; docs/analysis-outputs.md, docs/planner.md) to DataFrames, used by
:class:`crowdsafe.RunResult`. Column names carry their unit as a suffix (``_m``, ``_s``,
``_per_m2`` = persons/m², ``_person_s`` = person·s, ``_per_m_s`` = persons/(m·s), ``_s2`` = s⁻²,
``_N``); columns without a suffix are counts (persons) or labels.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AnalysisMaps",
    "MAPS_FILE",
    "HOTSPOT_COLUMNS",
    "FEEDING_FLOW_COLUMNS",
    "GATE_COLUMNS",
    "RELEASE_COLUMNS",
    "ROUTE_COLUMNS",
    "EXIT_COLUMNS",
    "OUTCOME_COLUMNS",
    "EVACUATION_COLUMNS",
]

_F, _I, _S, _B, _O = "float64", "int64", "object", "bool", "object"

#: hotspots DataFrame: column -> dtype (units in the names; docs/analysis-outputs.md).
HOTSPOT_COLUMNS: dict[str, str] = {
    "id": _S,  # "H1", ...
    "rank": _I,  # 1 = highest risk
    "kind": _S,  # "crush" / "counterflow"
    "severity": _S,  # "critical" / "high" / "elevated"
    "criteria": _S,  # rules that held, comma-separated ("density>=5, imo")
    "risk_score": _F,
    "start_s": _F,
    "end_s": _F,
    "active_s": _F,
    "peak_density_per_m2": _F,
    "peak_density_time_s": _F,
    "p95_density_per_m2": _F,
    "los_walkway_at_peak": _S,  # Fruin walkway level A..F at the peak density
    "los_queuing_at_peak": _S,  # Fruin queuing level A..F
    "peak_pressure_s2": _F,
    "p95_pressure_s2": _F,
    "peak_contact_force_N": _F,
    "peak_opposing_flux_per_m_s": _F,
    "p95_opposing_flux_per_m_s": _F,
    "lane_order": _F,  # 0 mixed .. 1 clean lanes
    "exposure_person_s": _F,
    "max_persons": _I,
    "centroid_x_m": _F,
    "centroid_y_m": _F,
    "area_m2": _F,
    "cells": _I,
    "clear_width_m": _F,
    "bottleneck_x_m": _F,
    "bottleneck_y_m": _F,
    "bottleneck_width_m": _F,
    "bottleneck_distance_m": _F,
    "nearest_exit": _S,
    "nearest_exit_distance_m": _F,
    "max_slope_percent": _F,
    "stairs": _B,
}

#: hotspot_feeding_flows DataFrame columns.
FEEDING_FLOW_COLUMNS: dict[str, str] = {"hotspot": _S, "group": _S, "heading": _S, "persons": _I}

#: plan_gates DataFrame columns.
GATE_COLUMNS: dict[str, str] = {
    "name": _S,
    "hotspot": _S,
    "purpose": _S,  # "meter inflow" / "hold opposing stream"
    "x0_m": _F,
    "y0_m": _F,
    "x1_m": _F,
    "y1_m": _F,
    "direction": _S,
    "rate_persons_per_min": _F,  # metering rate; NaN for a gate that only closes
    "begin_s": _F,  # first schedule window opens
    "end_s": _F,  # last schedule window ends
    "clear_width_m": _F,
    "capacity_persons_per_s": _F,
    "coverage": _F,  # share 0..1 of the hotspot's people passing the gate
    "holding_area_m2": _F,
    "holding_needed_m2": _F,
    "expected_queue_persons": _F,
    "expected_max_wait_s": _F,
    "queue_in_hotspot": _B,
    "verified_crossings_in": _F,  # re-simulation with the measures, summed over seeds (NaN: not verified)
    "verified_crossings_out": _F,
    "verified_max_queue_persons": _F,
    "verified_mean_wait_s": _F,
    "verified_max_wait_s": _F,
    "capacity_basis": _S,
    "rationale": _S,
    "schedule": _O,  # list of {begin_s, end_s, mode, rate_persons_per_min}, as in the scenario format
}

#: plan_releases DataFrame columns.
RELEASE_COLUMNS: dict[str, str] = {"hotspot": _S, "group": _S, "release_s": _F, "persons": _I, "rationale": _S}

#: plan_routes DataFrame columns.
ROUTE_COLUMNS: dict[str, str] = {
    "exit": _S,
    "persons": _I,
    "zone_center_x_m": _F,
    "zone_center_y_m": _F,
    "travel_time_s": _F,  # free walking time from the zone to the exit
    "path": _O,  # (k, 2) float64 array, m
}

#: plan_exits DataFrame columns.
EXIT_COLUMNS: dict[str, str] = {
    "name": _S,
    "width_m": _F,
    "capacity_persons_per_s": _F,
    "closed": _B,
    "persons_nearest": _I,
    "persons_assigned": _I,
}

_STATS = ("mean", "min", "max")

#: plan_outcomes DataFrame columns (one row per treated hotspot and metric).
OUTCOME_COLUMNS: dict[str, str] = {
    "hotspot": _S,
    "kind": _S,
    "metric": _S,  # peak_density_per_m2, peak_pressure_s2, exposure_los_ef_m2_s, peak_opposing_flux_per_m_s
    **{f"before_{s}": _F for s in _STATS},
    **{f"after_{s}": _F for s in _STATS},
    "seeds": _I,
    "seeds_remaining": _I,  # seeds in which a hotspot of the same kind still overlaps it
    "target_met": _B,
    "verdict": _S,
}

#: evacuation_outcomes DataFrame columns (one row per evacuation re-simulation).
EVACUATION_COLUMNS: dict[str, str] = {
    "label": _S,  # "nearest exit" / "assigned routes"
    "seeds": _I,
    "evacuated_persons_mean": _F,
    **{f"evacuation_time_p50_s_{s}": _F for s in _STATS},
    **{f"evacuation_time_p95_s_{s}": _F for s in _STATS},
    **{f"evacuation_time_max_s_{s}": _F for s in _STATS},
    "flow_model_time_s": _F,  # last exit time of the planner's flow model for this assignment
    "lower_bound_s": _F,  # no simulation can evacuate faster
}


def _num(value: Any) -> float:
    """A JSON number as float; null (a non-finite value) becomes NaN."""
    return math.nan if value is None else float(value)


def _frame(rows: list[dict], columns: Mapping[str, str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` in order and dtypes, also when there are no rows."""
    data = {}
    for c, dtype in columns.items():
        values = [r.get(c) for r in rows]
        if dtype == _O:
            # Element by element: a list of equal-shaped arrays must stay one object per row.
            column = np.empty(len(values), dtype=object)
            for i, v in enumerate(values):
                column[i] = v
            data[c] = pd.Series(column, dtype=object)
        else:
            data[c] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data, columns=list(columns))


def read_json(path: Path) -> dict | None:
    """A JSON file as a dict, None when it does not exist."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# ---------------------------------------------------------------------- analysis
def hotspot_table(report: Mapping[str, Any] | None) -> pd.DataFrame:
    """hotspots.json's hotspots as one row per hotspot (:data:`HOTSPOT_COLUMNS`), rank order."""
    rows = []
    for h in (report or {}).get("hotspots", []):
        geometry = h.get("geometry") or {}
        bottleneck = geometry.get("nearest_bottleneck") or {}
        exit_ = geometry.get("nearest_exit") or {}
        density, pressure = h.get("density") or {}, h.get("pressure") or {}
        counterflow, window = h.get("counterflow") or {}, h.get("time_window") or {}
        los = density.get("los_at_peak") or {}
        at = bottleneck.get("at_m") or [None, None]
        rows.append(
            {
                "id": h["id"],
                "rank": h["rank"],
                "kind": h["kind"],
                "severity": h["severity"],
                "criteria": ", ".join(h.get("criteria", [])),
                "risk_score": _num(h.get("risk_score")),
                "start_s": _num(window.get("start_s")),
                "end_s": _num(window.get("end_s")),
                "active_s": _num(window.get("active_s")),
                "peak_density_per_m2": _num(density.get("peak_per_m2")),
                "peak_density_time_s": _num(density.get("peak_time_s")),
                "p95_density_per_m2": _num(density.get("p95_per_m2")),
                "los_walkway_at_peak": los.get("Fruin walkway"),
                "los_queuing_at_peak": los.get("Fruin queuing"),
                "peak_pressure_s2": _num(pressure.get("peak_s2")),
                "p95_pressure_s2": _num(pressure.get("p95_s2")),
                "peak_contact_force_N": _num((h.get("contact_force") or {}).get("peak_N")),
                "peak_opposing_flux_per_m_s": _num(counterflow.get("peak_opposing_flux_per_m_s")),
                "p95_opposing_flux_per_m_s": _num(counterflow.get("p95_opposing_flux_per_m_s")),
                "lane_order": _num(counterflow.get("lane_order")),
                "exposure_person_s": _num(h.get("exposure_person_s")),
                "max_persons": h.get("max_persons", 0),
                "centroid_x_m": _num(h["centroid_m"][0]),
                "centroid_y_m": _num(h["centroid_m"][1]),
                "area_m2": _num(h.get("area_m2")),
                "cells": h.get("cells", 0),
                "clear_width_m": _num(geometry.get("clear_width_m")),
                "bottleneck_x_m": _num(at[0]),
                "bottleneck_y_m": _num(at[1]),
                "bottleneck_width_m": _num(bottleneck.get("clear_width_m")),
                "bottleneck_distance_m": _num(bottleneck.get("distance_m")),
                "nearest_exit": exit_.get("name"),
                "nearest_exit_distance_m": _num(exit_.get("distance_m")),
                "max_slope_percent": _num(geometry.get("max_slope_percent", 0.0)),
                "stairs": bool(geometry.get("stairs", False)),
            }
        )
    return _frame(rows, HOTSPOT_COLUMNS)


def feeding_flow_table(report: Mapping[str, Any] | None) -> pd.DataFrame:
    """Entries into each hotspot while active (:data:`FEEDING_FLOW_COLUMNS`), persons."""
    rows = [
        {"hotspot": h["id"], **f} for h in (report or {}).get("hotspots", []) for f in h.get("feeding_flows", [])
    ]
    return _frame(rows, FEEDING_FLOW_COLUMNS)


class AnalysisMaps(Mapping[str, np.ndarray]):
    """The /analysis group of trajectories.h5: a read-only mapping {dataset name: numpy array}.

    Maps are (ny, nx) float64 (``los_walkway``/``los_queuing``: (6, ny, nx), level A..F), row
    ``iy`` covering y in [origin_y_m + iy·cell_m, origin_y_m + (iy+1)·cell_m), NaN outside the
    walkable area; ``time`` (frames,) s and ``persons`` (frames,) per frame;
    ``hotspot_mean_density`` (hotspots, frames) persons/m². Line series are in :attr:`lines`.
    """

    def __init__(self, arrays: dict[str, np.ndarray], units: dict[str, str], attrs: dict[str, Any],
                 lines: dict[str, pd.DataFrame]) -> None:
        self._arrays = arrays
        #: Unit of each dataset (the file's ``unit`` attribute).
        self.units = units
        #: The group's attributes (cell_m, origin_x_m, nx, thresholds as a dict, ...).
        self.attrs = attrs
        #: Measurement lines: {name: DataFrame of time (s), forward, backward (persons per frame
        #: interval), density (persons/m²), speed (m/s)}.
        self.lines = lines
        for name, a in arrays.items():
            a.setflags(write=False)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        return f"AnalysisMaps(ny={self.ny}, nx={self.nx}, cell_m={self.cell_m:g}, datasets={list(self._arrays)})"

    @property
    def cell_m(self) -> float:
        """Grid cell edge, m."""
        return float(self.attrs["cell_m"])

    @property
    def origin(self) -> tuple[float, float]:
        """Lower-left corner of the grid (x, y), m."""
        return float(self.attrs["origin_x_m"]), float(self.attrs["origin_y_m"])

    @property
    def nx(self) -> int:
        """Columns (along x)."""
        return int(self.attrs["nx"])

    @property
    def ny(self) -> int:
        """Rows (along y)."""
        return int(self.attrs["ny"])

    @property
    def x(self) -> np.ndarray:
        """Cell centres along x, (nx,) m."""
        return self.origin[0] + (np.arange(self.nx) + 0.5) * self.cell_m

    @property
    def y(self) -> np.ndarray:
        """Cell centres along y, (ny,) m."""
        return self.origin[1] + (np.arange(self.ny) + 0.5) * self.cell_m

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) of the grid, m: for ``imshow(m, origin="lower", extent=...)``."""
        x0, y0 = self.origin
        return x0, x0 + self.nx * self.cell_m, y0, y0 + self.ny * self.cell_m


def _attr(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


#: A sweep run that keeps only its maps (``sweep(..., keep=("maps",))``) stores the /analysis
#: group in this file of its run folder, without the trajectories.
MAPS_FILE = "maps.h5"


def has_analysis(h5_file: Path) -> bool:
    """True when ``h5_file`` exists and holds an /analysis group."""
    import h5py

    if not Path(h5_file).is_file():
        return False
    with h5py.File(h5_file, "r") as f:
        return "analysis" in f


def keep_analysis(h5_file: Path, maps_file: Path) -> bool:
    """Copies the /analysis group of ``h5_file`` (and its root attribute wkt_geometry) into a
    new ``maps_file``; False when there is none to copy."""
    import h5py

    with h5py.File(h5_file, "r") as src:
        if "analysis" not in src:
            return False
        tmp = Path(maps_file).with_suffix(".h5.tmp")
        with h5py.File(tmp, "w") as dst:
            src.copy(src["analysis"], dst, "analysis")
            if "wkt_geometry" in src.attrs:
                dst.attrs["wkt_geometry"] = src.attrs["wkt_geometry"]
        os.replace(tmp, maps_file)
    return True


def read_analysis_maps(h5_file: Path, names: Iterable[str] | None = None) -> AnalysisMaps | None:
    """The /analysis group of ``h5_file`` as :class:`AnalysisMaps`; None when absent.
    ``names``: read only these datasets (those that exist) and no measurement lines."""
    import h5py

    wanted = None if names is None else set(names)
    with h5py.File(h5_file, "r") as f:
        if "analysis" not in f:
            return None
        group = f["analysis"]
        attrs = {k: _attr(v) for k, v in group.attrs.items()}
        if isinstance(attrs.get("thresholds"), str):
            attrs["thresholds"] = json.loads(attrs["thresholds"])
        arrays: dict[str, np.ndarray] = {}
        units: dict[str, str] = {}
        for name, item in group.items():
            if isinstance(item, h5py.Dataset) and (wanted is None or name in wanted):
                arrays[name] = item[()]
                units[name] = _attr(item.attrs.get("unit", ""))
        if wanted is not None:
            return AnalysisMaps(arrays, units, attrs, {})
        time = arrays.get("time", np.zeros(0))
        lines: dict[str, pd.DataFrame] = {}
        if "lines" in group:
            for name, line in group["lines"].items():
                data = {"time": time}
                data.update({k: line[k][()] for k in ("forward", "backward", "density", "speed") if k in line})
                lines[name] = pd.DataFrame(data)
    return AnalysisMaps(arrays, units, attrs, lines)


# ---------------------------------------------------------------------- plan
def gate_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """plan.json's gates, one row each (:data:`GATE_COLUMNS`), with the verified gate statistics."""
    plan = plan or {}
    verified = {g["name"]: g for g in ((plan.get("verification") or {}).get("measures") or {}).get("gates", [])}
    rows = []
    for g in plan.get("gates", []):
        (x0, y0), (x1, y1) = g["line"]
        schedule = g.get("schedule", [])
        rates = [w["rate_persons_per_min"] for w in schedule if w.get("mode") == "metered" and "rate_persons_per_min" in w]
        rate = g.get("rate_persons_per_min", max(rates) if rates else None)
        v = verified.get(g["name"], {})
        rows.append(
            {
                **{k: g.get(k) for k in ("name", "hotspot", "purpose", "direction", "capacity_basis", "rationale")},
                "x0_m": x0,
                "y0_m": y0,
                "x1_m": x1,
                "y1_m": y1,
                "rate_persons_per_min": _num(rate),
                "begin_s": min((w["begin_s"] for w in schedule), default=math.nan),
                "end_s": max((w["end_s"] for w in schedule), default=math.nan),
                **{
                    k: _num(g.get(k))
                    for k in (
                        "clear_width_m",
                        "capacity_persons_per_s",
                        "coverage",
                        "holding_area_m2",
                        "holding_needed_m2",
                        "expected_queue_persons",
                        "expected_max_wait_s",
                    )
                },
                "queue_in_hotspot": bool(g.get("queue_in_hotspot", False)),
                **{
                    f"verified_{k}": _num(v.get(k))
                    for k in ("crossings_in", "crossings_out", "max_queue_persons", "mean_wait_s", "max_wait_s")
                },
                "schedule": schedule,
            }
        )
    return _frame(rows, GATE_COLUMNS)


def release_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """plan.json's later releases of groups (:data:`RELEASE_COLUMNS`)."""
    return _frame(list((plan or {}).get("releases", [])), RELEASE_COLUMNS)


def route_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """plan.json's evacuation routes, one row per (origin zone, exit) (:data:`ROUTE_COLUMNS`)."""
    evacuation = (plan or {}).get("evacuation") or {}
    rows = [
        {
            "exit": r["exit"],
            "persons": r["persons"],
            "zone_center_x_m": r["zone_center"][0],
            "zone_center_y_m": r["zone_center"][1],
            "travel_time_s": _num(r.get("travel_time_s")),
            "path": np.asarray(r.get("path", []), dtype=np.float64).reshape(-1, 2),
        }
        for r in evacuation.get("routes", [])
    ]
    return _frame(rows, ROUTE_COLUMNS)


def exit_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """plan.json's exits: persons by nearest exit and as assigned (:data:`EXIT_COLUMNS`)."""
    evacuation = (plan or {}).get("evacuation") or {}
    return _frame(list(evacuation.get("exits", [])), EXIT_COLUMNS)


def outcome_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """Treated hotspots before and after the measures over the verification seeds, one row per
    (hotspot, metric) (:data:`OUTCOME_COLUMNS`)."""
    rows = []
    for h in ((plan or {}).get("verification") or {}).get("hotspots", []):
        for metric, value in h.items():
            if not (isinstance(value, Mapping) and "before" in value and "after" in value):
                continue
            before, after = value["before"], value["after"]
            rows.append(
                {
                    "hotspot": h["hotspot"],
                    "kind": h.get("kind"),
                    "metric": metric,
                    **{f"before_{s}": _num(before.get(s)) for s in _STATS},
                    **{f"after_{s}": _num(after.get(s)) for s in _STATS},
                    "seeds": max(int(before.get("seeds", 0)), int(after.get("seeds", 0))),
                    "seeds_remaining": h.get("seeds_remaining", 0),
                    "target_met": bool(h.get("target_met", False)),
                    "verdict": h.get("verdict", ""),
                }
            )
    return _frame(rows, OUTCOME_COLUMNS)


def evacuation_table(plan: Mapping[str, Any] | None) -> pd.DataFrame:
    """Evacuation re-simulations, nearest exits against assigned routes (:data:`EVACUATION_COLUMNS`);
    empty when the evacuation was not verified (e.g. the nearest exits were already best)."""
    plan = plan or {}
    evacuation = plan.get("evacuation") or {}
    verification = plan.get("verification") or {}
    rows = []
    for key, flow_key in (("evacuation_nearest", "nearest_time_s"), ("evacuation_assigned", "planned_time_s")):
        outcome = verification.get(key)
        if not outcome:
            continue
        row = {
            "label": outcome.get("label", key),
            "seeds": len(outcome.get("seeds", [])),
            "evacuated_persons_mean": _num((outcome.get("evacuated_persons") or {}).get("mean")),
            "flow_model_time_s": _num(evacuation.get(flow_key)),
            "lower_bound_s": _num(evacuation.get("lower_bound_s")),
        }
        for figure in ("evacuation_time_p50_s", "evacuation_time_p95_s", "evacuation_time_max_s"):
            stats = outcome.get(figure) or {}
            row.update({f"{figure}_{s}": _num(stats.get(s)) for s in _STATS})
        rows.append(row)
    return _frame(rows, EVACUATION_COLUMNS)
