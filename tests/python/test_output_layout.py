"""Checks a crowdsafe trajectory file against docs/output-format.md and PedPy's HDF5 loader.

The file to check is named by the environment variable CROWDSAFE_H5; without it every test is
skipped. Example:

    CROWDSAFE_H5=runs/plaza.h5 python3 -m pytest tests/python/test_output_layout.py
"""

import math
import os
import pathlib

import h5py
import numpy as np
import pytest

TRAJECTORY_DTYPE = np.dtype([("id", "<i8"), ("frame", "<i8"), ("x", "<f8"), ("y", "<f8")])
FRAME_DATA_DTYPE = np.dtype([("vx", "<f8"), ("vy", "<f8"), ("contact_force", "<f8")])
FRAMES_DTYPE = np.dtype(
    [("frame", "<i8"), ("time", "<f8"), ("first_row", "<i8"), ("count", "<i8")]
)
AGENTS_DTYPE = np.dtype(
    [
        ("id", "<i8"),
        ("group", "<i4"),
        ("spawn_time", "<f8"),
        ("exit_time", "<f8"),
        ("exit", "<i4"),
        ("desired_speed", "<f8"),
        ("radius", "<f8"),
    ]
)
METADATA_STRINGS = ["scenario_name", "scenario_file", "scenario_hash", "version", "units", "status"]
METADATA_FLOATS = ["time_step_s", "output_interval_s"]
END_ATTRIBUTES = ["simulated_time_s", "wall_time_s", "steps"]


@pytest.fixture(scope="module")
def path() -> pathlib.Path:
    value = os.environ.get("CROWDSAFE_H5")
    if not value:
        pytest.skip("set CROWDSAFE_H5 to the path of a crowdsafe .h5 file to check it")
    p = pathlib.Path(value)
    assert p.is_file(), f"CROWDSAFE_H5={value}: no such file"
    return p


@pytest.fixture(scope="module")
def h5(path):
    with h5py.File(path, "r") as f:
        yield f


def is_utf8_vlen_string(attrs, name) -> bool:
    string_type = attrs.get_id(name).get_type()
    return (
        isinstance(string_type, h5py.h5t.TypeStringID)
        and string_type.is_variable_str()
        and string_type.get_cset() == h5py.h5t.CSET_UTF8
    )


def test_trajectory_has_exactly_pedpys_columns(h5):
    ds = h5["trajectory"]
    assert isinstance(ds, h5py.Dataset)
    assert ds.ndim == 1
    assert ds.dtype == TRAJECTORY_DTYPE
    assert ds.maxshape == (None,), "extendible"
    assert ds.chunks is not None, "chunked"


def test_trajectory_fps_is_a_positive_float64(h5):
    fps = h5["trajectory"].attrs["fps"]
    assert isinstance(fps, np.float64)
    assert fps > 0
    interval = h5["crowdsafe/metadata"].attrs["output_interval_s"]
    assert fps == pytest.approx(1.0 / interval, rel=1e-12)


def test_root_wkt_geometry_is_a_utf8_polygon(h5):
    assert is_utf8_vlen_string(h5.attrs, "wkt_geometry")
    wkt = h5.attrs["wkt_geometry"]
    assert isinstance(wkt, str)
    assert wkt.lstrip().upper().startswith(("POLYGON", "MULTIPOLYGON"))


def test_crowdsafe_tables_have_their_layout(h5):
    assert h5["crowdsafe/frame_data"].dtype == FRAME_DATA_DTYPE
    assert h5["crowdsafe/frames"].dtype == FRAMES_DTYPE
    assert h5["crowdsafe/agents"].dtype == AGENTS_DTYPE
    assert set(h5.keys()) == {"trajectory", "crowdsafe"}


def test_frame_data_is_row_aligned_with_trajectory(h5):
    assert h5["crowdsafe/frame_data"].shape == h5["trajectory"].shape


def test_frames_index_matches_trajectory_rows(h5):
    traj_frame = h5["trajectory"]["frame"]
    frames = h5["crowdsafe/frames"][:]
    if len(frames) == 0:
        assert len(traj_frame) == 0
        return
    assert np.all(np.diff(frames["frame"]) > 0), "frame numbers increase"
    assert frames["first_row"][0] == 0
    assert np.array_equal(frames["first_row"][1:], np.cumsum(frames["count"])[:-1])
    assert frames["count"].sum() == len(traj_frame)
    assert np.array_equal(traj_frame, np.repeat(frames["frame"], frames["count"]))


def test_frame_times_agree_with_fps(h5):
    # PedPy derives time as frame / fps, so frame numbers and times must advance together.
    frames = h5["crowdsafe/frames"][:]
    fps = h5["trajectory"].attrs["fps"]
    if len(frames) < 2:
        pytest.skip("fewer than two frames")
    np.testing.assert_allclose(
        np.diff(frames["time"]), np.diff(frames["frame"]) / fps, rtol=1e-9, atol=1e-9
    )


def test_each_agent_appears_once_per_frame(h5):
    traj = h5["trajectory"][:]
    keys = traj["frame"].astype(np.int64) * (int(traj["id"].max(initial=0)) + 1) + traj["id"]
    assert len(np.unique(keys)) == len(traj)
    assert np.all(traj["id"] >= 0)
    assert np.all(np.isfinite(traj["x"])) and np.all(np.isfinite(traj["y"]))


def test_metadata_attributes(h5):
    attrs = h5["crowdsafe/metadata"].attrs
    for name in METADATA_STRINGS:
        assert is_utf8_vlen_string(attrs, name), name
        assert isinstance(attrs[name], str), name
    for name in METADATA_FLOATS:
        assert attrs[name].dtype == np.float64, name
        assert attrs[name] > 0, name
    assert attrs["seed"].dtype == np.uint64
    assert attrs["threads"].dtype == np.int32 and attrs["threads"] >= 1
    for name in ["group_names", "exit_names"]:
        assert is_utf8_vlen_string(attrs, name), name
        assert attrs[name].ndim == 1, name
    assert "m" in attrs["units"] and "s" in attrs["units"]
    assert attrs["complete"].dtype == np.int32
    assert attrs["complete"] in (0, 1)
    if attrs["complete"] == 1:
        assert attrs["status"] == "completed"
    if attrs["status"] != "running":
        for name in END_ATTRIBUTES:
            assert name in attrs, name
        assert attrs["simulated_time_s"].dtype == np.float64
        assert attrs["wall_time_s"].dtype == np.float64
        assert attrs["steps"].dtype == np.int64


def test_agent_table_covers_every_trajectory_id(h5):
    attrs = h5["crowdsafe/metadata"].attrs
    if attrs["complete"] != 1:
        pytest.skip("the agent table is written only when a run completes")
    agents = h5["crowdsafe/agents"][:]
    assert len(np.unique(agents["id"])) == len(agents)
    assert set(np.unique(h5["trajectory"]["id"])) <= set(agents["id"])
    left = ~np.isnan(agents["exit_time"])
    assert np.all(agents["exit"][~left] == -1)
    assert np.all(agents["exit_time"][left] >= agents["spawn_time"][left])
    assert np.all(agents["radius"] > 0)
    n_groups = len(attrs["group_names"])
    assert np.all((agents["group"] >= 0) & (agents["group"] < max(n_groups, 1)))
    n_exits = len(attrs["exit_names"])
    assert np.all((agents["exit"] >= -1) & (agents["exit"] < n_exits))


def test_unit_attributes(h5):
    assert "x: m" in h5["trajectory"].attrs["unit"]
    assert "m/s" in h5["crowdsafe/frame_data"].attrs["unit"]
    assert "contact_force: N" in h5["crowdsafe/frame_data"].attrs["unit"]
    assert "time: s" in h5["crowdsafe/frames"].attrs["unit"]
    assert "radius: m" in h5["crowdsafe/agents"].attrs["unit"]


def test_loads_into_pandas_like_pedpy(path):
    # The same steps as pedpy.io.ped_data_archive_loader.load_trajectory_from_ped_data_archive_hdf5.
    pd = pytest.importorskip("pandas")
    with h5py.File(path, "r") as f:
        ds = f["trajectory"]
        names = ds.dtype.names
        assert {"id", "frame", "x", "y"}.issubset(names)
        assert "fps" in ds.attrs
        df = pd.DataFrame(ds[:], columns=names)
        fps = ds.attrs["fps"]
    assert list(df.columns) == ["id", "frame", "x", "y"]
    assert str(df["id"].dtype) == "int64" and str(df["x"].dtype) == "float64"
    assert math.isfinite(fps) and fps > 0


def test_pedpy_loads_the_file(path):
    pedpy = pytest.importorskip("pedpy")
    traj = pedpy.load_trajectory_from_ped_data_archive_hdf5(trajectory_file=path)
    area = pedpy.load_walkable_area_from_ped_data_archive_hdf5(trajectory_file=path)
    with h5py.File(path, "r") as f:
        assert len(traj.data) == f["trajectory"].shape[0]
        assert traj.frame_rate == pytest.approx(f["trajectory"].attrs["fps"])
    assert area.polygon.area > 0
