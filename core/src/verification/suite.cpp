// The verification suite: runs every test, times it, turns exceptions into FAIL, and writes the
// Markdown report with its figures.
#include "suite.hpp"

#include "crowdsafe/version.hpp"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace crowdsafe::verify {

namespace detail {

std::string text(const char* format, ...) {
  char buf[2048];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string list(const std::vector<double>& values, const char* format) {
  std::string s;
  for (double v : values) s += (s.empty() ? "" : ", ") + text(format, v);
  return s;
}

std::vector<std::uint64_t> Context::seeds(int nq, int nf) const {
  std::vector<std::uint64_t> s;
  for (int k = 1; k <= (quick ? nq : nf); ++k) s.push_back(static_cast<std::uint64_t>(k));
  return s;
}

Figure Context::figure(const std::string& name, const Plot& plot, const std::string& caption) const {
  const std::filesystem::path dir = out / "validation";
  std::filesystem::create_directories(dir);
  std::ofstream f(dir / (name + ".svg"));
  f << render_svg(plot);
  if (!f) throw std::runtime_error("cannot write " + (dir / (name + ".svg")).string());
  return {"validation/" + name + ".svg", caption};
}

const std::vector<TestEntry>& registry() {
  static const std::vector<TestEntry> tests{
      {"RiMEA 1", rimea_1},   {"RiMEA 2", rimea_2},   {"RiMEA 3", rimea_3},   {"RiMEA 4", rimea_4},
      {"RiMEA 5", rimea_5},   {"RiMEA 6", rimea_6},   {"RiMEA 7", rimea_7},   {"RiMEA 8", rimea_8},
      {"RiMEA 9", rimea_9},   {"RiMEA 10", rimea_10}, {"RiMEA 11", rimea_11}, {"RiMEA 12", rimea_12},
      {"RiMEA 13", rimea_13}, {"RiMEA 14", rimea_14}, {"RiMEA 15", rimea_15}, {"RiMEA 16", rimea_16},
      {"NIST corridor speed", nist_corridor_speed},   {"NIST door flow", nist_door_flow},
      {"NIST counterflow", nist_counterflow},         {"Bottleneck width series", bottleneck_series},
      {"Zhang bidirectional FD", zhang_bidirectional}, {"Lane formation", lane_formation},
  };
  return tests;
}

}  // namespace detail

bool SuiteReport::all_passed() const {
  for (const auto& r : results)
    if (!r.pass) return false;
  return !results.empty();
}

std::vector<std::string> suite_ids() {
  std::vector<std::string> ids;
  for (const auto& t : detail::registry()) ids.push_back(t.id);
  return ids;
}

SuiteReport run_suite(const SuiteOptions& options) {
  using Clock = std::chrono::steady_clock;
  detail::Context ctx{options.quick, options.threads, options.out};
  std::filesystem::create_directories(options.out);
  SuiteReport report;
  report.quick = options.quick;
  report.threads = options.threads;
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  report.started_utc = when;
  const auto start = Clock::now();
  for (const auto& t : detail::registry()) {
    if (!options.filter.empty() && std::string(t.id).find(options.filter) == std::string::npos) continue;
    const auto t0 = Clock::now();
    TestResult r;
    try {
      r = t.run(ctx);
    } catch (const std::exception& e) {
      // A simulation that stops with an error (wall crossing, overlap, unreachable target) fails
      // the test; the message is the measurement.
      r.title = "(stopped with an error)";
      r.measured = std::string("error: ") + e.what();
      r.pass = false;
    }
    r.id = t.id;
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    report.results.push_back(r);
    if (options.on_result) options.on_result(report.results.back());
  }
  report.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::ofstream f(options.out / "validation.md");
  f << report_markdown(report);
  if (!f) throw std::runtime_error("cannot write " + (options.out / "validation.md").string());
  return report;
}

std::string report_markdown(const SuiteReport& report) {
  using detail::text;
  std::ostringstream o;
  int passed = 0;
  for (const auto& r : report.results) passed += r.pass ? 1 : 0;
  o << "# crowdsafe verification and validation report\n\n";
  o << "Written by `crowdsafe verify" << (report.quick ? " --quick" : "") << "` (crowdsafe " << kVersion << ", "
    << report.started_utc << ", " << report.threads << " threads per simulation)"
    << (report.quick ? " (quick set: reduced sizes and seeds; the committed report is the full suite)" : "")
    << ". Each test states its geometry, set-up, criterion, tolerance and source and is PASS or FAIL on the "
       "measured value; a FAIL makes the command exit with code 1. Tolerances marked *proposed* are engineering "
       "judgement (../shared/VALIDATION.md), not from the source. Units SI: m, s, m/s, persons/m², persons/s.\n\n";
  o << "Coverage. RiMEA tests 1–16 (RiMEA 4 is the comparison with Weidmann's fundamental diagram, RiMEA 16 the "
       "single-file diagram of Seyfried et al.). NIST TN 1822 / ISO 20414 components: pre-evacuation time → RiMEA 5; "
       "speed in a corridor → NIST corridor speed and RiMEA 1; stairs → RiMEA 2, 3; movement around a corner → "
       "RiMEA 6; assigned demographics → RiMEA 7; exit route allocation → RiMEA 10; congestion → RiMEA 12, 13; flow "
       "through a door → NIST door flow; counterflow → NIST counterflow. Not covered, because crowdsafe does not model "
       "them: reduced visibility, incapacitation, elevators, group and social-influence behaviour, people with "
       "movement disabilities, and exits that close during a run (routes are never re-planned). Experiments: "
       "Weidmann (RiMEA 4), bottleneck width series, Zhang's bidirectional diagram, lane formation, single file "
       "(RiMEA 16).\n\n";
  o << text("**%d of %zu tests pass** · wall time %.0f s\n\n", passed, report.results.size(), report.wall_s);
  o << "| test | title | result | measured | wall time (s) |\n| --- | --- | --- | --- | ---: |\n";
  auto cell = [](const std::string& s) {  // a table cell: | inside (|v − v_W|) must not end it
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  for (const auto& r : report.results)
    o << "| " << r.id << " | " << cell(r.title) << " | " << (r.pass ? "PASS" : "**FAIL**") << " | " << cell(r.measured)
      << " | " << text("%.1f", r.wall_s) << " |\n";
  o << "\n";
  for (const auto& r : report.results) {
    o << "## " << r.id << ": " << r.title << " — " << (r.pass ? "PASS" : "FAIL") << "\n\n";
    o << "- **Geometry:** " << r.geometry << "\n";
    o << "- **Set-up:** " << r.setup << "\n";
    o << "- **Criterion:** " << r.criterion << "\n";
    o << "- **Tolerance:** " << r.tolerance << "\n";
    o << "- **Source:** " << r.source << "\n";
    o << "- **Measured:** " << r.measured << "\n";
    if (!r.notes.empty()) o << "- **Notes:** " << r.notes << "\n";
    o << text("- **Result:** %s (%.1f s wall time)\n\n", r.pass ? "PASS" : "FAIL", r.wall_s);
    for (const auto& f : r.figures) o << "![" << f.caption << "](" << f.file << ")\n\n*" << f.caption << "*\n\n";
  }
  return o.str();
}

}  // namespace crowdsafe::verify
