/// @file trajectory_reader.cpp
/// Streams a run's trajectories.h5 frame by frame (docs/output-format.md). Rows of consecutive
/// frames are read together in one hyperslab of at most kBatchRows rows (a frame larger than
/// that is read alone), so memory is bounded by the batch, not by the run.

#include "analysis/trajectory_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "io/h5.hpp"

namespace crowdsafe::detail {
namespace {

constexpr std::int64_t kBatchRows = 65536;

struct PositionRow {
  std::int64_t id;
  double x, y;
};
struct DataRow {
  double vx, vy, contact_force;
};
struct FrameIndexRow {
  std::int64_t frame;
  double time;
  std::int64_t first_row;
  std::int64_t count;
};
struct AgentRow {
  std::int64_t id;
  std::int32_t group;
  double exit_time;
  std::int32_t exit;
  double desired_speed;
};

}  // namespace

struct TrajectoryReader::Impl {
  std::string path;
  h5::File file;
  h5::Dataset trajectory, frame_data;
  h5::Datatype position_type, data_type;
  RunFileInfo info;
  std::vector<FrameIndexRow> frames;
  std::size_t next_frame = 0;
  // The current batch: frames [batch_begin, batch_end) with their rows.
  std::size_t batch_begin = 0, batch_end = 0;
  std::int64_t batch_first_row = 0;
  std::vector<PositionRow> positions;
  std::vector<DataRow> data;
  double read_s = 0;

  [[noreturn]] void fail(const std::string& what) const {
    const std::string why = h5::error_text();
    throw std::runtime_error("cannot read trajectory file '" + path + "': " + what +
                             (why.empty() ? std::string() : " (HDF5: " + why + ")"));
  }
  hid_t check(hid_t id, const std::string& what) const {
    if (id < 0) fail(what);
    return id;
  }

  std::string string_attr(hid_t obj, const char* name) {
    if (H5Aexists(obj, name) <= 0) return {};
    h5::Attribute a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("opening attribute ") + name));
    h5::Datatype ft(H5Aget_type(a.get()));
    if (H5Tget_class(ft.get()) != H5T_STRING) return {};
    if (H5Tis_variable_str(ft.get()) > 0) {
      h5::Datatype mt(H5Tcopy(H5T_C_S1));
      H5Tset_size(mt.get(), H5T_VARIABLE);
      H5Tset_cset(mt.get(), H5Tget_cset(ft.get()));
      char* s = nullptr;
      if (H5Aread(a.get(), mt.get(), &s) < 0) fail(std::string("reading attribute ") + name);
      std::string out = s ? s : "";
      H5free_memory(s);
      return out;
    }
    const std::size_t n = H5Tget_size(ft.get());
    std::string out(n, '\0');
    if (H5Aread(a.get(), ft.get(), out.data()) < 0) fail(std::string("reading attribute ") + name);
    out.resize(std::strlen(out.c_str()));
    return out;
  }

  std::vector<std::string> strings_attr(hid_t obj, const char* name) {
    std::vector<std::string> out;
    if (H5Aexists(obj, name) <= 0) return out;
    h5::Attribute a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("opening attribute ") + name));
    h5::Dataspace sp(H5Aget_space(a.get()));
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    if (n <= 0) return out;
    h5::Datatype mt(H5Tcopy(H5T_C_S1));
    H5Tset_size(mt.get(), H5T_VARIABLE);
    H5Tset_cset(mt.get(), H5T_CSET_UTF8);
    std::vector<char*> raw(static_cast<std::size_t>(n), nullptr);
    if (H5Aread(a.get(), mt.get(), raw.data()) < 0) fail(std::string("reading attribute ") + name);
    for (char* s : raw) {
      out.emplace_back(s ? s : "");
      H5free_memory(s);
    }
    return out;
  }

  double f64_attr(hid_t obj, const char* name, double fallback) {
    if (H5Aexists(obj, name) <= 0) return fallback;
    h5::Attribute a(check(H5Aopen(obj, name, H5P_DEFAULT), std::string("opening attribute ") + name));
    double v = fallback;
    if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(std::string("reading attribute ") + name);
    return v;
  }

  /// Memory compound type with the named members of `T` (file members missing -> error).
  h5::Datatype compound(std::size_t size, std::initializer_list<std::pair<const char*, std::pair<std::size_t, hid_t>>> members) {
    h5::Datatype t(check(H5Tcreate(H5T_COMPOUND, size), "creating a compound type"));
    for (const auto& [name, where] : members) check(H5Tinsert(t.get(), name, where.first, where.second), "creating a compound type");
    return t;
  }

  template <class Row>
  std::vector<Row> read_table(hid_t parent, const char* name, const h5::Datatype& type, bool required) {
    std::vector<Row> rows;
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) {
      if (required) fail(std::string("dataset ") + name + " is missing; is this a crowdsafe run file?");
      return rows;
    }
    h5::Dataset ds(check(H5Dopen2(parent, name, H5P_DEFAULT), std::string("opening ") + name));
    h5::Dataspace sp(H5Dget_space(ds.get()));
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    rows.resize(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
    if (n > 0 && H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
      fail(std::string("reading ") + name);
    return rows;
  }

  explicit Impl(const std::filesystem::path& p) : path(p.string()) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (!std::filesystem::exists(p))
      throw std::runtime_error("cannot read trajectory file '" + path +
                               "': no such file; run `crowdsafe run SCENARIO --out DIR` first");
    file = h5::File(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening"));
    const hid_t root = file.get();
    info.wkt = string_attr(root, "wkt_geometry");
    if (H5Lexists(root, "crowdsafe", H5P_DEFAULT) <= 0)
      fail("group /crowdsafe is missing; analyse needs a file written by crowdsafe");
    h5::Group cs(check(H5Gopen2(root, "crowdsafe", H5P_DEFAULT), "opening /crowdsafe"));
    if (H5Lexists(cs.get(), "metadata", H5P_DEFAULT) > 0) {
      h5::Group m(check(H5Gopen2(cs.get(), "metadata", H5P_DEFAULT), "opening /crowdsafe/metadata"));
      info.scenario_name = string_attr(m.get(), "scenario_name");
      info.scenario_file = string_attr(m.get(), "scenario_file");
      info.status = string_attr(m.get(), "status");
      info.output_interval_s = f64_attr(m.get(), "output_interval_s", 0.1);
      info.group_names = strings_attr(m.get(), "group_names");
      info.exit_names = strings_attr(m.get(), "exit_names");
    }
    const h5::Datatype frames_type = compound(sizeof(FrameIndexRow),
        {{"frame", {offsetof(FrameIndexRow, frame), H5T_NATIVE_INT64}},
         {"time", {offsetof(FrameIndexRow, time), H5T_NATIVE_DOUBLE}},
         {"first_row", {offsetof(FrameIndexRow, first_row), H5T_NATIVE_INT64}},
         {"count", {offsetof(FrameIndexRow, count), H5T_NATIVE_INT64}}});
    frames = read_table<FrameIndexRow>(cs.get(), "frames", frames_type, true);
    const h5::Datatype agents_type = compound(sizeof(AgentRow),
        {{"id", {offsetof(AgentRow, id), H5T_NATIVE_INT64}},
         {"group", {offsetof(AgentRow, group), H5T_NATIVE_INT32}},
         {"exit_time", {offsetof(AgentRow, exit_time), H5T_NATIVE_DOUBLE}},
         {"exit", {offsetof(AgentRow, exit), H5T_NATIVE_INT32}},
         {"desired_speed", {offsetof(AgentRow, desired_speed), H5T_NATIVE_DOUBLE}}});
    for (const AgentRow& a : read_table<AgentRow>(cs.get(), "agents", agents_type, false))
      info.agents.push_back({a.id, a.group, a.exit_time, a.exit, a.desired_speed});
    for (const auto& f : frames) {
      info.frame_time.push_back(f.time);
      info.frame_count.push_back(f.count);
    }
    trajectory = h5::Dataset(check(H5Dopen2(root, "trajectory", H5P_DEFAULT), "opening /trajectory"));
    frame_data = h5::Dataset(check(H5Dopen2(cs.get(), "frame_data", H5P_DEFAULT), "opening /crowdsafe/frame_data"));
    position_type = compound(sizeof(PositionRow), {{"id", {offsetof(PositionRow, id), H5T_NATIVE_INT64}},
                                                   {"x", {offsetof(PositionRow, x), H5T_NATIVE_DOUBLE}},
                                                   {"y", {offsetof(PositionRow, y), H5T_NATIVE_DOUBLE}}});
    data_type = compound(sizeof(DataRow), {{"vx", {offsetof(DataRow, vx), H5T_NATIVE_DOUBLE}},
                                           {"vy", {offsetof(DataRow, vy), H5T_NATIVE_DOUBLE}},
                                           {"contact_force", {offsetof(DataRow, contact_force), H5T_NATIVE_DOUBLE}}});
  }

  void read_rows(hid_t ds, hid_t type, std::int64_t first, std::int64_t count, void* out, const char* what) {
    h5::Dataspace file_space(H5Dget_space(ds));
    const hsize_t start[1] = {static_cast<hsize_t>(first)};
    const hsize_t n[1] = {static_cast<hsize_t>(count)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, n, nullptr), what);
    h5::Dataspace mem(check(H5Screate_simple(1, n, nullptr), what));
    if (H5Dread(ds, type, mem.get(), file_space.get(), H5P_DEFAULT, out) < 0) fail(what);
  }

  /// Loads frames starting at next_frame into the batch.
  void load_batch() {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    batch_begin = next_frame;
    batch_end = next_frame;
    std::int64_t rows = 0;
    while (batch_end < frames.size() && (batch_end == batch_begin || rows + frames[batch_end].count <= kBatchRows)) {
      rows += frames[batch_end].count;
      ++batch_end;
    }
    batch_first_row = frames[batch_begin].first_row;
    positions.resize(static_cast<std::size_t>(rows));
    data.resize(static_cast<std::size_t>(rows));
    if (rows > 0) {
      read_rows(trajectory.get(), position_type.get(), batch_first_row, rows, positions.data(), "reading /trajectory");
      read_rows(frame_data.get(), data_type.get(), batch_first_row, rows, data.data(), "reading /crowdsafe/frame_data");
    }
    read_s += std::chrono::duration<double>(clock::now() - t0).count();
  }
};

TrajectoryReader::TrajectoryReader(const std::filesystem::path& file) : impl_(std::make_unique<Impl>(file)) {}
TrajectoryReader::~TrajectoryReader() = default;
const RunFileInfo& TrajectoryReader::info() const { return impl_->info; }
double TrajectoryReader::read_seconds() const { return impl_->read_s; }

void TrajectoryReader::rewind() {
  impl_->next_frame = 0;
  impl_->batch_begin = impl_->batch_end = 0;
}

bool TrajectoryReader::next(FrameRows& out) {
  Impl& r = *impl_;
  if (r.next_frame >= r.frames.size()) return false;
  if (r.next_frame >= r.batch_end || r.next_frame < r.batch_begin) r.load_batch();
  const FrameIndexRow& f = r.frames[r.next_frame];
  const auto begin = static_cast<std::size_t>(f.first_row - r.batch_first_row);
  const auto n = static_cast<std::size_t>(f.count);
  out.frame = f.frame;
  out.time_s = f.time;
  out.id.resize(n);
  out.position.resize(n);
  out.velocity.resize(n);
  out.contact_force.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const PositionRow& p = r.positions[begin + i];
    const DataRow& d = r.data[begin + i];
    out.id[i] = p.id;
    out.position[i] = {p.x, p.y};
    out.velocity[i] = {d.vx, d.vy};
    out.contact_force[i] = d.contact_force;
  }
  ++r.next_frame;
  return true;
}

}  // namespace crowdsafe::detail
