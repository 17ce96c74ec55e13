#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "crowdsafe/scenario.hpp"

namespace crowdsafe {
namespace {

const std::filesystem::path kSourceDir = CROWDSAFE_SOURCE_DIR;

// A valid scenario that each test breaks in one place.
const std::string kBase = R"yaml(venue:
  walkable: "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))"
exits:
  - name: door
    rect: [19, 4, 20, 6]
groups:
  - name: crowd
    rect: [1, 1, 10, 9]
    count: 10
)yaml";

// Parses text expected to be invalid and returns the error.
InputError parse_error(const std::string& text, const std::string& file = "test.yaml") {
  try {
    parse_scenario(text, file);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return InputError({}, "", "none");
}

// The problem about `field`, or a failure if there is none.
InputProblem problem_for(const InputError& e, const std::string& field) {
  for (const auto& p : e.problems())
    if (p.field == field) return p;
  ADD_FAILURE() << "no problem for field " << field << " in:\n" << e.what();
  return {};
}

TEST(ScenarioReader, ReadsMinimalExample) {
  const auto file = kSourceDir / "scenarios/examples/minimal.yaml";
  const Scenario sc = read_scenario(file);
  EXPECT_EQ(sc.name, "minimal");
  EXPECT_EQ(sc.file, file);
  EXPECT_FALSE(sc.source_text.empty());
  ASSERT_EQ(sc.walkable.size(), 1u);
  EXPECT_NEAR(area(sc.walkable), 201.0, 1e-9);
  ASSERT_EQ(sc.exits.size(), 1u);
  EXPECT_EQ(sc.exits[0].name, "door");
  ASSERT_EQ(sc.groups.size(), 1u);
  EXPECT_EQ(sc.groups[0].count, 50);
  EXPECT_EQ(sc.groups[0].target.kind, Target::Kind::Exit);
  EXPECT_EQ(sc.groups[0].target.name, "door");
  EXPECT_EQ(sc.groups[0].where.line, 15);
  EXPECT_DOUBLE_EQ(sc.duration_s, 120.0);
}

TEST(ScenarioReader, ReadsAvoidedAreasIntoTheTarget) {
  std::string text = kBase;
  text += R"yaml(    avoid: [[5, 0, 6, 10], "POLYGON ((12 0, 13 0, 13 10, 12 10, 12 0))"]
sources:
  - {name: late, rect: [1, 1, 2, 2], schedule: [{begin_s: 0, end_s: 10, rate_per_s: 1}], avoid: [[5, 0, 6, 10]]}
)yaml";
  const Scenario sc = parse_scenario(text, "avoid.yaml");
  ASSERT_EQ(sc.groups[0].target.avoid.size(), 2u);
  EXPECT_DOUBLE_EQ(bounds(sc.groups[0].target.avoid[1]).min.x, 12.0);
  EXPECT_EQ(sc.groups[0].target.kind, Target::Kind::NearestExit);
  ASSERT_EQ(sc.sources[0].target.avoid.size(), 1u);
}

TEST(ScenarioReader, AvoidNeedsAnAreaTarget) {
  std::string text = kBase;
  text += "    target: {direction: [1, 0]}\n    avoid: [[5, 0, 6, 10]]\n";
  const InputError e = parse_error(text);
  EXPECT_NE(problem_for(e, "groups[0].avoid").message.find("not to a direction target"), std::string::npos) << e.what();
}

TEST(ScenarioReader, NameDefaultsToFileStemAndKeepsSourceText) {
  const Scenario sc = parse_scenario(kBase, "some/dir/plaza.yaml");
  EXPECT_EQ(sc.name, "plaza");
  EXPECT_EQ(sc.source_text, kBase);
  EXPECT_EQ(sc.groups[0].target.kind, Target::Kind::NearestExit);
  EXPECT_EQ(sc.groups[0].profile.name, "adults");
  EXPECT_DOUBLE_EQ(sc.time_step_s, 0.01);
}

TEST(ScenarioReader, ReadsEveryKey) {
  const std::string text = R"yaml(name: festival
description: all keys
seed: 42
duration_s: 300
time_step_s: 0.02
output_interval_s: 0.2
stop_when_empty: false
navigation_cell_m: 0.2
venue:
  walkable: "MULTIPOLYGON (((0 0, 60 0, 60 40, 0 40, 0 0), (10 10, 12 10, 12 12, 10 12, 10 10)), ((100 0, 110 0, 110 10, 100 10)))"
  obstacles: ["POLYGON ((30 30, 31 30, 31 31, 30 31, 30 30))", [102, 2, 103, 3]]
exits:
  - name: metro
    area: "POLYGON ((59 0, 60 0, 60 5, 59 5, 59 0))"
destinations:
  - name: stage
    rect: [20, 30, 40, 38]
profiles:
  fans: {speed_mean_m_s: 1.4, speed_sd_m_s: 0.2, radius_min_m: 0.22, radius_max_m: 0.3}
  slow: {base: elderly, radius_max_m: 0.4}
groups:
  - name: crowd
    rect: [1, 1, 9, 9]
    density_per_m2: 2.0
    profile: fans
    target: destination:stage
    premovement_s: 5
  - name: walkers
    rect: [101, 1, 109, 9]
    count: 3
    profile: {speed_mean_m_s: 1.1}
    target: {direction: [3, 4]}
sources:
  - name: north-gate
    rect: [0, 35, 5, 40]
    schedule:
      - {begin_s: 0, end_s: 120, rate_per_s: 5.0}
      - {begin_s: 120, end_s: 200, rate_per_s: 1.5}
    profile: slow
    target: exit:metro
periodic: {x0_m: 0, length_m: 20}
model:
  mass_kg: 70
  relaxation_time_s: 0.4
  anisotropy: 0.3
)yaml";
  const Scenario sc = parse_scenario(text, "festival.yaml");
  EXPECT_EQ(sc.name, "festival");
  EXPECT_EQ(sc.description, "all keys");
  EXPECT_EQ(sc.seed, 42u);
  EXPECT_DOUBLE_EQ(sc.duration_s, 300.0);
  EXPECT_DOUBLE_EQ(sc.time_step_s, 0.02);
  EXPECT_DOUBLE_EQ(sc.output_interval_s, 0.2);
  EXPECT_FALSE(sc.stop_when_empty);
  EXPECT_DOUBLE_EQ(sc.navigation_cell_m, 0.2);
  ASSERT_EQ(sc.walkable.size(), 2u);
  EXPECT_EQ(sc.walkable[0].holes.size(), 2u);  // one from WKT, one obstacle
  EXPECT_EQ(sc.walkable[1].holes.size(), 1u);  // the rect obstacle
  EXPECT_NEAR(area(sc.walkable), 2400.0 - 4.0 - 1.0 + 100.0 - 1.0, 1e-9);
  ASSERT_EQ(sc.destinations.size(), 1u);
  EXPECT_EQ(sc.destinations[0].name, "stage");
  ASSERT_EQ(sc.groups.size(), 2u);
  EXPECT_EQ(sc.groups[0].density_per_m2, 2.0);
  EXPECT_FALSE(sc.groups[0].count.has_value());
  EXPECT_EQ(sc.groups[0].profile.name, "fans");
  EXPECT_DOUBLE_EQ(sc.groups[0].profile.speed_mean_m_s, 1.4);
  EXPECT_DOUBLE_EQ(sc.groups[0].profile.radius_min_m, 0.22);
  EXPECT_EQ(sc.groups[0].target.kind, Target::Kind::Destination);
  EXPECT_EQ(sc.groups[0].target.name, "stage");
  EXPECT_DOUBLE_EQ(sc.groups[0].premovement_s, 5.0);
  EXPECT_DOUBLE_EQ(sc.groups[1].profile.speed_mean_m_s, 1.1);
  EXPECT_DOUBLE_EQ(sc.groups[1].profile.speed_sd_m_s, 0.26);
  EXPECT_EQ(sc.groups[1].target.kind, Target::Kind::Direction);
  EXPECT_NEAR(sc.groups[1].target.direction.x, 0.6, 1e-12);
  EXPECT_NEAR(sc.groups[1].target.direction.y, 0.8, 1e-12);
  ASSERT_EQ(sc.sources.size(), 1u);
  ASSERT_EQ(sc.sources[0].schedule.size(), 2u);
  EXPECT_DOUBLE_EQ(sc.sources[0].schedule[1].rate_per_s, 1.5);
  EXPECT_EQ(sc.sources[0].profile.name, "slow");
  EXPECT_DOUBLE_EQ(sc.sources[0].profile.speed_mean_m_s, 1.0);  // from elderly
  EXPECT_DOUBLE_EQ(sc.sources[0].profile.radius_max_m, 0.4);
  EXPECT_EQ(sc.sources[0].target.kind, Target::Kind::Exit);
  ASSERT_TRUE(sc.periodic.has_value());
  EXPECT_DOUBLE_EQ(sc.periodic->length_m, 20.0);
  EXPECT_DOUBLE_EQ(sc.model.mass_kg, 70.0);
  EXPECT_DOUBLE_EQ(sc.model.relaxation_time_s, 0.4);
  EXPECT_DOUBLE_EQ(sc.model.anisotropy, 0.3);
  EXPECT_DOUBLE_EQ(sc.model.agent_strength_N, 2000.0);
}

TEST(ScenarioReader, ReportsEveryProblemAtOnceWithOneBasedLocation) {
  const std::string text = R"yaml(duration_s: -5
time_step_s: 0.5
venue:
  walkable: "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))"
exits:
  - name: door
    rect: [19, 4, 20, 6]
groups:
  - name: crowd
    rect: [1, 1, 10, 9]
    count: 0
)yaml";
  const InputError e = parse_error(text, "plaza.yaml");
  EXPECT_EQ(e.problems().size(), 3u) << e.what();
  const auto d = problem_for(e, "duration_s");
  EXPECT_EQ(d.where.file, "plaza.yaml");
  EXPECT_EQ(d.where.line, 1);
  EXPECT_EQ(d.where.column, 13);
  EXPECT_NE(d.message.find("must be > 0 s"), std::string::npos) << d.message;
  const auto c = problem_for(e, "groups[0].count");
  EXPECT_EQ(c.where.line, 11);
  EXPECT_EQ(c.where.column, 12);
  EXPECT_NE(c.message.find("must be > 0 persons"), std::string::npos) << c.message;
  EXPECT_NE(std::string(e.what()).find("plaza.yaml:2:14: time_step_s: must be in (0, 0.1] s, found 0.5"),
            std::string::npos)
      << e.what();
}

TEST(ScenarioReader, UnknownKeySuggestsClosestValidKey) {
  const InputError e = parse_error("duration: 10\n" + kBase);
  const auto p = problem_for(e, "duration");
  EXPECT_NE(p.message.find("did you mean 'duration_s'?"), std::string::npos) << p.message;
  EXPECT_EQ(p.where.line, 1);

  const InputError e2 = parse_error(kBase + "    cont: 3\n");
  const auto p2 = problem_for(e2, "groups[0].cont");
  EXPECT_NE(p2.message.find("did you mean 'count'?"), std::string::npos) << p2.message;
}

TEST(ScenarioReader, UnrelatedUnknownKeyListsValidKeys) {
  const InputError e = parse_error("zzzzzzzzzzzz: 1\n" + kBase);
  EXPECT_NE(problem_for(e, "zzzzzzzzzzzz").message.find("valid keys: name, description"), std::string::npos);
}

TEST(ScenarioReader, RejectsNanInfinityAndWrongTypes) {
  const InputError e = parse_error("duration_s: .inf\nseed: -3\nstop_when_empty: maybe\nmodel: {mass_kg: .nan, "
                                   "relaxation_time_s: fast}\n" + kBase);
  EXPECT_NE(problem_for(e, "duration_s").message.find("finite"), std::string::npos);
  EXPECT_NE(problem_for(e, "seed").message.find("whole number"), std::string::npos);
  EXPECT_NE(problem_for(e, "stop_when_empty").message.find("true or false"), std::string::npos);
  EXPECT_NE(problem_for(e, "model.mass_kg").message.find("finite"), std::string::npos);
  EXPECT_NE(problem_for(e, "model.relaxation_time_s").message.find("expected a number of seconds, found 'fast'"),
            std::string::npos);
}

TEST(ScenarioReader, ReportsYamlSyntaxErrorWithLocation) {
  const InputError e = parse_error("venue:\n  walkable: [1, 2\nexits: 3\n", "bad.yaml");
  ASSERT_EQ(e.problems().size(), 1u);
  // yaml-cpp notices the unclosed list where the next key starts.
  EXPECT_EQ(e.problems()[0].where.line, 3);
  EXPECT_GT(e.problems()[0].where.column, 0);
  EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
}

TEST(ScenarioReader, WktErrorPointsAtOffendingColumn) {
  std::string text = kBase;
  text.replace(text.find("20 10, 0 10"), 5, "20 xx");
  const InputError e = parse_error(text);
  const auto p = problem_for(e, "venue.walkable");
  EXPECT_EQ(p.where.line, 2);
  // The WKT starts after `  walkable: "`, i.e. at column 14; "xx" is its 25th character.
  EXPECT_EQ(p.where.column, 14 + 24) << p.str();
  EXPECT_NE(p.message.find("invalid WKT"), std::string::npos);
}

TEST(ScenarioReader, InvalidPolygonIsReported) {
  std::string text = kBase;
  text.replace(text.find("0 0, 20 0, 20 10, 0 10, 0 0"), 27, "0 0, 20 10, 20 0, 0 8, 0 0");
  const auto p = problem_for(parse_error(text), "venue.walkable");
  EXPECT_NE(p.message.find("intersects itself"), std::string::npos) << p.message;
}

TEST(ScenarioReader, ReadsWalkableFileRelativeToScenarioFolder) {
  const auto dir = std::filesystem::temp_directory_path() / "crowdsafe_scenario_reader_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "room.wkt") << "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))\n";
  std::string text = kBase;
  const auto begin = text.find("walkable:");
  text.replace(begin, text.find('\n', begin) - begin, "walkable_file: room.wkt");
  const Scenario sc = parse_scenario(text, dir / "s.yaml");
  EXPECT_NEAR(area(sc.walkable), 200.0, 1e-9);

  text.replace(text.find("room.wkt"), 8, "nope.wkt");
  const auto p = problem_for(parse_error(text, (dir / "s.yaml").string()), "venue.walkable_file");
  EXPECT_NE(p.message.find((dir / "nope.wkt").string()), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("does not exist"), std::string::npos) << p.message;

  std::ofstream(dir / "bad.wkt") << "POLYGON ((0 0, 20 0, 20 10)\n";
  text.replace(text.find("nope.wkt"), 8, "bad.wkt");
  const auto q = problem_for(parse_error(text, (dir / "s.yaml").string()), "venue.walkable_file");
  EXPECT_NE(q.message.find("bad.wkt': invalid WKT"), std::string::npos) << q.message;
  EXPECT_EQ(q.where.line, 2);
  std::filesystem::remove_all(dir);
}

TEST(ScenarioReader, ObstacleOutsideWalkableAreaIsError) {
  std::string text = kBase;
  text.insert(text.find("exits:"), "  obstacles: [[30, 30, 31, 31]]\n");
  const auto p = problem_for(parse_error(text), "venue.obstacles[0]");
  EXPECT_NE(p.message.find("not inside any walkable polygon"), std::string::npos);
}

TEST(ScenarioReader, UnknownTargetSuggestsExistingName) {
  const InputError e = parse_error(kBase + "    target: exit:dor\n");
  const auto p = problem_for(e, "groups[0].target");
  EXPECT_NE(p.message.find("no exit named 'dor'; did you mean 'door'?"), std::string::npos) << p.message;

  const auto p2 = problem_for(parse_error(kBase + "    target: door\n"), "groups[0].target");
  EXPECT_NE(p2.message.find("did you mean 'exit:door'?"), std::string::npos) << p2.message;
}

TEST(ScenarioReader, DirectionTargetsNeedNoExit) {
  const std::string text = R"yaml(venue:
  walkable: "POLYGON ((0 0, 20 0, 20 4, 0 4, 0 0))"
periodic: {length_m: 20}
groups:
  - rect: [0, 0, 20, 4]
    density_per_m2: 1
    target: {direction: [1, 0]}
)yaml";
  const Scenario sc = parse_scenario(text, "corridor.yaml");
  EXPECT_EQ(sc.groups[0].name, "group-1");
  EXPECT_EQ(sc.groups[0].target.kind, Target::Kind::Direction);

  std::string no_target = text;
  no_target.erase(no_target.find("    target"));
  const InputError e = parse_error(no_target);
  EXPECT_NE(std::string(e.what()).find("at least one exit or destination"), std::string::npos) << e.what();
}

TEST(ScenarioReader, RefusesMoreAgentsThanFitInMemory) {
  std::string text = kBase;
  text.replace(text.find("count: 10"), 9, "count: 20000000");
  EXPECT_NE(problem_for(parse_error(text), "groups[0].count").message.find("would not fit in memory"),
            std::string::npos);

  const std::string big = R"yaml(venue:
  walkable: "POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))"
exits: [{name: door, rect: [0, 0, 1, 1]}]
groups: [{rect: [0, 0, 10000, 10000], density_per_m2: 0.5}]
)yaml";
  EXPECT_NE(problem_for(parse_error(big), "groups[0].density_per_m2").message.find("would not fit in memory"),
            std::string::npos);
}

TEST(ScenarioReader, CountAndDensityAreExclusive) {
  EXPECT_NE(problem_for(parse_error(kBase + "    density_per_m2: 1\n"), "groups[0].density_per_m2")
                .message.find("not both"),
            std::string::npos);
  std::string neither = kBase;
  neither.erase(neither.find("    count: 10\n"));
  EXPECT_NE(problem_for(parse_error(neither), "groups[0].count").message.find("density_per_m2"), std::string::npos);
}

TEST(ScenarioReader, ExplicitPositionsReplaceAreaAndCount) {
  std::string text = kBase;
  const std::string placement = "    rect: [1, 1, 10, 9]\n    count: 10\n";
  text.replace(text.find(placement), placement.size(), "    positions: [[1, 1], [2, 3.5]]\n");
  const Scenario sc = parse_scenario(text, "t.yaml");
  ASSERT_EQ(sc.groups[0].positions.size(), 2u);
  EXPECT_EQ(sc.groups[0].positions[1], (Vec2{2, 3.5}));
  EXPECT_EQ(sc.groups[0].count, 2);

  const InputError e = parse_error(kBase + "    positions: [[1, 1], [2]]\n");
  EXPECT_NE(problem_for(e, "groups[0].count").message.find("either positions or count"), std::string::npos);
  EXPECT_NE(problem_for(e, "groups[0].positions[1]").message.find("expected [x, y]"), std::string::npos);
}

TEST(ScenarioReader, OutputIntervalMustNotBeBelowTimeStep) {
  const auto p = problem_for(parse_error("time_step_s: 0.05\noutput_interval_s: 0.01\n" + kBase), "output_interval_s");
  EXPECT_NE(p.message.find("must be >= time_step_s (0.05 s)"), std::string::npos) << p.message;
}

TEST(ScenarioReader, ChecksProfileRanges) {
  const InputError e =
      parse_error("profiles:\n  big: {radius_max_m: 2}\n  odd: {radius_min_m: 0.4, radius_max_m: 0.3}\n"
                  "  adults: {speed_mean_m_s: 1}\n" + kBase + "    profile: {speed_mean_m_s: 11}\n");
  EXPECT_NE(problem_for(e, "profiles.big.radius_max_m").message.find("(0, 1.5] m"), std::string::npos);
  EXPECT_NE(problem_for(e, "profiles.odd").message.find("radius_min_m (0.4) must be <= radius_max_m"),
            std::string::npos);
  EXPECT_NE(problem_for(e, "profiles.adults").message.find("built-in"), std::string::npos);
  EXPECT_NE(problem_for(e, "groups[0].profile.speed_mean_m_s").message.find("(0, 10] m/s"), std::string::npos);
}

TEST(ScenarioReader, ElderlyProfileIsBuiltIn) {
  const Scenario sc = parse_scenario(kBase + "    profile: elderly\n", "t.yaml");
  EXPECT_DOUBLE_EQ(sc.groups[0].profile.speed_mean_m_s, 1.0);
  EXPECT_DOUBLE_EQ(sc.groups[0].profile.speed_sd_m_s, 0.2);
  EXPECT_NE(problem_for(parse_error(kBase + "    profile: eldrly\n"), "groups[0].profile")
                .message.find("did you mean 'elderly'?"),
            std::string::npos);
}

TEST(ScenarioReader, ChecksScheduleWindows) {
  const std::string text = kBase + R"yaml(sources:
  - name: gate
    rect: [1, 1, 2, 2]
    schedule:
      - {begin_s: 10, end_s: 5, rate_per_s: 1}
      - {begin_s: 0, end_s: 20, rate_per_s: -1}
      - {begin_s: 0, end_s: 20, rate_per_s: 1}
      - {begin_s: 10, end_s: 30, rate_per_s: 1}
)yaml";
  const InputError e = parse_error(text);
  EXPECT_NE(problem_for(e, "sources[0].schedule[0].end_s").message.find("must be > begin_s (10 s)"),
            std::string::npos);
  EXPECT_NE(problem_for(e, "sources[0].schedule[1].rate_per_s").message.find(">= 0 persons/s"), std::string::npos);
  EXPECT_NE(problem_for(e, "sources[0].schedule[3].begin_s").message.find("overlap"), std::string::npos);
}

TEST(ScenarioReader, RejectsDuplicateNamesAndKeys) {
  const std::string text = R"yaml(venue:
  walkable: "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))"
  walkable: "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))"
exits:
  - {name: door, rect: [19, 4, 20, 6]}
  - {name: door, rect: [0, 4, 1, 6]}
groups:
  - {name: a, rect: [1, 1, 2, 2], count: 1}
  - {name: a, rect: [1, 1, 2, 2], count: 1}
)yaml";
  const InputError e = parse_error(text);
  EXPECT_NE(problem_for(e, "venue.walkable").message.find("duplicate key; already given on line 2"),
            std::string::npos);
  EXPECT_EQ(problem_for(e, "exits[1].name").message,
            "duplicate name 'door'; already used on line 5, names must be unique");
  EXPECT_EQ(problem_for(e, "groups[1].name").where.line, 9);
}

TEST(ScenarioReader, RequiresGroupsOrSourcesAndAVenue) {
  const InputError e = parse_error("exits: [{name: door, rect: [0, 0, 1, 1]}]\n");
  EXPECT_NE(problem_for(e, "venue").message.find("missing"), std::string::npos);
  EXPECT_NE(problem_for(e, "groups").message.find("nobody to simulate"), std::string::npos);
  EXPECT_THROW(parse_scenario("", "empty.yaml"), InputError);
  EXPECT_THROW(parse_scenario("- a\n- b\n", "list.yaml"), InputError);
}

TEST(ScenarioReader, MissingScenarioFileIsInputError) {
  try {
    read_scenario("/nonexistent/scenario.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/scenario.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace crowdsafe
