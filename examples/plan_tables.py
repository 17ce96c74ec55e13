"""Risk analysis and planner results as pandas tables: assess a hall with four exits (600 people
at the north wall, 100 at the south), then read the hotspots, the evacuation routes the planner
assigned, and how the re-simulated evacuation compares with everybody taking the nearest exit.

    PYTHONPATH=build/python /usr/bin/python3 examples/plan_tables.py
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import crowdsafe

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "planner" / "four-exits.yaml"

pd.set_option("display.width", 120)
with tempfile.TemporaryDirectory(prefix="crowdsafe-plan-") as tmp:
    # run + risk analysis + plan, verified by re-simulation with 1 seed (2 is the default)
    result = crowdsafe.assess(SCENARIO, Path(tmp) / "hall", seeds=1, threads=2)

    maps = result.analysis_maps  # numpy maps of the /analysis group
    peak = maps["peak_density"]  # (ny, nx), persons/m²
    iy, ix = np.unravel_index(np.nanargmax(peak), peak.shape)
    print(f"{result.summary['scenario']}: {result.summary['agents_total']} persons, "
          f"peak density {peak[iy, ix]:.2f} persons/m² at ({maps.x[ix]:.1f}, {maps.y[iy]:.1f}) m")

    print("\nhotspots:")
    print(result.hotspots[["id", "kind", "severity", "peak_density_per_m2", "exposure_person_s", "clear_width_m"]]
          .to_string(index=False))

    print("\npersons per exit (nearest exit vs assigned):")
    print(result.plan_exits[["name", "capacity_persons_per_s", "persons_nearest", "persons_assigned"]]
          .to_string(index=False))

    routes = result.plan_routes
    print(f"\n{len(routes)} routes; mean free walking time per person by exit, s:")
    weighted = routes.assign(person_s=routes["persons"] * routes["travel_time_s"]).groupby("exit")[["person_s", "persons"]].sum()
    print((weighted["person_s"] / weighted["persons"]).round(1).to_string())

    evac = result.evacuation_outcomes.set_index("label")
    print("\nre-simulated evacuation, s:")
    print(evac[["evacuation_time_p50_s_mean", "evacuation_time_p95_s_mean", "evacuation_time_max_s_mean",
                "lower_bound_s"]].to_string())

    assert routes["persons"].sum() == result.plan["evacuation"]["persons"]
    nearest, assigned = evac.loc["nearest exit"], evac.loc["assigned routes"]
    assert assigned["evacuation_time_p95_s_mean"] < nearest["evacuation_time_p95_s_mean"]
    assert assigned["evacuation_time_max_s_min"] >= assigned["lower_bound_s"]
    print(f"\nOK: assigned routes cut the P95 evacuation time from {nearest['evacuation_time_p95_s_mean']:.1f} s "
          f"to {assigned['evacuation_time_p95_s_mean']:.1f} s (lower bound {assigned['lower_bound_s']:.1f} s)")
