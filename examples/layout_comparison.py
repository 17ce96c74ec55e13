"""Layout comparison: does a second door make the room safer? Builds layout B from layout A in
Python, runs both over the same seeds and prints means, 95 % confidence intervals and a verdict
per metric. The same comparison on the command line:

    PYTHONPATH=build/python /usr/bin/python3 -m crowdsafe compare A.yaml B.yaml --seeds 8

Run this script with:

    PYTHONPATH=build/python /usr/bin/python3 examples/layout_comparison.py
"""

from pathlib import Path

import pandas as pd

import crowdsafe

one_door = crowdsafe.load_scenario(
    Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "minimal.yaml", duration_s=90
)

# Layout B: the same room with a second 1 m door in the west wall (coordinates in m).
data = one_door.to_dict()
data["name"] = "two-doors"
data["venue"]["walkable"] = (
    "POLYGON ((0 0, 20 0, 20 4.5, 21 4.5, 21 5.5, 20 5.5, 20 10, 0 10, 0 5.5, -1 5.5, -1 4.5, 0 4.5, 0 0))"
)
data["exits"].append({"name": "west-door", "rect": [-1, 4.5, -0.5, 5.5]})
data["groups"][0]["target"] = "nearest_exit"
two_doors = crowdsafe.Scenario.from_dict(data)

table = crowdsafe.compare({"one door": one_door, "two doors": two_doors}, seeds=8)
with pd.option_context("display.width", 200, "display.max_columns", None, "display.float_format", "{:.3g}".format):
    print(table[["one door mean", "one door ci_low", "one door ci_high", "two doors mean", "two doors ci_low",
                 "two doors ci_high", "verdict"]])

assert table.loc["evacuation_time_max_s", "verdict"] == "two doors better", table.loc["evacuation_time_max_s"]
print("OK: layout comparison complete")
