"""Geometry from Python values to WKT, the form scenario files hold.

Accepted everywhere a scenario takes an area (coordinates in metres):

* a WKT string (``"POLYGON ((0 0, 10 0, 10 5, 0 5, 0 0))"``, ``MULTIPOLYGON``);
* a shapely-like polygon (``.exterior`` / ``.interiors`` with ``.coords``) or multipolygon
  (``.geoms``);
* any object with ``__geo_interface__`` (GeoJSON ``Polygon`` / ``MultiPolygon``), or such a dict;
* a numpy array or nested list of shape (k, 2): one ring, no holes;
* a tuple ``(exterior, [holes])`` of such rings, as :attr:`crowdsafe.Scenario.walkable` returns;
* a list of any of these polygons (a multipolygon).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["to_wkt", "polygons_from_wkt"]


def _ring_text(ring: Any, field: str) -> str:
    try:
        a = np.asarray(ring, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError.single(field, f"a ring must be numbers of shape (k, 2) in m: {e}") from None
    if a.ndim != 2 or a.shape[1] != 2:
        raise InputError.single(field, f"a ring must have shape (k, 2) in m, found shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise InputError.single(field, "coordinates must be finite numbers (m)")
    if len(a) and not np.array_equal(a[0], a[-1]):
        a = np.vstack([a, a[:1]])
    return "(" + ", ".join(f"{x!r} {y!r}" for x, y in a.tolist()) + ")"


def _polygon_text(exterior: Any, holes: Any, field: str) -> str:
    rings = [_ring_text(exterior, field)] + [_ring_text(h, field) for h in holes]
    return "(" + ", ".join(rings) + ")"


def _is_ring(value: Any) -> bool:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.ndim == 2 and a.shape[1:] == (2,)


def _polygon_bodies(geom: Any, field: str) -> list[str]:
    """The "((ring), (hole), ...)" bodies of every polygon in geom."""
    if isinstance(geom, dict) or hasattr(geom, "__geo_interface__"):
        gi = geom if isinstance(geom, dict) else geom.__geo_interface__
        kind = gi.get("type")
        if kind == "Polygon":
            coords = gi["coordinates"]
            return [_polygon_text(coords[0], coords[1:], field)]
        if kind == "MultiPolygon":
            return [_polygon_text(c[0], c[1:], field) for c in gi["coordinates"]]
        if kind == "Feature":
            return _polygon_bodies(gi["geometry"], field)
        raise InputError.single(field, f"GeoJSON type {kind!r} is not an area; use Polygon or MultiPolygon")
    if hasattr(geom, "exterior") and hasattr(geom, "interiors"):
        return [_polygon_text(geom.exterior.coords, [h.coords for h in geom.interiors], field)]
    if hasattr(geom, "geoms"):
        return [body for g in geom.geoms for body in _polygon_bodies(g, field)]
    if _is_ring(geom):
        return [_polygon_text(geom, [], field)]
    if isinstance(geom, tuple) and len(geom) == 2 and _is_ring(geom[0]):
        return [_polygon_text(geom[0], geom[1], field)]
    if isinstance(geom, (list, tuple)) and len(geom) > 0:
        return [body for g in geom for body in _polygon_bodies(g, field)]
    raise InputError.single(
        field,
        f"cannot read an area from {type(geom).__name__}; give WKT text, a shapely polygon, "
        "a __geo_interface__ object or a (k, 2) array of coordinates in m",
    )


def to_wkt(geom: Any, *, field: str = "geometry") -> str:
    """Converts an area (see the module docstring) to WKT, coordinates in m.

    Strings are returned unchanged (the scenario reader checks them). Raises
    :class:`crowdsafe.InputError` naming ``field`` when the value is not an area or holds
    non-finite coordinates.
    """
    if isinstance(geom, str):
        return geom
    bodies = _polygon_bodies(geom, field)
    if len(bodies) == 1:
        return "POLYGON " + bodies[0]
    return "MULTIPOLYGON (" + ", ".join(bodies) + ")"


def polygons_from_wkt(wkt: str) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """Parses WKT POLYGON / MULTIPOLYGON into ``[(exterior, [holes]), ...]``, each ring a (k, 2)
    float64 array in m (closing vertex not repeated). Raises InputError on bad WKT."""
    from . import _core

    return _core.parse_wkt(wkt)
