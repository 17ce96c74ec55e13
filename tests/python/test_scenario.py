"""Scenarios from files and from Python: geometry conversion, overrides, pickling."""

import pickle

import numpy as np
import pytest

import crowdsafe
from conftest import ROOM, room


def area(polygons):
    total = 0.0
    for exterior, holes in polygons:
        for sign, ring in [(1, exterior)] + [(-1, h) for h in holes]:
            x, y = ring[:, 0], ring[:, 1]
            total += sign * abs(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    return total


def test_load_scenario_reads_the_shipped_file(minimal_path):
    sc = crowdsafe.load_scenario(minimal_path)
    assert sc.name == "minimal"
    assert sc.duration_s == 120
    assert sc.file == str(minimal_path)
    assert list(sc.exits) == ["door"]
    assert sc.groups[0]["count"] == 50
    assert sc.group_names == ["occupants"]
    assert sc.model["time_headway_s"] == pytest.approx(0.45)
    assert area(sc.walkable) == pytest.approx(201.0)


def test_load_scenario_takes_top_level_overrides(minimal_path):
    sc = crowdsafe.load_scenario(minimal_path, seed=7, duration_s=30)
    assert (sc.seed, sc.duration_s) == (7, 30)


class GeoInterface:
    """Stands in for any object with __geo_interface__ (geopandas, shapely...)."""

    def __init__(self, coords):
        self.__geo_interface__ = {"type": "Polygon", "coordinates": [coords.tolist()]}


class ShapelyLike:
    """Duck-typed shapely Polygon: exterior/interiors with .coords."""

    class Ring:
        def __init__(self, coords):
            self.coords = [tuple(p) for p in coords]

    def __init__(self, exterior, holes=()):
        self.exterior = self.Ring(exterior)
        self.interiors = [self.Ring(h) for h in holes]


HOLE = np.array([[5, 5], [6, 5], [6, 6], [5, 6]], dtype=float)


@pytest.mark.parametrize(
    "walkable",
    [
        "POLYGON ((0 0, 20 0, 20 4.5, 21 4.5, 21 5.5, 20 5.5, 20 10, 0 10, 0 0), (5 5, 6 5, 6 6, 5 6, 5 5))",
        (ROOM, [HOLE]),
        ShapelyLike(ROOM, [HOLE]),
        {"type": "Polygon", "coordinates": [ROOM.tolist(), HOLE.tolist()]},
    ],
    ids=["wkt", "numpy", "shapely-like", "geojson-dict"],
)
def test_walkable_from_every_geometry_form(walkable):
    sc = crowdsafe.Scenario(
        walkable=walkable,
        exits={"door": "POLYGON ((20.5 4.5, 21 4.5, 21 5.5, 20.5 5.5, 20.5 4.5))"},
        groups=[{"rect": [1, 1, 4, 9], "count": 5, "target": "exit:door"}],
    )
    assert area(sc.walkable) == pytest.approx(200.0)
    assert len(sc.walkable[0][1]) == 1


def test_geo_interface_object_and_plain_array():
    sc = crowdsafe.Scenario(
        walkable=GeoInterface(ROOM),
        exits={"door": np.array([[20.5, 4.5], [21, 4.5], [21, 5.5], [20.5, 5.5]])},
        groups=[{"area": np.array([[1, 1], [4, 1], [4, 9], [1, 9]]), "count": 5}],
    )
    assert area(sc.walkable) == pytest.approx(201.0)
    assert area(sc.groups[0]["area"]) == pytest.approx(24.0)


def test_geometry_errors_name_the_field():
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.Scenario(walkable=np.array([[0, 0], [1, np.nan], [1, 1]]), groups=[{"rect": [0, 0, 1, 1], "count": 1}])
    assert e.value.field == "venue.walkable"
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.Scenario(walkable=ROOM, exits={"door": 42}, groups=[])
    assert e.value.field == "exits[0].area"


def test_with_overrides_changes_a_copy(small_room):
    changed = small_room.with_overrides({"model.time_headway_s": 0.6, "groups[0].count": 12}, seed=9)
    assert changed.model["time_headway_s"] == pytest.approx(0.6)
    assert changed.groups[0]["count"] == 12
    assert changed.seed == 9
    assert small_room.model["time_headway_s"] == pytest.approx(0.45)
    assert small_room.groups[0]["count"] == 30
    assert changed.overrides == {"model.time_headway_s": 0.6, "groups[0].count": 12, "seed": 9}


def test_invalid_override_names_file_and_field(minimal_path):
    sc = crowdsafe.load_scenario(minimal_path)
    with pytest.raises(crowdsafe.InputError) as e:
        sc.with_overrides({"model.time_headway_s": -1.0})
    assert isinstance(e.value, ValueError)
    assert e.value.field == "model.time_headway_s"
    assert e.value.file == str(minimal_path)
    assert "with overrides model.time_headway_s" in str(e.value)


@pytest.mark.parametrize("key", ["model..x", "[0].count", "groups[x]", "groups[0]count"])
def test_malformed_override_paths_are_input_errors(small_room, key):
    with pytest.raises(crowdsafe.InputError) as e:
        small_room.with_overrides({key: 1})
    assert e.value.field == key


def test_override_past_the_end_of_a_list(small_room):
    with pytest.raises(crowdsafe.InputError, match=r"no element \[3\]"):
        small_room.with_overrides({"groups[3].count": 1})


def test_numbers_in_exponent_form_survive_overrides():
    sc = crowdsafe.Scenario.from_yaml(room().to_yaml() + "model: {body_stiffness_kg_s2: 1e5}\n")
    assert sc.with_overrides(seed=3).model["body_stiffness_kg_s2"] == 1e5


def test_scenarios_pickle_as_text(minimal_path):
    sc = crowdsafe.load_scenario(minimal_path).with_overrides({"duration_s": 50})
    back = pickle.loads(pickle.dumps(sc))
    assert back.duration_s == 50
    assert back.file == sc.file
    assert back.to_yaml() == sc.to_yaml()


def test_save_and_load_round_trip(tmp_path, small_room):
    path = small_room.with_overrides(seed=4).save(tmp_path / "room.yaml")
    again = crowdsafe.load_scenario(path)
    assert again.seed == 4
    assert again.walkable_wkt == small_room.walkable_wkt
    assert again.name == small_room.name


def test_from_dict_accepts_python_geometry():
    sc = crowdsafe.Scenario.from_dict(
        {
            "name": "d",
            "venue": {"walkable": ROOM, "obstacles": [[8, 8, 9, 9], HOLE]},
            "exits": [{"name": "door", "rect": [20.5, 4.5, 21, 5.5]}],
            "groups": [{"positions": np.array([[2.0, 2.0], [3.0, 3.0]])}],
        }
    )
    assert len(sc.walkable[0][1]) == 2
    assert sc.groups[0]["positions"].shape == (2, 2)
