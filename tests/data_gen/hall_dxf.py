#!/usr/bin/python3
"""Writes scenarios/venues/hall.dxf (metres) and hall-mm.dxf (millimetres): the 30 m x 20 m hall
of hall.wkt / hall.geojson as ASCII DXF R12, one layer per role (docs/venue-formats.md).
Run from the repository root: /usr/bin/python3 tests/data_gen/hall_dxf.py"""

RECTS = {  # layer: (x0, y0, x1, y1), m; drawn as closed POLYLINEs
    "exit-door": (30.5, 9.4, 31, 10.6),
    "destination-info-desk": (1, 18.5, 3, 19.5),
    "source-entrance": (2, 2, 8, 18),
    "waiting-queue": (20, 2, 24, 6),
    "stairs-steps": (26, 16, 29, 19),
}
WALKABLE = [(0, 0), (30, 0), (30, 9.4), (31, 9.4), (31, 10.6), (30, 10.6), (30, 20), (0, 20)]
PILLAR = [(14, 9), (16, 9), (16, 11), (14, 11)]  # drawn as four LINEs, chained by the reader
LINES = {"measurement-x25": [(25, 0), (25, 20)], "gate_door-gate": [(30, 9.4), (30, 10.6)]}


def write(path, scale, insunits):
    out = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1009", "9", "$INSUNITS", "70", str(insunits),
           "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    num = lambda v: repr(round(v * scale, 9)).removesuffix(".0")

    def polyline(layer, pts, closed):
        out.extend(["0", "POLYLINE", "8", layer, "66", "1", "10", "0", "20", "0", "30", "0", "70", "1" if closed else "0"])
        for x, y in pts:
            out.extend(["0", "VERTEX", "8", layer, "10", num(x), "20", num(y)])
        out.extend(["0", "SEQEND", "8", layer])

    def line(layer, a, b):
        out.extend(["0", "LINE", "8", layer, "10", num(a[0]), "20", num(a[1]), "11", num(b[0]), "21", num(b[1])])

    polyline("walkable", WALKABLE, True)
    for i in range(4):
        line("obstacle", PILLAR[i], PILLAR[(i + 1) % 4])
    for layer, (x0, y0, x1, y1) in RECTS.items():
        polyline(layer, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], True)
    for layer, (a, b) in LINES.items():
        line(layer, a, b)
    out.extend(["0", "ENDSEC", "0", "EOF"])
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


write("scenarios/venues/hall.dxf", 1, 6)
write("scenarios/venues/hall-mm.dxf", 1000, 4)
