"""run() writes the same run folder as the CLI; read_run() loads it into pandas; plots draw it."""

import json
import os
import subprocess

import numpy as np
import pytest

import crowdsafe

TRAJECTORY_COLUMNS = ["id", "frame", "time", "x", "y", "vx", "vy", "contact_force"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, minimal_path):
    out = tmp_path_factory.mktemp("run") / "minimal"
    summary = crowdsafe.run(minimal_path, out=out, threads=1)
    assert summary["status"] == "completed"
    assert summary["run_dir"] == os.fspath(out)
    return out


def test_read_run_loads_the_folder_into_pandas(run_dir):
    result = crowdsafe.read_run(run_dir)
    assert result.status == "completed"
    assert result.summary == json.loads((run_dir / "summary.json").read_text())
    traj = result.trajectories
    assert list(traj.columns) == TRAJECTORY_COLUMNS
    assert traj["id"].dtype == np.int64 and traj["x"].dtype == np.float64
    assert len(traj) == result.frames["count"].sum()
    assert np.allclose(traj["time"], traj["frame"] * result.metadata["output_interval_s"])
    agents = result.agents
    assert len(agents) == result.summary["agents_total"] == 50
    assert agents["exit_name"].eq("door").all()
    assert agents["group_name"].eq("occupants").all()
    assert result.metadata["seed"] == 1
    assert result.metadata["complete"] == 1
    assert result.metadata["exit_names"] == ["door"]
    assert result.metadata["wkt_geometry"].startswith("POLYGON")
    assert agents["exit_time"].max() == pytest.approx(result.summary["evacuation_time_max_s"])


def test_python_and_cli_give_the_same_run(tmp_path, minimal_path, run_dir):
    cli = os.environ.get("CROWDSAFE_CLI")
    if not cli:
        pytest.skip("set CROWDSAFE_CLI to the crowdsafe executable (ctest does)")
    out = tmp_path / "cli"
    subprocess.run([cli, "run", str(minimal_path), "--out", str(out), "-q", "--threads", "2"], check=True)
    from_cli = crowdsafe.read_run(out)
    from_python = crowdsafe.read_run(run_dir)
    for key in ["agents_total", "agents_evacuated", "steps", "evacuation_time_max_s", "max_contact_force_N"]:
        assert from_cli.summary[key] == from_python.summary[key], key
    assert np.array_equal(from_cli.trajectories[["x", "y"]].to_numpy(), from_python.trajectories[["x", "y"]].to_numpy())


def test_run_without_out_keeps_no_files(minimal_path):
    summary = crowdsafe.run(minimal_path, threads=1, seed=3)
    assert summary["run_dir"] is None
    assert summary["seed"] == 3
    assert summary["trajectory_file"] == ""


def test_run_reports_progress_and_passes_on_its_errors(minimal_path, tmp_path):
    seen = []
    crowdsafe.run(minimal_path, out=tmp_path / "a", record=False, threads=1, progress=seen.append)
    assert seen and seen[-1]["simulated_s"] > seen[0]["simulated_s"]
    assert set(seen[0]) == {"simulated_s", "duration_s", "wall_s", "agents", "evacuated"}

    def boom(progress):
        if progress["simulated_s"] > 1.0:
            raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        crowdsafe.run(minimal_path, out=tmp_path / "b", record=False, threads=1, progress=boom)
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["status"] == "interrupted"


def test_read_run_refuses_other_folders(tmp_path):
    with pytest.raises(crowdsafe.InputError, match="summary.json"):
        crowdsafe.read_run(tmp_path)
    with pytest.raises(crowdsafe.InputError, match="not a folder"):
        crowdsafe.read_run(tmp_path / "missing")


def test_run_without_trajectories_says_so(minimal_path, tmp_path):
    crowdsafe.run(minimal_path, out=tmp_path, record=False, threads=1)
    result = crowdsafe.read_run(tmp_path)
    assert not result.has_trajectories
    assert result.metadata == {}
    with pytest.raises(crowdsafe.InputError, match="no trajectories.h5"):
        result.trajectories


def test_plots_draw_scenarios_runs_and_curves(run_dir, minimal_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(12, 3))
    try:
        crowdsafe.plot_venue(axes[0], crowdsafe.load_scenario(minimal_path))
        crowdsafe.plot_trajectories(axes[1], run_dir, max_agents=10)
        crowdsafe.plot_evacuation_curve(axes[2], {"run": crowdsafe.read_run(run_dir)})
        crowdsafe.plot_venue(axes[3], run_dir)
        assert len(axes[1].collections) >= 1
        line = axes[2].get_lines()[0]
        assert line.get_ydata()[-1] == 50
        assert axes[0].get_xlim()[1] > 20
        fig.savefig(run_dir / "plots.png")
    finally:
        plt.close(fig)
