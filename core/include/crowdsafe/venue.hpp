#pragma once
/// @file venue.hpp
/// A venue read from a floor plan (WKT, GeoJSON, DXF) or a walkable-surface mesh (OBJ, OFF,
/// PLY, STL): the walkable area in plan view, named regions, and — from meshes — the 3-D
/// surface with its slopes and stairs. Lengths in metres after unit conversion.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/geometry.hpp"

namespace crowdsafe {

/// What a named region of a venue file is for.
enum class RegionRole {
  Exit,             ///< people leave the venue here
  Destination,      ///< people go here and stay
  Source,           ///< people arrive here
  Gate,             ///< a line across a passage where flow can be metered
  WaitingArea,      ///< an area where people wait
  MeasurementLine,  ///< a line across which flows are counted
  Stairs,           ///< an area walked as stairs
};

/// Text name of a role as used in files ("exit", "waiting_area", ...).
const char* role_name(RegionRole role);

/// A named area or line from a venue file.
struct Region {
  std::string name;
  RegionRole role = RegionRole::Exit;
  std::vector<Polygon> area;  ///< for area roles, m
  std::vector<Vec2> line;     ///< for line roles (gate, measurement line): a polyline, m
  SourceLocation where;       ///< file and line/element where it was defined
};

/// 3-D point, m (z up after the up-axis conversion).
struct Vec3 {
  double x = 0.0, y = 0.0, z = 0.0;
};

/// Walkable surface mesh: triangles with heights, for slopes and stairs. Plan view = (x, y).
struct Surface {
  std::vector<Vec3> vertices;                          ///< m
  std::vector<std::array<std::uint32_t, 3>> triangles; ///< indexes into vertices
  std::vector<std::uint8_t> stairs;                    ///< per triangle: 1 = walked as stairs
};

/// One floor of a multi-level venue (a platform, the concourse above it, a footbridge). The
/// simulation works in plan view, so levels that lie above each other are laid out side by
/// side: a level's venue coordinates are its world plan coordinates plus `offset`. Stairs and
/// ramps belong to one of the levels they join (or form a level of their own).
struct Level {
  std::string name;      ///< "level 0", "level 1", ... from the lowest up
  Vec2 offset;           ///< venue (layout) coordinates minus world plan coordinates, m
  double z_min_m = 0.0;  ///< lowest surface height on the level, m
  double z_max_m = 0.0;  ///< highest surface height on the level, m
  Box bounds;            ///< plan extent in venue (layout) coordinates, m
  double area_m2 = 0.0;  ///< walkable plan area, m²
};

/// A seam where two levels meet (the head or foot of a stair or ramp): a person crossing
/// `line` moves by `shift` onto the other level's layout. Every seam is listed once per side.
struct Portal {
  Segment line;        ///< on the `from` level, venue coordinates, m
  int from_level = 0;  ///< index into Venue::levels
  int to_level = 0;
  Vec2 shift;          ///< venue coordinates on `to` minus those on `from`, m
};

/// Units a venue file may be drawn in; converted to metres on reading.
enum class LengthUnit { Metre, Centimetre, Millimetre, Inch, Foot };

/// Which axis of a mesh file points up.
enum class UpAxis { Z, Y };

/// How to read a venue file.
struct VenueOptions {
  LengthUnit unit = LengthUnit::Metre;  ///< file unit (DXF files with $INSUNITS override it)
  bool unit_given = false;              ///< true when the scenario named the unit explicitly
  UpAxis up = UpAxis::Z;                ///< meshes only
  double weld_tolerance_m = 0.0;        ///< snap vertices closer than this (0 = never weld)
};

/// A venue in plan view.
struct Venue {
  std::vector<Polygon> walkable;  ///< holes are obstacles, m (levels side by side, see Level)
  std::vector<Region> regions;
  Surface surface;                ///< empty for 2-D floor plans
  std::vector<Level> levels;      ///< empty for single-level venues
  std::vector<Portal> portals;    ///< seams between levels (both sides)
  std::filesystem::path file;
};

/// Reads a venue file, choosing the reader by extension (.wkt, .geojson/.json, .dxf, .obj,
/// .off, .ply, .stl). Throws InputError naming file, element and what to fix.
Venue read_venue(const std::filesystem::path& file, const VenueOptions& options = {});

/// Metres per file unit.
double metres_per_unit(LengthUnit unit);

}  // namespace crowdsafe
