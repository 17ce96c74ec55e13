"""Scenarios: read from a YAML file, or built in Python, and changed by overrides.

A :class:`Scenario` is its scenario text (the YAML of docs/scenario-format.md) plus overrides.
The engine reads that text, so a scenario built or changed in Python passes exactly the checks a
file does, and a scenario pickles as text: it travels to dask workers and process pools.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import yaml

from . import _core
from .errors import InputError, InputProblem
from .geometry import to_wkt

__all__ = ["Scenario", "load_scenario", "as_scenario", "apply_overrides"]

PathLike = str | os.PathLike


class _Loader(yaml.SafeLoader):
    """YAML loader that reads 1e5 as a number, as the engine's reader does (YAML 1.2)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_FIELD_PATH = re.compile(rf"{_NAME}(?:\.{_NAME}|\[\d+\])*")
_TOKEN = re.compile(rf"({_NAME})|\[(\d+)\]")


def _path_tokens(key: str) -> list[str | int]:
    """Splits "groups[0].profile.speed_mean_m_s" into ["groups", 0, "profile", "speed_mean_m_s"]."""
    if not isinstance(key, str) or not _FIELD_PATH.fullmatch(key):
        raise InputError.single(
            str(key), "not a field path; write it as in error messages, e.g. 'model.time_headway_s' or 'groups[0].count'"
        )
    return [name if name else int(index) for name, index in _TOKEN.findall(key)]


def _plain(value: Any) -> Any:
    """numpy scalars and arrays to plain Python values YAML can write."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def apply_overrides(data: dict, overrides: Mapping[str, Any]) -> dict:
    """Sets dotted field paths (``"model.time_headway_s"``, ``"groups[0].count"``; the paths of
    error messages) in a scenario dict, in place; returns the dict. Missing mappings on the way
    are created; a list index past the end raises :class:`InputError`."""
    for key, value in overrides.items():
        tokens = _path_tokens(key)
        node: Any = data
        for i, token in enumerate(tokens):
            last = i == len(tokens) - 1
            if isinstance(token, int):
                if not isinstance(node, list) or token >= len(node):
                    have = len(node) if isinstance(node, list) else 0
                    raise InputError.single(key, f"no element [{token}]: the list has {have} entries")
                if last:
                    node[token] = _plain(value)
                else:
                    node = node[token]
            else:
                if not isinstance(node, dict):
                    raise InputError.single(key, f"'{token}' is not inside a mapping")
                if last:
                    node[token] = _plain(value)
                else:
                    if node.get(token) is None:
                        node[token] = [] if isinstance(tokens[i + 1], int) else {}
                    node = node[token]
    return data


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=math.inf)


def _area(entry: Mapping[str, Any], field: str) -> dict:
    """An exit/destination/group/source mapping with its geometry turned into WKT."""
    out = dict(entry)
    if "area" in out and out["area"] is not None:
        out["area"] = to_wkt(out["area"], field=f"{field}.area")
    if "positions" in out and out["positions"] is not None:
        out["positions"] = np.asarray(out["positions"], dtype=np.float64).tolist()
    if "schedule" in out and isinstance(out["schedule"], np.ndarray):
        out["schedule"] = [
            {"begin_s": b, "end_s": e, "rate_per_s": r} for b, e, r in np.asarray(out["schedule"]).tolist()
        ]
    return {k: v for k, v in out.items() if v is not None}


def _named_areas(value: Any, field: str) -> list[dict]:
    """exits/destinations given as {name: geometry} or as a list of mappings."""
    if isinstance(value, Mapping):
        return [_area({"name": name, "area": geom}, f"{field}[{i}]") for i, (name, geom) in enumerate(value.items())]
    return [_area(e, f"{field}[{i}]") for i, e in enumerate(value)]


def _normalise(data: Mapping[str, Any]) -> dict:
    """A scenario dict with every geometry value as WKT (rects and text stay as they are)."""
    d = {k: v for k, v in _plain_keys(data).items() if v is not None}
    venue = d.get("venue")
    if isinstance(venue, Mapping):
        venue = dict(venue)
        if venue.get("walkable") is not None:
            venue["walkable"] = to_wkt(venue["walkable"], field="venue.walkable")
        if venue.get("obstacles") is not None:
            venue["obstacles"] = [
                o if _is_rect(o) else to_wkt(o, field=f"venue.obstacles[{i}]") for i, o in enumerate(venue["obstacles"])
            ]
        d["venue"] = {k: v for k, v in venue.items() if v is not None}
    for key in ("exits", "destinations"):
        if d.get(key) is not None:
            d[key] = _named_areas(d[key], key)
    for key in ("groups", "sources"):
        if d.get(key) is not None:
            d[key] = [_area(e, f"{key}[{i}]") for i, e in enumerate(d[key])]
    return d


def _plain_keys(data: Mapping[str, Any]) -> dict:
    return {str(k): v for k, v in data.items()}


def _is_rect(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 4 and all(isinstance(v, (int, float)) for v in value)


class Scenario:
    """A scenario: venue, people, targets, model and time limits (docs/scenario-format.md).

    Build one in Python with the keys of the file format (lengths in m, times in s, rates in
    persons/s, densities in persons/m²); geometry may be WKT text, a shapely-like polygon, a
    ``__geo_interface__`` object or a (k, 2) numpy array (see :mod:`crowdsafe.geometry`)::

        sc = crowdsafe.Scenario(
            name="room",
            walkable=np.array([[0, 0], [20, 0], [20, 4.5], [21, 4.5], [21, 5.5], [20, 5.5], [20, 10], [0, 10]]),
            exits={"door": "POLYGON ((20.5 4.5, 21 4.5, 21 5.5, 20.5 5.5, 20.5 4.5))"},
            groups=[{"name": "occupants", "rect": [1, 1, 15, 9], "count": 50, "target": "exit:door"}],
            duration_s=120,
        )

    or read a file with :func:`load_scenario`. Every value is checked by the engine's reader when
    the scenario is created; problems raise :class:`crowdsafe.InputError` naming file, line and
    field. A Scenario does not change; :meth:`with_overrides` returns a changed copy.
    """

    def __init__(
        self,
        *,
        walkable: Any,
        exits: Any = None,
        destinations: Any = None,
        groups: Iterable[Mapping[str, Any]] | None = None,
        sources: Iterable[Mapping[str, Any]] | None = None,
        obstacles: Iterable[Any] | None = None,
        profiles: Mapping[str, Any] | None = None,
        model: Mapping[str, float] | None = None,
        periodic: Mapping[str, float] | None = None,
        name: str = "scenario",
        description: str | None = None,
        seed: int | None = None,
        duration_s: float | None = None,
        time_step_s: float | None = None,
        output_interval_s: float | None = None,
        stop_when_empty: bool | None = None,
        navigation_cell_m: float | None = None,
    ) -> None:
        data = {
            "name": name,
            "description": description,
            "seed": seed,
            "duration_s": duration_s,
            "time_step_s": time_step_s,
            "output_interval_s": output_interval_s,
            "stop_when_empty": stop_when_empty,
            "navigation_cell_m": navigation_cell_m,
            "venue": {"walkable": walkable, "obstacles": list(obstacles) if obstacles is not None else None},
            "exits": exits,
            "destinations": destinations,
            "profiles": profiles,
            "groups": list(groups) if groups is not None else None,
            "sources": list(sources) if sources is not None else None,
            "periodic": periodic,
            "model": model,
        }
        self._set(_dump(_normalise(data)), "", {})

    # ------------------------------------------------------------------ construction
    def _set(self, text: str, file: str, overrides: Mapping[str, Any]) -> None:
        self._text = text
        self._file = file
        self._overrides = dict(overrides)
        self._core: _core.Scenario | None = None
        self._core = self._read()

    @classmethod
    def _make(cls, text: str, file: str, overrides: Mapping[str, Any] | None = None) -> "Scenario":
        sc = cls.__new__(cls)
        sc._set(text, file, overrides or {})
        return sc

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: PathLike | None = None) -> "Scenario":
        """A scenario from a dict with the keys of the file format. Geometry values may be any
        area :mod:`crowdsafe.geometry` accepts; exits and destinations may also be given as
        ``{name: geometry}``. ``file`` (optional) names it in messages and anchors relative paths."""
        return cls._make(_dump(_normalise(data)), os.fspath(file) if file is not None else "")

    @classmethod
    def from_yaml(cls, text: str, *, file: PathLike | None = None) -> "Scenario":
        """A scenario from YAML text (the file format); ``file`` names it in messages and anchors
        relative paths such as ``walkable_file``."""
        return cls._make(text, os.fspath(file) if file is not None else "")

    def _read(self) -> _core.Scenario:
        if not self._overrides:
            return _core.parse_scenario(self._text, file=self._file)
        data = self.to_dict()
        try:
            return _core.parse_scenario(_dump(data), file=self._file)
        except InputError as e:
            # Line numbers of the rewritten text mean nothing to the user: name the overrides.
            keys = ", ".join(self._overrides)
            problems = [
                InputProblem(self._file, 0, 0, p.field, f"{p.message} (with overrides {keys})") for p in e.problems
            ]
            raise InputError("\n".join(str(p) for p in problems), problems) from None

    # ------------------------------------------------------------------ changes
    def with_overrides(self, overrides: Mapping[str, Any] | None = None, /, **fields: Any) -> "Scenario":
        """A copy with fields changed. Keys are the dotted paths of error messages::

            sc.with_overrides({"model.time_headway_s": 0.6, "groups[0].count": 800}, seed=7)

        Keyword arguments set top-level keys (``seed``, ``duration_s``...). Values are in the
        units of the field (the key's suffix says which). Raises InputError when a value is invalid.
        """
        merged = {**self._overrides, **(overrides or {}), **fields}
        return Scenario._make(self._text, self._file, merged)

    def to_dict(self) -> dict:
        """The scenario as a dict of the file format, overrides applied (geometry as WKT)."""
        data = yaml.load(self._text, Loader=_Loader)
        if not isinstance(data, dict):
            raise InputError.single("", "the scenario text is not a YAML mapping", file=self._file)
        return apply_overrides(data, self._overrides)

    def to_yaml(self) -> str:
        """The scenario as YAML text, overrides applied; the file's own text when there are none."""
        return self._text if not self._overrides else _dump(self.to_dict())

    def save(self, path: PathLike) -> Path:
        """Writes :meth:`to_yaml` to ``path`` (relative paths inside it are not rewritten)."""
        p = Path(path)
        p.write_text(self.to_yaml(), encoding="utf-8")
        return p

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict:
        return {"text": self._text, "file": self._file, "overrides": self._overrides}

    def __setstate__(self, state: dict) -> None:
        self._set(state["text"], state["file"], state["overrides"])

    def __repr__(self) -> str:
        extra = f", overrides={self._overrides!r}" if self._overrides else ""
        where = f", file={self._file!r}" if self._file else ""
        return f"Scenario(name={self.name!r}{where}{extra})"

    # ------------------------------------------------------------------ reading
    @property
    def core(self) -> _core.Scenario:
        """The engine's read-only view of this scenario (``crowdsafe._core.Scenario``)."""
        if self._core is None:
            self._core = self._read()
        return self._core

    @property
    def file(self) -> str:
        """The scenario file's path ("" when built in Python)."""
        return self._file

    @property
    def overrides(self) -> dict[str, Any]:
        """The overrides applied to the text, {dotted path: value}."""
        return dict(self._overrides)

    @property
    def name(self) -> str:
        """Scenario name used in outputs."""
        return self.core.name

    @property
    def seed(self) -> int:
        """Random seed; same seed, same results."""
        return self.core.seed

    @property
    def duration_s(self) -> float:
        """Simulated time limit, s."""
        return self.core.duration_s

    @property
    def time_step_s(self) -> float:
        """Integration time step, s."""
        return self.core.time_step_s

    @property
    def output_interval_s(self) -> float:
        """Time between trajectory frames, s."""
        return self.core.output_interval_s

    @property
    def walkable(self) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        """Walkable area: [(exterior, [holes])] with (k, 2) float64 rings in m; holes are obstacles."""
        return self.core.walkable

    @property
    def walkable_wkt(self) -> str:
        """Walkable area as WKT, m."""
        return self.core.walkable_wkt

    @property
    def exits(self) -> dict[str, list[tuple[np.ndarray, list[np.ndarray]]]]:
        """Exits, {name: polygons} with rings in m."""
        return dict(self.core.exits)

    @property
    def destinations(self) -> dict[str, list[tuple[np.ndarray, list[np.ndarray]]]]:
        """Destinations, {name: polygons} with rings in m."""
        return dict(self.core.destinations)

    @property
    def groups(self) -> list[dict]:
        """Groups present at the start: name, area (polygons, m), count (persons) or
        density_per_m2 (persons/m²), positions ((k, 2) m), profile (speeds m/s, radii m), target,
        premovement_s (s)."""
        return self.core.groups

    @property
    def sources(self) -> list[dict]:
        """Arrival sources: name, area (m), schedule ((k, 3): begin_s, end_s, rate_per_s in
        s, s, persons/s), profile, target."""
        return self.core.sources

    @property
    def group_names(self) -> list[str]:
        """Names of the groups, then of the sources (the index agents carry as ``group``)."""
        return [g["name"] for g in self.groups] + [s["name"] for s in self.sources]

    @property
    def model(self) -> dict[str, float]:
        """Social force parameters in use, {name: value}; units in the names (docs/model.md)."""
        return self.core.model


def load_scenario(path: PathLike, **overrides: Any) -> Scenario:
    """Reads a YAML scenario file (docs/scenario-format.md).

    Keyword arguments set top-level keys (``seed=3``, ``duration_s=60``; units as the suffix
    says). Raises :class:`crowdsafe.InputError` listing every problem with file, line and field.
    """
    p = os.fspath(path)
    try:
        text = Path(p).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single("", "scenario file does not exist", file=p) from None
    except OSError as e:
        raise InputError.single("", f"scenario file cannot be read: {e.strerror}", file=p) from None
    sc = Scenario._make(text, p)
    return sc.with_overrides(**overrides) if overrides else sc


def as_scenario(value: "Scenario | PathLike | Mapping[str, Any]") -> Scenario:
    """A Scenario from a Scenario (returned as is), a path to a YAML file, or a scenario dict."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, Mapping):
        return Scenario.from_dict(value)
    if isinstance(value, (str, os.PathLike)):
        return load_scenario(value)
    raise InputError.single("scenario", f"expected a Scenario, a path or a dict, found {type(value).__name__}")
