#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "crowdsafe/venue.hpp"

namespace crowdsafe {
namespace {

const std::filesystem::path kMeshes = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/venues/meshes";
const std::filesystem::path kBroken = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/invalid/venues/meshes";

// The 20 m x 10 m floor minus its 1 m pillar.
constexpr double kFloorArea = 199.0;

Venue read(const std::string& name, VenueOptions options = {}) { return read_venue(kMeshes / name, options); }

VenueOptions yup_cm() {
  VenueOptions o;
  o.unit = LengthUnit::Centimetre;
  o.unit_given = true;
  o.up = UpAxis::Y;
  return o;
}

std::size_t hole_count(const Venue& v) {
  std::size_t n = 0;
  for (const auto& p : v.walkable) n += p.holes.size();
  return n;
}

Vec3 centroid(const Surface& s, std::size_t t) {
  Vec3 c;
  for (auto i : s.triangles[t]) {
    c.x += s.vertices[i].x / 3.0;
    c.y += s.vertices[i].y / 3.0;
    c.z += s.vertices[i].z / 3.0;
  }
  return c;
}

// Steepest gradient (rise over run) of a surface triangle.
double gradient(const Surface& s, std::size_t t) {
  const Vec3 a = s.vertices[s.triangles[t][0]], b = s.vertices[s.triangles[t][1]], c = s.vertices[s.triangles[t][2]];
  const double ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z, vx = c.x - a.x, vy = c.y - a.y, vz = c.z - a.z;
  const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
  return std::hypot(nx, ny) / std::abs(nz);
}

std::string message_of(const std::filesystem::path& file, VenueOptions options = {}) {
  try {
    read_venue(file, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(VenueMesh, ReadsEveryFormatAsTheSameFloor) {
  const std::vector<std::pair<std::string, VenueOptions>> files = {
      {"floor.off", {}},        {"floor_yup_cm.obj", yup_cm()}, {"floor_binary.stl", {}},
      {"floor_ascii.stl", {}},  {"floor_binary.ply", {}},       {"floor_ascii.ply", {}},
  };
  for (const auto& [name, options] : files) {
    SCOPED_TRACE(name);
    const Venue v = read(name, options);
    ASSERT_EQ(v.walkable.size(), 1u);
    EXPECT_NEAR(area(v.walkable), kFloorArea, 1e-3 * kFloorArea);
    EXPECT_EQ(hole_count(v), 1u);
    EXPECT_FALSE(v.surface.triangles.empty());
    EXPECT_EQ(v.surface.stairs.size(), v.surface.triangles.size());
    const Box box = bounds(v.walkable);
    EXPECT_NEAR(box.min.x, 0.0, 1e-6);
    EXPECT_NEAR(box.max.x, 20.0, 1e-6);
    EXPECT_NEAR(box.min.y, 0.0, 1e-6);
    EXPECT_NEAR(box.max.y, 10.0, 1e-6);
  }
}

TEST(VenueMesh, OutlineIsCounterClockwiseWithThePillarAsAClockwiseHole) {
  const Venue v = read("floor.off");
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_EQ(v.walkable[0].outer.size(), 4u);  // straight runs of boundary edges are merged
  EXPECT_NEAR(signed_area(v.walkable[0].outer), 200.0, 1e-9);
  ASSERT_EQ(v.walkable[0].holes.size(), 1u);
  EXPECT_NEAR(signed_area(v.walkable[0].holes[0]), -1.0, 1e-9);
  EXPECT_TRUE(contains(v.walkable, Vec2{5.0, 5.0}));
  EXPECT_FALSE(contains(v.walkable, Vec2{10.0, 5.0}));
}

TEST(VenueMesh, YUpCentimetreObjMapsToZUpMetres) {
  const Venue v = read("floor_yup_cm.obj", yup_cm());
  for (const Vec3& p : v.surface.vertices) {
    EXPECT_NEAR(p.z, 0.0, 1e-9);
    EXPECT_GE(p.y, -1e-9);  // file z = -y: the plan is not mirrored
  }
}

TEST(VenueMesh, YUpFileReadAsZUpSuggestsTheUpAxis) {
  VenueOptions o;
  o.unit = LengthUnit::Centimetre;
  EXPECT_NE(message_of(kMeshes / "floor_yup_cm.obj", o).find("set up_axis: y"), std::string::npos);
}

TEST(VenueMesh, ObjGroupsWithRolePrefixesBecomeRegions) {
  const Venue v = read("floor_yup_cm.obj", yup_cm());
  ASSERT_EQ(v.regions.size(), 2u);  // "floor" has no role prefix
  const auto find = [&](const std::string& name) {
    return std::find_if(v.regions.begin(), v.regions.end(), [&](const Region& r) { return r.name == name; });
  };
  const auto exit = find("exit-east");
  const auto source = find("source-west");
  ASSERT_NE(exit, v.regions.end());
  ASSERT_NE(source, v.regions.end());
  EXPECT_EQ(exit->role, RegionRole::Exit);
  EXPECT_EQ(source->role, RegionRole::Source);
  EXPECT_NEAR(area(exit->area), 10.0, 1e-9);
  EXPECT_NEAR(area(source->area), 10.0, 1e-9);
  EXPECT_NEAR(bounds(exit->area).min.x, 19.0, 1e-9);
  EXPECT_NEAR(bounds(source->area).max.x, 1.0, 1e-9);
  EXPECT_GT(exit->where.line, 0);
  // Region faces are walkable too.
  EXPECT_NEAR(area(v.walkable), kFloorArea, 1e-9);
}

TEST(VenueMesh, RampSlopeIsTenPercent) {
  const Venue v = read("ramp.obj");
  EXPECT_NEAR(area(v.walkable), 36.0, 1e-9);
  double steepest = 0.0;
  for (std::size_t t = 0; t < v.surface.triangles.size(); ++t) steepest = std::max(steepest, gradient(v.surface, t));
  EXPECT_NEAR(steepest, 0.10, 0.005);
  for (auto s : v.surface.stairs) EXPECT_EQ(s, 0);
}

void expect_stairs_on_flight_only(const Venue& v) {
  const double flight_end = 4.0 + 34 * 0.29;
  std::size_t treads = 0;
  for (std::size_t t = 0; t < v.surface.triangles.size(); ++t) {
    const Vec3 c = centroid(v.surface, t);
    const bool on_flight = c.x > 4.0 && c.x < flight_end;
    EXPECT_EQ(v.surface.stairs[t], on_flight ? 1 : 0) << "triangle " << t << " at x = " << c.x;
    treads += on_flight;
  }
  EXPECT_EQ(treads, 2u * 34u);  // two triangles per tread; risers are not walkable
}

TEST(VenueMesh, StairsAreDetectedFromRisersAndLandingsAreNot) {
  const Venue v = read("stairs.obj");
  expect_stairs_on_flight_only(v);
  EXPECT_TRUE(v.regions.empty());
}

TEST(VenueMesh, StairsGroupTagsTheFlight) {
  const Venue v = read("stairs_tagged.obj");
  expect_stairs_on_flight_only(v);
  ASSERT_EQ(v.regions.size(), 1u);
  EXPECT_EQ(v.regions[0].role, RegionRole::Stairs);
  EXPECT_NEAR(area(v.regions[0].area), 34 * 0.29 * 2.0, 1e-9);
}

TEST(VenueMesh, RisersDoNotSplitTheWalkableArea) {
  const Venue v = read("stairs.obj");
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_TRUE(v.walkable[0].holes.empty());
  EXPECT_EQ(v.walkable[0].outer.size(), 4u);
  EXPECT_NEAR(area(v.walkable), (8.0 + 34 * 0.29) * 2.0, 1e-9);
}

TEST(VenueMesh, EveryBrokenMeshGivesItsExpectedMessage) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kBroken)) {
    const auto& file = entry.path();
    if (file.extension() == ".expect") continue;
    ++n;
    std::ifstream in(file.string() + ".expect");
    std::string expected;
    std::getline(in, expected);
    ASSERT_FALSE(expected.empty()) << file << " has no .expect sidecar";
    const std::string message = message_of(file);
    SCOPED_TRACE(file.filename().string());
    EXPECT_NE(message.find(expected), std::string::npos) << "got: " << message;
    EXPECT_NE(message.find(file.string()), std::string::npos) << "message does not name the file: " << message;
  }
  EXPECT_GE(n, 9u);
}

TEST(VenueMesh, BrokenFaceMessagesNameTheFaceAndLine) {
  const std::string flipped = message_of(kBroken / "flipped_face.obj");
  EXPECT_NE(flipped.find("flipped_face.obj:"), std::string::npos) << flipped;
  EXPECT_NE(flipped.find("faces[1]"), std::string::npos) << flipped;
  EXPECT_NE(flipped.find("reverse its vertex order"), std::string::npos) << flipped;
  const std::string degenerate = message_of(kBroken / "degenerate_face.off");
  EXPECT_NE(degenerate.find("faces[2]"), std::string::npos) << degenerate;
}

TEST(VenueMesh, DisconnectedPiecesAreListedWithTheirSizes) {
  const std::string m = message_of(kBroken / "disconnected_pieces.obj");
  EXPECT_NE(m.find("2 separate pieces"), std::string::npos) << m;
  EXPECT_NE(m.find("100.00 m²"), std::string::npos) << m;
  EXPECT_NE(m.find("1.00 m²"), std::string::npos) << m;
}

TEST(VenueMesh, CentimetreFileReadsWithTheRightUnit) {
  VenueOptions o;
  o.unit = LengthUnit::Centimetre;
  const Venue v = read_venue(kBroken / "plaza_cm_read_as_m.obj", o);
  EXPECT_NEAR(area(v.walkable), 120.0 * 60.0, 1e-6);
}

TEST(VenueMesh, TinyVenueSuggestsALargerUnit) {
  VenueOptions o;
  o.unit = LengthUnit::Millimetre;
  EXPECT_NE(message_of(kMeshes / "floor.off", o).find("set unit: m"), std::string::npos);
}

// Two 5 m x 4 m halves of a floor 1 mm apart: two pieces unless welding is asked for.
std::filesystem::path write_gap_mesh() {
  const auto file = std::filesystem::temp_directory_path() / ("crowdsafe_gap_" + std::to_string(::getpid()) + ".obj");
  std::ofstream out(file);
  out << "v 0 0 0\nv 5 0 0\nv 5 4 0\nv 0 4 0\nv 5.001 0 0\nv 10 0 0\nv 10 4 0\nv 5.001 4 0\n"
         "f 1 2 3 4\nf 5 6 7 8\n";
  return file;
}

TEST(VenueMesh, TinyGapIsReportedWithoutWelding) {
  const auto file = write_gap_mesh();
  const std::string m = message_of(file);
  std::filesystem::remove(file);
  EXPECT_NE(m.find("disconnected walkable surface"), std::string::npos) << m;
}

TEST(VenueMesh, WeldToleranceClosesATinyGap) {
  const auto file = write_gap_mesh();
  VenueOptions o;
  o.weld_tolerance_m = 0.002;
  const Venue v = read_venue(file, o);
  std::filesystem::remove(file);
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_NEAR(area(v.walkable), 40.0, 0.01);
  EXPECT_EQ(v.walkable[0].outer.size(), 4u);
}

TEST(VenueMesh, OverlappingFacesAreReportedOncePerFacePair) {
  const std::string m = message_of(kBroken / "overlapping_levels.ply");
  const std::string what = "overlapping surfaces";
  EXPECT_EQ(m.find(what), m.rfind(what)) << m;
}

}  // namespace
}  // namespace crowdsafe
