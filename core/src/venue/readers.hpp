#pragma once
// One reader per venue file format; read_venue() (venue.cpp) picks one by extension. Each
// returns the venue in metres with z up and throws InputError naming file and element.

#include "crowdsafe/venue.hpp"

namespace crowdsafe::detail {

Venue read_wkt_venue(const std::filesystem::path& file, const VenueOptions& options);
Venue read_geojson_venue(const std::filesystem::path& file, const VenueOptions& options);
Venue read_dxf_venue(const std::filesystem::path& file, const VenueOptions& options);
/// OBJ, OFF, PLY (ASCII and binary), STL (ASCII and binary), through CGAL.
Venue read_mesh_venue(const std::filesystem::path& file, const VenueOptions& options);

}  // namespace crowdsafe::detail
