// Interrupt a run, resume it from its last checkpoint, and get the very same trajectory file
// content as an uninterrupted run.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <atomic>
#include <filesystem>

#include "crowdsafe/runner.hpp"

using namespace crowdsafe;

namespace {

struct Row {
  std::int64_t id, frame;
  double x, y;
};

std::vector<Row> read_trajectory(const std::filesystem::path& file) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, "trajectory", H5P_DEFAULT);
  const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(Row));
  H5Tinsert(t, "id", offsetof(Row, id), H5T_NATIVE_INT64);
  H5Tinsert(t, "frame", offsetof(Row, frame), H5T_NATIVE_INT64);
  H5Tinsert(t, "x", offsetof(Row, x), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "y", offsetof(Row, y), H5T_NATIVE_DOUBLE);
  const hid_t s = H5Dget_space(d);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(s, &n, nullptr);
  std::vector<Row> rows(n);
  if (n) H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data());
  H5Sclose(s);
  H5Tclose(t);
  H5Dclose(d);
  H5Fclose(f);
  return rows;
}

Scenario short_plaza() {
  Scenario sc = read_scenario(CROWDSAFE_SOURCE_DIR "/scenarios/festival-plaza/scenario.yaml");
  sc.duration_s = 12.0;
  return sc;
}

}  // namespace

TEST(Resume, InterruptedRunResumesBitIdentically) {
  const auto base = std::filesystem::temp_directory_path() / ("crowdsafe-resume-" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  RunOptions opt;
  opt.threads = 2;
  opt.checkpoint_every_s = 3.0;
  const RunSummary full = run_scenario(short_plaza(), base / "full", opt);
  ASSERT_EQ(full.status, "completed");

  // Stop after 7.5 s of simulated time: the last checkpoint is at 6 s.
  std::atomic<bool> stop{false};
  RunOptions cut = opt;
  cut.stop = &stop;
  cut.on_progress = [&](const Progress& p) { stop = p.simulated_s >= 7.5; };
  const RunSummary first = run_scenario(short_plaza(), base / "cut", cut);
  ASSERT_EQ(first.status, "interrupted");

  RunOptions again = opt;
  again.threads = 1;  // any thread count gives the same result
  const RunSummary resumed = resume_run(base / "cut", again);
  EXPECT_EQ(resumed.status, "completed");
  EXPECT_EQ(resumed.agents_total, full.agents_total);
  EXPECT_EQ(resumed.agents_evacuated, full.agents_evacuated);
  EXPECT_EQ(resumed.steps, full.steps);

  const auto a = read_trajectory(base / "full" / "trajectories.h5");
  const auto b = read_trajectory(base / "cut" / "trajectories.h5");
  ASSERT_EQ(a.size(), b.size());
  bool identical = true;
  for (std::size_t i = 0; i < a.size() && identical; ++i)
    identical = a[i].id == b[i].id && a[i].frame == b[i].frame && a[i].x == b[i].x && a[i].y == b[i].y;
  EXPECT_TRUE(identical);
  std::filesystem::remove_all(base);
}

TEST(Resume, WithoutCheckpointSaysHowToGetOne) {
  const auto dir = std::filesystem::temp_directory_path() / "crowdsafe-no-checkpoint";
  std::filesystem::create_directories(dir);
  try {
    resume_run(dir);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--checkpoint-every"), std::string::npos) << e.what();
  }
}
