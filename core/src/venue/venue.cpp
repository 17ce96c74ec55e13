#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "crowdsafe/venue.hpp"
#include "readers.hpp"

namespace crowdsafe {

const char* role_name(RegionRole role) {
  switch (role) {
    case RegionRole::Exit: return "exit";
    case RegionRole::Destination: return "destination";
    case RegionRole::Source: return "source";
    case RegionRole::Gate: return "gate";
    case RegionRole::WaitingArea: return "waiting_area";
    case RegionRole::MeasurementLine: return "measurement_line";
    case RegionRole::Stairs: return "stairs";
  }
  return "?";
}

double metres_per_unit(LengthUnit unit) {
  switch (unit) {
    case LengthUnit::Metre: return 1.0;
    case LengthUnit::Centimetre: return 0.01;
    case LengthUnit::Millimetre: return 0.001;
    case LengthUnit::Inch: return 0.0254;
    case LengthUnit::Foot: return 0.3048;
  }
  return 1.0;
}

Venue read_venue(const std::filesystem::path& file, const VenueOptions& options) {
  if (!std::filesystem::exists(file))
    throw InputError({file.string()}, "", "file not found; check the path (relative paths start at the scenario's folder)");
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".wkt") return detail::read_wkt_venue(file, options);
  if (ext == ".geojson" || ext == ".json") return detail::read_geojson_venue(file, options);
  if (ext == ".dxf") return detail::read_dxf_venue(file, options);
  if (ext == ".obj" || ext == ".off" || ext == ".ply" || ext == ".stl") return detail::read_mesh_venue(file, options);
  throw InputError({file.string()}, "",
                   "unknown venue format '" + ext + "'; use .wkt, .geojson, .dxf, .obj, .off, .ply or .stl");
}

namespace detail {

Venue read_wkt_venue(const std::filesystem::path& file, const VenueOptions& options) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  Venue v;
  v.file = file;
  v.walkable = parse_wkt(text.str(), SourceLocation{file.string(), 1, 1}, "walkable");
  const double s = metres_per_unit(options.unit);
  if (s != 1.0)
    for (auto& p : v.walkable) {
      for (auto& q : p.outer) q *= s;
      for (auto& h : p.holes)
        for (auto& q : h) q *= s;
    }
  return v;
}

}  // namespace detail
}  // namespace crowdsafe
