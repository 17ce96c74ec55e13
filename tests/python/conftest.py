"""Shared fixtures for the Python tests. The package is imported from the build tree
(PYTHONPATH=<build>/python); CROWDSAFE_SOURCE_DIR names the repository (default: two levels up)."""

import os
import pathlib

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CROWDSAFE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))

# A 20 m × 10 m room with a door of `door_m` in the east wall, as a Python-built scenario.
ROOM = np.array([[0, 0], [20, 0], [20, 4.5], [21, 4.5], [21, 5.5], [20, 5.5], [20, 10], [0, 10]], dtype=float)


def room(door_m: float = 1.0, count: int = 30, duration_s: float = 60.0, **fields):
    import crowdsafe

    lo, hi = 5.0 - door_m / 2, 5.0 + door_m / 2
    walkable = np.array([[0, 0], [20, 0], [20, lo], [21, lo], [21, hi], [20, hi], [20, 10], [0, 10]], dtype=float)
    return crowdsafe.Scenario(
        name=f"room-door-{door_m:g}m",
        walkable=walkable,
        exits={"door": np.array([[20.5, lo], [21, lo], [21, hi], [20.5, hi]])},
        groups=[{"name": "occupants", "rect": [1, 1, 12, 9], "count": count, "target": "exit:door"}],
        duration_s=duration_s,
        **fields,
    )


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture(scope="session")
def minimal_path(source_dir) -> pathlib.Path:
    return source_dir / "scenarios" / "examples" / "minimal.yaml"


@pytest.fixture(scope="session")
def plaza_path(source_dir) -> pathlib.Path:
    return source_dir / "scenarios" / "festival-plaza" / "scenario.yaml"


@pytest.fixture()
def small_room():
    return room()
