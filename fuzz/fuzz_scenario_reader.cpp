// libFuzzer target: crowdsafe::parse_scenario on arbitrary text. The scenario is placed in the
// shipped scenarios/venues/ folder so relative venue files in the seeds (hall.wkt, ...) resolve
// and the venue branch of the reader is exercised too.

#include <cstddef>
#include <cstdint>
#include <string>

#include "crowdsafe/scenario.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const std::filesystem::path file = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/venues/fuzz.yaml";
  crowdsafe::fuzz::expect_input_error_only([&] { (void)crowdsafe::parse_scenario(text, file); });
  return 0;
}
