"""assess(), analyse() and plan() through the engine's bindings, and the run folder's risk
analysis and plan read into pandas and numpy (hotspots.json, /analysis, plan.json)."""

import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import crowdsafe
from crowdsafe.risk import (
    EVACUATION_COLUMNS,
    EXIT_COLUMNS,
    GATE_COLUMNS,
    HOTSPOT_COLUMNS,
    OUTCOME_COLUMNS,
    RELEASE_COLUMNS,
    ROUTE_COLUMNS,
)
from crowdsafe.study import ANALYSIS_COLUMNS, RESULT_COLUMNS

h5py = pytest.importorskip("h5py")

OUTCOME_METRICS = ["peak_density_per_m2", "peak_pressure_s2", "exposure_los_ef_m2_s", "peak_opposing_flux_per_m_s"]


def planner_scenario(source_dir, name):
    return source_dir / "scenarios" / "planner" / f"{name}.yaml"


@pytest.fixture(scope="module")
def street(tmp_path_factory, source_dir):
    """two-way-street (planner test venue: counterflow, 300 people), assessed with 1 seed."""
    lines = []
    out = tmp_path_factory.mktemp("assess") / "street"
    result = crowdsafe.assess(planner_scenario(source_dir, "two-way-street"), out, seeds=1, threads=1,
                              progress=lines.append)
    assert lines, "the planner reports progress"
    return result


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_assess_writes_run_analysis_and_plan(street):
    assert street.status == "completed"
    for name in ["scenario.yaml", "summary.json", "trajectories.h5", "hotspots.json", "hotspots.geojson",
                 "report.html", "plan.json", "plan.geojson"]:
        assert (street.path / name).is_file(), name
    assert street.summary["seed"] == 5
    assert street.analysis == load(street.path / "hotspots.json")
    assert street.plan == load(street.path / "plan.json")
    assert street.plan["options"]["seeds"] == 1
    assert street.plan["status"] == "completed"
    assert (street.path / "scenario.yaml").read_text(encoding="utf-8").rstrip().endswith("two-way-street.yaml")


def test_hotspots_dataframe_matches_hotspots_json(street):
    report = load(street.path / "hotspots.json")
    df = street.hotspots
    assert list(df.columns) == list(HOTSPOT_COLUMNS)
    assert len(df) == len(report["hotspots"]) == report["summary"]["hotspots"] > 0
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    assert (df["kind"] == "crush").sum() == report["summary"]["crush_hotspots"]
    assert (df["kind"] == "counterflow").sum() == report["summary"]["counterflow_hotspots"]
    assert df["peak_density_per_m2"].max() <= report["summary"]["peak_density_per_m2"] + 1e-12
    for row, h in zip(df.itertuples(), report["hotspots"]):
        assert row.id == h["id"] and row.kind == h["kind"] and row.severity == h["severity"]
        assert row.criteria == ", ".join(h["criteria"])
        assert row.risk_score == h["risk_score"]
        assert row.peak_density_per_m2 == h["density"]["peak_per_m2"]
        assert row.los_walkway_at_peak == h["density"]["los_at_peak"]["Fruin walkway"]
        assert row.exposure_person_s == h["exposure_person_s"]
        assert (row.start_s, row.end_s) == (h["time_window"]["start_s"], h["time_window"]["end_s"])
        assert (row.centroid_x_m, row.centroid_y_m) == tuple(h["centroid_m"])
        assert row.clear_width_m == h["geometry"]["clear_width_m"]
        assert row.peak_opposing_flux_per_m_s == h["counterflow"]["peak_opposing_flux_per_m_s"]
    flows = street.hotspot_feeding_flows
    assert flows["persons"].sum() == sum(f["persons"] for h in report["hotspots"] for f in h["feeding_flows"])
    assert set(flows["group"]) == {"eastbound", "westbound"}


def test_analysis_maps_match_the_h5_file(street):
    maps = street.analysis_maps
    with h5py.File(street.trajectory_file, "r") as f:
        a = f["analysis"]
        ny, nx = int(a.attrs["ny"]), int(a.attrs["nx"])
        assert set(maps) == {k for k, v in a.items() if isinstance(v, h5py.Dataset)}
        assert np.array_equal(maps["peak_density"], a["peak_density"][:], equal_nan=True)
        assert maps.cell_m == a.attrs["cell_m"]
        assert maps.origin == (a.attrs["origin_x_m"], a.attrs["origin_y_m"])
        assert maps.units["peak_density"] == a["peak_density"].attrs["unit"]
    assert (maps.ny, maps.nx) == (ny, nx) == (30, 120)  # 60 m x 15 m at 0.5 m
    assert maps["peak_density"].shape == (ny, nx)
    assert maps["los_walkway"].shape == maps["los_queuing"].shape == (6, ny, nx)
    assert maps["hotspot_mean_density"].shape == (len(street.hotspots), len(maps["time"]))
    assert np.nanmax(maps["peak_density"]) == pytest.approx(street.analysis["summary"]["peak_density_per_m2"])
    assert maps.x.shape == (nx,) and maps.x[0] == pytest.approx(maps.origin[0] + maps.cell_m / 2)
    assert maps.extent == pytest.approx((0.0, 60.0, 0.0, 15.0))
    # every walkable cell spends all frames in some walkway level
    walkable = ~np.isnan(maps["peak_density"])
    assert np.allclose(maps["los_walkway"].sum(axis=0)[walkable], 1.0)
    assert maps.attrs["thresholds"]["danger_density_per_m2"]["value"] == 5.0
    with pytest.raises(ValueError):
        maps["peak_density"][0, 0] = 1.0


def test_plan_tables_match_plan_json(street):
    plan = load(street.path / "plan.json")
    releases = street.plan_releases
    assert list(releases.columns) == list(RELEASE_COLUMNS)
    assert releases[["hotspot", "group", "release_s", "persons"]].to_dict("records") == [
        {k: r[k] for k in ("hotspot", "group", "release_s", "persons")} for r in plan["releases"]
    ]
    assert releases.loc[0, "group"] == "westbound"

    routes = street.plan_routes
    assert list(routes.columns) == list(ROUTE_COLUMNS)
    assert len(routes) == len(plan["evacuation"]["routes"]) > 0
    assert routes["persons"].sum() == plan["evacuation"]["persons"] == 300
    assert routes["zone_center_x_m"].tolist() == [r["zone_center"][0] for r in plan["evacuation"]["routes"]]
    assert routes["travel_time_s"].tolist() == [r["travel_time_s"] for r in plan["evacuation"]["routes"]]
    assert all(p.ndim == 2 and p.shape[1] == 2 for p in routes["path"])
    assert set(routes["exit"]) <= {"west-end", "east-end"}

    exits = street.plan_exits
    assert list(exits.columns) == list(EXIT_COLUMNS)
    assert exits.set_index("name")["persons_assigned"].to_dict() == routes.groupby("exit")["persons"].sum().to_dict()

    outcomes = street.plan_outcomes
    treated = plan["verification"]["hotspots"]
    assert list(outcomes.columns) == list(OUTCOME_COLUMNS)
    assert len(outcomes) == len(OUTCOME_METRICS) * len(treated) > 0
    assert outcomes["metric"].tolist()[: len(OUTCOME_METRICS)] == OUTCOME_METRICS
    for row in outcomes.itertuples():
        h = next(h for h in treated if h["hotspot"] == row.hotspot)
        assert (row.before_mean, row.before_max) == (h[row.metric]["before"]["mean"], h[row.metric]["before"]["max"])
        assert (row.after_mean, row.after_min) == (h[row.metric]["after"]["mean"], h[row.metric]["after"]["min"])
        assert row.seeds == 1 and row.verdict == h["verdict"]
    flux = outcomes[(outcomes["hotspot"] == "H2") & (outcomes["metric"] == "peak_opposing_flux_per_m_s")].iloc[0]
    assert flux["after_max"] < flux["before_min"] and flux["target_met"]

    # no gate here, and the nearest exits were already the best assignment: empty, with columns
    assert plan["gates"] == [] and street.plan_gates.empty
    assert list(street.plan_gates.columns) == list(GATE_COLUMNS)
    assert "evacuation_assigned" not in plan["verification"] and street.evacuation_outcomes.empty
    assert list(street.evacuation_outcomes.columns) == list(EVACUATION_COLUMNS)


def test_plan_gates_on_a_corridor_crush(tmp_path, source_dir):
    result = crowdsafe.assess(planner_scenario(source_dir, "narrow-passage-crush"), tmp_path / "crush", seeds=1,
                              threads=1)
    plan = load(tmp_path / "crush" / "plan.json")
    gates = result.plan_gates
    assert len(gates) == len(plan["gates"]) == 1
    gate, g = gates.iloc[0], plan["gates"][0]
    assert gate["name"] == g["name"] and gate["hotspot"] == g["hotspot"] and gate["purpose"] == "meter inflow"
    assert [[gate["x0_m"], gate["y0_m"]], [gate["x1_m"], gate["y1_m"]]] == g["line"]
    assert gate["rate_persons_per_min"] == g["schedule"][0]["rate_persons_per_min"] > 0
    assert (gate["begin_s"], gate["end_s"]) == (g["schedule"][0]["begin_s"], g["schedule"][-1]["end_s"])
    assert gate["expected_queue_persons"] == g["expected_queue_persons"]
    assert gate["capacity_persons_per_s"] == g["capacity_persons_per_s"]
    assert gate["schedule"] == g["schedule"]
    verified = plan["verification"]["measures"]["gates"][0]
    assert gate["verified_crossings_in"] == verified["crossings_in"] > 0
    assert gate["verified_max_wait_s"] == verified["max_wait_s"]
    crush = result.plan_outcomes.query("metric == 'peak_density_per_m2'")
    assert crush["kind"].eq("crush").all() and (crush["after_max"] < crush["before_max"]).all()


def test_evacuation_outcomes_on_four_exits(tmp_path, source_dir):
    result = crowdsafe.assess(planner_scenario(source_dir, "four-exits"), tmp_path / "hall", seeds=1, threads=1)
    plan = load(tmp_path / "hall" / "plan.json")
    evac = result.evacuation_outcomes
    assert evac["label"].tolist() == ["nearest exit", "assigned routes"]
    nearest, assigned = plan["verification"]["evacuation_nearest"], plan["verification"]["evacuation_assigned"]
    assert evac["evacuation_time_p95_s_mean"].tolist() == [nearest["evacuation_time_p95_s"]["mean"],
                                                           assigned["evacuation_time_p95_s"]["mean"]]
    assert evac["evacuation_time_max_s_max"].tolist() == [nearest["evacuation_time_max_s"]["max"],
                                                          assigned["evacuation_time_max_s"]["max"]]
    assert evac["lower_bound_s"].eq(plan["evacuation"]["lower_bound_s"]).all()
    assert evac["flow_model_time_s"].tolist() == [plan["evacuation"]["nearest_time_s"],
                                                  plan["evacuation"]["planned_time_s"]]
    assert evac["seeds"].eq(1).all() and evac["evacuated_persons_mean"].eq(700).all()
    # the assignment beats the nearest exits, and no simulation beats the bound
    assert evac.loc[1, "evacuation_time_p95_s_mean"] < evac.loc[0, "evacuation_time_p95_s_mean"]
    assert (evac["evacuation_time_max_s_min"] >= evac["lower_bound_s"]).all()
    exits = result.plan_exits
    assert exits["persons_nearest"].sum() == exits["persons_assigned"].sum() == 700


def test_an_unanalysed_run_has_empty_tables(tmp_path, minimal_path):
    crowdsafe.run(minimal_path, out=tmp_path / "plain", threads=1)
    result = crowdsafe.read_run(tmp_path / "plain")
    assert result.analysis is None and result.plan is None and result.analysis_maps is None
    for table, columns in [(result.hotspots, HOTSPOT_COLUMNS), (result.plan_gates, GATE_COLUMNS),
                           (result.plan_routes, ROUTE_COLUMNS), (result.plan_outcomes, OUTCOME_COLUMNS),
                           (result.evacuation_outcomes, EVACUATION_COLUMNS)]:
        assert table.empty and list(table.columns) == list(columns)
        assert dict(table.dtypes.astype(str)) == columns


def test_analyse_and_plan_a_finished_run(tmp_path, source_dir, street):
    out = tmp_path / "street"
    crowdsafe.run(planner_scenario(source_dir, "two-way-street"), out=out, threads=2)
    analysed = crowdsafe.analyse(out)
    # same scenario and seed, another thread count: the same hotspots as assess found
    cols = ["id", "kind", "peak_density_per_m2", "exposure_person_s"]
    assert analysed.hotspots[cols].equals(street.hotspots[cols])
    assert analysed.plan is None
    planned = crowdsafe.plan(out, verify=False, threads=1)
    assert planned.plan["releases"] == street.plan["releases"]
    assert "verification" not in planned.plan or not planned.plan["verification"]
    assert planned.plan_outcomes.empty and len(planned.plan_routes) == len(street.plan_routes)


def test_invalid_options_fail_before_running(tmp_path, source_dir, minimal_path):
    scenario = planner_scenario(source_dir, "two-way-street")
    with pytest.raises(crowdsafe.InputError, match="seeds"):
        crowdsafe.assess(scenario, tmp_path / "a", seeds=0)
    with pytest.raises(crowdsafe.InputError, match="cell_m"):
        crowdsafe.assess(scenario, tmp_path / "b", cell_m=10.0)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    crowdsafe.run(minimal_path, out=tmp_path / "no-traj", record=False, threads=1)
    with pytest.raises(crowdsafe.InputError, match="trajectories"):
        crowdsafe.analyse(tmp_path / "no-traj")
    with pytest.raises(crowdsafe.InputError, match="summary.json"):
        crowdsafe.plan(tmp_path)


def test_analysed_sweep_counts_hotspots(source_dir, street):
    scenario = planner_scenario(source_dir, "two-way-street")
    with ThreadPoolExecutor(max_workers=2) as pool:
        df = crowdsafe.sweep(scenario, {"duration_s": [240, 8]}, seeds=[5], executor=pool, analyse=True)
    assert list(df.columns) == ["duration_s"] + RESULT_COLUMNS + ANALYSIS_COLUMNS
    full, short = df.iloc[0], df.iloc[1]
    summary = street.analysis["summary"]
    assert full["status"] == "completed" and full["error"] == ""
    assert (full["n_hotspots"], full["n_crush"], full["n_counterflow"]) == (
        summary["hotspots"], summary["crush_hotspots"], summary["counterflow_hotspots"])
    assert full["peak_density_per_m2"] == pytest.approx(summary["peak_density_per_m2"])
    # 8 s: the streams have not met yet (the first counterflow begins at 12 s)
    assert short["n_counterflow"] == 0 and short["peak_density_per_m2"] < full["peak_density_per_m2"]
    assert "n_hotspots" not in crowdsafe.sweep(scenario, {"duration_s": [5]}, seeds=[5]).columns
    assert not math.isnan(short["peak_density_per_m2"])


def test_assess_passes_the_planner_options(tmp_path, source_dir):
    # four-exits, thinned to 80 people and 60 s: evacuate at 5 s with the north exit closed
    result = crowdsafe.assess(planner_scenario(source_dir, "four-exits"), tmp_path / "hall", seeds=1, threads=1,
                              overrides={"groups[0].count": 60, "groups[1].count": 20, "duration_s": 60},
                              target_density_per_m2=3.5, evacuate_at_s=5.0, close_exits=["north"], replan_rounds=1)
    options = result.plan["options"]
    assert options["target_density_per_m2"] == 3.5 and options["replan_rounds"] == 1
    assert options["evacuation_trigger_s"] == 5.0 and options["closed_exits"] == ["north"]
    evacuation = result.plan["evacuation"]
    assert evacuation["trigger_s"] == 5.0 and evacuation["closed_exits"] == ["north"]
    exits = result.plan_exits.set_index("name")
    assert exits.loc["north", "closed"] and exits.loc["north", "persons_assigned"] == 0
    assert not exits.loc[["east", "south", "west"], "closed"].any()
    assert 0 < evacuation["persons"] == exits["persons_assigned"].sum() <= 80
    assert "north" not in set(result.plan_routes["exit"])
    # the same options through plan() on the finished run give the same evacuation plan (with
    # verification: the congestion-aware re-planning simulates, as assess() did)
    again = crowdsafe.plan(result.path, seeds=1, threads=1, target_density_per_m2=3.5, evacuate_at_s=5.0,
                           close_exits="north", replan_rounds=1)
    assert again.plan["evacuation"]["routes"] == evacuation["routes"]


def test_replan_rounds_out_of_range_is_refused_before_running(tmp_path, source_dir):
    with pytest.raises(crowdsafe.InputError, match="replan_rounds"):
        crowdsafe.assess(planner_scenario(source_dir, "four-exits"), tmp_path / "hall", replan_rounds=11)
    assert not (tmp_path / "hall" / "summary.json").exists()


def test_assess_checks_planner_options_before_running(tmp_path, source_dir):
    scenario = planner_scenario(source_dir, "four-exits")
    cases = [
        ({"close_exits": ["gate-7"]}, r"close_exits: unknown exit 'gate-7'; the scenario's exits: north, east, south, west"),
        ({"close_exits": ["north", "east", "south", "west"]}, "closes every exit"),
        ({"evacuate_at_s": 500.0}, r"evacuate_at_s: 500 s is after the end of the run \(400 s\)"),
        ({"evacuate_at_s": -1.0}, r"evacuate_at_s: must be in \[0, 1e\+07\] s"),
        ({"target_density_per_m2": 20.0}, r"target_density_per_m2: must be in \[0.5, 10\] persons/m²"),
    ]
    for i, (options, message) in enumerate(cases):
        with pytest.raises(crowdsafe.InputError, match=message):
            crowdsafe.assess(scenario, tmp_path / str(i), **options)
        assert not (tmp_path / str(i)).exists(), options
    # a wrong exit name is an error also when not planning
    with pytest.raises(crowdsafe.InputError, match="unknown exit 'gate-7'"):
        crowdsafe.assess(scenario, tmp_path / "no-plan", plan=False, close_exits=["gate-7"])
