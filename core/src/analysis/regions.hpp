#pragma once
// Cell-set helpers of the hotspot analysis: connected components and outlines.

#include <cstddef>
#include <vector>

#include "crowdsafe/analysis.hpp"

namespace crowdsafe::detail {

/// 4-connected components of the flagged cells (flag[c] != 0), each a sorted list of indexes.
std::vector<std::vector<std::size_t>> connected_regions(const FieldGrid& grid, const std::vector<std::uint8_t>& flag);

/// Outline of a set of cells as polygons with holes, m (counter-clockwise outer rings,
/// collinear vertices removed). Cells touching only at a corner become separate rings.
std::vector<Polygon> outline(const FieldGrid& grid, const std::vector<std::size_t>& cells);

}  // namespace crowdsafe::detail
