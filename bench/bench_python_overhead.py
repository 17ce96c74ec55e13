#!/usr/bin/python3
"""What the Python layer costs, and how a sweep scales with workers.

1. The same run three ways, each repeated and the fastest kept (least disturbed by other load):
   the CLI (``crowdsafe run --no-trajectories``, a fresh process), ``crowdsafe.run()`` (one call
   into the engine's runner) and ``crowdsafe.Simulation(...).run()`` (the step loop driven from
   Python). Times are wall clock around the whole thing: reading the scenario included.
2. A sweep of the same runs on 1 and on 2 workers (``concurrent.futures.ThreadPoolExecutor``:
   the engine releases the GIL; ``--dask`` uses a dask LocalCluster of worker processes instead).

Wall time is what users feel; CPU time (user + system, all threads, the CLI's child process
included) is the work done, and tells the overhead apart from other load on a shared machine.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python_overhead.py
    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python_overhead.py --repeats 5 --dask

Target (issue "Python"): the Python path adds at most 5 % to a run over the CLI; 2 workers are
close to twice as fast as 1.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import crowdsafe

REPO = pathlib.Path(__file__).resolve().parent.parent


def cpu_s() -> float:
    """CPU time (user + system) of this process and its finished children so far, s."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def fastest(variants: dict, repeats: int) -> dict[str, tuple[float, float]]:
    """Smallest wall time and smallest CPU time of each variant over `repeats` rounds, s.
    Rounds interleave the variants so that changing load on the machine hits all alike."""
    best = {name: (float("inf"), float("inf")) for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start, start_cpu = time.perf_counter(), cpu_s()
            fn()
            wall, cpu = time.perf_counter() - start, cpu_s() - start_cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "festival-plaza" / "scenario.yaml"))
    parser.add_argument("--cli", default=os.environ.get("CROWDSAFE_CLI", str(REPO / "build" / "cli" / "crowdsafe")))
    parser.add_argument("--threads", type=int, default=1, help="engine threads for the single runs (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per single-run variant (default 3)")
    parser.add_argument("--seeds", type=int, default=4, help="runs in the sweep (default 4)")
    parser.add_argument("--sweep-duration", type=float, default=60.0, help="simulated s per sweep run (default 60)")
    parser.add_argument("--dask", action="store_true", help="sweep on a dask LocalCluster instead of threads")
    parser.add_argument("--sweep-only", action="store_true", help="skip the single-run comparison")
    args = parser.parse_args()

    scenario = args.scenario
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="crowdsafe-bench-") as tmp:
        if args.sweep_only:
            args.repeats = 0
        cli = [args.cli, "run", scenario, "--out", f"{tmp}/cli", "-q", "--no-trajectories", "--threads", str(args.threads)]
        variants = {
            "CLI `crowdsafe run --no-trajectories`": lambda: subprocess.run(cli, check=True),
            "crowdsafe.run()": lambda: crowdsafe.run(
                crowdsafe.load_scenario(scenario), out=f"{tmp}/py", record=False, threads=args.threads
            ),
            "crowdsafe.Simulation(...).run()": lambda: crowdsafe.Simulation(
                crowdsafe.load_scenario(scenario), threads=args.threads
            ).run(),
        }
        best = fastest(variants, args.repeats) if args.repeats > 0 else {}
    cli_wall, cli_cpu = best.get("CLI `crowdsafe run --no-trajectories`", (1.0, 1.0))
    for what, (wall, cpu) in best.items():
        note = "reference" if what.startswith("CLI") else f"{100 * (wall / cli_wall - 1):+.1f} % wall, {100 * (cpu / cli_cpu - 1):+.1f} % CPU"
        rows.append((what, wall, cpu, note))

    sc = crowdsafe.load_scenario(scenario, duration_s=args.sweep_duration)
    sweep_times = {}
    for workers in (1, 2):
        start, start_cpu = time.perf_counter(), cpu_s()
        if args.dask:
            import distributed

            with distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
            ) as cluster, distributed.Client(cluster) as client:
                start = time.perf_counter()  # cluster start-up not counted
                df = crowdsafe.sweep(sc, seeds=args.seeds, executor=client, threads=1)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                df = crowdsafe.sweep(sc, seeds=args.seeds, executor=pool, threads=1)
        sweep_times[workers] = (time.perf_counter() - start, cpu_s() - start_cpu)
        assert df["status"].eq("completed").all(), df[["seed", "status", "error"]]
    kind = "dask processes" if args.dask else "threads"
    label = f"sweep, {args.seeds} runs × {args.sweep_duration:g} s"
    rows.append((f"{label}, 1 worker ({kind})", *sweep_times[1], "reference"))
    speedup = sweep_times[1][0] / sweep_times[2][0]
    rows.append((f"{label}, 2 workers ({kind})", *sweep_times[2], f"speed-up {speedup:.2f}×"))

    cpu_note = " (CPU of worker processes not counted)" if args.dask else ""
    print(f"scenario {scenario}, {args.threads} engine thread(s) for single runs, best of {args.repeats}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}{cpu_note}\n")
    print(f"| {'what':<52} | {'wall (s)':>8} | {'CPU (s)':>8} | {'':<30} |")
    print(f"| {'-' * 52} | {'-' * 7}: | {'-' * 7}: | {'-' * 30} |")
    for what, wall, cpu, note in rows:
        print(f"| {what:<52} | {wall:8.2f} | {cpu:8.2f} | {note:<30} |")

if __name__ == "__main__":
    main()
