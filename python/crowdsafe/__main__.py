"""Command line: ``python -m crowdsafe compare A.yaml B.yaml [...] --seeds N``.

Runs every layout with the same seeds and prints the key metrics with confidence intervals and
a verdict per metric. Exit codes: 0 ok, 2 invalid input.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from . import __version__
from .errors import InputError
from .scenario import load_scenario
from .study import compare


def _parse_value(text: str):
    import yaml

    return yaml.safe_load(text)


def _overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError.single("--set", f"expected KEY=VALUE, e.g. model.time_headway_s=0.5, found '{item}'")
        out[key.strip()] = _parse_value(value)
    return out


def _compare(args: argparse.Namespace) -> int:
    layouts = {chr(ord("A") + i): load_scenario(path) for i, path in enumerate(args.layouts)}
    overrides = _overrides(args.set)
    if args.duration is not None:
        overrides["duration_s"] = args.duration
    for name, path in zip(layouts, args.layouts):
        print(f"{name} = {path}")
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        table, runs = compare(
            layouts,
            seeds=args.seeds,
            executor=pool,
            confidence=args.confidence,
            threads=args.threads,
            overrides=overrides,
            return_runs=True,
        )
    failed = runs[runs["status"] != "completed"]
    for _, row in failed.iterrows():
        print(f"warning: layout {row['layout']} seed {row['seed']}: {row['status']}: {row['error']}", file=sys.stderr)
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.float_format", "{:.4g}".format):
        print(f"\n{args.seeds} seeds per layout, {100 * args.confidence:g} % confidence intervals\n")
        print(table.to_string())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crowdsafe",
        description="crowdsafe from Python. Units: m, s, persons, N.",
    )
    parser.add_argument("--version", action="version", version=f"crowdsafe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser(
        "compare",
        help="compare layouts over the same seeds",
        description="Run each layout (scenario file) with seeds 1..N and print mean, confidence "
        "interval and a verdict per metric (evacuation times in s, contact force in N, persons).",
    )
    cmp.add_argument("layouts", nargs="+", help="scenario files; named A, B, C... in the table")
    cmp.add_argument("--seeds", type=int, default=10, help="runs per layout (seeds 1..N), default 10")
    cmp.add_argument("--workers", type=int, default=2, help="runs in parallel, default 2")
    cmp.add_argument("--threads", type=int, default=1, help="engine threads per run, default 1")
    cmp.add_argument("--confidence", type=float, default=0.95, help="confidence level, default 0.95")
    cmp.add_argument("--duration", type=float, help="simulated time limit, s (overrides duration_s)")
    cmp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a field, e.g. model.time_headway_s=0.5")
    args = parser.parse_args(argv)
    try:
        if len(args.layouts) < 2:
            parser.error("give at least two layouts")
        if args.seeds < 2:
            parser.error("--seeds must be at least 2 for confidence intervals")
        return _compare(args)
    except InputError as e:
        print(e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
