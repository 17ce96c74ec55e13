#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crowdsafe/scenario.hpp"
#include "crowdsafe/simulation.hpp"

namespace crowdsafe {
namespace {

const std::filesystem::path kInvalidDir = std::filesystem::path(CROWDSAFE_SOURCE_DIR) / "scenarios/invalid";

std::vector<std::filesystem::path> invalid_scenarios() {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(kInvalidDir))
    for (const auto& entry : std::filesystem::directory_iterator(kInvalidDir))
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The text after "# expect: " on the file's first line.
std::string expected_message(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  const std::string tag = "# expect: ";
  return line.rfind(tag, 0) == 0 ? line.substr(tag.size()) : std::string();
}

class InvalidScenario : public testing::TestWithParam<std::filesystem::path> {};

TEST(InvalidScenarios, ThereAreAtLeastThirtyFive) { EXPECT_GE(invalid_scenarios().size(), 35u); }

TEST_P(InvalidScenario, FailsWithItsExpectedMessageFileAndLine) {
  const auto& file = GetParam();
  const std::string expected = expected_message(file);
  ASSERT_FALSE(expected.empty()) << file << ": first line must be '# expect: <part of the error message>'";
  try {
    // Some mistakes show only when the simulation is set up (placement, reachability, gates).
    const Scenario sc = read_scenario(file);
    Simulation sim(sc, SimulationOptions{1});
    FAIL() << file << " was accepted";
  } catch (const InputError& e) {
    // One problem must carry the expected text, the file's name and a line number.
    const auto& problems = e.problems();
    const auto match = std::find_if(problems.begin(), problems.end(), [&](const InputProblem& p) {
      return p.str().find(expected) != std::string::npos;
    });
    ASSERT_NE(match, problems.end()) << "expected '" << expected << "' in:\n" << e.what();
    EXPECT_EQ(std::filesystem::path(match->where.file).filename(), file.filename()) << match->str();
    EXPECT_GT(match->where.line, 0) << match->str();
    EXPECT_NE(std::string(e.what()).find(file.filename().string() + ":" + std::to_string(match->where.line) + ":"),
              std::string::npos)
        << e.what();
  }
}

// gtest names allow only letters, digits and '_'.
std::string test_name(const testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = info.param.stem().string();
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, InvalidScenario, testing::ValuesIn(invalid_scenarios()), test_name);

}  // namespace
}  // namespace crowdsafe
