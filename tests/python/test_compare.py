"""compare(): layouts over the same seeds, means with confidence intervals, a verdict per metric."""

import pytest

import crowdsafe
from conftest import room


@pytest.fixture(scope="module")
def narrow_and_wide():
    return crowdsafe.compare([room(door_m=0.8, count=40), room(door_m=2.4, count=40)], seeds=4, return_runs=True)


def test_compare_table_has_means_intervals_and_verdicts(narrow_and_wide):
    table, runs = narrow_and_wide
    assert list(table.index) == [
        "evacuation_time_p50_s",
        "evacuation_time_p95_s",
        "evacuation_time_max_s",
        "max_contact_force_N",
        "evacuated",
        "remaining",
    ]
    for name in "AB":
        for suffix in ("mean", "ci_low", "ci_high", "n"):
            assert f"{name} {suffix}" in table.columns
    assert (table["A ci_low"] <= table["A mean"]).all() and (table["A mean"] <= table["A ci_high"]).all()
    assert table.loc["evacuation_time_p50_s", "verdict"] == "B better"
    assert table.loc["evacuated", "verdict"] == "no significant difference"
    assert len(runs) == 8 and set(runs["layout"]) == {"A", "B"}
    assert runs["status"].eq("completed").all()


def test_the_same_layout_twice_shows_no_difference(minimal_path):
    table = crowdsafe.compare(
        {"left": minimal_path, "right": minimal_path}, seeds=3, metrics=["evacuation_time_max_s"],
        overrides={"duration_s": 60},
    )
    assert table.loc["evacuation_time_max_s", "verdict"] == "no significant difference"
    assert table.loc["evacuation_time_max_s", "left mean"] == table.loc["evacuation_time_max_s", "right mean"]


def test_three_layouts_are_judged_against_the_first():
    layouts = {"base": room(door_m=1.0, count=20), "wide": room(door_m=3.0, count=20), "same": room(door_m=1.0, count=20)}
    table = crowdsafe.compare(layouts, seeds=3, metrics=["evacuation_time_max_s"])
    assert {"verdict wide", "verdict same"} <= set(table.columns)
    assert table.loc["evacuation_time_max_s", "verdict same"] == "no significant difference"


def test_compare_needs_two_layouts(minimal_path):
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.compare([minimal_path])
    assert e.value.field == "layouts"
