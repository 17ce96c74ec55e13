#!/usr/bin/python3
"""Runs every step benchmark in its own process and prints one markdown table.

Each benchmark configuration of build/bench/crowdsafe_bench runs in a fresh child process, so
the peak resident memory measured for the child (os.wait4) belongs to that configuration alone.
Standard library only; meant for Debian's /usr/bin/python3.

    /usr/bin/python3 bench/run_table.py                          # all configurations
    /usr/bin/python3 bench/run_table.py --filter 'agents:1000/' --min-time 0.5
    /usr/bin/python3 bench/run_table.py --json runs/bench.json   # also keep the raw results
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO / "build" / "bench" / "crowdsafe_bench"

# Integration time step of every benchmark scene (crowdsafe::scenes::bench_corridor), s.
TIME_STEP_S = 0.01

# Seconds per unit of Google Benchmark's "time_unit".
TIME_UNITS_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

COLUMNS = [
    "benchmark (case)",
    "N agents",
    "density (persons/m²)",
    "threads",
    "cut-off (m)",
    "agent-updates/s",
    "µs per agent-update",
    "real-time factor",
    "peak memory (MiB)",
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=pathlib.Path, default=DEFAULT_BENCH,
                    help=f"benchmark program (default: {DEFAULT_BENCH.relative_to(REPO)})")
    ap.add_argument("--filter", metavar="REGEX", default="",
                    help="run only benchmarks whose full name matches REGEX (Python re.search), "
                         "e.g. 'agents:1000/' or 'Bounded.*threads:2'")
    ap.add_argument("--min-time", metavar="S", type=float, default=2.0,
                    help="minimum measuring time per benchmark, s (default: 2)")
    ap.add_argument("--json", metavar="OUT", type=pathlib.Path,
                    help="also write the machine description and raw results to OUT (JSON)")
    args = ap.parse_args(argv)
    if not args.min_time > 0:
        ap.error("--min-time must be > 0 s")
    try:
        re.compile(args.filter)
    except re.error as e:
        ap.error(f"--filter: invalid regular expression: {e}")
    return args


def machine() -> dict:
    """CPU model, core count, kernel and date of this run."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def list_benchmarks(bench: pathlib.Path) -> list[str]:
    out = subprocess.run([str(bench), "--benchmark_list_tests"], check=True, capture_output=True, text=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def anchored_filter(name: str) -> str:
    """`^name$` with regular-expression characters escaped, for --benchmark_filter."""
    return "^" + re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", name) + "$"


def run_one(bench: pathlib.Path, name: str, min_time_s: float) -> dict:
    """Runs one benchmark in a fresh process; returns its JSON entry plus the child's peak RSS."""
    # Google Benchmark 1.7.1 takes --benchmark_min_time as a plain number of seconds.
    cmd = [str(bench), f"--benchmark_filter={anchored_filter(name)}", "--benchmark_format=json",
           f"--benchmark_min_time={min_time_s:g}"]
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        stdout = child.stdout.read()
        child.stdout.close()
        # wait4 reaps the child and returns its resource usage; ru_maxrss is in KiB on Linux.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {child.returncode}:\n{stderr.strip()}")
    try:
        doc = json.loads(stdout)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"{' '.join(cmd)}: output is not JSON ({e}):\n{stdout[:500]!r}") from None
    runs = [b for b in doc.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"]
    if len(runs) != 1 or "error_occurred" in runs[0]:
        raise RuntimeError(f"{' '.join(cmd)}: expected one successful result, got {runs!r}")
    return {"name": name, "command": cmd, "result": runs[0], "context": doc.get("context", {}),
            "peak_rss_kib": usage.ru_maxrss}


def row(raw: dict) -> tuple[list[str], bool]:
    """Table cells for one result, and whether fewer agents than nominal were stepped on average."""
    r = raw["result"]
    case, *parts = raw["name"].split("/")
    params = dict(p.split(":", 1) for p in parts if ":" in p)
    agents = int(params.get("agents", "0"))
    seconds_per_step = r["real_time"] * TIME_UNITS_S[r["time_unit"]]
    updates_per_s = r["items_per_second"]
    # Agents who reach the corridor's exit leave, so the mean per step can fall below N.
    mean_agents = updates_per_s * seconds_per_step
    fewer = agents > 0 and mean_agents < 0.99 * agents
    cells = [
        case.removeprefix("BM_"),
        f"{agents:,}" + (f" (mean {mean_agents:,.0f}) *" if fewer else ""),
        params.get("density", "?"),
        params.get("threads", "?"),
        f"{r['cutoff_m']:.2f}" if "cutoff_m" in r else "?",
        f"{updates_per_s:,.0f}",
        f"{1e6 / updates_per_s:.3f}",
        f"{TIME_STEP_S / seconds_per_step:.2f}",
        f"{raw['peak_rss_kib'] / 1024:.1f}",
    ]
    return cells, fewer


def markdown(rows: list[list[str]]) -> str:
    numeric = [False] + [True] * (len(COLUMNS) - 1)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if num else c.ljust(w)
                                 for c, w, num in zip(cells, widths, numeric)) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric)) + " |"
    return "\n".join([line(COLUMNS), rule, *(line(r) for r in rows)])


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not os.access(args.bench, os.X_OK):
        print(f"error: {args.bench} not found or not executable; build it first: "
              "cmake --build build -j2 --target crowdsafe_bench", file=sys.stderr)
        return 2
    names = [n for n in list_benchmarks(args.bench) if re.search(args.filter, n)]
    if not names:
        print(f"error: no benchmark of {args.bench} matches --filter '{args.filter}'", file=sys.stderr)
        return 2

    info = machine()
    results, failures, rows, any_fewer = [], [], [], False
    for k, name in enumerate(names, 1):
        print(f"[{k}/{len(names)}] {name}", file=sys.stderr, flush=True)
        try:
            raw = run_one(args.bench, name, args.min_time)
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            failures.append({"name": name, "error": str(e)})
            continue
        results.append(raw)
        cells, fewer = row(raw)
        rows.append(cells)
        any_fewer |= fewer

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": info, "min_time_s": args.min_time, "time_step_s": TIME_STEP_S,
                                         "results": results, "failures": failures}, indent=2) + "\n")

    print(f"Machine: {info['cpu']}, {info['usable_cores']} cores usable ({info['logical_cores']} logical), "
          f"Linux {info['kernel']}; {info['date']}.")
    print(f"Each configuration ran in its own process, measuring for at least {args.min_time:g} s; "
          f"time step {TIME_STEP_S} s; real-time factor = simulated s per wall s.")
    print()
    if rows:
        print(markdown(rows))
    if any_fewer:
        print()
        print("\\* agents reached the corridor's exit while measuring, so on average fewer than N were "
              "stepped (mean agents per step in brackets); agent-updates/s counts the agents actually "
              "stepped, but the real-time factor is that of the emptier corridor. A shorter --min-time "
              "avoids this.")
    if failures:
        print()
        print(f"{len(failures)} benchmark(s) failed: " + ", ".join(f["name"] for f in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
