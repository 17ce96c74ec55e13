#!/usr/bin/python3
"""What ensemble statistics cost: time and memory of an exceedance-probability map and of the
convergence check over many runs.

1. ``--runs`` maps files shaped like a sweep's ``maps.h5`` (the /analysis group: 14 maps of
   ny x nx float64 plus two (6, ny, nx) level-of-service fractions, random values) on a
   ``--nx`` x ``--ny`` grid, then ``exceedance_map`` of peak_density and of los_walkway over all
   of them. Memory is numpy's traced peak (tracemalloc) during the call, next to the size of
   one map and of all maps held at once.
2. ``evacuation_convergence`` over ``--runs`` runs of ``--persons`` exit times each.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_ensemble.py
    PYTHONPATH=build/python /usr/bin/python3 bench/bench_ensemble.py --runs 500 --nx 240 --ny 160
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time
import tracemalloc

import h5py
import numpy as np

import crowdsafe

MAPS = ["peak_density", "peak_density_time", "mean_density", "mean_speed", "mean_flow_x", "mean_flow_y",
        "time_above_imo_density", "peak_pressure", "peak_contact_force", "peak_counterflow", "counterflow_time",
        "lane_order", "walkable_fraction", "wall_distance"]


def write_maps(folder: pathlib.Path, runs: int, nx: int, ny: int) -> list[pathlib.Path]:
    rng = np.random.default_rng(1)
    files = []
    for i in range(runs):
        file = folder / f"run-{i:04d}" / "maps.h5"
        file.parent.mkdir()
        with h5py.File(file, "w") as f:
            g = f.create_group("analysis")
            for key, value in {"cell_m": 0.5, "origin_x_m": 0.0, "origin_y_m": 0.0, "nx": nx, "ny": ny}.items():
                g.attrs[key] = value
            for name in MAPS:
                g.create_dataset(name, data=rng.gamma(2.0, 1.5, (ny, nx)))
            for name in ("los_walkway", "los_queuing"):
                g.create_dataset(name, data=rng.dirichlet(np.ones(6), (ny, nx)).transpose(2, 0, 1))
        files.append(file)
    return files


def timed(label: str, call, scale_mb: float) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    call()
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"| {label} | {wall:.2f} | {peak:.2f} | {scale_mb:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--nx", type=int, default=120, help="grid columns (120 x 80 = a 60 m x 40 m venue at 0.5 m)")
    parser.add_argument("--ny", type=int, default=80)
    parser.add_argument("--persons", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="crowdsafe-bench-ensemble-") as tmp:
        files = write_maps(pathlib.Path(tmp), args.runs, args.nx, args.ny)
        one = args.nx * args.ny * 8 / 1e6
        print(f"{args.runs} runs, grid {args.nx} x {args.ny}, maps.h5 {files[0].stat().st_size / 1e6:.2f} MB each, "
              f"one map {one:.3f} MB\n")
        print("| call | wall (s) | traced peak (MB) | all inputs at once (MB) |")
        print("| --- | ---: | ---: | ---: |")
        timed("exceedance_map(peak_density > 4)", lambda: crowdsafe.exceedance_map(files, "peak_density", 4.0),
              args.runs * one)
        timed("exceedance_map(los_walkway, 'E')", lambda: crowdsafe.exceedance_map(files, "los_walkway", "E"),
              args.runs * 6 * one)
    rng = np.random.default_rng(2)
    times = [np.sort(rng.gamma(9.0, 20.0, args.persons)) for _ in range(args.runs)]
    timed(f"evacuation_convergence({args.runs} x {args.persons} exit times)",
          lambda: crowdsafe.evacuation_convergence(times), args.runs * args.persons * 8 / 1e6)


if __name__ == "__main__":
    main()
