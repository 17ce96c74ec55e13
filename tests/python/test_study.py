"""Sweeps over parameters and seeds on every kind of executor, and ensemble statistics."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import crowdsafe
from crowdsafe import stats
from crowdsafe.study import ANALYSIS_COLUMNS, RESULT_COLUMNS
from conftest import room

PARAMETERS = {"model.time_headway_s": [0.3, 0.6]}
COMPARED = ["model.time_headway_s", "seed", "status", "agents_total", "evacuated", "evacuation_time_max_s"]


@pytest.fixture(scope="module")
def scenario():
    return room(count=25, duration_s=40)


@pytest.fixture(scope="module")
def serial(scenario):
    return crowdsafe.sweep(scenario, PARAMETERS, seeds=2)


def test_sweep_runs_the_cross_product(serial):
    assert list(serial.columns) == ["model.time_headway_s"] + RESULT_COLUMNS
    assert len(serial) == 4
    assert serial[["model.time_headway_s", "seed"]].values.tolist() == [[0.3, 1], [0.3, 2], [0.6, 1], [0.6, 2]]
    assert serial["status"].eq("completed").all()
    assert serial["error"].eq("").all()
    assert serial["agents_total"].eq(25).all()
    assert (serial["evacuation_time_p50_s"] <= serial["evacuation_time_max_s"]).all()
    assert serial.attrs["parameters"] == ["model.time_headway_s"]
    # different seeds place people differently
    assert serial["evacuation_time_max_s"].nunique() > 1


def test_sweep_on_threads_matches_serial(scenario, serial):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = crowdsafe.sweep(scenario, PARAMETERS, seeds=2, executor=pool)
    pd.testing.assert_frame_equal(threaded[COMPARED], serial[COMPARED])


def test_a_failing_run_is_a_row_with_its_error(scenario):
    df = crowdsafe.sweep(scenario, {"model.time_headway_s": [0.45, -1.0], "duration_s": [30]}, seeds=[5])
    assert len(df) == 2
    good, bad = df.iloc[0], df.iloc[1]
    assert good["status"] == "completed" and good["error"] == ""
    assert bad["status"] == "error"
    assert "InputError" in bad["error"] and "model.time_headway_s" in bad["error"]
    assert math.isnan(bad["evacuation_time_max_s"])
    assert bad["duration_s"] == 30


def test_a_failing_step_is_a_failed_row():
    thin_wall = crowdsafe.Scenario(
        walkable="POLYGON ((0 0, 10 0, 10 4, 0 4, 0 0), (3 1, 3.05 1, 3.05 3, 3 3, 3 1))",
        groups=[{"positions": [[2.5, 2.0]], "profile": {"speed_mean_m_s": 9.9, "speed_sd_m_s": 0, "speed_min_m_s": 9,
                                                         "speed_max_m_s": 10}, "target": {"direction": [1, 0]}}],
        time_step_s=0.1,
        output_interval_s=0.1,
        duration_s=5,
    )
    df = crowdsafe.sweep(thin_wall, seeds=1)
    assert df.loc[0, "status"] == "failed"
    assert "crossed a wall" in df.loc[0, "error"]


def test_sweep_keeps_run_folders_when_asked(scenario, tmp_path):
    df = crowdsafe.sweep(scenario, seeds=[1, 2], out=tmp_path, record=True)
    assert df["run_dir"].tolist() == [str(tmp_path / "run-0000"), str(tmp_path / "run-0001")]
    result = crowdsafe.read_run(df.loc[1, "run_dir"])
    assert result.summary["seed"] == 2
    assert len(result.trajectories) > 0


@pytest.mark.dask
# distributed 2022.12 with tornado 6.2 on Python 3.11 warns inside its own event-loop set-up.
@pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_sweep_on_a_dask_cluster_of_two_processes(scenario, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    ) as cluster, distributed.Client(cluster) as client:
        df = crowdsafe.sweep(scenario, PARAMETERS, seeds=2, executor=client)
        failing = crowdsafe.sweep(scenario, {"groups[0].count": [10, -4]}, seeds=[1], executor=client)
        analysed = crowdsafe.sweep(scenario, PARAMETERS, seeds=[1], executor=client, analyse=True)
        kept = crowdsafe.sweep(scenario, seeds=[2], executor=client, keep="exit_times")
    pd.testing.assert_frame_equal(df[COMPARED], serial[COMPARED])
    # exit times travel back from the worker processes as arrays
    local_times = crowdsafe.sweep(scenario, seeds=[2], keep="exit_times").loc[0, "exit_times_s"]
    np.testing.assert_array_equal(kept.loc[0, "exit_times_s"], local_times)
    assert len(local_times) == kept.loc[0, "evacuated"] > 0
    local = crowdsafe.sweep(scenario, PARAMETERS, seeds=[1], analyse=True)
    pd.testing.assert_frame_equal(analysed[COMPARED + ANALYSIS_COLUMNS], local[COMPARED + ANALYSIS_COLUMNS])
    assert (analysed["peak_density_per_m2"] > 0).all() and analysed["n_hotspots"].notna().all()
    assert failing["status"].tolist() == ["completed", "error"]
    assert "groups[0].count" in failing.loc[1, "error"]


# ---------------------------------------------------------------------- statistics
def ensemble(values, **columns):
    n = len(values)
    return pd.DataFrame({**columns, "seed": np.arange(1, n + 1), "status": "completed", "t": values})


def test_percentiles_overall_and_per_parameter():
    df = ensemble(np.arange(1.0, 101.0))
    p = crowdsafe.percentiles(df, "t")
    assert p["p50"] == pytest.approx(50.5) and p["n"] == 100
    both = pd.concat([ensemble(np.arange(1.0, 11.0), rate=1), ensemble(np.arange(11.0, 21.0), rate=2)])
    both.attrs["parameters"] = ["rate"]
    table = crowdsafe.percentiles(both, "t", q=(50,))
    assert table.loc[2, "p50"] == pytest.approx(15.5)
    assert list(table.columns) == ["p50", "n"]


def test_failed_runs_do_not_enter_statistics():
    df = ensemble(np.array([10.0, 10.0, 1000.0]))
    df.loc[2, "status"] = "failed"
    assert crowdsafe.percentiles(df, "t")["p95"] == pytest.approx(10.0)


def test_converged_needs_a_settled_running_mean():
    rng = np.random.default_rng(4)
    settled = ensemble(100 + rng.normal(0, 2, 40))
    assert crowdsafe.converged(settled, "t", rel_tol=0.05)
    drifting = ensemble(np.linspace(50, 150, 40))
    assert not crowdsafe.converged(drifting, "t", rel_tol=0.05)
    assert not crowdsafe.converged(ensemble(np.full(3, 100.0)), "t"), "too few runs to tell"
    run = crowdsafe.convergence(settled, "t")
    assert list(run.columns) == ["n", "mean", "sd", "rel_change_mean"]
    assert run["mean"].iloc[-1] == pytest.approx(settled["t"].mean())
    assert run["sd"].iloc[-1] == pytest.approx(settled["t"].std())


def test_converged_per_parameter_combination():
    rng = np.random.default_rng(5)
    df = pd.concat([ensemble(100 + rng.normal(0, 1, 20), rate=1), ensemble(np.linspace(10, 100, 20), rate=2)])
    df.attrs["parameters"] = ["rate"]
    result = crowdsafe.converged(df, "t")
    assert result.to_dict() == {1: True, 2: False}


def test_exceedance_probability():
    df = ensemble(np.arange(1.0, 11.0))
    assert crowdsafe.exceedance_probability(df, "t", 8.0) == pytest.approx(0.2)


def test_student_t_and_welch():
    assert stats.t_quantile(0.975, 1) == pytest.approx(12.7062047, rel=1e-6)
    assert stats.t_quantile(0.975, 9) == pytest.approx(2.2621572, rel=1e-6)
    assert stats.t_quantile(0.025, 9) == pytest.approx(-2.2621572, rel=1e-6)
    mean, lo, hi = stats.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert (mean, hi - mean) == pytest.approx((2.5, 3.1824463 * math.sqrt(5 / 3) / 2), rel=1e-6)
    assert mean - lo == pytest.approx(hi - mean)
    assert stats.welch_test([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert stats.welch_test([1, 2, 3, 4], [11, 12, 13, 14]) < 1e-4
