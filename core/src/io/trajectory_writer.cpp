/// @file trajectory_writer.cpp
/// HDF5 trajectory file: PedPy's /trajectory layout plus a /crowdsafe group (per-row velocity
/// and contact force, a frame index, the agent table and run metadata). The layout is
/// documented in docs/output-format.md; keep the two in step.

#include <hdf5.h>

#include <optional>

#include "io/h5.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "crowdsafe/output.hpp"

namespace crowdsafe {
namespace detail {
namespace {

/// Rows per chunk of /trajectory and /crowdsafe/frame_data (512 KiB and 384 KiB chunks, both
/// under HDF5's default 1 MiB chunk cache). Buffered rows are appended once this many collect.
constexpr hsize_t kRowChunk = 16384;
/// gzip level for every table; 0 = off. Measured on 7.5 M synthetic rows: level 1 with shuffle
/// shrinks the file 2.3x but costs ~0.7 µs per row (7 ms per 10,000-agent frame, serial, in
/// the record phase), so it is off; `h5repack -f SHUF -f GZIP=1` compresses a finished file.
constexpr unsigned kDeflateLevel = 0;
/// Rows per chunk of the small per-frame and per-agent tables.
constexpr hsize_t kTableChunk = 1024;
/// The file is flushed at least every this many frames ...
constexpr std::int64_t kFlushEveryFrames = 64;
/// ... and at least this often in wall time, so a killed run loses little.
constexpr std::chrono::seconds kFlushEveryWall{2};
/// Physical units of every quantity, written to /crowdsafe/metadata.units.
constexpr const char* kUnits =
    "length: m; time: s; speed: m/s; force: N; frame rate: 1/s";

/// One row of /trajectory: exactly PedPy's (Ped Data Archive) layout.
struct TrajectoryRow {
  std::int64_t id;
  std::int64_t frame;
  double x;  ///< m
  double y;  ///< m
};

/// One row of /crowdsafe/frame_data, row-aligned with /trajectory.
struct FrameDataRow {
  double vx;             ///< m/s
  double vy;             ///< m/s
  double contact_force;  ///< N
};

/// One row of /crowdsafe/frames: where a frame's rows are in /trajectory.
struct FrameRow {
  std::int64_t frame;
  double time;  ///< s
  std::int64_t first_row;
  std::int64_t count;
};

/// One row of /crowdsafe/agents.
struct AgentRow {
  std::int64_t id;
  std::int32_t group;
  double spawn_time;     ///< s
  double exit_time;      ///< s; NaN if the agent never left
  std::int32_t exit;     ///< exit index; -1 if none
  double desired_speed;  ///< m/s
  double radius;         ///< m
};

using h5::Attribute;
using h5::Dataset;
using h5::Dataspace;
using h5::Datatype;
using h5::File;
using h5::Group;
using h5::PropList;

std::string hdf5_error_text() { return h5::error_text(); }

/// A compound type's member: name, offset in the in-memory struct, native and file type.
struct Member {
  const char* name;
  std::size_t offset;
  hid_t memory_type;
  hid_t file_type;
};

}  // namespace
}  // namespace detail

struct TrajectoryWriter::Impl {
  using Clock = std::chrono::steady_clock;

  std::string path;  ///< for error messages
  Clock::time_point start = Clock::now();
  Clock::time_point last_flush = start;

  // Declared before the objects inside the file so it is closed last.
  detail::File file;
  detail::Group crowdsafe;
  detail::Group metadata;
  detail::Datatype string_type;  ///< variable-length UTF-8 string
  detail::Datatype trajectory_mem, trajectory_file;
  detail::Datatype frame_data_mem, frame_data_file;
  detail::Datatype frames_mem, frames_file;
  detail::Datatype agents_mem, agents_file;
  detail::Dataset trajectory;
  detail::Dataset frame_data;
  detail::Dataset frames;
  detail::Dataset agents;

  std::vector<detail::TrajectoryRow> trajectory_buffer;
  std::vector<detail::FrameDataRow> frame_data_buffer;
  std::vector<detail::FrameRow> frames_buffer;
  std::int64_t rows_written = 0;     ///< rows in /trajectory (and /crowdsafe/frame_data) on disk
  std::int64_t frames_written = 0;   ///< rows in /crowdsafe/frames on disk
  std::int64_t rows_total = 0;       ///< rows written + buffered
  std::int64_t frames_since_flush = 0;
  bool has_frame = false;
  std::int64_t last_frame = 0;
  double last_time_s = 0.0;
  bool finished = false;

  /// Creates the file; with `keep_frames`, reopens an existing one instead and keeps only its
  /// first `keep_frames` frames (resuming from a checkpoint taken at that frame).
  Impl(const std::filesystem::path& p, const RunMetadata& meta, std::optional<std::int64_t> keep_frames = {});
  void reopen(std::int64_t keep_frames);

  /// Throws std::runtime_error naming the file and the failed operation when rc < 0.
  template <class T>
  T check(T rc, const char* what) const {
    if (rc < 0) fail(what);
    return rc;
  }
  [[noreturn]] void fail(const std::string& what) const {
    const std::string why = detail::hdf5_error_text();
    throw std::runtime_error("cannot write trajectory file '" + path + "': " + what +
                             (why.empty() ? std::string() : " (HDF5: " + why + ")") +
                             "; check free disk space and that no other program has the file "
                             "open");
  }

  detail::Datatype make_compound(std::size_t size, const std::vector<detail::Member>& members,
                                 bool packed_file_type) const;
  detail::Dataset make_table(hid_t parent, const char* name, hid_t file_type, hsize_t chunk) const;
  detail::Group make_group(hid_t parent, const char* name) const;
  void append(hid_t dataset, hid_t mem_type, const void* rows, std::size_t n,
              std::int64_t already, const char* what) const;

  void set_string(hid_t obj, const char* name, const std::string& value) const;
  void set_strings(hid_t obj, const char* name, const std::vector<std::string>& values) const;
  void set_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                  const void* value) const;
  void set_f64(hid_t obj, const char* name, double v) const {
    set_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
  }
  void set_i32(hid_t obj, const char* name, std::int32_t v) const {
    set_scalar(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
  }
  void set_i64(hid_t obj, const char* name, std::int64_t v) const {
    set_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
  }
  void set_u64(hid_t obj, const char* name, std::uint64_t v) const {
    set_scalar(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
  }

  void write_frame(const FrameView& f);
  /// Appends every buffered row to the file.
  void drain();
  /// drain() then H5Fflush: the file on disk is then complete up to the last frame.
  void flush();
  void write_end(const RunEnd& end);
  /// Closes every object and then the file, throwing if the final close fails.
  void close();
  double wall_time_s() const {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
};

TrajectoryWriter::Impl::Impl(const std::filesystem::path& p, const RunMetadata& meta,
                             std::optional<std::int64_t> keep_frames)
    : path(p.string()) {
  using detail::Member;
  // Errors become exceptions with messages; HDF5's own printing to stderr would only add noise.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);

  if (!(meta.output_interval_s > 0.0) || !std::isfinite(meta.output_interval_s)) {
    throw std::invalid_argument("trajectory file '" + path + "': output_interval_s = " +
                                std::to_string(meta.output_interval_s) +
                                ": must be a positive number of seconds");
  }
  const std::filesystem::path dir = p.parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    throw std::runtime_error("cannot create trajectory file '" + path + "': directory '" +
                             dir.string() + "' does not exist; create it first (mkdir -p " +
                             dir.string() + ") or choose another output path");
  }

  if (!keep_frames) {
    const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0) {
      const std::string why = detail::hdf5_error_text();
      throw std::runtime_error("cannot create trajectory file '" + path + "'" +
                               (why.empty() ? std::string() : " (HDF5: " + why + ")") +
                               "; check that the directory is writable and that the file is "
                               "not open in another program");
    }
    file = detail::File(id);
  }

  string_type = detail::Datatype(check(H5Tcopy(H5T_C_S1), "creating the string type"));
  check(H5Tset_size(string_type.get(), H5T_VARIABLE), "creating the string type");
  check(H5Tset_cset(string_type.get(), H5T_CSET_UTF8), "creating the string type");

  // Compound types: the in-memory struct layout, and a packed little-endian file layout.
  using detail::AgentRow;
  using detail::FrameDataRow;
  using detail::FrameRow;
  using detail::TrajectoryRow;
  const std::vector<Member> trajectory_members = {
      {"id", offsetof(TrajectoryRow, id), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"frame", offsetof(TrajectoryRow, frame), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"x", offsetof(TrajectoryRow, x), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"y", offsetof(TrajectoryRow, y), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE}};
  const std::vector<Member> frame_data_members = {
      {"vx", offsetof(FrameDataRow, vx), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"vy", offsetof(FrameDataRow, vy), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"contact_force", offsetof(FrameDataRow, contact_force), H5T_NATIVE_DOUBLE,
       H5T_IEEE_F64LE}};
  const std::vector<Member> frames_members = {
      {"frame", offsetof(FrameRow, frame), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"time", offsetof(FrameRow, time), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"first_row", offsetof(FrameRow, first_row), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"count", offsetof(FrameRow, count), H5T_NATIVE_INT64, H5T_STD_I64LE}};
  const std::vector<Member> agents_members = {
      {"id", offsetof(AgentRow, id), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"group", offsetof(AgentRow, group), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"spawn_time", offsetof(AgentRow, spawn_time), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"exit_time", offsetof(AgentRow, exit_time), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"exit", offsetof(AgentRow, exit), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"desired_speed", offsetof(AgentRow, desired_speed), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"radius", offsetof(AgentRow, radius), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE}};
  trajectory_mem = make_compound(sizeof(TrajectoryRow), trajectory_members, false);
  trajectory_file = make_compound(sizeof(TrajectoryRow), trajectory_members, true);
  frame_data_mem = make_compound(sizeof(FrameDataRow), frame_data_members, false);
  frame_data_file = make_compound(sizeof(FrameDataRow), frame_data_members, true);
  frames_mem = make_compound(sizeof(FrameRow), frames_members, false);
  frames_file = make_compound(sizeof(FrameRow), frames_members, true);
  agents_mem = make_compound(sizeof(AgentRow), agents_members, false);
  agents_file = make_compound(sizeof(AgentRow), agents_members, true);

  if (keep_frames) {
    reopen(*keep_frames);
    return;
  }

  // PedPy's part: /trajectory with fps, and the walkable area at the root.
  const hid_t root = file.get();
  set_string(root, "wkt_geometry", meta.walkable_wkt);
  trajectory = make_table(root, "trajectory", trajectory_file.get(), detail::kRowChunk);
  set_f64(trajectory.get(), "fps", 1.0 / meta.output_interval_s);
  set_string(trajectory.get(), "unit", "x: m; y: m");

  // crowdsafe's part, kept out of /trajectory.
  crowdsafe = make_group(root, "crowdsafe");
  frame_data =
      make_table(crowdsafe.get(), "frame_data", frame_data_file.get(), detail::kRowChunk);
  set_string(frame_data.get(), "unit", "vx: m/s; vy: m/s; contact_force: N");
  frames = make_table(crowdsafe.get(), "frames", frames_file.get(), detail::kTableChunk);
  set_string(frames.get(), "unit", "time: s");
  agents = make_table(crowdsafe.get(), "agents", agents_file.get(), detail::kTableChunk);
  set_string(agents.get(), "unit", "spawn_time: s; exit_time: s; desired_speed: m/s; radius: m");

  metadata = make_group(crowdsafe.get(), "metadata");
  const hid_t m = metadata.get();
  set_string(m, "scenario_name", meta.scenario_name);
  set_string(m, "scenario_file", meta.scenario_file);
  set_string(m, "scenario_hash", meta.scenario_hash);
  set_string(m, "version", meta.version);
  set_u64(m, "seed", meta.seed);
  set_f64(m, "time_step_s", meta.time_step_s);
  set_f64(m, "output_interval_s", meta.output_interval_s);
  set_i32(m, "threads", meta.threads);
  set_strings(m, "group_names", meta.group_names);
  set_strings(m, "exit_names", meta.exit_names);
  set_string(m, "levels", meta.levels_json);
  set_string(m, "units", detail::kUnits);
  // Until finish() says otherwise, the file describes a run that has not ended.
  set_i32(m, "complete", 0);
  set_string(m, "status", "running");
  check(H5Fflush(root, H5F_SCOPE_GLOBAL), "flushing");
}

void TrajectoryWriter::Impl::reopen(std::int64_t keep_frames) {
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0)
    throw std::runtime_error("cannot resume trajectory file '" + path +
                             "': it cannot be opened for writing; it must be the file of the interrupted run");
  file = detail::File(id);
  const hid_t root = file.get();
  trajectory = detail::Dataset(check(H5Dopen2(root, "trajectory", H5P_DEFAULT), "opening /trajectory"));
  crowdsafe = detail::Group(check(H5Gopen2(root, "crowdsafe", H5P_DEFAULT), "opening /crowdsafe"));
  frame_data = detail::Dataset(check(H5Dopen2(crowdsafe.get(), "frame_data", H5P_DEFAULT), "opening frame_data"));
  frames = detail::Dataset(check(H5Dopen2(crowdsafe.get(), "frames", H5P_DEFAULT), "opening frames"));
  agents = detail::Dataset(check(H5Dopen2(crowdsafe.get(), "agents", H5P_DEFAULT), "opening agents"));
  metadata = detail::Group(check(H5Gopen2(crowdsafe.get(), "metadata", H5P_DEFAULT), "opening metadata"));

  hsize_t n_frames = 0;
  {
    detail::Dataspace space(check(H5Dget_space(frames.get()), "reading the frame index"));
    check(H5Sget_simple_extent_dims(space.get(), &n_frames, nullptr), "reading the frame index");
  }
  if (keep_frames < 0 || static_cast<hsize_t>(keep_frames) > n_frames)
    throw std::runtime_error("cannot resume trajectory file '" + path + "': the checkpoint is at frame " +
                             std::to_string(keep_frames) + " but the file holds only " + std::to_string(n_frames) +
                             " frames; it belongs to another run");
  // Frames recorded after the checkpoint are recomputed identically, so drop them.
  std::int64_t rows = 0;
  if (keep_frames > 0) {
    detail::FrameRow last{};
    detail::Dataspace space(check(H5Dget_space(frames.get()), "reading the frame index"));
    const hsize_t start[1] = {static_cast<hsize_t>(keep_frames - 1)}, count[1] = {1};
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "reading the frame index");
    detail::Dataspace mem(check(H5Screate_simple(1, count, nullptr), "reading the frame index"));
    check(H5Dread(frames.get(), frames_mem.get(), mem.get(), space.get(), H5P_DEFAULT, &last), "reading the frame index");
    rows = last.first_row + last.count;
    has_frame = true;
    last_frame = last.frame;
    last_time_s = last.time;
  }
  const hsize_t row_extent[1] = {static_cast<hsize_t>(rows)}, frame_extent[1] = {static_cast<hsize_t>(keep_frames)},
                none[1] = {0};
  check(H5Dset_extent(trajectory.get(), row_extent), "truncating /trajectory");
  check(H5Dset_extent(frame_data.get(), row_extent), "truncating frame_data");
  check(H5Dset_extent(frames.get(), frame_extent), "truncating frames");
  check(H5Dset_extent(agents.get(), none), "clearing the agent table");
  rows_written = rows_total = rows;
  frames_written = keep_frames;
  set_i32(metadata.get(), "complete", 0);
  set_string(metadata.get(), "status", "running");
  check(H5Fflush(root, H5F_SCOPE_GLOBAL), "flushing");
}

detail::Datatype TrajectoryWriter::Impl::make_compound(
    std::size_t size, const std::vector<detail::Member>& members, bool packed_file_type) const {
  std::size_t file_size = 0;
  for (const auto& m : members) file_size += H5Tget_size(m.file_type);
  detail::Datatype type(check(H5Tcreate(H5T_COMPOUND, packed_file_type ? file_size : size),
                              "creating a compound type"));
  std::size_t offset = 0;
  for (const auto& m : members) {
    if (packed_file_type) {
      check(H5Tinsert(type.get(), m.name, offset, m.file_type), "creating a compound type");
      offset += H5Tget_size(m.file_type);
    } else {
      check(H5Tinsert(type.get(), m.name, m.offset, m.memory_type), "creating a compound type");
    }
  }
  return type;
}

detail::Dataset TrajectoryWriter::Impl::make_table(hid_t parent, const char* name,
                                                   hid_t file_type, hsize_t chunk) const {
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  detail::Dataspace space(check(H5Screate_simple(1, dims, max_dims), "creating a dataspace"));
  detail::PropList dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "creating a property list"));
  const hsize_t chunk_dims[1] = {chunk};
  check(H5Pset_chunk(dcpl.get(), 1, chunk_dims), "setting the chunk size");
  // No timestamps in object headers: the same run gives the same bytes.
  check(H5Pset_obj_track_times(dcpl.get(), false), "disabling timestamps");
  if constexpr (detail::kDeflateLevel > 0) {
    check(H5Pset_shuffle(dcpl.get()), "enabling compression");
    check(H5Pset_deflate(dcpl.get(), detail::kDeflateLevel), "enabling compression");
  }
  const std::string what = std::string("creating dataset ") + name;
  return detail::Dataset(check(
      H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      what.c_str()));
}

detail::Group TrajectoryWriter::Impl::make_group(hid_t parent, const char* name) const {
  const std::string what = std::string("creating group ") + name;
  detail::PropList gcpl(check(H5Pcreate(H5P_GROUP_CREATE), what.c_str()));
  check(H5Pset_obj_track_times(gcpl.get(), false), what.c_str());
  return detail::Group(
      check(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what.c_str()));
}

void TrajectoryWriter::Impl::append(hid_t dataset, hid_t mem_type, const void* rows,
                                    std::size_t n, std::int64_t already,
                                    const char* what) const {
  if (n == 0) return;
  const hsize_t start[1] = {static_cast<hsize_t>(already)};
  const hsize_t count[1] = {static_cast<hsize_t>(n)};
  const hsize_t new_size[1] = {start[0] + count[0]};
  check(H5Dset_extent(dataset, new_size), what);
  detail::Dataspace file_space(check(H5Dget_space(dataset), what));
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        what);
  detail::Dataspace mem_space(check(H5Screate_simple(1, count, nullptr), what));
  check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, rows), what);
}

void TrajectoryWriter::Impl::set_scalar(hid_t obj, const char* name, hid_t file_type,
                                        hid_t mem_type, const void* value) const {
  const std::string what = std::string("writing attribute ") + name;
  if (check(H5Aexists(obj, name), what.c_str()) > 0) {
    check(H5Adelete(obj, name), what.c_str());
  }
  detail::Dataspace space(check(H5Screate(H5S_SCALAR), what.c_str()));
  detail::Attribute attr(
      check(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            what.c_str()));
  check(H5Awrite(attr.get(), mem_type, value), what.c_str());
}

void TrajectoryWriter::Impl::set_string(hid_t obj, const char* name,
                                        const std::string& value) const {
  const char* data = value.c_str();
  set_scalar(obj, name, string_type.get(), string_type.get(), &data);
}

void TrajectoryWriter::Impl::set_strings(hid_t obj, const char* name,
                                         const std::vector<std::string>& values) const {
  const std::string what = std::string("writing attribute ") + name;
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const auto& v : values) data.push_back(v.c_str());
  const hsize_t dims[1] = {values.size()};
  detail::Dataspace space(check(H5Screate_simple(1, dims, nullptr), what.c_str()));
  detail::Attribute attr(check(
      H5Acreate2(obj, name, string_type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      what.c_str()));
  if (!data.empty()) check(H5Awrite(attr.get(), string_type.get(), data.data()), what.c_str());
}

void TrajectoryWriter::Impl::write_frame(const FrameView& f) {
  if (finished) {
    throw std::logic_error("trajectory file '" + path + "': write_frame() after finish()");
  }
  const std::size_t n = f.id.size();
  if (f.position.size() != n || f.velocity.size() != n || f.contact_force_N.size() != n) {
    throw std::invalid_argument(
        "trajectory file '" + path + "': frame " + std::to_string(f.frame) +
        ": id, position, velocity and contact_force_N must have the same length (" +
        std::to_string(n) + ", " + std::to_string(f.position.size()) + ", " +
        std::to_string(f.velocity.size()) + ", " + std::to_string(f.contact_force_N.size()) +
        ")");
  }
  if (has_frame && f.frame <= last_frame) {
    throw std::invalid_argument("trajectory file '" + path + "': frame " +
                                std::to_string(f.frame) + " written after frame " +
                                std::to_string(last_frame) + "; frames must increase");
  }

  frames_buffer.push_back({f.frame, f.time_s, rows_total, static_cast<std::int64_t>(n)});
  for (std::size_t i = 0; i < n; ++i) {
    trajectory_buffer.push_back({f.id[i].value, f.frame, f.position[i].x, f.position[i].y});
    frame_data_buffer.push_back({f.velocity[i].x, f.velocity[i].y, f.contact_force_N[i]});
  }
  rows_total += static_cast<std::int64_t>(n);
  has_frame = true;
  last_frame = f.frame;
  last_time_s = f.time_s;
  ++frames_since_flush;

  if (frames_since_flush >= detail::kFlushEveryFrames ||
      Clock::now() - last_flush >= detail::kFlushEveryWall) {
    flush();
  } else if (trajectory_buffer.size() >= detail::kRowChunk) {
    drain();
  }
}

void TrajectoryWriter::Impl::drain() {
  // All three tables move together, so the frame index never points past the rows on disk.
  append(trajectory.get(), trajectory_mem.get(), trajectory_buffer.data(),
         trajectory_buffer.size(), rows_written, "appending to /trajectory");
  append(frame_data.get(), frame_data_mem.get(), frame_data_buffer.data(),
         frame_data_buffer.size(), rows_written, "appending to /crowdsafe/frame_data");
  append(frames.get(), frames_mem.get(), frames_buffer.data(), frames_buffer.size(),
         frames_written, "appending to /crowdsafe/frames");
  rows_written += static_cast<std::int64_t>(trajectory_buffer.size());
  frames_written += static_cast<std::int64_t>(frames_buffer.size());
  trajectory_buffer.clear();
  frame_data_buffer.clear();
  frames_buffer.clear();
}

void TrajectoryWriter::Impl::flush() {
  drain();
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flushing");
  frames_since_flush = 0;
  last_flush = Clock::now();
}

void TrajectoryWriter::Impl::write_end(const RunEnd& end) {
  const hid_t m = metadata.get();
  set_i32(m, "complete", end.complete ? 1 : 0);
  const std::string status =
      !end.status.empty() ? end.status : (end.complete ? "completed" : "failed");
  set_string(m, "status", status);
  set_f64(m, "simulated_time_s", end.simulated_time_s);
  set_f64(m, "wall_time_s", end.wall_time_s);
  set_i64(m, "steps", end.steps);
}

void TrajectoryWriter::Impl::close() {
  check(agents.reset(), "closing /crowdsafe/agents");
  check(frames.reset(), "closing /crowdsafe/frames");
  check(frame_data.reset(), "closing /crowdsafe/frame_data");
  check(trajectory.reset(), "closing /trajectory");
  check(metadata.reset(), "closing /crowdsafe/metadata");
  check(crowdsafe.reset(), "closing /crowdsafe");
  check(file.reset(), "closing the file");
}

TrajectoryWriter::TrajectoryWriter(const std::filesystem::path& path, const RunMetadata& meta)
    : impl_(std::make_unique<Impl>(path, meta)) {}

TrajectoryWriter::TrajectoryWriter(const std::filesystem::path& path, const RunMetadata& meta, std::int64_t keep_frames)
    : impl_(std::make_unique<Impl>(path, meta, keep_frames)) {}

TrajectoryWriter::~TrajectoryWriter() {
  if (!impl_ || impl_->finished) return;
  // Interrupted (exception, Ctrl-C handled by the caller, early return): keep every frame
  // written so far and say so in the metadata. Nothing may escape a destructor.
  try {
    impl_->drain();
    RunEnd end;
    end.complete = false;
    end.status = "interrupted";
    end.simulated_time_s = impl_->last_time_s;
    end.steps = -1;  // unknown to the writer
    end.wall_time_s = impl_->wall_time_s();
    impl_->write_end(end);
    impl_->flush();
  } catch (...) {  // NOLINT(bugprone-empty-catch): best effort; the handles still close below
  }
  impl_->finished = true;
  try {
    impl_->close();
  } catch (...) {  // NOLINT(bugprone-empty-catch)
  }
}

void TrajectoryWriter::write_frame(const FrameView& frame) { impl_->write_frame(frame); }

void TrajectoryWriter::finish(const std::vector<AgentRecord>& agents, const RunEnd& end) {
  Impl& w = *impl_;
  if (w.finished) throw std::logic_error("trajectory file '" + w.path + "': finish() twice");
  w.drain();

  std::vector<detail::AgentRow> rows;
  rows.reserve(agents.size());
  for (const AgentRecord& a : agents) {
    rows.push_back({a.id.value, a.group, a.spawn_time_s,
                    a.exit_time_s >= 0.0 ? a.exit_time_s
                                         : std::numeric_limits<double>::quiet_NaN(),
                    a.exit, a.desired_speed_m_s, a.radius_m});
  }
  w.append(w.agents.get(), w.agents_mem.get(), rows.data(), rows.size(), 0,
           "writing /crowdsafe/agents");
  w.write_end(end);
  w.flush();
  w.finished = true;
  w.close();
}

std::string fnv1a64_hex(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace crowdsafe
