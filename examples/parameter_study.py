"""Parameter study: how evacuation time depends on demand and on the safe time headway.

Runs the cross product of two parameters and five seeds on two worker threads (the engine
releases the GIL), then prints percentiles per combination and whether five seeds were enough.
Swap the executor for a dask.distributed Client to run the same study on a cluster.

    PYTHONPATH=build/python /usr/bin/python3 examples/parameter_study.py
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

import crowdsafe

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "minimal.yaml"

parameters = {
    "groups[0].count": [30, 60],  # persons in the room
    "model.time_headway_s": [0.3, 0.45, 0.6],  # s
}

with ThreadPoolExecutor(max_workers=2) as pool:
    runs = crowdsafe.sweep(SCENARIO, parameters, seeds=5, executor=pool)

print(f"{len(runs)} runs, {runs['status'].eq('completed').sum()} completed")
pd.set_option("display.width", 120)
print("\nTime until the last person left (s):")
print(crowdsafe.percentiles(runs, "evacuation_time_max_s", q=(5, 50, 95)).round(1))
print("\nMean converged within 5 % over the last 3 seeds?")
print(crowdsafe.converged(runs, "evacuation_time_max_s", rel_tol=0.05, window=3))

failed = runs[runs["status"] != "completed"]
if len(failed):
    raise SystemExit(f"{len(failed)} runs did not complete:\n{failed[['seed', 'status', 'error']]}")
print("\nOK: parameter study complete")
