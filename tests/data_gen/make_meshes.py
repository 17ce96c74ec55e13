#!/usr/bin/python3
"""Writes the walkable-surface test meshes (docs/venue-meshes.md) into scenarios/.

Run from anywhere: /usr/bin/python3 tests/data_gen/make_meshes.py
The output is deterministic; the generated files are committed and kept to a few KB each.

Valid meshes (scenarios/venues/meshes/), all of the same 20 m x 10 m floor with a 1 m square
pillar hole at its centre (plan area 199 m^2) unless said otherwise:
  floor.off             z-up, metres, triangles
  floor_yup_cm.obj      y-up, centimetres, quads; groups exit-east and source-west (1 m strips)
  floor_binary.stl      binary STL, metres (float32)
  floor_ascii.stl       ASCII STL, metres
  floor_binary.ply      binary little-endian PLY, metres, triangles
  floor_ascii.ply       ASCII PLY, metres, quads
  ramp.obj              4 m landing, 10 m ramp at 10 % grade, 4 m landing; 2 m wide
  stairs.obj            4 m landing, 35 risers of 0.17 m and 34 treads of 0.29 m (9.86 m in
                        plan), 4 m landing; 2 m wide; no groups (stairs detected from risers)
  stairs_tagged.obj     the same flight with its treads and risers in group stairs-main
  hall.obj (in scenarios/venues/)  the hall of hall.wkt (30 m x 20 m, 2 m pillar, 1.2 m door) as
                        12 triangles on its own 12 corners, for the format-equivalence test
  concourse.obj         two levels: a 40 m x 10 m platform at z 0 and a 20 m x 10 m concourse
                        above part of it at z 4.8 (x 10..30), joined by a 2 m wide stair
                        (group stairs-main, an inclined plane over x 30..38, y 4..6, 31 degrees)
                        whose foot meets the platform at x 38; group exit-west is the concourse's
                        1 m strip at x 10..11 (plan areas 384 + 216 m^2)
Broken meshes (scenarios/invalid/venues/meshes/), each with <file>.expect holding a substring
of the message it must produce.
"""

import pathlib
import struct

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
VALID = ROOT / "scenarios" / "venues" / "meshes"
INVALID = ROOT / "scenarios" / "invalid" / "venues" / "meshes"


def num(v):
    """Shortest exact-enough text for a coordinate."""
    s = f"{v:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# --- geometry builders --------------------------------------------------------------------------

def floor_grid():
    """20 x 10 m floor on a grid whose centre cell is the pillar; quads counter-clockwise from above.

    Columns x = 0, 1, 9.5, 10.5, 19, 20 so the 1 m end strips are cells of their own (regions).
    Returns vertices (n, 3) and a list of (quad, tag) with tag in {"west", "east", None}.
    """
    xs = [0.0, 1.0, 9.5, 10.5, 19.0, 20.0]
    ys = [0.0, 4.5, 5.5, 10.0]
    verts = np.array([[x, y, 0.0] for y in ys for x in xs])
    idx = lambda i, j: j * len(xs) + i
    quads = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            if (i, j) == (2, 1):
                continue  # the pillar
            tag = "west" if i == 0 else "east" if i == len(xs) - 2 else None
            quads.append(([idx(i, j), idx(i + 1, j), idx(i + 1, j + 1), idx(i, j + 1)], tag))
    return verts, quads


def split(quads):
    """Quads -> triangles (0-based), keeping the winding."""
    tris = []
    for q in quads:
        tris.append([q[0], q[1], q[2]])
        tris.append([q[0], q[2], q[3]])
    return tris


def ramp():
    xs = [0.0, 4.0, 14.0, 18.0]
    zs = [0.0, 0.0, 1.0, 1.0]  # 1 m rise over 10 m: 10 % grade
    verts = [[x, y, z] for x, z in zip(xs, zs) for y in (0.0, 2.0)]
    quads = [[2 * i, 2 * i + 2, 2 * i + 3, 2 * i + 1] for i in range(3)]
    return np.array(verts), quads


RISERS, RISER, TREAD, WIDTH, LANDING = 35, 0.17, 0.29, 2.0, 4.0


def stairs():
    """Landing, flight, landing. Returns vertices and (quad, part) with part landing/tread/riser."""
    verts = []

    def v(x, y, z):
        verts.append([x, y, z])
        return len(verts) - 1

    faces = []
    # Bottom landing, ending at the first riser.
    a, b = v(0.0, 0.0, 0.0), v(0.0, WIDTH, 0.0)
    lo = (v(LANDING, 0.0, 0.0), v(LANDING, WIDTH, 0.0))
    faces.append(([a, lo[0], lo[1], b], "landing"))
    for k in range(RISERS):
        x = LANDING + k * TREAD
        z0, z1 = k * RISER, (k + 1) * RISER
        hi = (v(x, 0.0, z1), v(x, WIDTH, z1))
        faces.append(([lo[0], hi[0], hi[1], lo[1]], "riser"))  # vertical, facing -x (the climber)
        if k + 1 < RISERS:
            nxt = (v(x + TREAD, 0.0, z1), v(x + TREAD, WIDTH, z1))
            faces.append(([hi[0], nxt[0], nxt[1], hi[1]], "tread"))
            lo = nxt
        else:
            end = LANDING + (RISERS - 1) * TREAD
            c, d = v(end + LANDING, 0.0, z1), v(end + LANDING, WIDTH, z1)
            faces.append(([hi[0], c, d, hi[1]], "landing"))
    return np.array(verts), faces


def hall():
    """The hall of scenarios/venues/hall.wkt triangulated on its own corners only (no extra
    boundary vertices, so its walls are the WKT's segments). Returns vertices and triangles."""
    verts = [[0, 0, 0], [30, 0, 0], [30, 9.4, 0], [31, 9.4, 0], [31, 10.6, 0], [30, 10.6, 0],
             [30, 20, 0], [0, 20, 0], [14, 9, 0], [16, 9, 0], [16, 11, 0], [14, 11, 0]]
    A, B, C, D, E, F, G, H, P, Q, R, S = range(12)
    tris = [[A, B, P], [B, Q, P], [B, C, Q], [C, R, Q], [C, F, R], [F, G, R], [G, S, R], [G, H, S],
            [H, P, S], [H, A, P], [C, D, E], [C, E, F]]
    return np.array(verts, dtype=float), tris


def concourse():
    """Platform (z 0) with the stair's footprint cut out, stair, concourse (z 4.8) above the
    platform. Returns vertices and (quad, part) with part platform/stairs/concourse/exit."""
    top = 4.8
    verts = []
    index = {}

    def v(x, y, z):
        key = (x, y, z)
        if key not in index:
            index[key] = len(verts)
            verts.append([x, y, z])
        return index[key]

    faces = []
    xs, ys = [0.0, 30.0, 38.0, 40.0], [0.0, 4.0, 6.0, 10.0]
    for j in range(3):
        for i in range(3):
            if (i, j) == (1, 1):
                continue  # the stair's footprint
            x0, x1, y0, y1 = xs[i], xs[i + 1], ys[j], ys[j + 1]
            faces.append(([v(x0, y0, 0.0), v(x1, y0, 0.0), v(x1, y1, 0.0), v(x0, y1, 0.0)], "platform"))
    faces.append(([v(30.0, 4.0, top), v(38.0, 4.0, 0.0), v(38.0, 6.0, 0.0), v(30.0, 6.0, top)], "stairs"))
    cx = [10.0, 11.0, 30.0]
    for j in range(3):
        for i in range(2):
            x0, x1, y0, y1 = cx[i], cx[i + 1], ys[j], ys[j + 1]
            faces.append(([v(x0, y0, top), v(x1, y0, top), v(x1, y1, top), v(x0, y1, top)],
                          "exit" if i == 0 else "concourse"))
    return np.array(verts), faces


# --- writers ------------------------------------------------------------------------------------

def write_obj(path, verts, groups, comment):
    """groups: list of (name or None, faces as 0-based index lists)."""
    lines = [f"# {comment}"]
    lines += ["v " + " ".join(num(c) for c in p) for p in verts]
    for name, faces in groups:
        if name:
            lines.append(f"g {name}")
        lines += ["f " + " ".join(str(i + 1) for i in f) for f in faces]
    path.write_text("\n".join(lines) + "\n")


def write_off(path, verts, faces, comment):
    lines = ["OFF", f"# {comment}", f"{len(verts)} {len(faces)} 0"]
    lines += [" ".join(num(c) for c in p) for p in verts]
    lines += [f"{len(f)} " + " ".join(str(i) for i in f) for f in faces]
    path.write_text("\n".join(lines) + "\n")


def write_ply_ascii(path, verts, faces, comment):
    head = ["ply", "format ascii 1.0", f"comment {comment}", f"element vertex {len(verts)}",
            "property double x", "property double y", "property double z", f"element face {len(faces)}",
            "property list uchar int vertex_indices", "end_header"]
    body = [" ".join(num(c) for c in p) for p in verts]
    body += [f"{len(f)} " + " ".join(str(i) for i in f) for f in faces]
    path.write_text("\n".join(head + body) + "\n")


def write_ply_binary(path, verts, faces, comment):
    head = ["ply", "format binary_little_endian 1.0", f"comment {comment}", f"element vertex {len(verts)}",
            "property double x", "property double y", "property double z", f"element face {len(faces)}",
            "property list uchar int vertex_indices", "end_header"]
    data = bytearray(("\n".join(head) + "\n").encode())
    for p in verts:
        data += struct.pack("<3d", *p)
    for f in faces:
        data += struct.pack("<B", len(f)) + struct.pack(f"<{len(f)}i", *f)
    path.write_bytes(bytes(data))


def facet_normal(a, b, c):
    n = np.cross(b - a, c - a)
    return n / np.linalg.norm(n)


def stl_binary_bytes(verts, tris, header):
    data = bytearray(header.encode().ljust(80, b" ")[:80])
    data += struct.pack("<I", len(tris))
    for t in tris:
        a, b, c = (verts[i] for i in t)
        data += struct.pack("<3f", *facet_normal(a, b, c))
        for p in (a, b, c):
            data += struct.pack("<3f", *p)
        data += struct.pack("<H", 0)
    return bytes(data)


def write_stl_ascii(path, verts, tris, name):
    lines = [f"solid {name}"]
    for t in tris:
        a, b, c = (verts[i] for i in t)
        lines.append("  facet normal " + " ".join(num(x) for x in facet_normal(a, b, c)))
        lines.append("    outer loop")
        lines += ["      vertex " + " ".join(num(x) for x in p) for p in (a, b, c)]
        lines.append("    endloop")
        lines.append("  endfacet")
    lines.append(f"endsolid {name}")
    path.write_text("\n".join(lines) + "\n")


def expect(path, text):
    pathlib.Path(str(path) + ".expect").write_text(text + "\n")


# --- valid meshes -------------------------------------------------------------------------------

def make_valid():
    VALID.mkdir(parents=True, exist_ok=True)
    verts, tagged = floor_grid()
    quads = [q for q, _ in tagged]
    tris = split(quads)
    what = "crowdsafe test floor 20 m x 10 m, 1 m pillar at the centre"

    write_off(VALID / "floor.off", verts, tris, what + ", z up, metres")

    # y-up centimetres: z-up (x, y, z) is file (x, z, -y) — the inverse of the reader's mapping
    # file (x, y, z) -> (x, -z, y). A rotation, so the winding stays valid.
    yup = np.column_stack([verts[:, 0], verts[:, 2], -verts[:, 1]]) * 100.0
    write_obj(VALID / "floor_yup_cm.obj", yup,
              [("floor", [q for q, t in tagged if t is None]),
               ("exit-east", [q for q, t in tagged if t == "east"]),
               ("source-west", [q for q, t in tagged if t == "west"])],
              what + ", y up, centimetres")

    (VALID / "floor_binary.stl").write_bytes(stl_binary_bytes(verts, tris, what + ", binary STL"))
    write_stl_ascii(VALID / "floor_ascii.stl", verts, tris, "floor")
    write_ply_binary(VALID / "floor_binary.ply", verts, tris, what)
    write_ply_ascii(VALID / "floor_ascii.ply", verts, quads, what)

    rv, rq = ramp()
    write_obj(VALID / "ramp.obj", rv, [("ramp", rq)],
              "landing 4 m, ramp 10 m at 10 % grade (1 m rise), landing 4 m; 2 m wide; z up, metres")

    hv, ht = hall()
    write_obj(ROOT / "scenarios" / "venues" / "hall.obj", hv, [("hall", ht)],
              "the hall of hall.wkt: 30 m x 20 m, 2 m pillar at the centre, 1.2 m door; z up, metres")

    cv, cf = concourse()
    write_obj(VALID / "concourse.obj", cv,
              [("floors", [f for f, p in cf if p in ("platform", "concourse")]),
               ("stairs-main", [f for f, p in cf if p == "stairs"]),
               ("exit-west", [f for f, p in cf if p == "exit"])],
              "two levels: platform 40 m x 10 m at z 0, concourse 20 m x 10 m above it at z 4.8, "
              "joined by a 2 m wide stair; z up, metres")

    sv, sf = stairs()
    what = (f"landing {LANDING} m, {RISERS} risers x {RISER} m, {RISERS - 1} treads x {TREAD} m, "
            f"landing {LANDING} m; {WIDTH} m wide; z up, metres")
    write_obj(VALID / "stairs.obj", sv, [(None, [f for f, _ in sf])], what)
    write_obj(VALID / "stairs_tagged.obj", sv,
              [("landings", [f for f, p in sf if p == "landing"]),
               ("stairs-main", [f for f, p in sf if p != "landing"])], what + "; flight in group stairs-main")


# --- broken meshes ------------------------------------------------------------------------------

def make_invalid():
    INVALID.mkdir(parents=True, exist_ok=True)

    # Two floor quads and a vertical fin on the edge they share.
    v = [[0, 0, 0], [2, 0, 0], [4, 0, 0], [0, 2, 0], [2, 2, 0], [4, 2, 0], [2, 0, 1], [2, 2, 1]]
    path = INVALID / "non_manifold_edge.obj"
    write_obj(path, v, [(None, [[0, 1, 4, 3], [1, 2, 5, 4], [1, 4, 7, 6]])],
              "two floor quads and a fin on their shared edge: three faces on one edge")
    expect(path, "non-manifold edge")

    # A floor with a zero-area triangle whose three vertices lie on one line.
    v = [[0, 0, 0], [4, 0, 0], [4, 4, 0], [0, 4, 0], [2, 0, 0]]
    path = INVALID / "degenerate_face.off"
    write_off(path, v, [[0, 1, 2], [0, 2, 3], [0, 4, 1]], "floor plus a zero-area face on its south edge")
    expect(path, "degenerate face")

    # A 3 x 2 grid of floor quads, the middle one of the first row wound the wrong way.
    v = [[x, y, 0] for y in range(3) for x in range(4)]
    quads = [[j * 4 + i, j * 4 + i + 1, (j + 1) * 4 + i + 1, (j + 1) * 4 + i] for j in range(2) for i in range(3)]
    quads[1] = quads[1][::-1]
    path = INVALID / "flipped_face.obj"
    write_obj(path, v, [(None, quads)], "3 x 2 floor, face 1 (0-based) reversed: its normal points down")
    expect(path, "flipped face")

    # A 10 x 10 floor and a 1 x 1 stray piece 5 m away.
    v = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0], [15, 0, 0], [16, 0, 0], [16, 1, 0], [15, 1, 0]]
    path = INVALID / "disconnected_pieces.obj"
    write_obj(path, v, [(None, [[0, 1, 2, 3], [4, 5, 6, 7]])], "a floor and a stray 1 m square 5 m away")
    expect(path, "disconnected walkable surface")

    # A floor at z = 0 and a footbridge across it at z = 5.
    v = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0], [4, -2, 5], [6, -2, 5], [6, 12, 5], [4, 12, 5]]
    path = INVALID / "overlapping_levels.ply"
    write_ply_ascii(path, v, [[0, 1, 2, 3], [4, 5, 6, 7]], "floor at z 0 and a footbridge above it at z 5")
    expect(path, "disconnected walkable surface")

    # A 120 m x 60 m plaza drawn in centimetres, read with the default unit (metres): 12 km.
    v = [[0, 0, 0], [12000, 0, 0], [12000, 6000, 0], [0, 6000, 0]]
    path = INVALID / "plaza_cm_read_as_m.obj"
    write_obj(path, v, [(None, [[0, 1, 2, 3]])], "120 m x 60 m plaza in centimetres")
    expect(path, "set unit: cm or unit: mm")

    # A floor with a flap folded back over it, 0.3 m above: one level folding onto itself.
    v = [[0, 0, 0], [4, 0, 0], [4, 4, 0], [0, 4, 0], [2, 4, 0.3], [2, 0, 0.3]]
    path = INVALID / "self_intersecting.obj"
    write_obj(path, v, [(None, [[0, 1, 2, 3], [1, 2, 4, 5]])], "a floor and a flap folded back over it")
    expect(path, "self-intersecting mesh")

    # Text that is not OBJ: a coordinate that is not a number.
    path = INVALID / "unparseable.obj"
    path.write_text("# a vertex with a word for a coordinate\nv 0 0 zero\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    expect(path, "cannot be read as Wavefront OBJ")

    # The binary STL floor cut off in the middle of its triangles.
    verts, tagged = floor_grid()
    data = stl_binary_bytes(verts, split([q for q, _ in tagged]), "crowdsafe floor, truncated")
    path = INVALID / "truncated_binary.stl"
    path.write_bytes(data[: 84 + 50 * 10 + 17])
    expect(path, "binary STL is truncated")


if __name__ == "__main__":
    make_valid()
    make_invalid()
