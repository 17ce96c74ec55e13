/// @file test_trajectory_writer.cpp
/// Writes small trajectory files and reads them back with the HDF5 C API, independently of the
/// writer's own types, checking the layout in docs/output-format.md and the values.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "crowdsafe/output.hpp"

namespace crowdsafe {
namespace {

namespace fs = std::filesystem;

constexpr const char* kWkt = "POLYGON ((0 0, 10 0, 10 5, 0 5, 0 0), (4 2, 6 2, 6 3, 4 3, 4 2))";

/// This process's scratch directory (per process, so concurrent test runs do not collide).
fs::path scratch_root() {
  return fs::path(::testing::TempDir()) /
         ("crowdsafe_trajectory_writer." + std::to_string(getpid()));
}

/// Removes the scratch directory after the last test.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_root(), ec);
  }
};
[[maybe_unused]] ::testing::Environment* const kScratchCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

/// A fresh, empty directory per test.
fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      scratch_root() / (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

RunMetadata example_metadata() {
  RunMetadata m;
  m.scenario_name = "corridor";
  m.scenario_file = "scenarios/corridor.yaml";
  m.scenario_hash = fnv1a64_hex("scenario text");
  m.version = "0.1.0";
  m.walkable_wkt = kWkt;
  m.group_names = {"commuters", "east entrance"};
  m.exit_names = {"west", "east", "Ausgang Süd"};
  m.levels_json = R"([{"name":"level 0","offset_x_m":0.0,"offset_y_m":0.0,"z_min_m":0.0,"z_max_m":0.0}])";
  m.seed = 18446744073709551557ULL;  // above INT64_MAX: must round-trip as unsigned
  m.time_step_s = 0.01;
  m.output_interval_s = 0.125;  // fps 8
  m.threads = 4;
  return m;
}

/// Agents present in a synthetic frame: n agents with ids first_id.., positions from (frame, i).
struct FrameData {
  std::vector<AgentId> id;
  std::vector<Vec2> position;
  std::vector<Vec2> velocity;
  std::vector<double> force;

  FrameData(std::int64_t frame, std::int64_t first_id, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = static_cast<double>(i);
      const auto f = static_cast<double>(frame);
      id.emplace_back(first_id + static_cast<std::int64_t>(i));
      position.emplace_back(0.5 * k + 0.01 * f, 1.0 + 0.25 * k);
      velocity.emplace_back(1.0 + 0.001 * f, -0.5 * k);
      force.push_back(100.0 * k + f);
    }
  }
  FrameView view(std::int64_t frame, double time_s) const {
    return FrameView{frame, time_s, id, position, velocity, force};
  }
};

// ---------------------------------------------------------------------------------------------
// Reading helpers (HDF5 C API, RAII on every identifier).

struct Closer {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Closer() {
    if (id >= 0) close(id);
  }
};

struct TrajRow {
  std::int64_t id, frame;
  double x, y;
};
struct FrameDataRow {
  double vx, vy, contact_force;
};
struct FramesRow {
  std::int64_t frame;
  double time;
  std::int64_t first_row, count;
};
struct AgentRow {
  std::int64_t id;
  std::int32_t group;
  double spawn_time, exit_time;
  std::int32_t exit;
  double desired_speed, radius;
};

class Reader {
 public:
  explicit Reader(const fs::path& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_ < 0) throw std::runtime_error("cannot open " + path.string());
  }
  ~Reader() { H5Fclose(file_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  hid_t file() const { return file_; }

  bool exists(const char* path) const { return H5Lexists(file_, path, H5P_DEFAULT) > 0; }

  /// Member names and file types of a 1-D compound dataset, in order.
  std::vector<std::pair<std::string, hid_t>> members(const char* dataset) const {
    const hid_t ds = H5Dopen2(file_, dataset, H5P_DEFAULT);
    Closer c_ds{ds, H5Dclose};
    const hid_t type = H5Dget_type(ds);
    Closer c_t{type, H5Tclose};
    EXPECT_EQ(H5Tget_class(type), H5T_COMPOUND) << dataset;
    const hid_t space = H5Dget_space(ds);
    Closer c_s{space, H5Sclose};
    EXPECT_EQ(H5Sget_simple_extent_ndims(space), 1) << dataset;
    std::vector<std::pair<std::string, hid_t>> out;
    const int n = H5Tget_nmembers(type);
    for (int i = 0; i < n; ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      out.emplace_back(name, H5Tget_member_type(type, static_cast<unsigned>(i)));
      H5free_memory(name);
    }
    return out;
  }

  /// Expects the members to be exactly `expected` (name, standard type), in order.
  void expect_members(const char* dataset,
                      const std::vector<std::pair<std::string, hid_t>>& expected) const {
    auto got = members(dataset);
    ASSERT_EQ(got.size(), expected.size()) << dataset;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, expected[i].first) << dataset;
      EXPECT_GT(H5Tequal(got[i].second, expected[i].second), 0)
          << dataset << "." << got[i].first << " has the wrong type";
      H5Tclose(got[i].second);
    }
  }

  std::size_t rows(const char* dataset) const {
    const hid_t ds = H5Dopen2(file_, dataset, H5P_DEFAULT);
    Closer c_ds{ds, H5Dclose};
    const hid_t space = H5Dget_space(ds);
    Closer c_s{space, H5Sclose};
    hsize_t dims[1] = {0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    return static_cast<std::size_t>(dims[0]);
  }

  /// Reads a whole dataset through a memory type built by `make_type`.
  template <class Row>
  std::vector<Row> read(const char* dataset, hid_t mem_type) const {
    std::vector<Row> out(rows(dataset));
    const hid_t ds = H5Dopen2(file_, dataset, H5P_DEFAULT);
    Closer c_ds{ds, H5Dclose};
    if (!out.empty()) {
      EXPECT_GE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << dataset;
    }
    H5Tclose(mem_type);
    return out;
  }

  std::vector<TrajRow> trajectory() const {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(TrajRow));
    H5Tinsert(t, "id", offsetof(TrajRow, id), H5T_NATIVE_INT64);
    H5Tinsert(t, "frame", offsetof(TrajRow, frame), H5T_NATIVE_INT64);
    H5Tinsert(t, "x", offsetof(TrajRow, x), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "y", offsetof(TrajRow, y), H5T_NATIVE_DOUBLE);
    return read<TrajRow>("/trajectory", t);
  }
  std::vector<FrameDataRow> frame_data() const {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(FrameDataRow));
    H5Tinsert(t, "vx", offsetof(FrameDataRow, vx), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "vy", offsetof(FrameDataRow, vy), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "contact_force", offsetof(FrameDataRow, contact_force), H5T_NATIVE_DOUBLE);
    return read<FrameDataRow>("/crowdsafe/frame_data", t);
  }
  std::vector<FramesRow> frames() const {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(FramesRow));
    H5Tinsert(t, "frame", offsetof(FramesRow, frame), H5T_NATIVE_INT64);
    H5Tinsert(t, "time", offsetof(FramesRow, time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "first_row", offsetof(FramesRow, first_row), H5T_NATIVE_INT64);
    H5Tinsert(t, "count", offsetof(FramesRow, count), H5T_NATIVE_INT64);
    return read<FramesRow>("/crowdsafe/frames", t);
  }
  std::vector<AgentRow> agents() const {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(AgentRow));
    H5Tinsert(t, "id", offsetof(AgentRow, id), H5T_NATIVE_INT64);
    H5Tinsert(t, "group", offsetof(AgentRow, group), H5T_NATIVE_INT32);
    H5Tinsert(t, "spawn_time", offsetof(AgentRow, spawn_time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "exit_time", offsetof(AgentRow, exit_time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "exit", offsetof(AgentRow, exit), H5T_NATIVE_INT32);
    H5Tinsert(t, "desired_speed", offsetof(AgentRow, desired_speed), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "radius", offsetof(AgentRow, radius), H5T_NATIVE_DOUBLE);
    return read<AgentRow>("/crowdsafe/agents", t);
  }

  /// Opens attribute `name` of object `obj` ("/" for the root).
  hid_t open_attr(const char* obj, const char* name) const {
    const hid_t a = H5Aopen_by_name(file_, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(a, 0) << "missing attribute " << obj << " " << name;
    return a;
  }
  bool has_attr(const char* obj, const char* name) const {
    return H5Aexists_by_name(file_, obj, name, H5P_DEFAULT) > 0;
  }

  /// Reads a scalar attribute, checking its file type.
  template <class T>
  T scalar(const char* obj, const char* name, hid_t file_type, hid_t mem_type) const {
    const hid_t a = open_attr(obj, name);
    Closer c_a{a, H5Aclose};
    const hid_t type = H5Aget_type(a);
    Closer c_t{type, H5Tclose};
    EXPECT_GT(H5Tequal(type, file_type), 0) << obj << " " << name << " has the wrong type";
    T v{};
    EXPECT_GE(H5Aread(a, mem_type, &v), 0);
    return v;
  }
  double f64(const char* obj, const char* name) const {
    return scalar<double>(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  }
  std::int32_t i32(const char* obj, const char* name) const {
    return scalar<std::int32_t>(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32);
  }
  std::int64_t i64(const char* obj, const char* name) const {
    return scalar<std::int64_t>(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64);
  }
  std::uint64_t u64(const char* obj, const char* name) const {
    return scalar<std::uint64_t>(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64);
  }

  /// Reads a variable-length UTF-8 string attribute (scalar or 1-D).
  std::vector<std::string> strings(const char* obj, const char* name) const {
    const hid_t a = open_attr(obj, name);
    Closer c_a{a, H5Aclose};
    const hid_t type = H5Aget_type(a);
    Closer c_t{type, H5Tclose};
    EXPECT_EQ(H5Tget_class(type), H5T_STRING);
    EXPECT_GT(H5Tis_variable_str(type), 0) << name << " is not variable-length";
    EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8) << name << " is not UTF-8";
    const hid_t space = H5Aget_space(a);
    Closer c_s{space, H5Sclose};
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<char*> raw(n, nullptr);
    std::vector<std::string> out;
    if (n == 0) return out;
    const hid_t mem = H5Tcopy(H5T_C_S1);
    Closer c_m{mem, H5Tclose};
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5T_CSET_UTF8);
    EXPECT_GE(H5Aread(a, mem, raw.data()), 0);
    for (char* s : raw) {
      out.emplace_back(s != nullptr ? s : "");
      H5free_memory(s);
    }
    return out;
  }
  std::string string(const char* obj, const char* name) const {
    const auto v = strings(obj, name);
    EXPECT_EQ(v.size(), 1u) << name;
    return v.empty() ? std::string() : v.front();
  }

 private:
  hid_t file_ = H5I_INVALID_HID;
};

std::vector<AgentRecord> example_agents() {
  std::vector<AgentRecord> agents(3);
  agents[0] = {AgentId(0), 0, 0.0, 12.5, 1, 1.34, 0.25};
  agents[1] = {AgentId(1), 1, 0.5, -1.0, -1, 1.1, 0.3};  // still inside
  agents[2] = {AgentId(2), 1, 1.0, 20.0, 0, 0.9, 0.2};
  return agents;
}

/// Writes `frames` frames of `n` agents (ids 0..n-1), then finishes unless `finish` is false.
void write_example(const fs::path& file, int frames, std::size_t n, bool finish = true) {
  const RunMetadata meta = example_metadata();
  TrajectoryWriter w(file, meta);
  for (int f = 0; f < frames; ++f) {
    const FrameData d(f, 0, n);
    w.write_frame(d.view(f, f * meta.output_interval_s));
  }
  if (finish) {
    RunEnd end;
    end.complete = true;
    end.status = "completed";
    end.simulated_time_s = 30.0;
    end.steps = 3000;
    end.wall_time_s = 1.5;
    w.finish(example_agents(), end);
  }
}

// ---------------------------------------------------------------------------------------------

TEST(TrajectoryWriter, TrajectoryHasPedPyLayoutAndValues) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 3, 4);
  Reader r(file);

  r.expect_members("/trajectory", {{"id", H5T_STD_I64LE},
                                   {"frame", H5T_STD_I64LE},
                                   {"x", H5T_IEEE_F64LE},
                                   {"y", H5T_IEEE_F64LE}});
  EXPECT_DOUBLE_EQ(r.f64("/trajectory", "fps"), 8.0);
  EXPECT_EQ(r.string("/trajectory", "unit"), "x: m; y: m");
  EXPECT_EQ(r.string("/", "wkt_geometry"), kWkt);

  const auto rows = r.trajectory();
  ASSERT_EQ(rows.size(), 12u);
  std::size_t k = 0;
  for (std::int64_t f = 0; f < 3; ++f) {
    const FrameData d(f, 0, 4);
    for (std::size_t i = 0; i < 4; ++i, ++k) {
      EXPECT_EQ(rows[k].id, d.id[i].value);
      EXPECT_EQ(rows[k].frame, f);
      EXPECT_EQ(rows[k].x, d.position[i].x);
      EXPECT_EQ(rows[k].y, d.position[i].y);
    }
  }
}

TEST(TrajectoryWriter, TrajectoryIsExtendibleAndChunked) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 2, 3);
  Reader r(file);
  const hid_t ds = H5Dopen2(r.file(), "/trajectory", H5P_DEFAULT);
  Closer c_ds{ds, H5Dclose};
  const hid_t space = H5Dget_space(ds);
  Closer c_s{space, H5Sclose};
  hsize_t dims[1], max_dims[1];
  H5Sget_simple_extent_dims(space, dims, max_dims);
  EXPECT_EQ(max_dims[0], H5S_UNLIMITED);
  const hid_t dcpl = H5Dget_create_plist(ds);
  Closer c_p{dcpl, H5Pclose};
  EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
  hsize_t chunk[1] = {0};
  H5Pget_chunk(dcpl, 1, chunk);
  EXPECT_GE(chunk[0], 1024u);
}

TEST(TrajectoryWriter, FrameDataIsRowAlignedWithTrajectory) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 3, 5);
  Reader r(file);
  r.expect_members("/crowdsafe/frame_data", {{"vx", H5T_IEEE_F64LE},
                                             {"vy", H5T_IEEE_F64LE},
                                             {"contact_force", H5T_IEEE_F64LE}});
  EXPECT_EQ(r.string("/crowdsafe/frame_data", "unit"), "vx: m/s; vy: m/s; contact_force: N");
  const auto traj = r.trajectory();
  const auto data = r.frame_data();
  ASSERT_EQ(data.size(), traj.size());
  for (std::size_t k = 0; k < traj.size(); ++k) {
    const FrameData d(traj[k].frame, 0, 5);
    const auto i = static_cast<std::size_t>(traj[k].id);
    EXPECT_EQ(data[k].vx, d.velocity[i].x);
    EXPECT_EQ(data[k].vy, d.velocity[i].y);
    EXPECT_EQ(data[k].contact_force, d.force[i]);
  }
}

TEST(TrajectoryWriter, FramesIndexPointsAtEachFramesRows) {
  const fs::path file = test_dir() / "run.h5";
  const RunMetadata meta = example_metadata();
  {
    TrajectoryWriter w(file, meta);
    // Agent counts change from frame to frame, including an empty frame.
    const std::vector<std::size_t> counts = {2, 0, 5, 1};
    for (std::size_t f = 0; f < counts.size(); ++f) {
      const FrameData d(static_cast<std::int64_t>(f) * 2, 10, counts[f]);
      w.write_frame(d.view(static_cast<std::int64_t>(f) * 2, 0.25 * static_cast<double>(f)));
    }
    w.finish({}, RunEnd{});
  }
  Reader r(file);
  r.expect_members("/crowdsafe/frames", {{"frame", H5T_STD_I64LE},
                                         {"time", H5T_IEEE_F64LE},
                                         {"first_row", H5T_STD_I64LE},
                                         {"count", H5T_STD_I64LE}});
  const auto frames = r.frames();
  const auto traj = r.trajectory();
  ASSERT_EQ(frames.size(), 4u);
  const std::vector<std::int64_t> first = {0, 2, 2, 7};
  const std::vector<std::int64_t> count = {2, 0, 5, 1};
  for (std::size_t f = 0; f < frames.size(); ++f) {
    EXPECT_EQ(frames[f].frame, static_cast<std::int64_t>(2 * f));
    EXPECT_DOUBLE_EQ(frames[f].time, 0.25 * static_cast<double>(f));
    EXPECT_EQ(frames[f].first_row, first[f]);
    EXPECT_EQ(frames[f].count, count[f]);
    for (std::int64_t k = first[f]; k < first[f] + count[f]; ++k) {
      EXPECT_EQ(traj[static_cast<std::size_t>(k)].frame, frames[f].frame);
    }
  }
  EXPECT_EQ(traj.size(), 8u);
}

TEST(TrajectoryWriter, MetadataAttributesAfterFinish) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 2, 2);
  Reader r(file);
  const char* m = "/crowdsafe/metadata";
  const RunMetadata meta = example_metadata();
  EXPECT_EQ(r.string(m, "scenario_name"), meta.scenario_name);
  EXPECT_EQ(r.string(m, "scenario_file"), meta.scenario_file);
  EXPECT_EQ(r.string(m, "scenario_hash"), meta.scenario_hash);
  EXPECT_EQ(r.string(m, "version"), meta.version);
  EXPECT_EQ(r.u64(m, "seed"), meta.seed);
  EXPECT_DOUBLE_EQ(r.f64(m, "time_step_s"), 0.01);
  EXPECT_DOUBLE_EQ(r.f64(m, "output_interval_s"), 0.125);
  EXPECT_EQ(r.i32(m, "threads"), 4);
  EXPECT_EQ(r.strings(m, "group_names"), meta.group_names);
  EXPECT_EQ(r.strings(m, "exit_names"), meta.exit_names);
  EXPECT_EQ(r.string(m, "levels"), meta.levels_json);
  EXPECT_NE(r.string(m, "units").find("length: m"), std::string::npos);
  EXPECT_EQ(r.i32(m, "complete"), 1);
  EXPECT_EQ(r.string(m, "status"), "completed");
  EXPECT_DOUBLE_EQ(r.f64(m, "simulated_time_s"), 30.0);
  EXPECT_DOUBLE_EQ(r.f64(m, "wall_time_s"), 1.5);
  EXPECT_EQ(r.i64(m, "steps"), 3000);
}

TEST(TrajectoryWriter, EmptyNameListsAreEmptyArrays) {
  const fs::path file = test_dir() / "run.h5";
  RunMetadata meta = example_metadata();
  meta.group_names.clear();
  meta.exit_names.clear();
  {
    TrajectoryWriter w(file, meta);
    w.finish({}, RunEnd{});
  }
  Reader r(file);
  EXPECT_TRUE(r.strings("/crowdsafe/metadata", "group_names").empty());
  EXPECT_TRUE(r.strings("/crowdsafe/metadata", "exit_names").empty());
  EXPECT_EQ(r.rows("/trajectory"), 0u);
  EXPECT_EQ(r.string("/crowdsafe/metadata", "status"), "completed");
}

TEST(TrajectoryWriter, AgentTableWithNaNForAgentsThatNeverLeft) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 1, 3);
  Reader r(file);
  r.expect_members("/crowdsafe/agents", {{"id", H5T_STD_I64LE},
                                         {"group", H5T_STD_I32LE},
                                         {"spawn_time", H5T_IEEE_F64LE},
                                         {"exit_time", H5T_IEEE_F64LE},
                                         {"exit", H5T_STD_I32LE},
                                         {"desired_speed", H5T_IEEE_F64LE},
                                         {"radius", H5T_IEEE_F64LE}});
  const auto agents = r.agents();
  ASSERT_EQ(agents.size(), 3u);
  EXPECT_EQ(agents[0].id, 0);
  EXPECT_EQ(agents[0].group, 0);
  EXPECT_DOUBLE_EQ(agents[0].exit_time, 12.5);
  EXPECT_EQ(agents[0].exit, 1);
  EXPECT_DOUBLE_EQ(agents[0].desired_speed, 1.34);
  EXPECT_DOUBLE_EQ(agents[0].radius, 0.25);
  EXPECT_EQ(agents[1].id, 1);
  EXPECT_EQ(agents[1].group, 1);
  EXPECT_DOUBLE_EQ(agents[1].spawn_time, 0.5);
  EXPECT_TRUE(std::isnan(agents[1].exit_time));
  EXPECT_EQ(agents[1].exit, -1);
  EXPECT_EQ(agents[2].exit, 0);
}

TEST(TrajectoryWriter, ManyRowsAcrossSeveralBatches) {
  // 70 frames x 700 agents = 49,000 rows: several appends of the 16,384-row batches plus the
  // 64-frame flush, which must join without gaps or duplicates.
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 70, 700);
  Reader r(file);
  const auto traj = r.trajectory();
  const auto data = r.frame_data();
  const auto frames = r.frames();
  ASSERT_EQ(traj.size(), 49000u);
  ASSERT_EQ(data.size(), 49000u);
  ASSERT_EQ(frames.size(), 70u);
  for (std::size_t k = 0; k < traj.size(); ++k) {
    ASSERT_EQ(traj[k].frame, static_cast<std::int64_t>(k / 700)) << k;
    ASSERT_EQ(traj[k].id, static_cast<std::int64_t>(k % 700)) << k;
    ASSERT_EQ(data[k].contact_force, 100.0 * static_cast<double>(k % 700) +
                                         static_cast<double>(k / 700))
        << k;
  }
  for (std::size_t f = 0; f < frames.size(); ++f) {
    EXPECT_EQ(frames[f].first_row, static_cast<std::int64_t>(700 * f));
    EXPECT_EQ(frames[f].count, 700);
  }
}

TEST(TrajectoryWriter, DestructorWithoutFinishKeepsFramesAndMarksInterrupted) {
  const fs::path file = test_dir() / "run.h5";
  // 70 frames: 64 reach the disk at the periodic flush, 6 only at destruction.
  try {
    const RunMetadata meta = example_metadata();
    TrajectoryWriter w(file, meta);
    for (int f = 0; f < 70; ++f) {
      const FrameData d(f, 0, 3);
      w.write_frame(d.view(f, f * meta.output_interval_s));
    }
    throw std::runtime_error("simulated failure during a step");
  } catch (const std::runtime_error&) {
  }
  Reader r(file);
  const char* m = "/crowdsafe/metadata";
  EXPECT_EQ(r.i32(m, "complete"), 0);
  EXPECT_EQ(r.string(m, "status"), "interrupted");
  EXPECT_DOUBLE_EQ(r.f64(m, "simulated_time_s"), 69 * 0.125);
  EXPECT_EQ(r.i64(m, "steps"), -1);
  EXPECT_EQ(r.rows("/trajectory"), 210u);
  EXPECT_EQ(r.rows("/crowdsafe/frame_data"), 210u);
  const auto frames = r.frames();
  ASSERT_EQ(frames.size(), 70u);
  EXPECT_EQ(frames.back().frame, 69);
  EXPECT_EQ(frames.back().first_row, 207);
  EXPECT_EQ(r.rows("/crowdsafe/agents"), 0u);  // the agent table exists, empty
  EXPECT_EQ(r.string("/", "wkt_geometry"), kWkt);
}

TEST(TrajectoryWriter, RunningFileSaysRunningUntilTheEnd) {
  const fs::path file = test_dir() / "run.h5";
  // A child process writes and is killed without any cleanup, like `kill -9` on a run.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const RunMetadata meta = example_metadata();
    TrajectoryWriter w(file, meta);
    for (int f = 0; f < 70; ++f) {
      const FrameData d(f, 0, 3);
      w.write_frame(d.view(f, f * meta.output_interval_s));
    }
    std::raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  Reader r(file);
  EXPECT_EQ(r.i32("/crowdsafe/metadata", "complete"), 0);
  EXPECT_EQ(r.string("/crowdsafe/metadata", "status"), "running");
  EXPECT_FALSE(r.has_attr("/crowdsafe/metadata", "steps"));
  // Everything up to the flush after frame 63 is on disk.
  const auto frames = r.frames();
  ASSERT_EQ(frames.size(), 64u);
  EXPECT_EQ(r.trajectory().size(), 64u * 3u);
  EXPECT_EQ(r.frame_data().size(), 64u * 3u);
}

TEST(TrajectoryWriter, FlushesAfterTwoSecondsOfWallTime) {
  const fs::path file = test_dir() / "run.h5";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const RunMetadata meta = example_metadata();
    TrajectoryWriter w(file, meta);
    const FrameData d0(0, 0, 2);
    w.write_frame(d0.view(0, 0.0));
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    const FrameData d1(1, 0, 2);
    w.write_frame(d1.view(1, 0.125));
    std::raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  Reader r(file);
  EXPECT_EQ(r.frames().size(), 2u);
  EXPECT_EQ(r.trajectory().size(), 4u);
}

TEST(TrajectoryWriter, MissingDirectoryThrowsWithPathAndHint) {
  const fs::path file = test_dir() / "no_such_dir" / "run.h5";
  try {
    TrajectoryWriter w(file, example_metadata());
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
    EXPECT_NE(what.find("mkdir"), std::string::npos) << what;
  }
}

TEST(TrajectoryWriter, UnwritableFileThrowsWithPath) {
  // A directory where the file should be: H5Fcreate itself fails.
  const fs::path file = test_dir() / "run.h5";
  fs::create_directories(file);
  try {
    TrajectoryWriter w(file, example_metadata());
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    EXPECT_NE(what.find("writable"), std::string::npos) << what;
  }
}

TEST(TrajectoryWriter, OverwritesAnExistingFile) {
  const fs::path file = test_dir() / "run.h5";
  write_example(file, 5, 5);
  write_example(file, 1, 1);
  Reader r(file);
  EXPECT_EQ(r.rows("/trajectory"), 1u);
}

TEST(TrajectoryWriter, RejectsBadInput) {
  const fs::path dir = test_dir();
  RunMetadata bad = example_metadata();
  bad.output_interval_s = 0.0;
  EXPECT_THROW(TrajectoryWriter(dir / "a.h5", bad), std::invalid_argument);

  TrajectoryWriter w(dir / "b.h5", example_metadata());
  FrameData d(0, 0, 3);
  d.force.pop_back();
  EXPECT_THROW(w.write_frame(d.view(0, 0.0)), std::invalid_argument);
  const FrameData ok(3, 0, 3);
  w.write_frame(ok.view(3, 0.375));
  EXPECT_THROW(w.write_frame(ok.view(3, 0.375)), std::invalid_argument);  // not increasing
  w.finish({}, RunEnd{});
  EXPECT_THROW(w.write_frame(ok.view(4, 0.5)), std::logic_error);
  EXPECT_THROW(w.finish({}, RunEnd{}), std::logic_error);
}

TEST(TrajectoryWriter, FailedRunStatusIsRecorded) {
  const fs::path file = test_dir() / "run.h5";
  {
    TrajectoryWriter w(file, example_metadata());
    RunEnd end;
    end.complete = false;
    end.status = "failed: agent 3 left the walkable area at t = 1.2 s";
    w.finish({}, end);
  }
  Reader r(file);
  EXPECT_EQ(r.i32("/crowdsafe/metadata", "complete"), 0);
  EXPECT_EQ(r.string("/crowdsafe/metadata", "status"),
            "failed: agent 3 left the walkable area at t = 1.2 s");
}

TEST(Fnv1a64Hex, MatchesPublishedTestVectors) {
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1a64_hex("foobar"), "85944171f73967e8");
}

}  // namespace
}  // namespace crowdsafe
