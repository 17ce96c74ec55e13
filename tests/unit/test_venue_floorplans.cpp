// Floor plans (WKT, GeoJSON, DXF): the same hall read from every format gives the same venue and
// the same simulation; DXF arcs, blocks and JuPedSim layers; every bad file in
// scenarios/invalid/venues/ fails with its expected message.
#include <gtest/gtest.h>

#include "support/run_helpers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"
#include "crowdsafe/venue.hpp"

namespace crowdsafe {
namespace {

const std::filesystem::path kSource(CROWDSAFE_SOURCE_DIR);
const std::filesystem::path kVenues = kSource / "scenarios/venues";
const std::filesystem::path kInvalid = kSource / "scenarios/invalid/venues";

// 30 × 20 m, a 1 m × 1.2 m door stub, minus the 2 × 2 m pillar.
constexpr double kHallArea = 30.0 * 20.0 + 1.0 * 1.2 - 4.0;

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "crowdsafe_venue_floorplans";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

// ASCII DXF with $INSUNITS and the given ENTITIES (and optional BLOCKS) section bodies.
std::string dxf(int insunits, const std::string& entities, const std::string& blocks = "") {
  std::string s = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n" + std::to_string(insunits) + "\n0\nENDSEC\n";
  if (!blocks.empty()) s += "0\nSECTION\n2\nBLOCKS\n" + blocks + "0\nENDSEC\n";
  return s + "0\nSECTION\n2\nENTITIES\n" + entities + "0\nENDSEC\n0\nEOF\n";
}

// LWPOLYLINE with vertices {x, y, bulge}.
std::string lwpolyline(const std::string& layer, bool closed, const std::vector<std::array<double, 3>>& v) {
  std::string s = "0\nLWPOLYLINE\n8\n" + layer + "\n90\n" + std::to_string(v.size()) + "\n70\n" + (closed ? "1" : "0") +
                  "\n";
  for (const auto& p : v) {
    s += "10\n" + std::to_string(p[0]) + "\n20\n" + std::to_string(p[1]) + "\n";
    if (p[2] != 0.0) s += "42\n" + std::to_string(p[2]) + "\n";
  }
  return s;
}

const Region* find_region(const Venue& v, RegionRole role, const std::string& name) {
  for (const auto& r : v.regions)
    if (r.role == role && r.name == name) return &r;
  return nullptr;
}

bool same_rings(const Ring& a, const Ring& b, double tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i].x - b[i].x) > tol || std::abs(a[i].y - b[i].y) > tol) return false;
  return true;
}

bool same_polygons(const std::vector<Polygon>& a, const std::vector<Polygon>& b, double tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_rings(a[i].outer, b[i].outer, tol) || a[i].holes.size() != b[i].holes.size()) return false;
    for (std::size_t h = 0; h < a[i].holes.size(); ++h)
      if (!same_rings(a[i].holes[h], b[i].holes[h], tol)) return false;
  }
  return true;
}

TEST(VenueFloorplans, HallHasTheSameWalkableAreaInWktGeoJsonDxfMillimetreDxfAndObj) {
  const Venue wkt = read_venue(kVenues / "hall.wkt");
  for (const char* name : {"hall.wkt", "hall.geojson", "hall.dxf", "hall-mm.dxf", "hall.obj"}) {
    const Venue v = read_venue(kVenues / name);
    ASSERT_EQ(v.walkable.size(), 1u) << name;
    EXPECT_EQ(v.walkable[0].holes.size(), 1u) << name << ": the pillar must be a hole";
    EXPECT_NEAR(area(v.walkable), kHallArea, 1e-3 * kHallArea) << name;
    EXPECT_NEAR(area(v.walkable), area(wkt.walkable), 1e-3 * area(wkt.walkable)) << name;
  }
  // Metres and millimetres (divided by 1000, not multiplied by 0.001) give the same doubles.
  EXPECT_TRUE(same_polygons(read_venue(kVenues / "hall.dxf").walkable, wkt.walkable, 0.0));
  EXPECT_TRUE(same_polygons(read_venue(kVenues / "hall-mm.dxf").walkable, wkt.walkable, 0.0));
  EXPECT_TRUE(same_polygons(read_venue(kVenues / "hall.geojson").walkable, wkt.walkable, 0.0));
}

TEST(VenueFloorplans, GeoJsonHallHoldsEveryRoleWithItsName) {
  const Venue v = read_venue(kVenues / "hall.geojson");
  const std::map<RegionRole, std::string> expected = {
      {RegionRole::Exit, "door"},         {RegionRole::Destination, "info-desk"},
      {RegionRole::Source, "entrance"},   {RegionRole::Gate, "door-gate"},
      {RegionRole::WaitingArea, "queue"}, {RegionRole::MeasurementLine, "x25"},
      {RegionRole::Stairs, "steps"}};
  EXPECT_EQ(v.regions.size(), expected.size());
  for (const auto& [role, name] : expected) {
    const Region* r = find_region(v, role, name);
    ASSERT_NE(r, nullptr) << role_name(role) << " '" << name << "'";
    EXPECT_GT(r->where.line, 0) << "regions remember the line of their feature";
  }
  const Region* door = find_region(v, RegionRole::Exit, "door");
  EXPECT_TRUE(same_polygons(door->area, {rectangle(30.5, 9.4, 31, 10.6)}, 0.0));
  const Region* line = find_region(v, RegionRole::MeasurementLine, "x25");
  ASSERT_EQ(line->line.size(), 2u);
  EXPECT_EQ(line->line[0], (Vec2{25, 0}));
  EXPECT_EQ(line->line[1], (Vec2{25, 20}));
  EXPECT_TRUE(find_region(v, RegionRole::Gate, "door-gate")->area.empty());
}

TEST(VenueFloorplans, DxfLayersGiveTheSameRegionsAsGeoJson) {
  const Venue geo = read_venue(kVenues / "hall.geojson");
  for (const char* name : {"hall.dxf", "hall-mm.dxf"}) {
    const Venue v = read_venue(kVenues / name);
    ASSERT_EQ(v.regions.size(), geo.regions.size()) << name;
    for (const Region& g : geo.regions) {
      const Region* r = find_region(v, g.role, g.name);
      ASSERT_NE(r, nullptr) << name << ": " << role_name(g.role) << " '" << g.name << "'";
      EXPECT_TRUE(same_polygons(r->area, g.area, 0.0)) << name << ": " << g.name;
      EXPECT_TRUE(same_rings(r->line, g.line, 0.0)) << name << ": " << g.name;
    }
  }
}

TEST(VenueFloorplans, ScenarioTakesWalkableAreaAndRegionsFromTheVenueFile) {
  const Scenario geo = read_scenario(kVenues / "hall-geojson.yaml");
  const Scenario wkt = read_scenario(kVenues / "hall-wkt.yaml");
  EXPECT_TRUE(same_polygons(geo.walkable, wkt.walkable, 0.0));
  ASSERT_EQ(geo.exits.size(), 1u);
  EXPECT_EQ(geo.exits[0].name, "door");
  EXPECT_EQ(std::filesystem::path(geo.exits[0].where.file).filename(), "hall.geojson");
  ASSERT_EQ(geo.destinations.size(), 1u);
  EXPECT_EQ(geo.destinations[0].name, "info-desk");
  ASSERT_EQ(geo.waiting_areas.size(), 1u);
  EXPECT_EQ(geo.waiting_areas[0].name, "queue");
  ASSERT_EQ(geo.measurement_lines.size(), 1u);
  EXPECT_EQ(geo.measurement_lines[0].name, "x25");
  ASSERT_EQ(wkt.measurement_lines.size(), 1u);
  EXPECT_EQ(wkt.measurement_lines[0].line, geo.measurement_lines[0].line);
  // `region: entrance` gives the group and the source the source region's area.
  EXPECT_TRUE(same_polygons(geo.groups[0].area, {rectangle(2, 2, 8, 18)}, 0.0));
  EXPECT_TRUE(same_polygons(geo.sources[0].area, {rectangle(2, 2, 8, 18)}, 0.0));
  EXPECT_TRUE(same_polygons(geo.exits[0].shape, wkt.exits[0].shape, 0.0));
}

// The hall has no arcs, so every format yields the very same doubles and the runs agree bit for
// bit (not merely within a tolerance); the mesh too, as its triangles use only the hall's corners.
TEST(VenueFloorplans, SameSeedGivesIdenticalPositionsFromWktGeoJsonDxfAndObjScenarios) {
  std::vector<std::uint64_t> hashes;
  std::vector<std::size_t> counts;
  for (const char* name : {"hall-wkt.yaml", "hall-geojson.yaml", "hall-dxf.yaml", "hall-obj.yaml"}) {
    Simulation sim(read_scenario(kVenues / name), {.threads = 2});
    for (int k = 0; k < 500; ++k) sim.step();
    hashes.push_back(test::hash_state(sim));
    counts.push_back(sim.agents().size());
  }
  EXPECT_GT(counts[0], 60u) << "the group and some latecomers are walking";
  EXPECT_EQ(counts[0], counts[1]);
  EXPECT_EQ(counts[0], counts[2]);
  EXPECT_EQ(hashes[0], hashes[1]) << "GeoJSON differs from WKT";
  EXPECT_EQ(hashes[0], hashes[2]) << "DXF differs from WKT";
  EXPECT_EQ(counts[0], counts[3]);
  EXPECT_EQ(hashes[0], hashes[3]) << "OBJ differs from WKT";
}

TEST(VenueFloorplans, DxfBulgesAndCirclesAreFlattenedWithinOneCentimetre) {
  // A 20 × 10 m room whose east side is a half circle (bulge 1 = 180°, radius 5 m around
  // (20, 5)), with a round column of radius 1 m at (10, 5), drawn with extrusion (0, 0, -1) so its
  // object coordinates have x mirrored: centre (-10, 5).
  const std::string entities =
      lwpolyline("walkable", true, {{{0, 0, 0}}, {{20, 0, 1}}, {{20, 10, 0}}, {{0, 10, 0}}}) +
      "0\nCIRCLE\n8\nobstacle\n10\n-10\n20\n5\n40\n1\n210\n0\n220\n0\n230\n-1\n";
  const Venue v = read_venue(write_temp("rounded.dxf", dxf(6, entities)));
  ASSERT_EQ(v.walkable.size(), 1u);
  ASSERT_EQ(v.walkable[0].holes.size(), 1u);
  const double pi = std::numbers::pi;
  EXPECT_NEAR(area(v.walkable), 200.0 + pi * 25.0 / 2.0 - pi, 0.15);
  double max_x = 0.0;
  for (Vec2 p : v.walkable[0].outer) {
    max_x = std::max(max_x, p.x);
    if (p.x > 20.0) {
      EXPECT_LE(norm(p - Vec2{20, 5}), 5.0 + 1e-9);
      EXPECT_GE(norm(p - Vec2{20, 5}), 5.0 - 0.01);
    }
  }
  EXPECT_NEAR(max_x, 25.0, 0.01) << "a positive bulge turns counter-clockwise, out of the room";
  for (std::size_t i = 0; i < v.walkable[0].outer.size(); ++i) {
    const Vec2 a = v.walkable[0].outer[i], b = v.walkable[0].outer[(i + 1) % v.walkable[0].outer.size()];
    const Vec2 mid = (a + b) * 0.5;
    if (a.x > 20.0 && b.x > 20.0) {
      EXPECT_GE(norm(mid - Vec2{20, 5}), 5.0 - 0.01) << "chord error above 1 cm";
    }
  }
  for (Vec2 p : v.walkable[0].holes[0]) EXPECT_NEAR(norm(p - Vec2{10, 5}), 1.0, 1e-9);
}

TEST(VenueFloorplans, DxfBlocksAreExpandedWithInsertionPointScaleAndRotation) {
  // Block "column": a 1 × 1 m square around its base point (5, 5), on layer 0, so it takes the
  // layer of each INSERT. Inserted at (10, 5), scaled 2, turned 45°: a diamond of 4 m².
  const std::string square =
      lwpolyline("0", true, {{{4.5, 4.5, 0}}, {{5.5, 4.5, 0}}, {{5.5, 5.5, 0}}, {{4.5, 5.5, 0}}});
  const std::string blocks = "0\nBLOCK\n8\n0\n2\ncolumn\n70\n0\n10\n5\n20\n5\n" + square + "0\nENDBLK\n8\n0\n";
  const std::string entities = lwpolyline("walkable", true, {{{0, 0, 0}}, {{20, 0, 0}}, {{20, 10, 0}}, {{0, 10, 0}}}) +
                               "0\nINSERT\n8\nobstacle\n2\ncolumn\n10\n10\n20\n5\n41\n2\n42\n2\n50\n45\n";
  const Venue v = read_venue(write_temp("block.dxf", dxf(6, entities, blocks)));
  ASSERT_EQ(v.walkable.size(), 1u);
  ASSERT_EQ(v.walkable[0].holes.size(), 1u);
  const Ring& hole = v.walkable[0].holes[0];
  EXPECT_NEAR(std::abs(signed_area(hole)), 4.0, 1e-9);
  // The corner (4.5, 4.5) is 1.414 m from the base point at 225°; turned by 45° it points down.
  EXPECT_NEAR(hole[0].x, 10.0, 1e-9);
  EXPECT_NEAR(hole[0].y, 5.0 - std::sqrt(2.0), 1e-9);
}

TEST(VenueFloorplans, DxfReadsJuPedSimLayersAndNumbersTheirExits) {
  const std::string entities =
      lwpolyline("jps-walkablearea", true, {{{0, 0, 0}}, {{20, 0, 0}}, {{20, 10, 0}}, {{0, 10, 0}}}) +
      lwpolyline("jps-obstacles", true, {{{9, 4, 0}}, {{11, 4, 0}}, {{11, 6, 0}}, {{9, 6, 0}}}) +
      lwpolyline("jps-exits", true, {{{19, 1, 0}}, {{20, 1, 0}}, {{20, 2, 0}}, {{19, 2, 0}}}) +
      lwpolyline("jps-exits", true, {{{19, 8, 0}}, {{20, 8, 0}}, {{20, 9, 0}}, {{19, 9, 0}}}) +
      lwpolyline("jps-distributions", true, {{{1, 1, 0}}, {{5, 1, 0}}, {{5, 9, 0}}, {{1, 9, 0}}}) +
      lwpolyline("furniture", true, {{{2, 2, 0}}, {{3, 2, 0}}, {{3, 3, 0}}, {{2, 3, 0}}});
  const Venue v = read_venue(write_temp("jps.dxf", dxf(6, entities)));
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_EQ(v.walkable[0].holes.size(), 1u) << "jps-obstacles are holes; the 'furniture' layer is ignored";
  ASSERT_NE(find_region(v, RegionRole::Exit, "exit-1"), nullptr);
  ASSERT_NE(find_region(v, RegionRole::Exit, "exit-2"), nullptr);
  EXPECT_NEAR(centroid(find_region(v, RegionRole::Exit, "exit-2")->area[0]).y, 8.5, 1e-12);
  EXPECT_NE(find_region(v, RegionRole::Source, "source-1"), nullptr);
}

TEST(VenueFloorplans, DxfInsunitsDecidesTheUnitAndUnitlessFilesUseTheOption) {
  // hall-mm.dxf says millimetres ($INSUNITS = 4): asking for metres changes nothing.
  VenueOptions metres;
  metres.unit = LengthUnit::Metre;
  metres.unit_given = true;
  EXPECT_NEAR(area(read_venue(kVenues / "hall-mm.dxf", metres).walkable), kHallArea, 1e-9);
  // wrong_unit.dxf is unitless ($INSUNITS = 0) and drawn in millimetres: fine with unit mm.
  VenueOptions mm;
  mm.unit = LengthUnit::Millimetre;
  mm.unit_given = true;
  EXPECT_NEAR(area(read_venue(kInvalid / "wrong_unit.dxf", mm).walkable), 600.0, 1e-9);
}

TEST(VenueFloorplans, DxfLinesOnALayerAreChainedIntoRingsInAnyOrderAndDirection) {
  const auto line = [](double x0, double y0, double x1, double y1) {
    return "0\nLINE\n8\nwalkable\n10\n" + std::to_string(x0) + "\n20\n" + std::to_string(y0) + "\n11\n" +
           std::to_string(x1) + "\n21\n" + std::to_string(y1) + "\n";
  };
  // A 10 × 4 m room from four lines, shuffled, two of them drawn backwards.
  const std::string entities = line(10, 0, 10, 4) + line(0, 4, 0, 0) + line(10, 4, 0, 4) + line(10, 0, 0, 0);
  const Venue v = read_venue(write_temp("lines.dxf", dxf(6, entities)));
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_EQ(v.walkable[0].outer.size(), 4u);
  EXPECT_NEAR(area(v.walkable), 40.0, 1e-12);
}

TEST(VenueFloorplans, DxfArcsJoinLinesIntoOneOutline) {
  // A 10 m wide room closed by a half-circle arc of radius 5 m: LINE, LINE, ARC, LINE.
  const std::string entities =
      "0\nLINE\n8\nwalkable\n10\n0\n20\n0\n11\n10\n21\n0\n"
      "0\nLINE\n8\nwalkable\n10\n10\n20\n0\n11\n10\n21\n5\n"
      "0\nARC\n8\nwalkable\n10\n5\n20\n5\n40\n5\n50\n0\n51\n180\n"
      "0\nLINE\n8\nwalkable\n10\n0\n20\n5\n11\n0\n21\n0\n";
  const Venue v = read_venue(write_temp("arc.dxf", dxf(6, entities)));
  ASSERT_EQ(v.walkable.size(), 1u);
  EXPECT_NEAR(area(v.walkable), 50.0 + std::numbers::pi * 25.0 / 2.0, 0.15);
}

// ------------------------------------------------------------------ bad files

std::vector<std::filesystem::path> invalid_venue_files() {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(kInvalid))
    for (const auto& entry : std::filesystem::directory_iterator(kInvalid)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".geojson" || ext == ".dxf" || ext == ".wkt"))
        files.push_back(entry.path());
    }
  std::sort(files.begin(), files.end());
  return files;
}

// YAML files carry "# expect: ..." on their first line; JSON and DXF, which cannot hold such a
// comment, a sidecar <file>.expect.
std::string expected_message(const std::filesystem::path& file) {
  const bool yaml = file.extension() == ".yaml";
  std::ifstream in(yaml ? file : std::filesystem::path(file.string() + ".expect"));
  std::string line;
  std::getline(in, line);
  const std::string tag = "# expect: ";
  if (yaml) return line.rfind(tag, 0) == 0 ? line.substr(tag.size()) : std::string();
  return line;
}

class InvalidVenue : public testing::TestWithParam<std::filesystem::path> {};

TEST(VenueFloorplans, ThereAreAtLeastTenBadVenueFiles) { EXPECT_GE(invalid_venue_files().size(), 10u); }

TEST_P(InvalidVenue, FailsWithItsExpectedMessageNamingTheFile) {
  const auto& file = GetParam();
  const std::string expected = expected_message(file);
  ASSERT_FALSE(expected.empty()) << file << ": needs '# expect: <message>' on its first line or a .expect file";
  try {
    if (file.extension() == ".yaml") read_scenario(file);
    else read_venue(file);
    FAIL() << file << " was accepted";
  } catch (const InputError& e) {
    const auto& problems = e.problems();
    const auto match = std::find_if(problems.begin(), problems.end(), [&](const InputProblem& p) {
      return p.str().find(expected) != std::string::npos;
    });
    ASSERT_NE(match, problems.end()) << "expected '" << expected << "' in:\n" << e.what();
    // The message starts at the file the user opened (the scenario, for YAML).
    EXPECT_EQ(std::filesystem::path(match->where.file).filename(), file.filename()) << match->str();
    if (file.extension() != ".dxf") {
      EXPECT_GT(match->where.line, 0) << match->str();
    }
  }
}

std::string test_name(const testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = info.param.filename().string();
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, InvalidVenue, testing::ValuesIn(invalid_venue_files()), test_name);

}  // namespace
}  // namespace crowdsafe
