// libFuzzer target: crowdsafe::read_venue on an arbitrary file of one format. fuzz/CMakeLists.txt
// builds this file once per format (fuzz_wkt, fuzz_geojson, fuzz_dxf, fuzz_obj, fuzz_off,
// fuzz_ply, fuzz_stl), each with its extension in CROWDSAFE_FUZZ_EXTENSION; the extension is
// what makes read_venue pick the reader.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crowdsafe/venue.hpp"
#include "fuzz_common.hpp"

#ifndef CROWDSAFE_FUZZ_EXTENSION
#error "CROWDSAFE_FUZZ_EXTENSION (\".obj\", ...) must be defined by fuzz/CMakeLists.txt"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = crowdsafe::fuzz::write_temp({reinterpret_cast<const char*>(data), size}, CROWDSAFE_FUZZ_EXTENSION);
  crowdsafe::fuzz::expect_input_error_only([&] { (void)crowdsafe::read_venue(path); });
  return 0;
}
