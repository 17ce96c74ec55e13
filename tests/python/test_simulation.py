"""Simulation from Python: zero-copy read-only views, stepping, agents, GIL release."""

import gc
import pickle
import threading
import time
import weakref

import numpy as np
import pytest

import crowdsafe
from conftest import room


@pytest.fixture()
def sim(minimal_path):
    return crowdsafe.Simulation(minimal_path, threads=1)


def test_views_are_zero_copy_and_read_only(sim):
    a, b = sim.positions, sim.positions
    assert a is not b  # a fresh view per access...
    assert np.shares_memory(a, b)  # ...of the same engine memory
    assert a.base is sim
    assert a.shape == (50, 2) and a.dtype == np.float64 and a.flags.c_contiguous
    assert not a.flags.writeable and not a.flags.owndata
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    for view, dtype, shape in [
        (sim.velocities, np.float64, (50, 2)),
        (sim.ids, np.int64, (50,)),
        (sim.groups, np.int32, (50,)),
        (sim.contact_forces, np.float64, (50,)),
        (sim.radii, np.float64, (50,)),
        (sim.desired_speeds, np.float64, (50,)),
    ]:
        assert view.dtype == dtype and view.shape == shape
        assert view.base is sim and not view.flags.writeable
    assert np.array_equal(sim.ids, np.arange(50))


def test_views_see_the_engine_move_within_a_step(sim):
    before = np.array(sim.positions)
    view = sim.positions
    sim.step(10)
    after = sim.positions
    assert sim.time == pytest.approx(0.1)
    assert sim.step_count == 10
    assert not np.array_equal(before, after)
    assert np.shares_memory(after, sim.positions)
    del view


def test_a_view_keeps_the_simulation_alive(minimal_path):
    sim = crowdsafe.Simulation(minimal_path, threads=1)
    sim.step(5)
    positions = sim.positions
    expected = np.array(positions)
    ref = weakref.ref(sim)
    del sim
    gc.collect()
    assert ref() is not None
    assert np.array_equal(positions, expected)
    assert positions.base is ref()
    del positions
    gc.collect()
    assert ref() is None


def test_run_until_and_to_the_end(sim):
    sim.run(until=2.5)
    assert sim.time == pytest.approx(2.5)
    assert not sim.finished
    sim.run()
    assert sim.finished
    assert len(sim) == 0
    assert sim.positions.shape == (0, 2)
    records = sim.records
    assert len(records) == 50
    assert list(records.columns) == [
        "id",
        "group",
        "group_name",
        "spawn_time_s",
        "exit_time_s",
        "exit",
        "exit_name",
        "desired_speed_m_s",
        "radius_m",
    ]
    assert records["exit_name"].eq("door").all()
    assert records["exit_time_s"].max() == pytest.approx(sim.time)
    assert set(sim.phase_times) == {"neighbours", "routing", "forces", "integrate", "spawn"}


def test_results_match_the_runner(minimal_path):
    sim = crowdsafe.Simulation(minimal_path, threads=2)
    sim.run()
    summary = crowdsafe.run(minimal_path, threads=1)
    times = sim.records["exit_time_s"].to_numpy()
    assert summary["evacuation_time_max_s"] == pytest.approx(times.max())
    assert summary["evacuation_time_p50_s"] == pytest.approx(np.percentile(times, 50))
    assert summary["steps"] == sim.step_count


def test_add_and_remove_agents(sim):
    new = sim.add_agent((2.0, 2.0), velocity=(0.5, 0.0), desired_speed_m_s=1.2, radius_m=0.25, group="occupants")
    assert new == 50
    assert len(sim) == 51
    row = np.flatnonzero(sim.ids == new)[0]
    assert np.array_equal(sim.positions[row], [2.0, 2.0])
    assert sim.radii[row] == 0.25
    assert sim.remove_agent(3)
    assert not sim.remove_agent(3)
    assert 3 not in sim.ids
    assert len(sim) == 50
    sim.run()
    records = sim.records.set_index("id")
    assert records.loc[new, "exit_name"] == "door"
    assert np.isnan(records.loc[3, "exit_time_s"])


def test_added_agents_head_where_their_group_heads():
    walkable = np.array([[0, 0], [20, 0], [20, 10], [0, 10]], dtype=float)
    sc = crowdsafe.Scenario(
        walkable=walkable,
        exits={"west": [[0, 4], [0.5, 4], [0.5, 6], [0, 6]], "east": [[19.5, 4], [20, 4], [20, 6], [19.5, 6]]},
        groups=[
            {"name": "to-west", "rect": [12, 1, 18, 3], "count": 3, "target": "exit:west"},
            {"name": "to-east", "rect": [2, 1, 8, 3], "count": 3, "target": "exit:east"},
        ],
        duration_s=60,
    )
    sim = crowdsafe.Simulation(sc, threads=1)
    west = sim.add_agent((18.0, 8.0), group="to-west")
    east = sim.add_agent((2.0, 8.0), group=1)
    sim.run()
    exits = sim.records.set_index("id")["exit_name"]
    assert exits[west] == "west" and exits[east] == "east"


def test_stepping_releases_the_gil(plaza_path):
    sc = crowdsafe.load_scenario(plaza_path)
    sim = crowdsafe.Simulation(sc, threads=1)

    # Python-only work rate while a thread that holds no GIL is alive: the same loop as below.
    def count_while_alive(thread):
        n, start = 0, time.perf_counter()
        thread.start()
        while thread.is_alive():
            n += 1
        return n / (time.perf_counter() - start)

    alone = count_while_alive(threading.Thread(target=time.sleep, args=(0.3,)))
    errors = []

    def stepper():
        try:
            sim.step(400)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=stepper)
    start = time.perf_counter()
    t.start()
    n = 0
    blocked = False
    while t.is_alive():
        n += 1
        if not blocked and n % 1000 == 0:
            try:
                sim.positions
            except RuntimeError:
                blocked = True
    elapsed = time.perf_counter() - start
    t.join()
    assert not errors
    assert sim.step_count == 400
    # With the GIL held by the engine this loop could not run at all while stepping (apart from
    # the moments between 100-step chunks); with it released it keeps a clear share of its solo
    # speed even when CI runs other tests on the same two cores.
    assert elapsed > 0.2, "the step finished too quickly to tell"
    assert n / elapsed > 0.05 * alone
    assert blocked, "arrays must not be readable while another thread steps"


def wait_until_stepping(sim, thread):
    """Returns once `thread` is inside sim.step() (the arrays refuse to be read)."""
    while thread.is_alive():
        try:
            sim.positions
        except RuntimeError:
            return
        time.sleep(0.001)
    pytest.fail("the stepping thread ended before it was seen stepping")


def test_a_second_concurrent_step_is_refused(plaza_path):
    sim = crowdsafe.Simulation(plaza_path, threads=1)
    t = threading.Thread(target=sim.step, args=(1000,))
    t.start()
    try:
        wait_until_stepping(sim, t)
        with pytest.raises(RuntimeError, match="already stepping"):
            sim.step()
        with pytest.raises(RuntimeError, match="already stepping"):
            sim.add_agent((30.0, 20.0))
    finally:
        t.join()
    assert sim.step_count == 1000


def test_simulations_do_not_pickle(sim):
    with pytest.raises(TypeError):
        pickle.dumps(sim)


def test_simulation_from_a_python_scenario():
    sim = crowdsafe.Simulation(room(count=10), threads=1)
    assert len(sim) == 10
    assert sim.group_names == ["occupants"]
    sim.run()
    assert sim.finished and len(sim) == 0
