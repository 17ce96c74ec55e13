"""Checks a run folder's analysis outputs and renders report.html in headless Chromium.

The page's script writes a JSON self-test into <pre id="selftest"> once it has drawn every
figure and played the replay; Chromium's --dump-dom prints the DOM after the virtual-time
budget, and this script asserts on that JSON. Also checks hotspots.json, hotspots.geojson and
the /analysis group of trajectories.h5 (docs/analysis-outputs.md).
"""

import argparse
import html
import json
import pathlib
import re
import subprocess
import sys

import h5py
import numpy as np

FIGURES = ["map", "map-los", "map-pressure", "map-counterflow", "map-peak_density", "hotspot-map",
           "chart-hotspots", "chart-flows", "chart-evacuation", "replay"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--run", required=True, type=pathlib.Path)
    ap.add_argument("--tmp", required=True, type=pathlib.Path)
    a = ap.parse_args()

    hs = json.loads((a.run / "hotspots.json").read_text())
    if hs.get("schema") != "crowdsafe.hotspots/1":
        fail("hotspots.json: schema")
    if hs["analysis"]["los_schemes"] != ["Fruin walkway", "Fruin queuing"]:
        fail("hotspots.json must name both level-of-service schemes")
    ranks = [h["rank"] for h in hs["hotspots"]]
    if ranks != list(range(1, len(ranks) + 1)):
        fail(f"hotspots not ranked 1..n: {ranks}")
    scores = [h["risk_score"] for h in hs["hotspots"]]
    if scores != sorted(scores, reverse=True):
        fail("hotspots not sorted by risk score")
    gj = json.loads((a.run / "hotspots.geojson").read_text())
    if gj["type"] != "FeatureCollection":
        fail("hotspots.geojson is not a FeatureCollection")
    polys = [f for f in gj["features"] if f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    if len(polys) != len(hs["hotspots"]):
        fail("hotspots.geojson has not one polygon feature per hotspot")

    with h5py.File(a.run / "trajectories.h5", "r") as f:
        an = f["analysis"]
        ny, nx = int(an.attrs["ny"]), int(an.attrs["nx"])
        for name in ["peak_density", "peak_density_time", "peak_pressure", "peak_counterflow", "peak_contact_force",
                     "mean_speed", "lane_order", "hotspot_rank"]:
            if an[name].shape != (ny, nx):
                fail(f"/analysis/{name} shape {an[name].shape} != {(ny, nx)}")
        for name in ["los_walkway", "los_queuing"]:
            los = an[name][:]
            if los.shape != (6, ny, nx):
                fail(f"/analysis/{name} shape {los.shape}")
            s = np.nansum(los, axis=0)[np.isfinite(los[0])]
            if not np.allclose(s, 1.0):
                fail(f"/analysis/{name} fractions do not sum to 1")
        if not np.nanmax(an["peak_density"][:]) > 0:
            fail("peak density map is empty")

    page = (a.run / "report.html").resolve()
    size_mb = page.stat().st_size / 1e6
    if size_mb > 20:
        fail(f"report.html is {size_mb:.1f} MB (> 20 MB)")
    text = page.read_text()
    if re.search(r"""(src|href)\s*=\s*["']https?:""", text):
        fail("report.html references the network")
    a.tmp.mkdir(parents=True, exist_ok=True)
    cmd = [a.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={a.tmp}",
           "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    m = re.search(r'<pre id="selftest">(.*?)</pre>', p.stdout, re.S)
    if not m or not m.group(1).strip():
        fail(f"no self-test in the rendered page (chromium rc {p.returncode}); stderr:\n{p.stderr[-3000:]}")
    st = json.loads(html.unescape(m.group(1)))
    print("self-test:", json.dumps(st))
    if not st.get("ok"):
        fail(f"page script failed: {st.get('error')}")
    for fig in FIGURES:
        if not st["figures"].get(fig, 0) > 0:
            fail(f"figure {fig} drew nothing")
    if not st["figures"].get("facts", 0) > 2:
        fail("run facts table is empty")
    if st["figures"].get("hotspot-table-rows", 0) != len(hs["hotspots"]) + 1:
        fail("hotspot table rows != hotspots + header")
    plan_file = a.run / "plan.json"
    if plan_file.exists():
        plan = json.loads(plan_file.read_text())
        if not st.get("plan"):
            fail("plan.json exists but report.html has no plan")
        if not st["figures"].get("plan", 0) > 0:
            fail("plan map drew nothing")
        rows = (len(plan["gates"]) + len(plan["dividers"]) + len(plan["releases"]) + len(plan.get("routings", []))
                + len(plan["unresolved"]) + 1)
        if st["figures"].get("plan-measure-rows", 0) != rows:
            fail(f"plan measures table has {st['figures'].get('plan-measure-rows')} rows, expected {rows}")
        gj = json.loads((a.run / "plan.geojson").read_text())
        gates = [f for f in gj["features"] if f["properties"].get("role") == "gate"]
        if len(gates) != len(plan["gates"]):
            fail("plan.geojson has not one line per gate")
    r = st["replay"]
    if not (r.get("frames", 0) > 1 and r.get("advanced")):
        fail(f"replay did not advance after play: {r}")
    print(f"report.html OK: {size_mb:.1f} MB, {len(hs['hotspots'])} hotspots, replay {r['start']} -> {r['after']} of {r['frames']} frames")


if __name__ == "__main__":
    main()
