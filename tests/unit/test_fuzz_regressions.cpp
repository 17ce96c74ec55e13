// Inputs found by the fuzzers (fuzz/, docs/reliability.md) that once crashed a reader. Each
// must now give a venue or an InputError; under the sanitizer builds these tests also prove the
// memory errors are gone.

#include <gtest/gtest.h>

#include <filesystem>

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
