#include "readers.hpp"

namespace crowdsafe::detail {

Venue read_geojson_venue(const std::filesystem::path& file, const VenueOptions&) {
  throw InputError({file.string()}, "", "this venue format cannot be read yet");
}

}  // namespace crowdsafe::detail
