// libFuzzer target: crowdsafe::parse_wkt on arbitrary text, then validate_polygon on every
// polygon it accepts (validation must never crash, whatever the coordinates).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crowdsafe/geometry.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  crowdsafe::fuzz::expect_input_error_only([&] {
    const auto polys = crowdsafe::parse_wkt(text, crowdsafe::SourceLocation{"fuzz.wkt", 1, 1}, "walkable");
    for (const auto& p : polys) (void)crowdsafe::validate_polygon(p);
  });
  return 0;
}
