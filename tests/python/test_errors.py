"""Errors arrive as Python exceptions carrying file, line and field."""

import pickle

import numpy as np
import pytest

import crowdsafe


def expected_message(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: ")
    return first[len("# expect: ") :]


def test_input_error_carries_file_line_and_field(source_dir):
    path = source_dir / "scenarios" / "invalid" / "negative_count.yaml"
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.load_scenario(path)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.file == str(path)
    assert err.line > 1
    assert err.field == "groups[0].count"
    assert expected_message(path) in str(err)
    assert err.problems[0].field == err.field
    assert str(err.problems[0]).startswith(f"{path}:{err.line}:")


@pytest.mark.parametrize("name", ["unknown_key", "wkt_syntax_error", "yaml_syntax_error", "unknown_exit_target"])
def test_shipped_invalid_scenarios_raise_their_message(source_dir, name):
    path = source_dir / "scenarios" / "invalid" / f"{name}.yaml"
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.load_scenario(path)
    assert expected_message(path) in str(e.value)
    assert e.value.file == str(path)


def test_every_problem_is_listed():
    text = """
duration_s: -1
venue: {walkable: "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"}
exits: [{name: door, rect: [9, 4, 10, 6]}]
groups: [{rect: [1, 1, 5, 5], count: -3}]
"""
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe.Scenario.from_yaml(text, file="two-problems.yaml")
    fields = [p.field for p in e.value.problems]
    assert fields == ["duration_s", "groups[0].count"]
    assert e.value.line == 2
    assert [p.line for p in e.value.problems] == [2, 5]
    assert e.value.file == "two-problems.yaml"


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(crowdsafe.InputError, match="does not exist") as e:
        crowdsafe.load_scenario(tmp_path / "nope.yaml")
    assert e.value.file.endswith("nope.yaml")


def test_engine_errors_translate_through_the_binding():
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe._core._raise_input_error(file="f.yaml", line=3, column=4, field="a.b", message="bad")
    assert (e.value.file, e.value.line, e.value.column, e.value.field) == ("f.yaml", 3, 4, "a.b")
    assert str(e.value) == "f.yaml:3:4: a.b: bad"


def test_input_errors_pickle_with_their_problems():
    with pytest.raises(crowdsafe.InputError) as e:
        crowdsafe._core._raise_input_error(file="f.yaml", line=3, column=4, field="a.b", message="bad")
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is crowdsafe.InputError
    assert back.problems == e.value.problems
    assert (back.file, back.line, back.field) == ("f.yaml", 3, "a.b")


def wall_crossing_scenario():
    """A person pushed at 13 m/s towards a 5 cm thin wall with 0.1 s steps goes through it."""
    return crowdsafe.Scenario(
        name="thin-wall",
        walkable="POLYGON ((0 0, 10 0, 10 4, 0 4, 0 0), (3 1, 3.05 1, 3.05 3, 3 3, 3 1))",
        groups=[{"positions": [[8.0, 2.0]], "target": {"direction": [1, 0]}}],
        time_step_s=0.1,
        output_interval_s=0.1,
        duration_s=5,
    )


def test_a_failing_step_raises_simulation_error():
    sim = crowdsafe.Simulation(wall_crossing_scenario(), threads=1)
    sim.add_agent((2.5, 2.0), velocity=(13.0, 0.0), desired_speed_m_s=10.0, radius_m=0.2)
    with pytest.raises(crowdsafe.SimulationError, match="crossed a wall") as e:
        sim.step(3)
    assert isinstance(e.value, RuntimeError)
    assert "agent 1" in str(e.value)


def test_add_agent_errors_name_the_field():
    sim = crowdsafe.Simulation(wall_crossing_scenario(), threads=1)
    with pytest.raises(crowdsafe.InputError) as e:
        sim.add_agent((50.0, 2.0))
    assert e.value.field == "add_agent.position"
    with pytest.raises(crowdsafe.InputError) as e:
        sim.add_agent((5.0, 2.0), radius_m=-1)
    assert e.value.field == "add_agent.radius_m"
    with pytest.raises(crowdsafe.InputError) as e:
        sim.add_agent((5.0, 2.0), group="nobody")
    assert e.value.field == "add_agent.group"
    with pytest.raises(crowdsafe.InputError) as e:
        sim.add_agent((5.0, 2.0, 1.0))
    assert e.value.field == "add_agent.position"
    assert len(sim) == 1
    assert np.all(sim.ids == [0])
