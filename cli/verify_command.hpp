#pragma once
// `crowdsafe verify [--quick] [--out DIR]`: the verification and validation suite.

#include <CLI/CLI.hpp>

namespace crowdsafe::cli {

/// Adds the `verify` subcommand to `app`. It runs when parsed and ends the program through
/// CLI::RuntimeError with its exit code: 0 all tests pass, 1 a test failed, 3 cannot write.
void add_verify_command(CLI::App& app);

}  // namespace crowdsafe::cli
