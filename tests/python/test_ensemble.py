"""Ensemble statistics over runs: exceedance-probability maps on the analysis grid, and the
convergence of the mean evacuation curve (ERD, EPC, secant cosine). Numbers are checked
against values computed by hand."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import crowdsafe
from crowdsafe import stats
from crowdsafe.study import KEEP_COLUMNS, RESULT_COLUMNS, ANALYSIS_COLUMNS
from conftest import room

h5py = pytest.importorskip("h5py")
nan = math.nan


# ---------------------------------------------------------------------- functional-analysis measures
def test_curve_measures_of_known_curves():
    x, y = [0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 4.0]
    m = stats.curve_measures(x, y)
    # ||x - y|| = 1, ||y||² = 21, <x, y> = 17; secants x' = (1, 1, 1), y' = (1, 1, 2)
    assert m["erd"] == pytest.approx(1.0 / math.sqrt(21.0), rel=1e-12)
    assert m["epc"] == pytest.approx(17.0 / 21.0, rel=1e-12)
    assert m["sc"] == pytest.approx(4.0 / math.sqrt(3.0 * 6.0), rel=1e-12)
    same = stats.curve_measures(y, y)
    assert (same["erd"], same["epc"], same["sc"]) == pytest.approx((0.0, 1.0, 1.0))
    # twice the reference: same shape (SC 1), twice the size (EPC 2), ERD 1
    double = stats.curve_measures(2 * np.asarray(y), y)
    assert (double["erd"], double["epc"], double["sc"]) == pytest.approx((1.0, 2.0, 1.0))
    flat = stats.curve_measures([1.0, 1.0], [0.0, 0.0])
    assert math.isnan(flat["erd"]) and math.isnan(flat["epc"]) and math.isnan(flat["sc"])
    with pytest.raises(ValueError, match="equal length"):
        stats.curve_measures([1.0, 2.0], [1.0])


# ---------------------------------------------------------------------- convergence of the evacuation curve
def test_convergence_table_of_two_runs_by_hand():
    # run 1 leaves at 1 s and 2 s, run 2 at 1 s and 3 s; dt 1 s, grid 0..3 s:
    # M1 = (0, 1, 2, 2), M2 = (0, 1, 1.5, 2); mean last exit 2 s, then 2.5 s
    check = crowdsafe.evacuation_convergence([[2.0, 1.0], [1.0, 3.0]], dt_s=1.0, consecutive=1)
    t = check.table
    assert t["n"].tolist() == [1, 2] and t["run"].tolist() == ["1", "2"]
    assert t["tet_mean_s"].tolist() == pytest.approx([2.0, 2.5])
    assert math.isnan(t.loc[1, "erd"]) and not t.loc[1, "within"]
    assert t.loc[2, "tet_change"] == pytest.approx(0.5 / 2.5)
    assert t.loc[2, "erd"] == pytest.approx(0.5 / 3.0)
    assert t.loc[2, "epc"] == pytest.approx(8.0 / 9.0)
    assert t.loc[2, "sc"] == pytest.approx(1.5 / math.sqrt(1.5 * 2.0))
    assert not t.loc[2, "within"] and not check and check.runs_needed is None
    assert "not converged" in check.verdict and "erd 0.167 > 0.01" in check.verdict
    # an exit exactly on a grid time counts at that time; a finer grid changes the curve
    fine = crowdsafe.evacuation_convergence([[1.0, 2.0], [1.0, 3.0]], dt_s=0.5, consecutive=1).table
    # M1 = (0,0,1,1,2,2,2), M2 = (0,0,1,1,1.5,1.5,2): ||d||² = 0.5, ||M1||² = 14
    assert fine.loc[2, "erd"] == pytest.approx(math.sqrt(0.5 / 14.0))


def test_identical_runs_converge_after_consecutive_plus_one():
    runs = [np.array([3.0, 5.0, 8.0])] * 6
    check = crowdsafe.evacuation_convergence(runs, consecutive=3)
    t = check.table
    assert t.loc[2:, "erd"].tolist() == pytest.approx([0.0] * 5)
    assert t.loc[2:, "epc"].tolist() == pytest.approx([1.0] * 5)
    assert t.loc[2:, "sc"].tolist() == pytest.approx([1.0] * 5)
    assert t["consecutive_within"].tolist() == [0, 1, 2, 3, 4, 5]
    assert check and check.converged and check.runs_needed == 4
    assert check.verdict.startswith("converged")
    assert check.thresholds == crowdsafe.ensemble.CONVERGENCE_THRESHOLDS


def test_a_late_outlier_breaks_convergence():
    steady = [np.array([10.0, 20.0, 30.0])] * 5
    late = steady + [np.array([10.0, 20.0, 60.0])]
    check = crowdsafe.evacuation_convergence(late, consecutive=2)
    assert check.runs_needed == 3, "it had converged before the outlier"
    last = check.table.iloc[-1]
    # mean last exit 30 s -> 35 s
    assert last["tet_change"] == pytest.approx(5.0 / 35.0)
    assert not last["within"] and not check.converged
    assert "run more seeds" in check.verdict
    # switch every criterion off but ERD and loosen it: the outlier passes
    loose = crowdsafe.evacuation_convergence(late, consecutive=2,
                                             thresholds={"tet": None, "epc": None, "sc": None, "erd": 0.5})
    assert loose.converged and loose.thresholds["tet"] is None


def test_a_run_nobody_left_counts_as_a_zero_curve():
    check = crowdsafe.evacuation_convergence([[1.0, 2.0], [], [1.0, 2.0]], consecutive=1)
    t = check.table
    # M1 = (0, 1, 2), M2 = (0, 0.5, 1): ERD = ||(0, 0.5, 1)|| / ||(0, 1, 2)|| = 0.5, EPC = 0.5
    assert (t.loc[2, "erd"], t.loc[2, "epc"], t.loc[2, "sc"]) == pytest.approx((0.5, 0.5, 1.0))
    # no evacuation time: the mean stays 2 s
    assert t["tet_mean_s"].tolist() == [2.0, 2.0, 2.0] and t.loc[2, "tet_change"] == 0.0


def test_too_few_runs_cannot_converge():
    check = crowdsafe.evacuation_convergence([[1.0, 2.0], [1.0, 2.0]], consecutive=3)
    assert not check.converged and "at least 4 are needed" in check.verdict


def test_convergence_options_are_checked():
    with pytest.raises(crowdsafe.InputError, match="dt_s"):
        crowdsafe.evacuation_convergence([[1.0]], dt_s=0)
    with pytest.raises(crowdsafe.InputError, match="consecutive"):
        crowdsafe.evacuation_convergence([[1.0]], consecutive=0)
    with pytest.raises(crowdsafe.InputError, match="thresholds.foo"):
        crowdsafe.evacuation_convergence([[1.0]], thresholds={"foo": 0.1})
    with pytest.raises(crowdsafe.InputError, match="negative exit times"):
        crowdsafe.evacuation_convergence([[-1.0, 2.0]])
    with pytest.raises(crowdsafe.InputError, match="several runs"):
        crowdsafe.evacuation_convergence("runs/one")


def test_convergence_per_parameter_combination_from_a_sweep_frame():
    same = np.array([2.0, 4.0])
    df = pd.DataFrame({
        "rate": [1, 1, 1, 2, 2, 2],
        "seed": [3, 1, 2, 1, 2, 3],
        "status": ["completed"] * 5 + ["failed"],
        "exit_times_s": [same, same, same, same, np.array([2.0, 9.0]), None],
    })
    df.attrs["parameters"] = ["rate"]
    checks = crowdsafe.evacuation_convergence(df, consecutive=1)
    assert set(checks) == {1, 2}
    assert checks[1].table["run"].tolist() == ["1", "2", "3"], "seed order"
    assert checks[1].converged
    # the failed run is left out; the second changes the mean last exit from 4 s to 6.5 s
    assert len(checks[2].table) == 2 and checks[2].table.loc[2, "tet_change"] == pytest.approx(2.5 / 6.5)


# ---------------------------------------------------------------------- exceedance maps (synthetic)
def grid_maps(peak_density=None, los_walkway=None, cell_m=0.5, origin=(10.0, -2.0)):
    arrays, units = {}, {}
    if peak_density is not None:
        arrays["peak_density"], units["peak_density"] = np.asarray(peak_density, dtype=float), "persons/m^2"
    if los_walkway is not None:
        arrays["los_walkway"], units["los_walkway"] = np.asarray(los_walkway, dtype=float), "1"
    shape = next(iter(arrays.values())).shape[-2:]
    attrs = {"cell_m": cell_m, "origin_x_m": origin[0], "origin_y_m": origin[1], "ny": shape[0], "nx": shape[1]}
    return crowdsafe.AnalysisMaps(arrays, units, attrs, {})


RUNS = [
    [[1.0, 5.0, nan], [4.0, 4.5, 0.0]],
    [[2.0, 3.0, nan], [4.1, 6.0, 0.0]],
    [[5.0, 5.0, nan], [3.0, 1.0, 0.0]],
    [[0.0, 6.0, nan], [4.0, 4.0, 0.0]],
]


def test_exceedance_map_counts_runs_above_the_threshold():
    maps = crowdsafe.exceedance_map([grid_maps(r) for r in RUNS], "peak_density", 4.0)
    p = maps["probability"]
    # strictly above 4: (0,0) run 3; (0,1) runs 1, 3, 4; (1,0) run 2 (4.0 does not count);
    # (1,1) runs 1, 2; (1,2) none; (0,2) outside the walkable area
    expected = np.array([[0.25, 0.75, nan], [0.25, 0.5, 0.0]])
    np.testing.assert_array_equal(p, expected)
    np.testing.assert_array_equal(maps["runs"], [[4, 4, 0], [4, 4, 4]])
    assert (maps.ny, maps.nx, maps.cell_m, maps.origin) == (2, 3, 0.5, (10.0, -2.0))
    assert maps.extent == pytest.approx((10.0, 11.5, -2.0, -1.0))
    assert maps.attrs["field"] == "peak_density" and maps.attrs["field_unit"] == "persons/m^2"
    assert maps.attrs["threshold"] == 4.0 and maps.attrs["run_count"] == 4
    assert maps.units["probability"] == "1"
    with pytest.raises(ValueError):
        p[0, 0] = 1.0


def test_exceedance_of_a_level_of_service():
    def los(worst):  # each cell spends half its time at level A and half at its worst level
        a = np.zeros((6, 1, len(worst)))
        for i, level in enumerate(worst):
            if level is None:
                a[:, 0, i] = nan
            else:
                a[0, 0, i] += 0.5
                a[level, 0, i] += 0.5
        return grid_maps(los_walkway=a)

    runs = [los([0, 3, 4, None]), los([5, 4, 4, None]), los([2, 2, 5, None])]
    maps = crowdsafe.exceedance_map(runs, "los_walkway", "E")  # level E (4) or worse
    np.testing.assert_array_equal(maps["probability"], [[1 / 3, 1 / 3, 1.0, nan]])
    by_index = crowdsafe.exceedance_map(runs, "los_walkway", 2)  # worse than C: D, E, F
    np.testing.assert_array_equal(by_index["probability"], [[1 / 3, 2 / 3, 1.0, nan]])
    assert maps.attrs["field_unit"].startswith("level")


def test_exceedance_refuses_runs_on_different_grids():
    other = grid_maps(RUNS[1], cell_m=0.25)
    with pytest.raises(crowdsafe.InputError, match=r"runs\[1\].*grid \(3 x 2 cells of 0.25 m.*differs from that of "
                                                   r"runs\[0\] \(3 x 2 cells of 0.5 m"):
        crowdsafe.exceedance_map([grid_maps(RUNS[0]), other], "peak_density", 4.0)
    shifted = grid_maps(RUNS[1], origin=(10.5, -2.0))
    with pytest.raises(crowdsafe.InputError, match="same venue analysed with the same cell_m"):
        crowdsafe.exceedance_map([grid_maps(RUNS[0]), shifted], "peak_density", 4.0)
    wider = grid_maps(np.zeros((2, 4)))
    with pytest.raises(crowdsafe.InputError, match="4 x 2 cells"):
        crowdsafe.exceedance_map([grid_maps(RUNS[0]), wider], "peak_density", 4.0)


def test_exceedance_checks_field_and_threshold():
    runs = [grid_maps(r) for r in RUNS]
    with pytest.raises(crowdsafe.InputError, match="'peak_pressure' is not among the run's maps.*peak_density"):
        crowdsafe.exceedance_map(runs, "peak_pressure", 0.02)
    with pytest.raises(crowdsafe.InputError, match="letter A-F is a level of service"):
        crowdsafe.exceedance_map(runs, "peak_density", "E")
    with pytest.raises(crowdsafe.InputError, match="finite"):
        crowdsafe.exceedance_map(runs, "peak_density", nan)
    with pytest.raises(crowdsafe.InputError, match="several runs"):
        crowdsafe.exceedance_map(runs[0], "peak_density", 4.0)


# ---------------------------------------------------------------------- from a real sweep
@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """Three seeds of a 30-person room, keeping maps and exit times (no trajectories)."""
    out = tmp_path_factory.mktemp("ensemble") / "study"
    with ThreadPoolExecutor(max_workers=2) as pool:
        df = crowdsafe.sweep(room(count=30, duration_s=40), seeds=3, executor=pool, out=out,
                             keep=("maps", "exit_times"))
    return df


def test_sweep_keeps_maps_and_exit_times_not_trajectories(kept):
    assert list(kept.columns) == RESULT_COLUMNS + ANALYSIS_COLUMNS + list(KEEP_COLUMNS.values())
    assert kept["status"].eq("completed").all() and kept["error"].eq("").all()
    for row in kept.itertuples():
        folder = crowdsafe.read_run(row.run_dir)
        assert row.maps_file == str(folder.path / "maps.h5")
        assert not folder.has_trajectories and not (folder.path / "trajectories.h5").exists()
        assert not (folder.path / "report.html").exists()
        assert folder.analysis_maps_file == folder.path / "maps.h5"
        assert folder.analysis_maps["peak_density"].shape == (folder.analysis_maps.ny, folder.analysis_maps.nx)
        assert np.nanmax(folder.analysis_maps["peak_density"]) == pytest.approx(row.peak_density_per_m2)
        times = row.exit_times_s
        assert isinstance(times, np.ndarray) and times.dtype == np.float64
        assert len(times) == row.evacuated == 30 and np.all(np.diff(times) >= 0)
        assert times[-1] == pytest.approx(row.evacuation_time_max_s, abs=0.01)


def test_kept_exit_times_match_a_recorded_run(kept, tmp_path):
    df = crowdsafe.sweep(room(count=30, duration_s=40), seeds=[2], out=tmp_path, record=True, keep="exit_times")
    recorded = crowdsafe.read_run(df.loc[0, "run_dir"]).agents["exit_time"].dropna().sort_values().to_numpy()
    np.testing.assert_array_equal(df.loc[0, "exit_times_s"], recorded)
    np.testing.assert_array_equal(kept.loc[kept["seed"] == 2, "exit_times_s"].iloc[0], recorded)
    # without out, the exit times still come back (the run went to a temporary folder)
    tmp = crowdsafe.sweep(room(count=30, duration_s=40), seeds=[2], keep=["exit_times"])
    np.testing.assert_array_equal(tmp.loc[0, "exit_times_s"], recorded)
    assert "maps_file" not in tmp.columns and tmp.loc[0, "run_dir"] is None


def test_exceedance_map_of_a_sweep(kept):
    maps = crowdsafe.exceedance_map(kept, "peak_density", 1.0)
    runs = [crowdsafe.read_run(d).analysis_maps for d in kept["run_dir"]]
    peaks = np.stack([m["peak_density"] for m in runs])
    with np.errstate(invalid="ignore"):
        expected = np.where(np.isnan(peaks[0]), nan, (peaks > 1.0).mean(axis=0))
    np.testing.assert_array_equal(maps["probability"], expected)
    assert maps.origin == runs[0].origin and maps.cell_m == 0.5
    assert 0 < np.nanmax(maps["probability"]) <= 1 and np.nanmin(maps["probability"]) == 0
    # the same from the run folders and from RunResult objects
    from_dirs = crowdsafe.exceedance_map(list(kept["run_dir"]), "peak_density", 1.0)
    np.testing.assert_array_equal(from_dirs["probability"], expected)
    los = crowdsafe.exceedance_map([crowdsafe.read_run(d) for d in kept["run_dir"]], "los_walkway", "C")
    assert np.nanmax(los["probability"]) > 0


def test_convergence_of_a_sweep(kept):
    check = crowdsafe.evacuation_convergence(kept)
    t = check.table
    assert t["run"].tolist() == ["1", "2", "3"]
    assert t.loc[3, "tet_mean_s"] == pytest.approx(kept["evacuation_time_max_s"].mean())
    assert np.all(t.loc[2:, "erd"] > 0) and np.all(t.loc[2:, "sc"] <= 1.0 + 1e-12)
    assert not check.converged, "three runs cannot show three consecutive small changes"


def test_plot_map_draws_the_probability(kept):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maps = crowdsafe.exceedance_map(kept, "peak_density", 1.0)
    fig, ax = plt.subplots()
    crowdsafe.plot_map(ax, maps)
    image = ax.images[-1]
    np.testing.assert_array_equal(image.get_array().filled(nan), maps["probability"])
    assert image.get_clim() == (0.0, 1.0) and tuple(image.get_extent()) == maps.extent
    assert fig.axes[-1].get_ylabel() == "P(peak_density > 1 persons/m^2)"
    crowdsafe.plot_map(ax, kept.loc[0, "run_dir"], "los_walkway", level=5)
    with pytest.raises(ValueError, match="level"):
        crowdsafe.plot_map(ax, kept.loc[0, "run_dir"], "los_walkway")
    plt.close(fig)


def test_sweep_keep_is_checked_before_running(tmp_path):
    with pytest.raises(crowdsafe.InputError, match="keeping maps needs out"):
        crowdsafe.sweep(room(), seeds=1, keep="maps")
    with pytest.raises(crowdsafe.InputError, match="unknown item 'trajectories'"):
        crowdsafe.sweep(room(), seeds=1, out=tmp_path, keep=["trajectories"])
    assert not any(tmp_path.iterdir())
    plain = crowdsafe.sweep(room(), seeds=[1], out=tmp_path / "plain")
    with pytest.raises(crowdsafe.InputError, match="neither maps_file nor run_dir|holds no analysis maps"):
        crowdsafe.exceedance_map(plain, "peak_density", 4.0)
    with pytest.raises(crowdsafe.InputError, match="no trajectories.h5"):
        crowdsafe.evacuation_convergence(plain)
