// libFuzzer target: crowdsafe::read_venue on an arbitrary mesh file. The first byte picks the
// format (bits 0-1: .obj, .off, .ply, .stl) and the up axis (bit 2: Z or Y); the rest is the
// file. Seeds in corpus/fuzz_mesh/ carry the matching first byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crowdsafe/venue.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::array<std::string_view, 4> kExtensions{".obj", ".off", ".ply", ".stl"};
  const auto path = crowdsafe::fuzz::write_temp({reinterpret_cast<const char*>(data) + 1, size - 1},
                                                kExtensions[data[0] & 3u]);
  crowdsafe::VenueOptions options;
  options.up = (data[0] & 4u) ? crowdsafe::UpAxis::Y : crowdsafe::UpAxis::Z;
  crowdsafe::fuzz::expect_input_error_only([&] { (void)crowdsafe::read_venue(path, options); });
  return 0;
}
