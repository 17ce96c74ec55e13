// Inputs found by the fuzzers (fuzz/, docs/reliability.md) that once crashed a reader. Each
// must now give a venue or an InputError; under the sanitizer builds these tests also prove the
// memory errors are gone.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "crowdsafe/errors.hpp"
#include "crowdsafe/venue.hpp"

namespace {

const std::filesystem::path kDir = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/invalid/fuzz";

// Reads the venue; only InputError is an acceptable failure.
void expect_venue_or_input_error(const std::filesystem::path& file) {
  try {
    (void)crowdsafe::read_venue(file);
  } catch (const crowdsafe::InputError&) {
  }
}

}  // namespace

// A POLYLINE followed by an entity the reader stores later grew the entity list while the reader
// still held a pointer to the polyline; its VERTEX records then wrote to freed memory.
TEST(FuzzRegressions, DxfPolylineVerticesAfterEntityListGrows) {
  EXPECT_NO_FATAL_FAILURE(expect_venue_or_input_error(kDir / "polyline_vertices_after_reallocation.dxf"));
}

// A binary PLY vertex at -3e231 m overflowed the conversion of its weld-grid cell to int64.
TEST(FuzzRegressions, MeshHugeCoordinateDoesNotOverflowWeldGrid) {
  EXPECT_NO_FATAL_FAILURE(expect_venue_or_input_error(kDir / "huge_coordinate.ply"));
}

// Reads the venue and expects an InputError whose text contains `expected`.
static void expect_input_error(const std::filesystem::path& file, const std::string& expected) {
  try {
    (void)crowdsafe::read_venue(file);
    ADD_FAILURE() << file << ": read without an error";
  } catch (const crowdsafe::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

// A PLY header with a `property` before any `element`: CGAL 5.5 called back() on its empty
// element list (UBSan: offset applied to a null pointer). Now refused before CGAL reads it.
TEST(FuzzRegressions, PlyPropertyBeforeElementIsAnInputError) {
  expect_input_error(kDir / "property_before_element.ply", "'property' comes before any 'element'");
}

// An OFF face with the vertex index -15: CGAL 5.5 converted it to std::size_t unchecked
// (UBSan: -15 is outside the range of unsigned long). Now refused before CGAL reads it.
TEST(FuzzRegressions, OffNegativeFaceIndexIsAnInputError) {
  expect_input_error(kDir / "negative_face_index.off", "each a whole number from 0");
}

// A PLY vertex with `property uint32 x`: CGAL 5.5 reads x, y, z as float or double without
// checking the type (UBSan: member call on a null pointer). Now refused before CGAL reads it.
TEST(FuzzRegressions, PlyIntegerVertexCoordinateIsAnInputError) {
  expect_input_error(kDir / "integer_vertex_coordinate.ply", "property 'x' of element 'vertex' is of type uint32");
}

// A COFF file whose header counts are split over two lines, so that CGAL 5.5 reads a vertex line
// with two numbers: it took the missing colour as present and read past the end of the line
// (ASan: heap-buffer-overflow in File_scanner_OFF::scan_color). Now refused before CGAL reads it.
TEST(FuzzRegressions, ColourOffWithShortVertexLineIsAnInputError) {
  expect_input_error(kDir / "colour_off_short_vertex_line.off", "three whole numbers on one line");
}

// A COFF file whose keyword is followed by a control character: CGAL 5.5 ends the keyword there
// and takes the counts from the next line, so its lines no longer match what a line-by-line
// check sees (ASan: heap-buffer-overflow in scan_color again). Such headers are now refused.
TEST(FuzzRegressions, OffKeywordWithControlCharacterIsAnInputError) {
  expect_input_error(kDir / "colour_off_keyword_with_control_character.off", "must start with the keyword OFF");
}

// An LWPOLYLINE announcing 4,185,307,179,586 vertices (group code 90): dxflib allocated its
// vertex array from the count unchecked (ASan: allocation-size-too-big; std::bad_alloc without
// ASan). Now refused before dxflib reads the file.
TEST(FuzzRegressions, DxfHugeLwpolylineVertexCountIsAnInputError) {
  expect_input_error(kDir / "lwpolyline_huge_vertex_count.dxf", "LWPOLYLINE vertex count");
}

// A COFF file that ends before its second vertex: CGAL 5.5 read an empty vertex line, took a
// colour as present and read past its end (ASan: heap-buffer-overflow in scan_color). Now
// refused before CGAL reads it.
TEST(FuzzRegressions, ColourOffEndingBeforeItsVerticesIsAnInputError) {
  expect_input_error(kDir / "colour_off_ends_before_its_vertices.off", "the file ends before the vertices");
}

// DXF rings that cross each other so that one lies at odd nesting depth with no outer ring
// around it ("inside" is a majority of vertices, not a strict order): the reader looked up the
// missing outer ring (UBSan: vector index out of range in DxfVenueReader::nest). Such a ring now
// stays an outer ring; reading ends with an InputError or a venue, never a crash.
TEST(FuzzRegressions, DxfRingsCrossingAtOddDepthDoNotCrash) {
  EXPECT_NO_FATAL_FAILURE(expect_venue_or_input_error(kDir / "dxf_rings_crossing_at_odd_depth.dxf"));
}

// A FeatureCollection whose "type" is an array: nlohmann::json's value("type", "") threw a
// type_error instead of an InputError. The reader now reads "type" only when it is text.
TEST(FuzzRegressions, GeoJsonTypeThatIsNotTextIsAnInputError) {
  expect_input_error(kDir / "geojson_feature_collection_type_is_array.geojson", "FeatureCollection");
}

// An LWPOLYLINE vertex count on a line that a line-pair reading misaligns (after an overlong
// junk line, which dxflib splits): the count check missed it and dxflib allocated from it.
// Every "90" line of a file with an LWPOLYLINE is now checked, whatever its position.
TEST(FuzzRegressions, DxfLwpolylineCountAfterMisalignedLineIsAnInputError) {
  expect_input_error(kDir / "lwpolyline_count_after_misaligned_line.dxf", "LWPOLYLINE vertex count");
}

// A DXF (in metres, so too large a venue) whose destination region has a bulge of 3000 on one
// vertex: the arc becomes a ring of thousands of vertices, and validate_polygon's loop over all
// pairs of edges took more than 10 s under ASan (libFuzzer: timeout). The edges are now checked
// through a grid (and holes' vertices through bands); the file reads in well under a second.
TEST(FuzzRegressions, DxfLongRingIsValidatedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  expect_input_error(kDir / "dxf_long_ring_validation_timeout.dxf", "larger than any venue");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

// An LWPOLYLINE vertex count whose group code line reads "90,": dxflib reads group codes with
// strtol(), so for it this is code 90, and it allocated the count 4,185,307,179,586 unchecked
// (ASan: allocation-size-too-big). Every line that dxflib reads as code 90 is now checked, as
// dxflib splits and cuts lines.
TEST(FuzzRegressions, DxfLwpolylineCountCodeWithTrailingCommaIsAnInputError) {
  expect_input_error(kDir / "lwpolyline_count_code_with_trailing_comma.dxf", "LWPOLYLINE vertex count");
}

// The same long DXF ring (a bulge of 3000 makes an arc of 100,000 vertices) among other rings:
// the DXF reader's nesting tested every vertex of each ring against every edge of each other
// ring (more than 15 s under ASan, libFuzzer: timeout). It now uses each ring's edges in bands
// (detail::PointInRing); the obstacle check of the floor-plan readers, which did the same, too.
TEST(FuzzRegressions, DxfNestedLongRingsAreSortedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  expect_input_error(kDir / "dxf_nested_long_rings_timeout.dxf", "outline on layer 'walkable' is open");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}
