#pragma once
// Shared by the libFuzzer targets: the one place that decides which outcomes of a reader are
// expected. crowdsafe::InputError is the documented answer to bad input; any other exception
// escaping a reader is a finding, reported by aborting so libFuzzer saves the reproducer.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <unistd.h>

#include "crowdsafe/errors.hpp"

namespace crowdsafe::fuzz {

/// Runs `read`; returns normally for success or InputError, aborts on anything else.
template <class Read>
void expect_input_error_only(Read&& read) {
  try {
    read();
  } catch (const InputError&) {
    // Expected: bad input reported at the boundary.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FINDING: reader threw %s instead of crowdsafe::InputError: %s\n",
                 typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FINDING: reader threw a non-std exception\n");
    std::abort();
  }
}

/// Writes `bytes` to a per-process temporary file ending in `extension` and returns its path.
/// The same path is reused for every input of one process.
inline std::filesystem::path write_temp(std::string_view bytes, std::string_view extension) {
  // The folder is removed when the process exits normally (a crash leaves it for inspection).
  struct TempDir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("crowdsafe-fuzz-" + std::to_string(::getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const TempDir dir;
  const auto path = dir.path / ("input" + std::string(extension));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace crowdsafe::fuzz
