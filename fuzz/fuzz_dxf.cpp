// libFuzzer target: crowdsafe::read_venue on an arbitrary .dxf file.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crowdsafe/venue.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = crowdsafe::fuzz::write_temp({reinterpret_cast<const char*>(data), size}, ".dxf");
  crowdsafe::fuzz::expect_input_error_only([&] { (void)crowdsafe::read_venue(path); });
  return 0;
}
