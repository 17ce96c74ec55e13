"""Parameter study: how evacuation time depends on demand and on the safe time headway.

Runs the cross product of two parameters and five seeds on two worker threads (the engine
releases the GIL), then prints percentiles per combination and whether five seeds were enough.
Then, for the busiest room, an ensemble of seeds that keeps each run's analysis maps and exit
times: the probability map of a peak density above 2 persons/m² (saved as a PNG) and the
convergence of the mean evacuation curve (ERD, EPC, secant cosine). Swap the executor for a
dask.distributed Client to run the same study on a cluster.

    PYTHONPATH=build/python /usr/bin/python3 examples/parameter_study.py [OUTPUT_FOLDER]
"""

import atexit
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import crowdsafe  # noqa: E402

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

# ---- Ensemble of the busiest room: where is crowding likely, and were enough seeds run?
# keep=("maps", "exit_times"): each run's analysis maps go to <folder>/run-<i>/maps.h5 (no
# trajectories are kept) and its exit times into the table, so nothing large stays in memory.
busiest = crowdsafe.load_scenario(SCENARIO).with_overrides({"groups[0].count": 60})
if len(sys.argv) > 1:
    folder = Path(sys.argv[1])
else:  # a temporary folder, removed at exit: pass a folder to keep the runs and the figure
    folder = Path(tempfile.mkdtemp(prefix="crowdsafe-study-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
with ThreadPoolExecutor(max_workers=2) as pool:
    busy_runs = crowdsafe.sweep(busiest, seeds=8, executor=pool, out=folder / "busiest", keep=("maps", "exit_times"))

THRESHOLD = 2.0  # persons/m²
exceed = crowdsafe.exceedance_map(busy_runs, "peak_density", THRESHOLD)
p = exceed["probability"]
likely = np.nan_to_num(p) >= 0.5
iy, ix = np.unravel_index(np.nanargmax(p), p.shape)
print(f"\nPeak density above {THRESHOLD:g} persons/m² over {exceed.attrs['run_count']} runs "
      f"({exceed.nx} x {exceed.ny} cells of {exceed.cell_m:g} m):")
print(f"  in at least half of the runs: {likely.sum()} cells, {likely.sum() * exceed.cell_m**2:.2f} m²")
print(f"  most often at x = {exceed.x[ix]:.2f} m, y = {exceed.y[iy]:.2f} m: probability {p[iy, ix]:.2f}")
fig, ax = plt.subplots(figsize=(7, 4))
crowdsafe.plot_venue(ax, busiest, labels=False)
crowdsafe.plot_map(ax, exceed, cmap="magma_r")
figure = folder / "exceedance_peak_density.png"
fig.savefig(figure, dpi=100)
plt.close(fig)
print(f"  map: {figure}")

check = crowdsafe.evacuation_convergence(busy_runs)  # thresholds: crowdsafe.ensemble.CONVERGENCE_THRESHOLDS
print("\nMean evacuation curve as seeds were added (ERD, |1 - EPC|, 1 - SC and the change of the mean")
print(f"total evacuation time must stay within {check.thresholds} for {check.consecutive} runs in a row):")
print(check.table[["run", "tet_mean_s", "tet_change", "erd", "epc", "sc", "within"]].round(4).to_string(index=False))
print(check.verdict)
print("\nOK: parameter study complete")
